"""A busy wiki's faults, served by tests/faultproxy.py in front of a real test Wikibase, and kills.

Each fault is survived (the batch completes, once) or reported in one line
with exit 1, the journal consistent and a re-run finishing the batch. The
kill tests run ``lod publish wikidata --live`` as a separate process, hold
one edit in the proxy (before or after the wiki saw it), kill the process
there, and run again: one item per record, no duplicate statement, nothing
planned missing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from signals import with_default_signals

from conftest import ROOT, run_lod
from faultproxy import FaultProxy
from live_wiki import credentials, duplicates, journal, live, records_planned, titled
from lod.publish.wikidata.journal import read, replay
from wikibase import Wikibase, running_wikibase

pytestmark = pytest.mark.usefixtures("only_localhost")
RECORDS = 3


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory, wikibase_cache: Path) -> Iterator[Wikibase]:
    """A wiki of this module's own."""
    folder = tmp_path_factory.mktemp("faults-wiki")
    with running_wikibase(folder / "wiki", cache=wikibase_cache) as running:
        yield running


def _check_landed(wiki: Wikibase, out: Path, prefix: str, count: int) -> None:
    """One item per record, no duplicate statement, every planned statement there."""
    items = titled(wiki, prefix)
    assert len(items) == count, sorted(items)
    planned = {i["labels"]["en"]: i for i in json.loads((out / "plan.json").read_text())["items"]}
    for entity in items.values():
        assert duplicates(entity) == []
        wanted = {wiki.ids[s["property"]] for s in planned[entity["labels"]["en"]["value"]][
            "statements"]}
        assert wanted <= set(entity["claims"])
    state = replay(read(out / "journal.jsonl"))
    assert state.uncertain == {} and state.failed == {} and state.finished


FAULTS = [
    ("maxlag", "wbeditentity", 2, {}),
    ("ratelimited", "wbeditentity", 1, {}),
    ("http503", "wbgetentities", 2, {}),
    ("http503", "wbeditentity", 1, {}),
    ("drop", "wbeditentity", 1, {}),
    ("lost-answer", "wbeditentity", 1, {}),
    ("slow", "wbgetentities", 1, {"delay": 3.0}),
    ("lost-session", "wbeditentity", 1, {}),
]


@pytest.mark.parametrize(("fault", "action", "times", "extra"), FAULTS,
                         ids=[f"{f}-{a}" for f, a, _, _ in FAULTS])
def test_a_fault_is_survived_without_duplicates(wiki: Wikibase, tmp_path: Path, fault: str,
                                               action: str, times: int,
                                               extra: dict[str, float]) -> None:
    prefix = f"{fault}{action[2:5]}"
    data, out = records_planned(wiki, tmp_path, prefix, 2)
    with FaultProxy(wiki.url) as proxy:
        proxy.arm(fault, action=action, times=times, **extra)
        result = live(wiki, data, out, "--timeout", "2", api=f"{proxy.url}/api.php")
        served = list(proxy.tally.served)
    assert result.code == 0, result.stderr
    assert len(served) == times
    _check_landed(wiki, out, prefix, 2)
    if fault in {"maxlag", "ratelimited"} or action == "wbgetentities":
        assert "waited for:" in result.stdout  # refused or failed reads: waited, then again
    if fault in {"http503", "drop", "lost-answer"} and action == "wbeditentity":
        # a write whose answer was lost is never simply sent again: the wiki is asked first
        assert [e["event"] for e in journal(out)].count("uncertain") == 1
    again = live(wiki, data, out)
    assert again.code == 0 and " 0 edits" in again.stdout


def test_a_wiki_that_keeps_failing_is_one_line_and_a_rerun_finishes(wiki: Wikibase,
                                                                     tmp_path: Path) -> None:
    data, out = records_planned(wiki, tmp_path, "down", 2)
    with FaultProxy(wiki.url) as proxy:
        proxy.arm("maxlag", action="wbeditentity", times=100)
        proxy.arm("http503", action="wbgetentities", times=0)
        result = live(wiki, data, out, api=f"{proxy.url}/api.php")
    assert result.code == 1
    assert len(result.stderr.strip().splitlines()) == 1  # one clear line
    first = result.stderr.splitlines()[0]
    assert first.startswith("lod publish wikidata: casestudy:down-0:") and "maxlag" in first
    assert "Traceback" not in result.stderr
    events = journal(out)
    assert events[-1]["event"] == "failed" and events[-1]["key"] == "casestudy:down-0"
    assert "NOT finished" in run_lod("publish", "status", "--out", out).stdout
    again = live(wiki, data, out)
    assert again.code == 0, again.stderr
    _check_landed(wiki, out, "down", 2)


def _lod() -> str:
    return str(Path(sys.executable).with_name("lod"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_at_a_random_point_then_rerun(wiki: Wikibase, tmp_path: Path, seed: int,
                                             sigint_ignored: None) -> None:
    """Killed (kill -9, or Ctrl-C once) while an edit is held, then run again.

    This process ignores SIGINT meanwhile (as a test run started from a background
    job does): the Ctrl-C case checks that the child still starts able to receive it.
    """
    rng = random.Random(seed)  # noqa: S311 - a test seed, not a secret
    skip, after = rng.randrange(RECORDS), rng.random() < 0.5
    how = signal.SIGINT if seed == 3 else signal.SIGKILL  # Ctrl-C once, kill -9 otherwise
    prefix = f"kill{seed}"
    data, out = records_planned(wiki, tmp_path, prefix, RECORDS)
    with FaultProxy(wiki.url) as proxy:
        proxy.arm("hold", action="wbeditentity", skip=skip, after=after)
        env = {**os.environ, **credentials(wiki)}
        process = subprocess.Popen(with_default_signals(
            [_lod(), "publish", "wikidata", "--data", str(data), "--api", f"{proxy.url}/api.php",
             "--ids", str(wiki.ids_file), "--out", str(out), "--live", "--pause", "0"]),
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert proxy.tally.held.wait(60), "the edit to hold never came"
            process.send_signal(how)
            _, stderr = process.communicate(timeout=60)
        finally:
            proxy.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode != 0
    if how == signal.SIGINT:
        assert b"interrupted" in stderr and b"Traceback" not in stderr
    doubt = replay(read(out / "journal.jsonl")).uncertain
    assert f"casestudy:{prefix}-{skip}" in doubt  # announced, no outcome: the wiki decides
    again = live(wiki, data, out)
    assert again.code == 0, again.stderr
    _check_landed(wiki, out, prefix, RECORDS)
