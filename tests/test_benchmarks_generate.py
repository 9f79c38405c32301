"""The benchmark's synthetic case studies are contract-valid and reproducible."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from conftest import ROOT
from lod.ingest.load import load_case_studies


@cache
def generator() -> ModuleType:
    """benchmarks/generate.py as a module (loaded once per process)."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_generated_case_studies_pass_the_contract(tmp_path: Path) -> None:
    generator().generate(300, tmp_path / "cs", seed=3)
    loaded = load_case_studies([tmp_path / "cs"])
    assert not loaded.problems, loaded.problems[:5]
    assert len(loaded.records) == 300


def test_generator_is_reproducible(tmp_path: Path) -> None:
    gen = generator()
    first = gen.generate(40, tmp_path / "a", seed=3)
    second = gen.generate(40, tmp_path / "b", seed=3)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    third = gen.generate(40, tmp_path / "c", seed=4)
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in third]
