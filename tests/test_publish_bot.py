"""Wikidata's bot policy on a real test Wikibase: rights read first, a trial for an account without
the bot right, the bot flag and ``assert=bot`` for one with it, pauses between edits, summaries.

The wiki has three accounts with a bot password each (tests/wikibase/install.py): an account in
the ``bot`` group, a plain account, and the sysop that made the wiki (no bot right either). What
the wiki did is read back raw through its API: Recent changes say whether an edit was flagged as
a bot's, the contributions say what each edit summary says.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from conftest import run_lod
from live_wiki import UA, journal, plan, records_planned, write_records
from lod.publish.wikidata.botpolicy import (
    PAUSE_BOT,
    PAUSE_TRIAL,
    TRIAL_EDITS,
    Account,
    Pacer,
    PolicyRefusal,
    policy_applies,
    run_rules,
)
from lod.publish.wikidata.dryrun import Target
from lod.publish.wikidata.edits import EDITGROUPS, SUMMARY_LIMIT, record_mark, summary, task_link
from lod.publish.wikidata.livecommands import publish_live
from lod.publish.wikidata.model import PlannedItem, Statement, Value
from lod.publish.wikidata.reads import IdMap
from lod.settings import Settings
from wikibase import Wikibase, running_wikibase

pytestmark = pytest.mark.usefixtures("only_localhost")

TASK = "https://www.wikidata.org/wiki/Wikidata:Requests_for_permissions/Bot/Lod_test_bot"


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory, wikibase_cache: Path) -> Iterator[Wikibase]:
    """A wiki of this module's own (the tests write to it)."""
    folder = tmp_path_factory.mktemp("bot-wiki")
    with running_wikibase(folder / "wiki", cache=wikibase_cache) as running:
        yield running


class FakeTime:
    """A clock that moves only when slept on: pauses are checked without waiting for them."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _env(user: str, wiki: Wikibase) -> dict[str, str]:
    return {"LOD_WIKIBASE_USER": user, "LOD_WIKIBASE_PASSWORD": wiki.password}


def _target(wiki: Wikibase) -> Target:
    return Target(wiki.api_url, wiki.sparql_url, IdMap.read(wiki.ids_file))


def _changes(wiki: Wikibase, account: str) -> list[dict[str, Any]]:
    """The account's edits as Recent changes show them (with the ``bot`` flag when flagged)."""
    answer = requests.get(wiki.api_url, params={
        "action": "query", "list": "recentchanges", "rcuser": account,
        "rcprop": "title|flags|comment|user", "rclimit": "500", "format": "json"},
        headers=UA, timeout=60).json()
    return list(answer["query"]["recentchanges"])


def _account(login: str) -> str:
    return login.split("@")[0]


def _planned(out: Path) -> dict[str, dict[str, Any]]:
    return {i["key"]: i for i in json.loads((out / "plan.json").read_text())["items"]}


@pytest.mark.parametrize("who", ["plain_user", "user"])
def test_without_the_bot_right_a_large_batch_is_refused_and_no_edit_sent(
        wiki: Wikibase, tmp_path: Path, who: str) -> None:
    login = getattr(wiki, who)  # a plain account, and the wiki's sysop (no bot right either)
    data = write_records(tmp_path / "data", f"refused-{who.replace('_', '-')}", TRIAL_EDITS + 1)
    out = tmp_path / "out"
    plan(wiki, data, out)
    assert sum(1 for i in _planned(out).values() if i["action"] == "create") == TRIAL_EDITS + 1
    before, edits_before = wiki.entity_ids(), _changes(wiki, _account(login))
    result = run_lod("publish", "wikidata", "--data", data, "--api", wiki.api_url, "--sparql",
                     wiki.sparql_url, "--ids", wiki.ids_file, "--out", out, "--live",
                     "--bot-policy", env=_env(login, wiki))
    assert result.code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    message = result.stderr
    assert f"{TRIAL_EDITS + 1} edits" in message and "no bot right" in message
    assert "Wikidata:Requests_for_permissions/Bot" in message
    assert "Nothing was sent" in message
    assert wiki.entity_ids() == before
    assert _changes(wiki, _account(login)) == edits_before
    assert not (out / "journal.jsonl").exists()


def test_without_the_bot_right_a_trial_is_sent_unflagged_with_pauses(
        wiki: Wikibase, tmp_path: Path) -> None:
    data, out = records_planned(wiki, tmp_path, "trial", 3)
    time = FakeTime()
    result = publish_live(Settings(data_dir=data), _target(wiki), out,
                          _env(wiki.plain_user, wiki), bot_policy=True, clock=time.clock,
                          sleep=time.sleep)
    assert result.ok, result.lines
    assert "as a trial without the bot flag" in result.lines[0]
    assert result.lines[1].startswith("no --task-page")  # said, not refused
    changes = _changes(wiki, _account(wiki.plain_user))
    assert len(changes) == 3
    assert not any("bot" in change for change in changes)  # not flagged: it is no bot
    assert time.slept == [PAUSE_TRIAL, PAUSE_TRIAL]  # between the 3 edits, none before the first
    refused = run_lod("publish", "wikidata", "--data", data, "--api", wiki.api_url, "--sparql",
                      wiki.sparql_url, "--ids", wiki.ids_file, "--out", out, "--live",
                      "--bot-policy", "--pause", "1", env=_env(wiki.plain_user, wiki))
    assert refused.code == 1 and "--pause 1" in refused.stderr  # no shorter pause than 10 s


def test_a_bot_sends_the_bot_flag_a_paced_batch_and_summaries_in_words(
        wiki: Wikibase, tmp_path: Path) -> None:
    count = TRIAL_EDITS + 2  # more than a trial: a bot may
    data, out = records_planned(wiki, tmp_path, "flagged", count)
    time = FakeTime()
    result = publish_live(Settings(data_dir=data), _target(wiki), out, _env(wiki.bot_user, wiki),
                          bot_policy=True, task_page=TASK, clock=time.clock, sleep=time.sleep)
    assert result.ok, result.lines
    assert "as a bot (bot flag, assert=bot)" in result.lines[0]
    assert not any(line.startswith("no --task-page") for line in result.lines)
    changes = _changes(wiki, _account(wiki.bot_user))
    assert len(changes) == count
    assert all("bot" in change for change in changes)  # flagged in Recent changes
    assert time.slept == [PAUSE_BOT] * (count - 1)
    batch = next(e["batch"] for e in journal(out) if e["event"] == "batch")
    planned = _planned(out)
    for change in changes:
        comment = change["comment"]
        key = next(k for k in planned if record_mark(k) in comment)
        item = planned[key]
        assert comment.endswith(f"([[:toolforge:editgroups/b/CB/{batch}|details]])")
        assert "task [[Wikidata:Requests for permissions/Bot/Lod test bot]]" in comment
        label = item["labels"]["en"]
        assert f'new item, project "{label}"' in comment  # the records decide a project item
        urls = {snak["value"]["value"] for s in item["statements"] for snak in s["reference"]
                if snak["property"] in {"P854", "P4656"}}  # a wiki page is imported from
        assert any(f"source {url}" in comment for url in urls)  # from which source
        assert "instance of" in comment  # what is added, in words


def test_assert_bot_stops_an_edit_once_the_account_is_no_bot_any_more(
        wiki: Wikibase, tmp_path: Path) -> None:
    """``assert=bot`` is on the edit: the wiki refuses it when the account lost its bot right
    after the rights were read, so no edit lands unflagged under a bot's name."""
    data, out = records_planned(wiki, tmp_path, "demoted", 1)
    database = wiki.workdir / "data" / "wikibase.sqlite"
    demoted: list[int] = []

    def demote(_key: str) -> None:
        if not demoted:
            with sqlite3.connect(database) as db:
                demoted.append(db.execute(
                    "DELETE FROM user_groups WHERE ug_group = 'bot' AND ug_user = "
                    "(SELECT user_id FROM user WHERE user_name = ?)",
                    (_account(wiki.bot_user),)).rowcount)

    try:
        result = publish_live(Settings(data_dir=data), _target(wiki), out,
                              _env(wiki.bot_user, wiki), bot_policy=True, pause=demote,
                              edit_pause=PAUSE_BOT, sleep=lambda _s: None)
    finally:
        with sqlite3.connect(database) as db:
            db.execute("INSERT OR IGNORE INTO user_groups (ug_user, ug_group) SELECT user_id, "
                       "'bot' FROM user WHERE user_name = ?", (_account(wiki.bot_user),))
    assert demoted == [1]
    assert not result.ok
    assert any(line.startswith("failed: casestudy:demoted-0: assertbotfailed")
               for line in result.lines), result.lines
    labels = {e["labels"].get("en", {}).get("value", "") for e in _entities(wiki).values()}
    assert not any(label.startswith("Edit-a-thon demoted") for label in labels)


def _entities(wiki: Wikibase) -> dict[str, dict[str, Any]]:
    from live_wiki import entities

    return entities(wiki)


# --- the rules, for any numbers ---------------------------------------------------------------

BOT = Account("Some bot", ("bot",), ("bot", "edit"))
PERSON = Account("Someone", ("user",), ("edit",))


@given(st.integers(min_value=0, max_value=10_000))
def test_where_the_policy_applies_only_a_trial_goes_without_the_bot_right(edits: int) -> None:
    if edits > TRIAL_EDITS:
        with pytest.raises(PolicyRefusal, match="Requests_for_permissions/Bot"):
            run_rules(PERSON, edits, applies=True)
    else:
        rules = run_rules(PERSON, edits, applies=True)
        assert not rules.bot and rules.trial and rules.pause == PAUSE_TRIAL
    assert run_rules(BOT, edits, applies=True).bot  # a bot: any size, flagged
    assert not run_rules(PERSON, edits, applies=False).bot  # policy off: never refused


@given(st.floats(min_value=0, max_value=100, allow_nan=False), st.booleans())
def test_the_pause_is_never_shorter_than_the_policy_where_it_applies(pause: float,
                                                                     bot: bool) -> None:
    account = BOT if bot else PERSON
    least = PAUSE_BOT if bot else PAUSE_TRIAL
    if pause < least:
        with pytest.raises(PolicyRefusal, match="--pause"):
            run_rules(account, 1, applies=True, pause=pause)
    else:
        assert run_rules(account, 1, applies=True, pause=pause).pause == pause
    assert run_rules(account, 1, applies=False, pause=pause).pause == pause


def test_the_policy_is_on_for_wikidata_whatever_the_switch() -> None:
    assert policy_applies("https://www.wikidata.org/w/api.php", False)
    assert not policy_applies("https://test.wikidata.org/w/api.php", False)
    assert not policy_applies("http://127.0.0.1:8181/api.php", False)
    assert policy_applies("http://127.0.0.1:8181/api.php", True)


@given(st.lists(st.floats(min_value=0, max_value=30, allow_nan=False), max_size=20),
       st.floats(min_value=0.5, max_value=20))
def test_the_pacer_keeps_the_interval_between_any_two_edits(gaps: list[float],
                                                            interval: float) -> None:
    time = FakeTime()
    pacer = Pacer(interval, clock=time.clock, sleep=time.sleep)
    edits = []
    for gap in gaps:
        time.now += gap  # the work between two edits
        pacer.before_edit()
        edits.append(time.now)
    assert all(b - a >= interval - 1e-9 for a, b in itertools.pairwise(edits))


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300)


@given(_text, st.integers(min_value=0, max_value=60), st.sampled_from(["create", "update"]),
       st.sampled_from(["", TASK, "https://example.org/" + "x" * 150]))
def test_a_summary_keeps_its_record_task_and_editgroups_link_whatever_its_length(
        label: str, statements: int, action: str, task: str) -> None:
    url = Value("url", "https://example.org/report")
    planned = PlannedItem(
        "casestudy:x", "x", "casestudy", action, None if action == "create" else "Q1",
        labels={"en": label}, statements=[
            Statement(f"P{100 + n}", Value("string", str(n)), reference=(("P854", url),))
            for n in range(statements)])
    text = summary(planned, "0123abcd", task)
    assert text.endswith(EDITGROUPS.format(batch="0123abcd"))
    assert record_mark("casestudy:x") in text
    if task:
        assert task_link(task) in text
    assert len(text) <= SUMMARY_LIMIT
    if statements:
        assert "source https://example.org/report" in text or "…" in text
