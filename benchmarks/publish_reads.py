"""Requests of ``lod publish wikidata --live`` at up to 1,000 case studies, against the real test
Wikibase: writes per new item (goal: 1) and ``wbgetentities`` reads per 50 items (goal: at most 1),
beside QuickStatements' one edit per command.

    python benchmarks/publish_reads.py main --data DIR --work DIR [--records 1000]

Prints one JSON line: seconds (the live run), target, met, note, peak_mb. The
records are the first reviewed or published ones of DIR (drafts are never
published). Items the plan blocks (a synthetic title can clash) are left out of
the applied plan, as a curator would hold them back. Every request is counted
by the project's proxy (tests/faultproxy.py, no faults armed) between the
client and the wiki.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET = "1 write per new item; <= 1 wbgetentities per 50 items"


def _choose(data: Path, folder: Path, records: int) -> int:
    folder.mkdir(parents=True)
    chosen = 0
    for path in sorted(data.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "\nstatus: draft" in text or text.startswith("status: draft"):
            continue
        shutil.copyfile(path, folder / path.name)
        chosen += 1
        if chosen >= records:
            break
    return chosen


def measure(data: Path, work: Path, records: int) -> dict[str, Any]:
    """Plan, then apply through a counting proxy; count the requests by action."""
    from lod.publish.wikidata.dryrun import Target, make_plan
    from lod.publish.wikidata.livecommands import publish_live
    from lod.publish.wikidata.model import Plan
    from lod.publish.wikidata.plan import Options
    from lod.publish.wikidata.reads import IdMap
    from lod.publish.wikidata.render import plan_json, quickstatements
    from lod.settings import Settings
    from tests.faultproxy import FaultProxy
    from tests.wikibase import running_wikibase

    folder = work / "publish-live"
    shutil.rmtree(folder, ignore_errors=True)
    chosen = _choose(data, folder / "casestudies", records)
    out = folder / "out"
    with running_wikibase(folder / "wiki", cache=work / "wikibase-cache") as wiki, \
            FaultProxy(wiki.url) as proxy:
        target = Target(f"{proxy.url}/api.php", wiki.sparql_url, IdMap(wiki.ids))
        settings = Settings(data_dir=folder / "casestudies", timeout=120)
        planned, _ = make_plan(settings, target, Options())
        plan = Plan([i for i in planned.items if i.action != "blocked"],
                    [w for w in planned.warnings if w.severity != "error"])
        out.mkdir(parents=True)
        (out / "plan.json").write_bytes(plan_json(plan))
        commands = [line for line in quickstatements(plan).decode("utf-8").splitlines()
                    if line.strip() and not line.startswith("#")]
        env = {"LOD_WIKIBASE_USER": wiki.user, "LOD_WIKIBASE_PASSWORD": wiki.password}
        proxy.tally.actions.clear()
        began = time.perf_counter()
        # no pause between edits: the benchmark measures requests, the pause is policy
        result = publish_live(settings, target, out, env, edit_pause=0)
        seconds = time.perf_counter() - began
        actions = list(proxy.tally.actions)
        if not result.ok:
            raise RuntimeError("; ".join(result.lines)[:300])
        # the same batch again: every item is read back (50 per request) and nothing is written
        proxy.tally.actions.clear()
        publish_live(settings, target, out, env, edit_pause=0)
        again = list(proxy.tally.actions)
    touched = sum(1 for i in plan.items if i.action in {"create", "update"})
    creates = sum(1 for i in plan.items if i.action == "create")
    writes = actions.count("wbeditentity")
    blocks = math.ceil(touched / 50)
    reads = again.count("wbgetentities") - blocks  # less the verification's read-back
    per_50, per_item = reads / max(1, blocks), writes / max(1, touched)
    errors = sorted({w.code for w in planned.warnings if w.severity == "error"})
    return {"seconds": seconds, "records": chosen, "items": touched, "creates": creates,
            "blocked": len(planned.items) - len(plan.items), "blocked_by": errors,
            "wbeditentity": writes, "rerun_wbeditentity": again.count("wbeditentity"),
            "rerun_wbgetentities": again.count("wbgetentities"),
            "writes_per_item": per_item, "reads_per_50_items": per_50,
            "quickstatements_edits_per_item": len(commands) / max(1, touched),
            "met": per_item <= 1.0 and per_50 <= 1.0 and again.count("wbeditentity") == 0}


def main(argv: list[str] | None = None) -> int:
    """``main --data DIR --work DIR``: one JSON line on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["main"])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args(argv)
    result = measure(args.data.resolve(), args.work.resolve(), args.records)
    note = (f"{result['items']} items ({result['creates']} new) from {result['records']} records: "
            f"{result['writes_per_item']:.2f} writes per item (QuickStatements V1: "
            f"{result['quickstatements_edits_per_item']:.1f} edits), "
            f"{result['reads_per_50_items']:.2f} wbgetentities per 50 items on a re-run, which "
            f"wrote {result['rerun_wbeditentity']}; {result['blocked']} blocked by the plan "
            f"({', '.join(result['blocked_by']) or '-'})")
    print(json.dumps({"seconds": round(result["seconds"], 3), "target": TARGET,
                      "met": result["met"], "note": note,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "raw": result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
