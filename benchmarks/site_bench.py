"""Time ``lod site`` at N synthetic records and print one line (a row for ``make bench``).

``python benchmarks/site_bench.py --n 10000 [--seed 7] [--work DIR]``

The data come from ``generate.py`` (kept in ``benchmarks/.work`` and reused
while N, seed and generator are unchanged, the same folder ``run.py`` uses).
``lod site`` runs as a user runs it (``python -m lod site``) in a child
process; the time is wall-clock and includes its start-up, and the peak RSS
is the child's (the largest of it and its worker processes), the CPU seconds
theirs together. Generated records have every status, so the site shows the
reviewed and published ones only. Target (issue 15): under 60 s at 10,000
records on two cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate

TARGET_SECONDS = 60.0


def as_step(data: Path, work: Path) -> dict[str, object]:
    """``make bench``'s form: time ``lod site`` on ``data``; one JSON line for run.py."""
    out = work / "site-out"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "lod", "site", "--data", str(data),
                           "--out", str(out)], cwd=HERE.parent, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"lod site failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = after.ru_maxrss / 1024
    # CPU of lod site and its worker processes: on a shared machine the wall clock says
    # more about the other users than about the site.
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    files = sum(1 for path in (out / "site").rglob("*") if path.is_file())
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak_mb,
            "target": f"< {TARGET_SECONDS:.0f} s", "met": seconds < TARGET_SECONDS,
            "note": f"{files:,} files, CPU {cpu:.1f} s, peak {peak_mb:.0f} MB"}


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) the data, time one ``lod site`` run, print one line."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["main"]:
        step = argparse.ArgumentParser()
        step.add_argument("--data", type=Path, required=True)
        step.add_argument("--work", type=Path, required=True)
        options = step.parse_args(argv[1:])
        print(json.dumps(as_step(options.data, options.work)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    args = parser.parse_args(argv)
    work = args.work.resolve()
    data = work / f"data-n{args.n}-s{args.seed}"
    generate.ensure(args.n, data, seed=args.seed)
    result = as_step(data, work / f"run-site-n{args.n}")
    met = "yes" if result["met"] or args.n != 10_000 else "NO"
    print(f"site (lod site)  N={args.n:,}  {result['seconds']:.1f} s  {result['note']}  "
          f"target < {TARGET_SECONDS:.0f} s at 10,000  met: {met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
