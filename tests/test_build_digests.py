"""``lod build`` at 1,000 generated records writes the very bytes it wrote before issue 26.

Issue 26 changed how the build holds the graph (validation in chunks, the
store loaded a block at a time), never what it writes. The digests in
``tests/data/digests/build-1000.sha256`` were taken from the build before that
change, on the benchmark's generator (seed 7); an output meant to change is
rewritten with ``python benchmarks/digests.py --write`` in the same commit.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_the_1000_record_build_is_byte_identical(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_digests", ROOT / "benchmarks" / "digests.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    expected = module.DIGESTS.read_text(encoding="utf-8").splitlines()
    assert module.build_digests(tmp_path).splitlines() == expected
