"""Helpers of the live publish tests: records to publish, and what the wiki holds (read raw).

The checks read the wiki's own JSON through its API (not through lod), so a
test sees what a Wikidata editor would see.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from conftest import VALID_RECORD, run_lod
from wikibase import Wikibase

UA = {"User-Agent": "lod-tests/0 (https://github.com/ifla-wikimedia/lod)"}


def decision(prefix: str, n: int) -> str:
    """The create decision of :func:`write_records`' record ``n``: a project named after it."""
    return f'wikidata: {{create: project, name: {{en: "Edit-a-thon {prefix} number {n}"}}}}\n'


def write_records(folder: Path, prefix: str, count: int) -> Path:
    """``count`` reviewed records, each deciding a project item with a name of its own (so each
    run creates new items)."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        record_id = f"{prefix}-{n}"
        text = VALID_RECORD.format(id=record_id).replace("    wikidata: Q1234567\n", "")
        text = text.replace("A library edit-a-thon", f"Edit-a-thon {prefix} number {n}")
        text = text.replace("Un edit-a-thon en bibliothèque", f"Edit-a-thon {prefix} numéro {n}")
        (folder / f"{record_id}.yaml").write_text(text + decision(prefix, n), encoding="utf-8")
    return folder


def credentials(wiki: Wikibase) -> dict[str, str]:
    """The environment a live run needs (the bot password of the test wiki)."""
    return {"LOD_WIKIBASE_USER": wiki.user, "LOD_WIKIBASE_PASSWORD": wiki.password}


def plan(wiki: Wikibase, data: Path, out: Path, api: str | None = None) -> None:
    """The dry run (the plan a person reviews)."""
    result = run_lod("publish", "wikidata", "--data", data, "--api", api or wiki.api_url,
                     "--sparql", wiki.sparql_url, "--ids", wiki.ids_file, "--out", out)
    assert result.code == 0, result.stderr


def records_planned(wiki: Wikibase, tmp_path: Path, prefix: str, count: int) -> tuple[Path, Path]:
    """:func:`write_records` into ``tmp_path/data`` and their plan made into ``tmp_path/out``."""
    data = write_records(tmp_path / "data", prefix, count)
    out = tmp_path / "out"
    plan(wiki, data, out)
    return data, out


def live(wiki: Wikibase, data: Path, out: Path, *extra: str, api: str | None = None) -> Any:
    """``lod publish wikidata --live`` in process, without pauses between edits (the bot policy
    is off on this wiki, so ``--pause 0`` is allowed; tests/test_publish_bot.py checks the pauses)."""
    return run_lod("publish", "wikidata", "--data", data, "--api", api or wiki.api_url,
                   "--sparql", wiki.sparql_url, "--ids", wiki.ids_file, "--out", out, "--live",
                   "--pause", "0", *extra, env=credentials(wiki))


def _items(wiki: Wikibase) -> list[str]:
    return [i for i in wiki.entity_ids(properties=False) if i.startswith("Q")]


def read_entities(wiki: Wikibase, ids: list[str], **only: str) -> dict[str, dict[str, Any]]:
    """These items as the wiki's API returns them (``only``: wbgetentities' ``props``, ...)."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 50):
        answer = requests.get(wiki.api_url, params={
            "action": "wbgetentities", "ids": "|".join(ids[start:start + 50]), "format": "json",
            **only}, headers=UA, timeout=60).json()
        found.update(answer["entities"])
    return found


def entities(wiki: Wikibase) -> dict[str, dict[str, Any]]:
    """Every item on the wiki, as its API returns it."""
    return read_entities(wiki, _items(wiki))


def titled(wiki: Wikibase, prefix: str) -> dict[str, dict[str, Any]]:
    """The items whose English label starts with ``Edit-a-thon <prefix> ``, whole.

    Every item's English label is read (labels alone: the wiki serialises a fraction of
    each item), then the matching items whole.
    """
    labels = read_entities(wiki, _items(wiki), props="labels", languages="en")
    return read_entities(wiki, [qid for qid, e in labels.items() if e.get("labels", {}).get(
        "en", {}).get("value", "").startswith(f"Edit-a-thon {prefix} ")])


def statement_keys(entity: dict[str, Any]) -> list[tuple[str, str]]:
    """(property, value) of every statement (value as canonical JSON)."""
    return [(pid, json.dumps(s["mainsnak"].get("datavalue", {}).get("value"), sort_keys=True))
            for pid, statements in entity.get("claims", {}).items() for s in statements]


def duplicates(entity: dict[str, Any]) -> list[tuple[str, str]]:
    """Statements that occur more than once (same property and value)."""
    return [key for key, count in Counter(statement_keys(entity)).items() if count > 1]


def planned_keys(out: Path, key: str, wiki: Wikibase) -> set[str]:
    """The properties (the wiki's ids) the plan gives an item, to compare with what landed."""
    items = {i["key"]: i for i in json.loads((out / "plan.json").read_text())["items"]}
    return {wiki.ids[s["property"]] for s in items[key]["statements"]}


def clear_sessions(wiki: Wikibase) -> int:
    """Forget every login on the server (MediaWiki keeps sessions in its object cache)."""
    with sqlite3.connect(wiki.workdir / "data" / "wikicache.sqlite") as db:
        removed = db.execute("DELETE FROM objectcache WHERE keyname LIKE '%MWSession%'").rowcount
    return int(removed)


def journal(out: Path) -> list[dict[str, Any]]:
    """The journal's events."""
    return [json.loads(line) for line in (out / "journal.jsonl").read_text().splitlines()]


OTHER = ("Other editor", "another-password-1234")


def other_editor(wiki: Wikibase) -> Any:
    """A second account (created through the API; Wikibase ignores conflicts with oneself)."""
    from wikibaseintegrator import wbi_login

    session = requests.Session()
    session.headers.update(UA)
    token = session.get(wiki.api_url, params={
        "action": "query", "meta": "tokens", "type": "createaccount", "format": "json"},
        timeout=60).json()["query"]["tokens"]["createaccounttoken"]
    session.post(wiki.api_url, data={
        "action": "createaccount", "username": OTHER[0], "password": OTHER[1],
        "retype": OTHER[1], "createreturnurl": "http://127.0.0.1/", "createtoken": token,
        "format": "json"}, timeout=60)  # "userexists" the second time: fine
    return wbi_login.Clientlogin(user=OTHER[0], password=OTHER[1], mediawiki_api_url=wiki.api_url,
                                 user_agent=UA["User-Agent"])


def edit_as(login: Any, wiki: Wikibase, item: str, data: dict[str, Any]) -> None:
    """One edit of ``item`` by ``login``."""
    from wikibaseintegrator import wbi_helpers

    wbi_helpers.edit_entity(data=data, id=item, login=login, mediawiki_api_url=wiki.api_url,
                            user_agent=UA["User-Agent"], summary="another editor")
