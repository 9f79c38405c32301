"""``make bench``: lod's speed and memory against targets, each with its baseline in the same run.

    python benchmarks/run.py [--n 10000] [--small 1000] [--large 100000] [--json PATH]

Synthetic records come from ``generate.py`` (seeded; kept in ``benchmarks/.work``
and reused while N, seed and generator are unchanged). Each step runs in a
fresh interpreter (``steps.py``), so its peak RSS is its own. The table goes to
stdout and, with every measurement and the machine, to ``results/latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate

QUERY_LIMIT_S = 0.050
#: The queries every release ships (cli.md): the ones with a speed target.
FIXED_QUERIES = ("case-studies", "institutions", "by-library-type", "by-country", "by-ifla-unit",
                 "by-project", "by-activity", "gaps-library-types", "gaps-ifla-units")


def run_step(step: str, data: Path, work: Path, *, script: Path | None = None) -> dict[str, Any]:
    """Run one step in a fresh interpreter; its JSON, or an error."""
    command = [sys.executable, str(script or HERE / "steps.py"), step, "--data", str(data),
               "--work", str(work)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  {step} on {data.name}: failed: {tail}", file=sys.stderr)
        return {"error": tail}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  {step} on {data.name}: {result.get('seconds', 0):.2f} s, "
          f"{result.get('peak_mb', 0):.0f} MB", file=sys.stderr)
    return result


def row(what: str, value: float | None, target: str, met: bool | None, note: str = "") -> dict[str, Any]:
    return {"row": what, "value": value, "target": target, "met": met, "note": note}


def ratio_row(what: str, result: dict[str, Any], base: dict[str, Any], limit: float,
              base_name: str) -> dict[str, Any]:
    if "error" in result or "error" in base:
        return row(what, None, f"<= {limit:g}x {base_name}", None,
                   result.get("error") or base.get("error", ""))
    ratio = result["seconds"] / base["seconds"]
    return row(what, ratio, f"<= {limit:g}x {base_name}", ratio <= limit,
               f"{result['seconds']:.2f} s vs {base['seconds']:.2f} s")


def seconds_row(what: str, result: dict[str, Any], limit: float) -> dict[str, Any]:
    if "error" in result:
        return row(what, None, f"< {limit:g} s", None, result["error"])
    return row(what, result["seconds"], f"< {limit:g} s", result["seconds"] < limit)


def memory_row(what: str, result: dict[str, Any], limit_mb: float) -> dict[str, Any]:
    if "error" in result:
        return row(what, None, f"< {limit_mb:.0f} MB", None, result["error"])
    return row(what, result["peak_mb"], f"< {limit_mb:.0f} MB", result["peak_mb"] < limit_mb)


def dataset(n: int) -> Path:
    folder = HERE / ".work" / f"n{n}"
    generate.ensure(n, folder)
    return folder


def measure(args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    raw: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    small, big = dataset(args.small), dataset(args.n)
    work_small, work_big = HERE / ".work" / f"run-{args.small}", HERE / ".work" / f"run-{args.n}"

    raw["small"] = {step: run_step(step, small, work_small) for step in ("validate", "build")}
    rows.append(seconds_row(f"validate, {args.small:,} records", raw["small"]["validate"], 2.0))
    rows.append(seconds_row(f"build, {args.small:,} records", raw["small"]["build"], 3.0))

    steps = ("build", "floor", "shacl", "shacl_pyshacl", "queries")
    raw["big"] = {step: run_step(step, big, work_big) for step in steps}
    build, floor = raw["big"]["build"], raw["big"]["floor"]
    rows.append(ratio_row(f"build, {args.n:,} records (cold)", build, floor, 2.0,
                          "floor (C YAML loader + pyoxigraph writing the same triples)"))
    if "cpu_seconds" in build and "cpu_seconds" in floor:  # the same ratio by CPU (all processes)
        rows[-1]["note"] += (f"; CPU {build['cpu_seconds']:.2f} s vs {floor['cpu_seconds']:.2f} s "
                             f"({build['cpu_seconds'] / floor['cpu_seconds']:.1f}x)")
    rows.append(memory_row(f"build, {args.n:,} records, peak memory", build, 600))
    shacl, oracle = raw["big"]["shacl"], raw["big"]["shacl_pyshacl"]
    rows.append(ratio_row(f"SHACL ({shacl.get('engine', '?')}), whole graph, {args.n:,} records",
                          shacl, oracle, 1.0, "pySHACL"))
    if "error" not in shacl and "error" not in oracle:
        rows[-1]["note"] += f"; results {shacl['results']} vs {oracle['results']}"
    queries = raw["big"]["queries"].get("queries", {})
    for name in FIXED_QUERIES:
        entry = queries.get(name)
        if entry is None:
            rows.append(row(f"query {name}", None, "", None, "not measured"))
        elif "bare_seconds" in entry:
            ratio = entry["seconds"] / entry["bare_seconds"]
            rows.append(row(f"query {name}, {args.n:,} records", ratio, "<= 2x bare scan",
                            ratio <= 2.0, f"{entry['seconds'] * 1000:.1f} ms vs "
                            f"{entry['bare_seconds'] * 1000:.1f} ms, {entry['rows']} rows"))
        else:
            rows.append(row(f"query {name}, {args.n:,} records", entry["seconds"] * 1000,
                            "< 50 ms", entry["seconds"] < QUERY_LIMIT_S, f"{entry['rows']} rows"))

    if args.large:
        large = dataset(args.large)
        raw["large"] = {"build": run_step("build", large, HERE / ".work" / f"run-{args.large}")}
        result = raw["large"]["build"]
        rows.append(ratio_row(f"build, {args.large:,} records", result, build,
                              11.0 * args.large / args.n / 10, f"build at {args.n:,}"))
        rows.append(memory_row(f"build, {args.large:,} records, peak memory", result, 2048))
        raw["large"]["site"] = run_step("main", large, HERE / ".work" / f"run-{args.large}",
                                        script=HERE / "site_bench.py")
    for script, label in EXTRA:
        path = HERE / script
        if path.is_file():
            raw[script] = run_step("main", big, work_big, script=path)
            rows.append(row(f"{label}, {args.n:,} records", raw[script].get("seconds"),
                            raw[script].get("target", ""), raw[script].get("met"),
                            raw[script].get("note", raw[script].get("error", ""))))
    if args.large and "site_bench.py" in raw:
        rows.append(ratio_row(f"site, {args.large:,} records", raw["large"]["site"],
                              raw["site_bench.py"], 10.0 * args.large / args.n / 10,
                              f"site at {args.n:,}"))
    rows.append(reconcile_row(raw))
    return rows, raw


def reconcile_row(raw: dict[str, Any]) -> dict[str, Any]:
    """``reconcile_requests.py`` (1,000 institutions against a counting proxy): its one line."""
    done = subprocess.run([sys.executable, str(HERE / "reconcile_requests.py")], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    line = (done.stdout.strip().splitlines() or [done.stderr.strip()[-200:]])[-1]
    raw["reconcile"] = line
    found = re.search(r"(\d+) requests per 1,000 institutions", line)
    per_1000 = float(found.group(1)) if found else None
    return row("reconcile, requests per 1,000 institutions", per_1000, "<= 50, 0 cached",
               None if per_1000 is None else done.returncode == 0, line.split(";", 1)[-1].strip())


#: Benchmarks of single steps kept in scripts of their own (same calling convention).
EXTRA: tuple[tuple[str, str], ...] = (
    ("site_bench.py", "site (lod site)"),
    ("publish_reads.py", "publish --live: writes per item, reads per 50 items (first 1,000 reviewed)"),
)


def render(rows: list[dict[str, Any]]) -> str:
    lines = ["| row | value | target | met | note |", "|---|---|---|---|---|"]
    for item in rows:
        value = item["value"]
        shown = "-" if value is None else f"{value:.2f}"
        met = {True: "yes", False: "NO", None: "-"}[item["met"]]
        lines.append(f"| {item['row']} | {shown} | {item['target']} | {met} | {item['note']} |")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    versions = {name: metadata.version(name) for name in ("pyoxigraph", "pyshacl", "shacl", "PyYAML")
                if _installed(name)}
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "platform": platform.platform(), "versions": versions,
            "load_average": os.getloadavg()[0]}


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="records for the main rows")
    parser.add_argument("--small", type=int, default=1_000, help="records for the 'large real "
                        "collection' rows")
    parser.add_argument("--large", type=int, default=0, help="also build this many (e.g. 100000)")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args(argv)
    rows, raw = measure(args)
    table = render(rows)
    print(table)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"date": dt.date.today().isoformat(), "n": args.n,
                                     "machine": machine(), "rows": rows, "raw": raw},
                                    indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
