"""The sha256 of every file ``lod build`` writes for the benchmark's 1,000 generated records.

    python benchmarks/digests.py [--write]

Issue 26 changed how the build holds the graph, not what it writes: the
outputs at 1,000 records must stay byte-identical to those of the build
before it. ``tests/data/digests/build-1000.sha256`` holds the digests of
that build (generator seed 7); ``tests/test_build_digests.py`` rebuilds and
compares. When an output is meant to change (a new triple, a new report
line), check the change, then ``--write`` the new digests in the same commit.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for entry in (str(ROOT), str(HERE)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import generate

RECORDS = 1_000
SEED = 7
DIGESTS = ROOT / "tests" / "data" / "digests" / f"build-{RECORDS}.sha256"


def build_digests(work: Path) -> str:
    """Generate the records, build them into ``work``, and list ``sha256  name`` per file."""
    from lod.publish.dumps import OWN_FILES, build
    from lod.settings import Settings

    data = work / "cs"
    generate.generate(RECORDS, data, seed=SEED)
    out = work / "dist"
    build(Settings(data_dir=data, out_dir=out))
    return "".join(f"{hashlib.sha256((out / name).read_bytes()).hexdigest()}  {name}\n"
                   for name in sorted(OWN_FILES))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {DIGESTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        text = build_digests(Path(work))
    if args.write:
        DIGESTS.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
