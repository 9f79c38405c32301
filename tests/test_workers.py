"""One worker pool: the pipeline and the site fan out by the same rule, in one module."""

from __future__ import annotations

import inspect
import os
from collections.abc import Sequence
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from lod import workers
from lod.pipeline import assemble
from lod.site.casepages import render_records
from lod.workers import CHUNK, chunks_of, fan_out

PACKAGE = Path(workers.__file__).parent


def _with_pid(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in items]


@given(st.lists(st.integers(), max_size=2000), st.integers(min_value=1, max_value=16))
def test_chunks_keep_every_item_in_order_and_stay_small(items: list[int], count: int) -> None:
    chunks = chunks_of(items, count)
    assert [item for chunk in chunks for item in chunk] == items
    assert all(0 < len(chunk) <= CHUNK for chunk in chunks)
    assert len(chunks) <= max(count * 4, -(-len(items) // CHUNK))


def test_fan_out_returns_results_in_order_from_worker_processes() -> None:
    items = list(range(1000))
    shared = list(fan_out(_with_pid, items, workers=2, parallel_from=1))
    assert [item for item, _ in shared] == items
    assert os.getpid() not in {pid for _, pid in shared}
    alone = list(fan_out(_with_pid, items, workers=2, parallel_from=len(items) + 1))
    assert alone == [(item, os.getpid()) for item in items]


def test_the_pipeline_and_the_site_fan_out_from_the_same_size() -> None:
    for function in (assemble, render_records):
        default = inspect.signature(function).parameters["parallel_from"].default
        assert default == workers.PARALLEL_FROM, function.__qualname__


def test_no_other_module_starts_processes_of_its_own() -> None:
    starters = ("ProcessPoolExecutor", "multiprocessing")
    found = [path.relative_to(PACKAGE).as_posix() for path in sorted(PACKAGE.rglob("*.py"))
             if any(word in path.read_text(encoding="utf-8") for word in starters)]
    assert found == ["workers.py"]


def _marked(folder: str, items: Sequence[int]) -> list[int]:
    (Path(folder) / f"chunk-{items[0]}").touch()
    return list(items)


def test_fan_out_hands_out_only_a_few_chunks_ahead_of_the_caller(tmp_path: Path) -> None:
    # A slow caller (the site writing each record's files) must not find every chunk's
    # results waiting in memory: the chunks are given out as the results are taken back.
    import functools
    import time

    items = list(range(40))
    results = fan_out(functools.partial(_marked, str(tmp_path)), items, workers=2,
                      parallel_from=1)
    assert next(results) == 0
    ahead = 2 * workers.AHEAD
    deadline = time.monotonic() + 60
    while len(list(tmp_path.iterdir())) < ahead and time.monotonic() < deadline:
        time.sleep(0.05)
    for _ in range(10):  # a pool given every chunk at once starts the others within this
        if len(list(tmp_path.iterdir())) > ahead:
            break
        time.sleep(0.05)
    assert len(list(tmp_path.iterdir())) == ahead < len(chunks_of(items, 2))
    assert [0, *results] == items
