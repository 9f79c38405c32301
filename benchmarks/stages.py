"""Where one ``lod build`` (or ``lod site``) spends its time and memory, stage by stage.

    python benchmarks/stages.py --n 10000 [--what build|site] [--every 0.02]

The command runs in this process while a thread samples, every ``--every``
seconds, the process's resident memory (``/proc/self/statm``) and the
innermost ``lod`` functions on the main thread's stack. Each sample is put
down to its stage (the ``lod`` function called from the command's own
function, e.g. ``assemble`` > ``shacl_problems``), so the table shows, per
stage, the time spent in it and the resident memory on entry and at its
peak. Nothing in ``lod`` knows it is measured: no hooks, no timers. Worker
processes (the per-file work of a large collection) are not in this
process's memory; their own peak is reported apart, from ``RUSAGE_CHILDREN``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for entry in (str(ROOT), str(HERE)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import generate

_PAGE = os.sysconf("SC_PAGE_SIZE")
_LOD = str(ROOT / "lod") + os.sep


def rss_mb() -> float:
    """This process's resident set size now, in MB."""
    with Path("/proc/self/statm").open(encoding="ascii") as handle:
        return int(handle.read().split()[1]) * _PAGE / 2**20


def stage_of(frame: FrameType | None, depth: int) -> str:
    """The first ``depth`` lod functions below the command's entry point, as ``a > b``."""
    names: list[str] = []
    while frame is not None:
        if frame.f_code.co_filename.startswith(_LOD):
            names.append(frame.f_code.co_name)
        frame = frame.f_back
    names.reverse()
    return " > ".join(names[1 : 1 + depth]) or "(entry)"


class Sampler(threading.Thread):
    """RSS from a thread; the stage from a timer signal handled on the main thread.

    The stage is read on the main thread itself (a frame held by another thread
    could be freed there, which pyoxigraph's objects refuse). A signal handler
    runs between bytecodes, so during a long call into Rust the stage is
    recorded when the call returns: each RSS sample is put down to the next
    stage recorded after it, which is the caller of that long call.
    """

    def __init__(self, every: float, depth: int) -> None:
        super().__init__(daemon=True)
        self.every, self.depth = every, depth
        self.rss: list[tuple[float, float]] = []
        self.stages: list[tuple[float, str]] = []
        self.stop = threading.Event()

    def on_timer(self, _signum: int, frame: FrameType | None) -> None:
        self.stages.append((time.perf_counter(), stage_of(frame, self.depth)))

    def begin(self) -> None:
        signal.signal(signal.SIGALRM, self.on_timer)
        signal.setitimer(signal.ITIMER_REAL, self.every, self.every)
        self.start()

    def end(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        self.stages.append((time.perf_counter(), "(end)"))
        self.stop.set()
        self.join()

    def run(self) -> None:
        while not self.stop.wait(self.every / 2):
            self.rss.append((time.perf_counter(), rss_mb()))

    def samples(self) -> list[tuple[float, str, float]]:
        """(seconds, stage, RSS peak) per stage sample: the time and RSS since the one before."""
        out: list[tuple[float, str, float]] = []
        index, last = 0, self.stages[0][0] if self.stages else 0.0
        for when, stage in self.stages:
            peak = 0.0
            while index < len(self.rss) and self.rss[index][0] <= when:
                peak = max(peak, self.rss[index][1])
                index += 1
            out.append((when - last, stage, peak or (out[-1][2] if out else rss_mb())))
            last = when
        return out


def table(samples: list[tuple[float, str, float]], every: float) -> str:
    """Stages in order of first appearance: seconds sampled, RSS on entry and at peak."""
    order: list[str] = []
    stats: dict[str, list[float]] = {}
    for seconds, stage, rss in samples:
        if stage not in stats:
            order.append(stage)
            stats[stage] = [0.0, rss, rss]
        entry = stats[stage]
        entry[0] += seconds
        entry[2] = max(entry[2], rss)
    lines = ["| stage | seconds | RSS on entry (MB) | peak RSS (MB) |", "|---|---|---|---|"]
    lines += [f"| {stage} | {stats[stage][0]:.1f} | {stats[stage][1]:.0f} | {stats[stage][2]:.0f} |"
              for stage in order if stats[stage][0] >= every * 2]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--what", choices=("build", "site"), default="build")
    parser.add_argument("--every", type=float, default=0.02, help="seconds between samples")
    parser.add_argument("--depth", type=int, default=2, help="lod functions named per stage")
    args = parser.parse_args(argv)
    data = HERE / ".work" / f"n{args.n}"
    generate.ensure(args.n, data)
    out = HERE / ".work" / f"stages-{args.n}"
    shutil.rmtree(out, ignore_errors=True)

    from lod.publish.dumps import build
    from lod.settings import Settings
    from lod.site.build import build_site

    settings = Settings(data_dir=data, out_dir=out)
    command = build if args.what == "build" else build_site
    sampler = Sampler(args.every, args.depth)
    started_rss = rss_mb()
    started = time.perf_counter()
    sampler.begin()
    command(settings)
    seconds = time.perf_counter() - started
    sampler.end()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"lod {args.what}, {args.n:,} records: {seconds:.1f} s; RSS {started_rss:.0f} MB after "
          f"imports, peak {peak:.0f} MB (largest worker process: {workers:.0f} MB)\n")
    print(table(sampler.samples(), args.every))
    return 0


if __name__ == "__main__":
    sys.exit(main())
