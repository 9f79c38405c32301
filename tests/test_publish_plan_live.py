"""The reviewed plan against a real test Wikibase: one live run at a time, edits a reviewer made
are applied as made (and stay made), a create that landed after all is this batch's (issue 19)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from signals import with_default_signals

from conftest import ROOT, run_lod
from faultproxy import FaultProxy
from live_wiki import UA, credentials, duplicates, journal, live, plan, records_planned, titled
from lod.publish.wikidata.edits import record_mark
from lod.publish.wikidata.journal import read, replay
from wikibase import Wikibase, running_wikibase

pytestmark = pytest.mark.usefixtures("only_localhost")


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory, wikibase_cache: Path) -> Iterator[Wikibase]:
    """A wiki of this module's own (the tests write to it)."""
    folder = tmp_path_factory.mktemp("plan-wiki")
    with running_wikibase(folder / "wiki", cache=wikibase_cache) as running:
        yield running


def _live_process(wiki: Wikibase, data: Path, out: Path, api: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, **credentials(wiki)}
    return subprocess.Popen(with_default_signals(
        [str(Path(sys.executable).with_name("lod")), "publish", "wikidata", "--data", str(data),
         "--api", api, "--ids", str(wiki.ids_file), "--out", str(out), "--live", "--pause", "0"]),
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _one_item_each(wiki: Wikibase, prefix: str, count: int) -> dict[str, dict[str, Any]]:
    items = titled(wiki, prefix)
    labels = sorted(e["labels"]["en"]["value"] for e in items.values())
    assert labels == sorted(f"Edit-a-thon {prefix} number {n}" for n in range(count))
    for entity in items.values():
        assert duplicates(entity) == []
    return items


def test_two_live_runs_on_one_folder_one_refused_the_other_completes(wiki: Wikibase,
                                                                      tmp_path: Path) -> None:
    """Both started at once; the one that gets the folder is held at its first edit until the
    other has given up, so the two overlap whatever the machine's load."""
    data, out = records_planned(wiki, tmp_path, "together", 3)
    with FaultProxy(wiki.url) as proxy:
        proxy.arm("hold", action="wbeditentity")
        runs = [_live_process(wiki, data, out, f"{proxy.url}/api.php") for _ in range(2)]
        try:
            assert proxy.tally.held.wait(120), "no run reached its first edit"
            for _ in range(1200):  # the other one gives up at once; at most 2 minutes
                if any(run.poll() is not None for run in runs):
                    break
                time.sleep(0.1)
            refused = next(run for run in runs if run.poll() is not None)
            completed = next(run for run in runs if run is not refused)
            _, refused_err = refused.communicate(timeout=120)
            proxy.release()
            completed_out, completed_err = completed.communicate(timeout=300)
        finally:
            proxy.disarm()
            for run in runs:
                if run.poll() is None:
                    run.kill()
                    run.wait()
    assert refused.returncode == 1
    assert f"another lod command is writing to {out}" in refused_err.decode()
    assert completed.returncode == 0, completed_err.decode()
    assert "3 edits (3 new items)" in completed_out.decode()
    _one_item_each(wiki, "together", 3)
    assert sum(1 for e in journal(out) if e["event"] == "batch") == 1  # the refused never wrote


def test_a_lock_left_by_a_killed_run_does_not_block_the_next(wiki: Wikibase,
                                                            tmp_path: Path) -> None:
    data, out = records_planned(wiki, tmp_path, "stale", 2)
    with FaultProxy(wiki.url) as proxy:
        proxy.arm("hold", action="wbeditentity")
        killed = _live_process(wiki, data, out, f"{proxy.url}/api.php")
        try:
            assert proxy.tally.held.wait(120)
            killed.send_signal(signal.SIGKILL)
            killed.communicate(timeout=60)
        finally:
            proxy.cancel()
    assert (tmp_path / ".out.lock").exists()
    again = live(wiki, data, out)
    assert again.code == 0, again.stderr
    _one_item_each(wiki, "stale", 2)


def test_what_a_reviewer_deleted_is_not_applied_and_not_brought_back(wiki: Wikibase,
                                                                     tmp_path: Path) -> None:
    data, out = records_planned(wiki, tmp_path, "reviewed", 3)
    reviewed = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    by_key = {i["key"]: i for i in reviewed["items"]}
    reviewed["items"].remove(by_key["casestudy:reviewed-1"])
    kept = by_key["casestudy:reviewed-0"]
    kept["statements"] = [s for s in kept["statements"] if s["property"] != "P2283"]
    (out / "plan.json").write_text(json.dumps(reviewed, indent=1), encoding="utf-8")
    first = live(wiki, data, out)
    assert first.code == 0, first.stderr
    assert "not applied: 1 items a reviewer removed from the plan (casestudy:reviewed-1)" in \
        first.stdout
    again = live(wiki, data, out)
    assert again.code == 0 and " 0 edits" in again.stdout
    items = titled(wiki, "reviewed")
    assert sorted(e["labels"]["en"]["value"] for e in items.values()) == [
        "Edit-a-thon reviewed number 0", "Edit-a-thon reviewed number 2"]
    zero = next(e for e in items.values() if e["labels"]["en"]["value"].endswith(" 0"))
    assert wiki.ids["P2283"] not in zero["claims"]  # the deleted statement was not sent
    assert {wiki.ids[s["property"]] for s in kept["statements"]} <= set(zero["claims"])
    # a new dry run may plan the item again, and says a reviewer removed it before
    plan(wiki, data, out)
    replanned = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert any(w["code"] == "removed-by-reviewer" and w["record"] == "reviewed-1"
               for w in replanned["warnings"])
    assert "removed this item from the previous plan" in (out / "review.html").read_text(
        encoding="utf-8")


def test_a_create_that_landed_after_all_is_this_batchs_create(wiki: Wikibase,
                                                              tmp_path: Path) -> None:
    """The create landed but the run never learnt it (its journal line lost): the retry clashes
    with the item it made itself, which is recorded as done, not as "exists"."""
    from wikibaseintegrator import wbi_helpers, wbi_login

    data, out = records_planned(wiki, tmp_path, "landed", 1)
    planned = json.loads((out / "plan.json").read_text(encoding="utf-8"))["items"][0]
    login = wbi_login.Login(user=wiki.user, password=wiki.password,
                            mediawiki_api_url=wiki.api_url, user_agent=UA["User-Agent"])
    made = wbi_helpers.edit_entity(
        data={"labels": {k: {"language": k, "value": v} for k, v in planned["labels"].items()},
              "descriptions": {k: {"language": k, "value": v}
                               for k, v in planned["descriptions"].items()}},
        type="item", login=login, mediawiki_api_url=wiki.api_url, user_agent=UA["User-Agent"],
        summary=f"new item {record_mark(planned['key'])} (an earlier run)")["entity"]["id"]
    result = live(wiki, data, out)
    assert result.code == 0, result.stderr
    state = replay(read(out / "journal.jsonl"))
    assert state.exists == {} and state.done == {planned["key"]: f"local:{made}"}
    status = run_lod("publish", "status", "--out", out).stdout
    assert "0 exist already" in status and "1 new items" in status
    verify = run_lod("publish", "verify", "--out", out)
    assert verify.code == 0 and "read 1 published items back" in verify.stdout


def test_a_damaged_journal_stops_the_run_and_settle_asks_the_wiki(wiki: Wikibase,
                                                                  tmp_path: Path) -> None:
    data, out = records_planned(wiki, tmp_path, "settle", 2)
    assert live(wiki, data, out).code == 0
    path = out / "journal.jsonl"
    lines = path.read_bytes().split(b"\n")
    number = next(n for n, line in enumerate(lines) if b'"done"' in line)
    lines[number] = b"\xff\xfe damaged by a disk"
    path.write_bytes(b"\n".join(lines))
    before = titled(wiki, "settle")
    stopped = live(wiki, data, out)
    assert stopped.code == 1 and f"journal.jsonl: line {number + 1}: not UTF-8" in stopped.stderr
    status = run_lod("publish", "status", "--out", out).stdout
    assert f"(line {number + 1} of the journal is damaged)" in status and "--settle" in status
    settled = live(wiki, data, out, "--settle")
    assert settled.code == 0, settled.stderr
    assert titled(wiki, "settle").keys() == before.keys()  # nothing made twice
    _one_item_each(wiki, "settle", 2)
    assert "uncertain:" not in run_lod("publish", "status", "--out", out).stdout
    assert live(wiki, data, out).code == 0  # settled for good
