"""``make bench``: every step of lod at N records against a baseline, as one table.

    python benchmarks/run.py --n 10000 [--json PATH] [--steps build,floor,...]

Synthetic records come from ``generate.py`` (seeded; reused between runs when
N, seed and generator are unchanged). Each step runs in its own spawned child
process, so its peak RSS (``ru_maxrss``) is its own. Timings exclude imports
and untimed preparation; see ``benchmarks/README.md`` for what each row measures.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (str(ROOT), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import generate
import steps

ALL_STEPS = (  # incremental right after build: the build cache must come from that very build
    "build",
    "incremental",
    "floor",
    "shacl_lod",
    "shacl_pyshacl",
    "shacl_check",
    "queries_oxigraph",
    "queries_rdflib",
    "reconcile",
    "publish",
)
QUERY_TARGET_S = 0.050


# --- running children ---------------------------------------------------------------------


def _rss_gb(pid: int) -> float:
    """Resident set size of a process in GB (0 when it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 2**20
    except (OSError, ValueError):
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    """Children, grandchildren... of ``pid`` (Linux /proc), deepest last."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text(encoding="utf-8").split():
                found.append(int(child))
                found.extend(_descendants(int(child)))
    except (OSError, ValueError):
        pass
    return found


#: A child over this many GB of RSS is stopped (set by --max-rss-gb).
MAX_RSS_GB = [8.0]


def run_child(name: str, timeout: float, **kwargs: Any) -> dict[str, Any]:
    """Run ``steps.<name>(**kwargs)`` in a fresh spawned interpreter; add its wall time.

    The child is stopped when it runs past ``timeout`` or over ``MAX_RSS_GB``.
    """
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=steps.child, args=(name, kwargs, send), name=f"bench-{name}")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    process.start()
    send.close()
    result: dict[str, Any] | None = None
    stopped = ""
    while time.perf_counter() - started < timeout:
        if receive.poll(1.0):
            try:
                result = receive.recv()
            except EOFError:
                result = None
            break
        rss = _rss_gb(process.pid)
        if rss > MAX_RSS_GB[0]:
            stopped = (f"stopped at {rss:.1f} GB RSS after {time.perf_counter() - started:.0f} s "
                       f"(limit --max-rss-gb {MAX_RSS_GB[0]:g})")
            break
        if not process.is_alive() and not receive.poll(0):
            break
    else:
        stopped = f"stopped after the {timeout:.0f} s limit"
    process.join(0 if stopped else 10)
    if process.is_alive():
        for pid in reversed(_descendants(process.pid)):  # e.g. lod's worker pool
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        process.terminate()
        process.join()
    if result is None:
        result = {"error": stopped or f"no result (exit code {process.exitcode})"}
    result["wall_seconds"] = time.perf_counter() - started
    result["load_before"] = round(load_before, 2)  # other work on the machine skews timings
    where = f"{name}: {result.get('seconds', 0.0):.2f} s" if "error" not in result else f"{name}: {result['error']}"
    print(f"  [{time.strftime('%H:%M:%S')}] {where}", file=sys.stderr, flush=True)
    return result


# --- the table ----------------------------------------------------------------------------


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _row(step: str, result: dict[str, Any] | None, baseline: dict[str, Any] | None,
         baseline_name: str, target: str, limit: float | None, *,
         seconds_key: str = "seconds", note: str = "") -> dict[str, Any]:
    """One table row; ``limit`` is the largest passing ratio (None: no ratio target)."""
    row: dict[str, Any] = {"step": step, "baseline": baseline_name, "target": target, "note": note}
    if result is None or "error" in result:
        row.update(time_s=None, peak_rss_mb=None, baseline_s=None, ratio=None, met=None)
        row["note"] = (result or {}).get("error", note or "not run")
        return row
    seconds = result.get(seconds_key)
    base = None if baseline is None or "error" in baseline else baseline.get("seconds")
    ratio = seconds / base if seconds is not None and base else None
    row.update(
        time_s=seconds,
        peak_rss_mb=result.get("peak_rss_mb"),
        baseline_s=base,
        baseline_rss_mb=None if baseline is None else baseline.get("peak_rss_mb"),
        ratio=ratio,
        met=None if ratio is None or limit is None else ratio <= limit,
    )
    return row


def make_rows(n: int, results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row of the table, in the order printed."""
    rows = []
    build, floor = results.get("build"), results.get("floor")
    note = ""
    if floor and "error" not in floor:
        note = (f"floor = YAML {floor['yaml_seconds']:.1f} s + pyoxigraph TTL/NT "
                f"{floor['write_seconds']:.1f} s")
    if build and build.get("peak_rss_workers_mb"):
        note = (note + "; " if note else "") + (
            f"largest worker process {build['peak_rss_workers_mb']:.0f} MB")
    rows.append(_row("build (load+validate+serialise)", build, floor,
                     "floor: CSafeLoader + pyoxigraph write", "<= 3x", 3.0, note=note))
    shacl, pys = results.get("shacl_lod"), results.get("shacl_pyshacl")
    note = ""
    if pys and "error" not in pys and pys.get("scaled"):
        note = (f"baseline measured on {pys['records']} records "
                f"({pys['measured_seconds']:.1f} s), scaled x{n / pys['records']:.1f}")
    check = results.get("shacl_check")
    if check and "error" not in check:
        note = (note + "; " if note else "") + (
            "injected errors: same violations" if check["same"] else "injected errors: DIFFER")
    elif check:
        note = (note + "; " if note else "") + f"injected-error check failed: {check['error']}"
    rows.append(_row("SHACL validation", shacl, pys, "pySHACL, whole graph, once",
                     "<= 0.25x", 0.25, note=note))
    rows[-1]["step"] = "SHACL validation (cold)"
    if shacl and "error" not in shacl:
        rows[-1]["validate_paths_s"] = shacl.get("validate_paths_seconds")
    if check:
        rows[-1]["check"] = check
    if shacl and "error" not in shacl and "warm" in shacl:
        warm = {**shacl["warm"], "peak_rss_mb": shacl["peak_rss_mb"]}
        rows.append(_row("SHACL validation (warm cache)", warm, pys, "pySHACL, whole graph, once",
                         "<= 0.25x", 0.25, note="validate_paths again, nothing changed"))
    ox, rd = results.get("queries_oxigraph"), results.get("queries_rdflib")
    names = list((ox or {}).get("queries", {})) or list((rd or {}).get("queries", {}))
    for name in names:
        mine = None if ox is None or "error" in ox else dict(ox["queries"].get(name, {}))
        theirs = None if rd is None or "error" in rd else dict(rd["queries"].get(name, {}))
        if mine is not None:
            mine["peak_rss_mb"] = ox["peak_rss_mb"]  # type: ignore[index]
        if theirs is not None:
            theirs["peak_rss_mb"] = rd["peak_rss_mb"]  # type: ignore[index]
        fixed = name in steps.FIXED_QUERIES
        note = "" if fixed else "extra (not one of the nine fixed)"
        if theirs and theirs.get("timeout"):
            note = (note + "; " if note else "") + "rdflib stopped at the limit: ratio is an upper bound"
        if theirs and "error" in theirs:
            note = (note + "; " if note else "") + theirs["error"]
        if mine and theirs and theirs.get("rows") is not None and mine.get("rows") != theirs.get("rows"):
            note = (note + "; " if note else "") + f"row counts differ ({mine['rows']} vs {theirs['rows']})"
        row = _row(f"query {name}", mine or (ox if ox and "error" in ox else None), theirs,
                   "rdflib Graph.query", "< 50 ms, <= 0.1x", 0.1, note=note)
        if row["time_s"] is not None and row["time_s"] >= QUERY_TARGET_S:
            row["met"] = False
        rows.append(row)
    inc = results.get("incremental")
    rows.append(_row("incremental rebuild (1 record changed)", inc, build,
                     "full build", "<= 0.10x", 0.10))
    if inc and "error" not in inc:
        rows[-1]["note"] = f"re-rendered {inc.get('rendered', '?')} of {inc.get('records', '?')} records"
    rec = results.get("reconcile")
    if rec is not None:
        rows.append(reconcile_row(rec))
    elif not steps.module_exists("lod.reconcile"):
        rows.append(_absent("reconcile", "lod.reconcile", RECONCILE_TARGET,
                            "one request per institution"))
    pub = results.get("publish")
    if pub is not None:
        rows.append(publish_row(pub))
    elif steps.module_exists("lod.publish.wikidata"):
        rows.append(_absent("publish", "lod.publish.wikidata", PUBLISH_TARGET,
                            "one request per statement", present=True))
    else:
        rows.append(_absent("publish", "lod.publish.wikidata", PUBLISH_TARGET,
                            "one request per statement"))
    return rows


RECONCILE_TARGET = "<= 50 requests / 1,000 inst."
PUBLISH_TARGET = "1 write / new item; 50 ids / read"


def _absent(step: str, module: str, target: str, baseline: str, *, present: bool = False
            ) -> dict[str, Any]:
    return {
        "step": step, "time_s": None, "peak_rss_mb": None, "baseline_s": None, "ratio": None,
        "met": None, "target": target, "baseline": baseline,
        "note": (f"{module} exists but has no benchmark hook yet" if present
                 else f"not built yet ({module} does not exist)"),
    }


def reconcile_row(rec: dict[str, Any]) -> dict[str, Any]:
    """Requests per 1,000 institutions, batched (lod) against one lookup per institution."""
    if "error" in rec:
        return _row("reconcile", rec, None, "one request per institution", RECONCILE_TARGET, None)
    baseline = {"seconds": rec["baseline"]["seconds"], "peak_rss_mb": None}
    row = _row("reconcile (HTTP requests)", rec, baseline, "one lookup per institution",
               RECONCILE_TARGET, None)
    per = rec["requests_per_1000"]
    row["requests_per_1000"] = per
    row["baseline_requests_per_1000"] = rec["baseline_requests_per_1000"]
    row["ratio"] = per / rec["baseline_requests_per_1000"] if rec["baseline_requests_per_1000"] else None
    row["met"] = per <= 50 and rec["rerun"]["requests"] == 0
    row["note"] = (
        f"{per:.0f} requests per 1,000 institutions vs {rec['baseline_requests_per_1000']:.0f} "
        f"unbatched ({rec['subjects']} subjects, real oxigraph serve, counted by a proxy); "
        f"re-run with cache: {rec['rerun']['requests']} requests; ratio = requests ratio"
    )
    return row


def publish_row(pub: dict[str, Any]) -> dict[str, Any]:
    """wbgetentities requests for the plan's reads against one request per item."""
    if "error" in pub:
        return _row("publish (plan reads)", pub, None, "one request per item", PUBLISH_TARGET, None)
    baseline = {"seconds": None, "peak_rss_mb": None}
    row = _row("publish (plan reads)", pub, baseline, "one wbgetentities request per item",
               PUBLISH_TARGET, None)
    row["ratio"] = pub["wbgetentities"] / pub["baseline_requests"] if pub["baseline_requests"] else None
    row["met"] = pub["largest_request"] <= 50 and pub["per_50_items"] <= 1
    row["note"] = (
        f"{pub['records']} case studies planned against the real test Wikibase: "
        f"{pub['wbgetentities']} wbgetentities requests for {pub['ids_read']} ids (at most "
        f"{pub['largest_request']} per request; counted in the wiki's log), "
        f"{pub['sparql_requests']} SPARQL requests; ratio = requests against one per item"
    )
    return row


def render(rows: list[dict[str, Any]]) -> str:
    """The plain-text table."""
    head = ("step", "time", "peak RSS", "baseline", "base time", "ratio", "target", "met?")
    lines = []
    for row in rows:
        met = {True: "yes", False: "NO", None: "-"}[row["met"]]
        rss = "-" if row.get("peak_rss_mb") is None else f"{row['peak_rss_mb']:.0f} MB"
        ratio = "-" if row.get("ratio") is None else f"{row['ratio']:.2f}x"
        lines.append((row["step"], _fmt_time(row.get("time_s")), rss, row["baseline"],
                      _fmt_time(row.get("baseline_s")), ratio, row["target"], met))
    widths = [max(len(str(line[i])) for line in (head, *lines)) for i in range(len(head))]
    out = ["  ".join(str(cell).ljust(width) for cell, width in zip(head, widths, strict=True)),
           "  ".join("-" * width for width in widths)]
    for line, row in zip(lines, rows, strict=True):
        out.append("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
        if row.get("note"):
            out.append(f"    ({row['note']})")
    return "\n".join(out)


# --- machine ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        pass
    versions = {}
    for package in ("pyoxigraph", "rdflib", "pyshacl", "PyYAML", "pydantic"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    commit = None
    try:
        import lod

        checkout = Path(lod.__file__).resolve().parent.parent
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=checkout, check=True,
                                capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", "lod", "queries", "shapes"],
                                 cwd=checkout, check=True, capture_output=True, text=True).stdout
        if changed.strip():
            commit += " (with uncommitted changes in lod/, queries/ or shapes/)"
    except (OSError, subprocess.CalledProcessError):
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": None if memory is None else round(memory, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
        "lod_commit": commit,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark lod against baselines at N records.")
    parser.add_argument("--n", type=int, default=10_000, help="number of synthetic records")
    parser.add_argument("--seed", type=int, default=7, help="generator seed")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json",
                        help="where to write the table as JSON (default: results/latest.json)")
    parser.add_argument("--work", type=Path, default=HERE / ".work",
                        help="generated data and outputs (default: benchmarks/.work)")
    parser.add_argument("--steps", default=",".join(ALL_STEPS),
                        help=f"comma-separated subset of: {','.join(ALL_STEPS)}")
    parser.add_argument("--shacl-sample", type=int, default=0, metavar="K",
                        help="measure whole-graph pySHACL on K records and scale to N "
                             "(default 0: the whole graph when N <= 20,000, else 10,000 records)")
    parser.add_argument("--check-sample", type=int, default=300, metavar="K",
                        help="records in the injected-error copy (default 300)")
    parser.add_argument("--institutions", type=int, default=1000,
                        help="institutions reconciled in the reconcile step (default 1,000)")
    parser.add_argument("--publish-records", type=int, default=1000,
                        help="case studies planned in the publish step (default 1,000)")
    parser.add_argument("--all-queries", action="store_true",
                        help="also time the catalogue's other local queries (not only the nine)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per pyoxigraph query")
    parser.add_argument("--query-limit", type=int, default=120,
                        help="seconds before an rdflib query is stopped (default 120)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step")
    parser.add_argument("--max-rss-gb", type=float, default=8.0,
                        help="stop a step whose process goes over this RSS (default 8 GB)")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(ALL_STEPS))
    if unknown:
        parser.error(f"unknown steps: {', '.join(unknown)}")

    MAX_RSS_GB[0] = args.max_rss_gb
    began = time.perf_counter()
    machine_at_start = machine()
    work = args.work.resolve()
    data = work / f"data-n{args.n}-s{args.seed}"
    out = work / f"out-n{args.n}"
    cache = work / f"cache-n{args.n}"
    print(f"lod benchmark at N = {args.n:,} (seed {args.seed}); work dir {work}", file=sys.stderr)
    manifest = generate.ensure(args.n, data, seed=args.seed)
    checked = generate.check_sample(data, min(200, args.n), seed=args.seed)
    print(f"  data: {manifest['bytes'] / 1e6:.0f} MB of YAML, pool of {manifest['pool']} "
          f"institutions; {checked} files checked with load_case_studies", file=sys.stderr)
    nt = work / f"dump-n{args.n}.nt"  # the cold build's dump, kept apart from later rebuilds

    sample = args.shacl_sample or (0 if args.n <= 20_000 else 10_000)
    plans: dict[str, dict[str, Any]] = {
        "build": {"data": str(data), "out": str(out), "cache": str(cache)},
        "floor": {"data": str(data), "nt": str(nt), "out": str(work / "floor-out")},
        "shacl_lod": {"data": str(data), "cache": str(work / "shacl-cache")},
        "shacl_pyshacl": {"data": str(data), "nt": str(nt), "n": args.n, "sample": sample,
                          "seed": args.seed, "limit": int(args.timeout)},
        "shacl_check": {"data": str(data), "work": str(work), "sample": args.check_sample,
                        "seed": args.seed},
        "queries_oxigraph": {"nt": str(nt), "repeat": args.repeat, "extras": args.all_queries},
        "queries_rdflib": {"nt": str(nt), "limit": args.query_limit, "extras": args.all_queries},
        "incremental": {"data": str(data), "out": str(out), "cache": str(cache)},
        "reconcile": {"data": str(data), "work": str(work), "institutions": args.institutions,
                      "seed": args.seed},
        "publish": {"data": str(data), "work": str(work), "records": args.publish_records},
    }
    needs_dump = {"floor", "shacl_pyshacl", "queries_oxigraph", "queries_rdflib", "incremental"}
    if "build" in chosen:
        nt.unlink(missing_ok=True)
    results: dict[str, dict[str, Any]] = {}
    for name in ALL_STEPS:
        if name not in chosen:
            continue
        if name == "reconcile" and not steps.module_exists("lod.reconcile"):
            continue
        if name in needs_dump and not nt.is_file():
            results[name] = {"error": "needs the output of the build step (run it first)"}
            continue
        results[name] = run_child(name, args.timeout, **plans[name])
        if name == "build" and "error" not in results[name]:
            shutil.copyfile(out / "casestudies.nt", nt)

    rows = make_rows(args.n, results)
    records = (results.get("build") or {}).get("records")
    triples = (results.get("build") or {}).get("triples")
    print()
    print(f"lod benchmark, N = {args.n:,} records"
          + (f" ({triples:,} triples)" if triples else "")
          + f", {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(render(rows))
    report_commit = machine_at_start["lod_commit"]
    end_commit = machine()["lod_commit"]
    if end_commit != report_commit:
        print(f"\nnote: lod changed during the run ({report_commit} -> {end_commit}); "
              "each step measured the code present when it started")
    report = {
        "n": args.n,
        "seed": args.seed,
        "records": records,
        "triples": triples,
        "yaml_bytes": manifest["bytes"],
        "generator": manifest["generator"],
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "machine": {**machine_at_start, "lod_commit_at_end": machine()["lod_commit"]},
        "total_seconds": round(time.perf_counter() - began, 1),
        "rows": rows,
        "steps": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.json.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n",
                   encoding="utf-8")
    tmp.replace(args.json)
    print(f"\nwritten to {args.json} ({report['total_seconds']:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
