"""Publish state (plan, journal, verify report) lives where no clean-up reaches, and one live
run at a time holds it (issue 19, points 3 and 4)."""

from __future__ import annotations

import multiprocessing
import re
import shutil
from pathlib import Path

from test_files import _hold
from test_planfile import _listener, live_on, planned_state

from conftest import CASESTUDIES, ROOT, run_lod
from lod.files import lock

STATE = {"plan.json": b'{"format": "lod-wikidata-plan/1"}\n', ".plan-as-planned.json": b"{}\n",
         "journal.jsonl": b'{"event": "finished", "time": "2026-12-07T10:00:00Z"}\n',
         "verify.md": b"# Verification after publishing\n"}


def _clean_targets() -> set[str]:
    recipe = re.search(r"^clean:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe is not None
    return {word.rstrip("/") for line in recipe.group(1).splitlines()
            for word in line.split() if not word.startswith("-") and word not in {"rm"}}


def test_the_state_folder_is_not_one_make_clean_deletes() -> None:
    help_text = run_lod("publish", "wikidata", "--help").stdout
    assert "publish/" in help_text and "make clean" in " ".join(help_text.split())
    for command in ("status", "verify"):
        assert "publish/" in run_lod("publish", command, "--help").stdout
    assert "publish" not in _clean_targets() and "dist" in _clean_targets()
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "publish/" in readme and "make clean" in readme


def test_build_and_site_into_a_folder_with_publish_state_keep_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name, data in STATE.items():
        (out / name).write_bytes(data)
    data_dir = tmp_path / "casestudies"
    shutil.copytree(CASESTUDIES, data_dir)
    assert run_lod("build", "--data", data_dir, "--out", out).code == 0
    assert run_lod("site", "--data", data_dir, "--out", out).code == 0
    assert run_lod("build", "--data", data_dir, "--out", out).code == 0
    assert {name: (out / name).read_bytes() for name in STATE} == STATE


def test_a_second_live_run_on_one_folder_is_refused_at_once(tmp_path: Path) -> None:
    data, out = planned_state(tmp_path)
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    first = context.Process(target=_hold, args=(str(tmp_path / ".state.lock"), ready))
    first.start()
    try:
        assert ready.wait(120)
        with _listener() as (url, seen):
            result = live_on(url, data, out)
            assert seen == []
        assert result.code == 1
        assert f"another lod command is writing to {out}" in result.stderr
        assert not (out / "journal.jsonl").exists()
    finally:
        first.kill()
        first.join()
    # the holder was killed: its lock is gone with it, the next run gets past the lock
    with lock(tmp_path / ".state.lock", "busy"):
        pass
