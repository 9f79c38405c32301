"""``lod publish wikidata --live`` against a real test Wikibase of this module's own.

The wiki starts with some existing items (tests/publish_seed.py, without the
label+description clash, which would block the plan). Expectations come from
the YAML files and the issue's rules; the wiki is read raw through its API.
Faults the wiki produces itself are produced for real: an edit conflict
(another client edits between our read and our write), a label+description
conflict (another client creates the item after the plan was made), sessions
cleared on the server.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from conftest import CASESTUDIES, run_lod
from live_wiki import (
    UA,
    clear_sessions,
    credentials,
    decision,
    duplicates,
    edit_as,
    entities,
    journal,
    live,
    other_editor,
    plan,
    read_entities,
    records_planned,
    titled,
)
from lod.publish.wikidata.dryrun import Target
from lod.publish.wikidata.livecommands import publish_live
from lod.publish.wikidata.reads import IdMap
from lod.settings import Settings
from publish_seed import WORK, seed_entities
from wikibase import Wikibase, running_wikibase
from wikibase.populate import Writer

pytestmark = pytest.mark.usefixtures("only_localhost")


@pytest.fixture(scope="module")
def wiki(tmp_path_factory: pytest.TempPathFactory, wikibase_cache: Path) -> Iterator[Wikibase]:
    """A wiki of this module's own (the tests write to it)."""
    folder = tmp_path_factory.mktemp("live-wiki")
    seed = folder / "seed.json"
    entities_ = seed_entities()
    seed.write_text(json.dumps([entities_[0], entities_[1], entities_[3]]), encoding="utf-8")
    with running_wikibase(folder / "wiki", seed_file=seed, cache=wikibase_cache) as running:
        yield running


def _reviewed(data: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(data.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record["status"] in {"reviewed", "published"}:
            out[record["id"]] = record
    return out


@pytest.fixture(scope="module")
def bundled(wiki: Wikibase, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The bundled case studies, planned, published, then published again."""
    data = tmp_path_factory.mktemp("bundled") / "casestudies"
    shutil.copytree(CASESTUDIES, data)
    out = data.parent / "out"
    before = entities(wiki)
    plan(wiki, data, out)
    first = live(wiki, data, out)
    after_first = entities(wiki)
    second = live(wiki, data, out)
    return {"data": data, "out": out, "before": before, "first": first, "after": after_first,
            "second": second, "after_second": entities(wiki)}


def _own_labels(record: dict[str, Any]) -> dict[str, str]:
    """The labels the record's own item gets: a work's title, a project's names."""
    decided = record["wikidata"]
    if decided["create"] == "work":
        return {record["source"]["language"]: record["source"]["title"]}
    return dict(decided["name"])


def test_one_item_per_decision_and_a_second_run_makes_no_edit(bundled: dict[str, Any],
                                                              wiki: Wikibase) -> None:
    assert bundled["first"].code == 0, bundled["first"].stderr
    decided = {rid: r for rid, r in _reviewed(bundled["data"]).items()
               if isinstance(r.get("wikidata"), dict)}
    assert decided
    for record in decided.values():
        for lang, text in _own_labels(record).items():
            owners = [q for q, e in bundled["after"].items()
                      if e.get("labels", {}).get(lang, {}).get("value") == text]
            assert len(owners) == 1, (record["id"], text)  # the existing work counts once
    made = [e for e in journal(bundled["out"]) if e["event"] == "done"
            and e["key"].startswith("casestudy:")]
    assert {e["key"].split(":")[1] for e in made} == set(decided)
    assert bundled["second"].code == 0, bundled["second"].stderr
    assert " 0 edits" in bundled["second"].stdout
    revisions = {q: e["lastrevid"] for q, e in bundled["after"].items()}
    assert revisions == {q: e["lastrevid"] for q, e in bundled["after_second"].items()}


def test_no_duplicate_statement_and_every_statement_has_a_reference(bundled: dict[str, Any],
                                                                     wiki: Wikibase) -> None:
    before = bundled["before"]
    self_valued = {wiki.ids[pid] for pid in ("P953", "P973", "P356", "P791")}
    for qid, entity in bundled["after"].items():
        assert duplicates(entity) == [], qid
        if qid in before and before[qid]["lastrevid"] == entity["lastrevid"]:
            continue  # untouched (the base items of the fixture have no references)
        for statements in entity.get("claims", {}).values():
            for statement in statements:
                if statement.get("id") in {s.get("id") for ss in before.get(qid, {}).get(
                        "claims", {}).values() for s in ss}:
                    continue  # made by others before the run
                if statement["mainsnak"]["property"] in self_valued:
                    assert not statement.get("references")  # its value is its own source
                    continue
                assert statement.get("references"), (qid, statement["mainsnak"]["property"])


def test_what_others_made_before_is_still_there(bundled: dict[str, Any], wiki: Wikibase) -> None:
    work_item = wiki.seeded[0]
    before, after = bundled["before"][work_item], bundled["after"][work_item]
    kept = {s["id"] for ss in before["claims"].values() for s in ss}
    assert kept <= {s["id"] for ss in after["claims"].values() for s in ss}
    assert after["descriptions"]["en"]["value"] == "an existing case-study item"
    assert len(after["claims"][wiki.ids["P1476"]]) == 1  # the title it lacked, added once
    assert WORK in {e["key"].split(":")[1] for e in journal(bundled["out"]) if e["event"] == "done"}


def test_no_narrative_reached_the_wiki(bundled: dict[str, Any]) -> None:
    stored = json.dumps(bundled["after"], ensure_ascii=False)
    for record in _reviewed(bundled["data"]).values():
        texts = [*record["summary"].values(), record.get("notes") or ""]
        texts += [s.get("text", "") if isinstance(s, dict) else "" for s in
                  record.get("sections", [])]
        titles = " | ".join(" ".join(t.split()) for t in record["title"].values())
        for text in texts:  # every sentence of the narrative (titles and names may recur in it)
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join(str(text).split())):
                if len(sentence) >= 50 and sentence not in titles:
                    assert sentence not in stored, record["id"]


def test_credentials_appear_nowhere(bundled: dict[str, Any], wiki: Wikibase) -> None:
    secret = wiki.password
    for result in (bundled["first"], bundled["second"]):
        assert secret not in result.stdout + result.stderr
    for path in bundled["out"].iterdir():
        assert secret not in path.read_text(encoding="utf-8", errors="replace"), path.name


def test_every_edit_summary_carries_the_batch(bundled: dict[str, Any], wiki: Wikibase) -> None:
    batch = next(e["batch"] for e in journal(bundled["out"]) if e["event"] == "batch")
    answer = requests.get(wiki.api_url, params={
        "action": "query", "list": "usercontribs", "ucuser": wiki.user.split("@")[0],
        "ucprop": "comment|title", "uclimit": "500", "format": "json"}, headers=UA,
        timeout=60).json()
    keys = {e["key"] for e in journal(bundled["out"]) if e["event"] == "done"}
    ours = [c for c in answer["query"]["usercontribs"]
            if any(f"(lod record {key})" in c["comment"] for key in keys)]
    assert len(ours) == len(keys)  # one edit per item
    for contribution in ours:
        assert contribution["comment"].endswith(
            f"([[:toolforge:editgroups/b/CB/{batch}|details]])")


def test_status_and_verify_report_drift(bundled: dict[str, Any], wiki: Wikibase) -> None:
    out = bundled["out"]
    status = run_lod("publish", "status", "--out", out)
    assert status.code == 0 and "finished" in status.stdout
    assert "0 in doubt, 0 failed" in status.stdout
    clean = run_lod("publish", "verify", "--out", out)
    assert clean.code == 0 and " 0 differences" in clean.stdout
    # another editor removes a statement we added
    done = {e["key"]: e["item"] for e in journal(out) if e["event"] == "done"}
    key = "casestudy:1lib1ref-campaign"
    local = done[key].removeprefix("local:") if done[key].startswith("local:") else \
        IdMap(wiki.ids).wiki(done[key])
    entity = bundled["after"][local]
    guid = entity["claims"][wiki.ids["P2283"]][0]["id"]
    writer = Writer(wiki.api_url, wiki.user, wiki.password)
    from wikibaseintegrator import wbi_helpers

    wbi_helpers.remove_claims(guid, login=writer.login, mediawiki_api_url=wiki.api_url,
                              user_agent=UA["User-Agent"])
    drift = run_lod("publish", "verify", "--out", out)
    assert drift.code == 0
    assert f"{key}" in drift.stdout and "P2283 Q52 is missing" in drift.stdout
    assert "P2283 Q52 is missing" in (out / "verify.md").read_text(encoding="utf-8")


def _target(wiki: Wikibase) -> Target:
    return Target(wiki.api_url, wiki.sparql_url, IdMap(wiki.ids))


def test_an_edit_conflict_rereads_and_replans_only_that_item(
        wiki: Wikibase, tmp_path: Path) -> None:
    data, out = records_planned(wiki, tmp_path, "conflict", 1)
    live(wiki, data, out)  # the item exists now; the record then gains a German title
    (item,) = titled(wiki, "conflict")
    mapped = tmp_path / "ids.tsv"  # the record names its item: a Wikidata-like id mapped to it
    mapped.write_text(wiki.ids_file.read_text() + f"Q999999001\t{item}\n", encoding="utf-8")
    record = data / "conflict-0.yaml"  # the project gains a German name and a partner with an item
    record.write_text(record.read_text(encoding="utf-8").replace(
        decision("conflict", 0), "wikidata: {create: project, name: {en: Edit-a-thon conflict "
        "number 0, de: Ein Edit-a-thon conflict}}\n").replace(
        "institutions:\n", "institutions:\n  - name: British Library\n    country: GB\n"
        "    type: national\n    wikidata: Q23308\n"), encoding="utf-8")
    out2 = tmp_path / "out2"
    assert run_lod("publish", "wikidata", "--data", data, "--api", wiki.api_url, "--sparql",
                   wiki.sparql_url, "--ids", mapped, "--out", out2).code == 0
    other = other_editor(wiki)
    calls = []

    def pause(key: str) -> None:  # between our read and our write, someone sets the German label
        if not calls:
            calls.append(key)
            edit_as(other, wiki, item, {"labels": {"de": {"language": "de",
                                                          "value": "Anders benannt"}}})

    target = Target(wiki.api_url, wiki.sparql_url, IdMap.read(mapped))
    result = publish_live(Settings(data_dir=data), target, out2, credentials(wiki), pause=pause,
                          edit_pause=0)
    assert result.ok, result.lines
    assert [e["error"] for e in journal(out2) if e["event"] == "failed"] == [
        "editconflict: re-reading"]
    assert any(line.startswith("difference: casestudy:conflict-0") and "label de" in line
               for line in result.lines)  # the other editor's label, reported for a curator
    entity = read_entities(wiki, [item])[item]
    assert entity["labels"]["de"]["value"] == "Anders benannt"  # theirs stays
    participants = [s["mainsnak"]["datavalue"]["value"]["id"]
                    for s in entity["claims"][wiki.ids["P710"]]]
    assert wiki.ids["Q23308"] in participants  # ours landed
    assert duplicates(entity) == []


def test_a_label_description_conflict_on_create_is_recorded_and_never_retried(
        wiki: Wikibase, tmp_path: Path) -> None:
    data, out = records_planned(wiki, tmp_path, "clash", 2)
    planned = {i["key"]: i for i in json.loads((out / "plan.json").read_text())["items"]}
    first = planned["casestudy:clash-0"]
    writer = Writer(wiki.api_url, wiki.user, wiki.password)  # someone creates it meanwhile
    other = writer.edit({"labels": {"en": {"language": "en", "value": first["labels"]["en"]}},
                         "descriptions": {"en": {"language": "en",
                                                 "value": first["descriptions"]["en"]}}},
                        new="item")
    result = live(wiki, data, out)
    assert result.code == 0, result.stderr
    assert f"casestudy:clash-0 exists as local:{other}" in result.stdout
    assert len(titled(wiki, "clash")) == 2  # the other client's item and clash-1's: no third
    again = live(wiki, data, out)
    assert again.code == 0
    creates = [e for e in journal(out) if e["event"] == "intended" and e["key"] ==
               "casestudy:clash-0"]
    assert len(creates) == 1  # never retried as a create
    assert "exist already" in run_lod("publish", "status", "--out", out).stdout


def test_sessions_cleared_on_the_server_mean_one_login_again(wiki: Wikibase, tmp_path: Path) -> None:
    data, out = records_planned(wiki, tmp_path, "session", 2)
    cleared = []

    def pause(key: str) -> None:
        if not cleared:
            cleared.append(clear_sessions(wiki))

    result = publish_live(Settings(data_dir=data), _target(wiki), out, credentials(wiki),
                          pause=pause, edit_pause=0)
    assert result.ok, result.lines
    assert cleared[0] >= 1
    errors = [str(e.get("error")) for e in journal(out) if e["event"] == "failed"]
    assert len(errors) == 1 and errors[0].split(":")[0] in {"assertuserfailed", "badtoken"}
    assert len(titled(wiki, "session")) == 2


def test_no_credentials_is_one_clear_line(wiki: Wikibase, tmp_path: Path) -> None:
    data, out = records_planned(wiki, tmp_path, "nocreds", 1)
    result = run_lod("publish", "wikidata", "--data", data, "--api", wiki.api_url, "--ids",
                     wiki.ids_file, "--out", out, "--live",
                     env={"LOD_WIKIBASE_USER": "", "LOD_WIKIBASE_PASSWORD": ""})
    assert result.code == 1
    assert result.stderr.count("\n") == 1 and "LOD_WIKIBASE_PASSWORD" in result.stderr
    wrong = run_lod("publish", "wikidata", "--data", data, "--api", wiki.api_url, "--ids",
                    wiki.ids_file, "--out", out, "--live",
                    env={"LOD_WIKIBASE_USER": wiki.user, "LOD_WIKIBASE_PASSWORD": "x" * 32})
    assert wrong.code == 1 and "login refused" in wrong.stderr
    assert "x" * 32 not in wrong.stderr + wrong.stdout


def _creates(out: Path) -> list[str]:
    return [i["key"] for i in json.loads((out / "plan.json").read_text(encoding="utf-8"))["items"]
            if i["action"] == "create"]


def test_a_second_dry_run_right_after_a_live_run_plans_no_create(wiki: Wikibase,
                                                                 tmp_path: Path) -> None:
    data, out = records_planned(wiki, tmp_path, "lagging", 2)
    assert len(_creates(out)) == 2
    result = live(wiki, data, out)
    assert result.code == 0, result.stderr
    made = titled(wiki, "lagging")
    assert len(made) == 2
    # the query service has not been reloaded: it does not know the new items yet
    query = ('SELECT ?item WHERE { ?item <http://www.w3.org/2000/01/rdf-schema#label> '
             '"Edit-a-thon lagging number 0"@en }')
    answer = requests.post(wiki.sparql_url, data={"query": query}, headers={
        "Accept": "application/sparql-results+json", **UA}, timeout=60).json()
    assert answer["results"]["bindings"] == []
    plan(wiki, data, out)  # the same OUT: its journal says what was created
    assert _creates(out) == []
    fresh = tmp_path / "fresh"
    plan(wiki, data, fresh)  # no journal: the wiki's own search finds the items
    assert _creates(fresh) == []
    items = {i["key"]: i for i in json.loads((fresh / "plan.json").read_text())["items"]}
    assert {items[f"casestudy:lagging-{n}"]["item"].removeprefix("local:") for n in (0, 1)} == \
        set(made)
