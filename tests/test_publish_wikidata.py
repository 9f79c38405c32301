"""``lod publish wikidata`` (dry run) against a real test Wikibase seeded with existing items.

The seed (Wikidata's ids, translated by the fixture) holds: an item for the
SMU case study (found by its source URL, with some statements already), the
British Library with a country of its own, and an unrelated item with the
label and description the UCD case study would get (a clash). Expectations
are computed from the YAML files and the rules of the issue, not from a
previous run.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from conftest import CASESTUDIES, run_lod
from publish_seed import SMU, UCD, record_yaml
from qs_v1 import parse_v1
from wikibase import Wikibase

pytestmark = pytest.mark.usefixtures("only_localhost")


@pytest.fixture(scope="module")
def wiki(test_wikibase: Wikibase) -> Wikibase:
    """The session's test Wikibase, seeded by tests/publish_seed.py (planning never writes)."""
    return test_wikibase


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled records, one of them turned back into a draft (drafts are never planned)."""
    folder = tmp_path_factory.mktemp("data") / "casestudies"
    shutil.copytree(CASESTUDIES, folder)
    path = folder / "temple-critical-il.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: reviewed", "status: draft"),
                    encoding="utf-8")
    return folder


def _publish(wiki: Wikibase, data: Path, out: Path, *extra: str) -> Any:
    return run_lod("publish", "wikidata", "--data", data, "--api", wiki.api_url, "--sparql",
                   wiki.sparql_url, "--ids", wiki.ids_file, "--out", out, *extra)


@pytest.fixture(scope="module")
def planned(wiki: Wikibase, data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "out"
    result = _publish(wiki, data, out)
    assert result.code == 0, result.stderr
    assert "dry run" in result.stdout
    assert f"{UCD}: label-description-clash:" in result.stderr  # errors are shown, not only filed
    return out


def _plan(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    return loaded


def _items(out: Path) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in _plan(out)["items"]}


def _reviewed_ids(data: Path) -> set[str]:
    ids = set()
    for path in data.glob("*.yaml"):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record["status"] in {"reviewed", "published"}:
            ids.add(record["id"])
    return ids


def test_one_create_per_case_study_without_an_item(planned: Path, data: Path) -> None:
    items = _items(planned)
    expected = {f"casestudy:{rid}" for rid in _reviewed_ids(data)} - {f"casestudy:{SMU}",
                                                                    f"casestudy:{UCD}"}
    creates = {key for key, item in items.items()
               if item["kind"] == "case-study" and item["action"] == "create"}
    assert creates == expected
    assert "casestudy:temple-critical-il" not in items  # the draft


def test_the_existing_case_study_only_gets_what_it_lacks(planned: Path, wiki: Wikibase) -> None:
    item = _items(planned)[f"casestudy:{SMU}"]
    assert item["action"] == "update"
    assert item["item"] == f"local:{wiki.seeded[0]}"  # local only: no Wikidata id
    added = {(s["property"], s["value"]["value"]) for s in item["statements"]}
    smu = record_yaml(SMU)
    assert ("P31", "Q155207") not in added
    assert ("P407", "Q1860") not in added
    assert ("P973", smu["source"]["url"]) not in added
    assert ("P1476", smu["title"]["en"]) in added
    assert ("P4510", "Q52") in added
    assert item["labels"] == {}  # it has an English label already
    assert item["descriptions"] == {}
    warnings = [w for w in _plan(planned)["warnings"] if w["record"] == SMU]
    assert any(w["code"] == "possible-duplicate" for w in warnings)


def test_the_library_only_gets_what_it_lacks(planned: Path) -> None:
    item = _items(planned)["institution:Q23308"]
    assert item["action"] == "update"
    # British Library: type national (-> Q22806), country GB (it has P17 already: not added)
    assert [(s["property"], s["value"]["value"]) for s in item["statements"]] == [("P31", "Q22806")]


def test_the_label_description_clash_is_caught_before_any_write(planned: Path, wiki: Wikibase) -> None:
    plan = _plan(planned)
    item = _items(planned)[f"casestudy:{UCD}"]
    assert item["action"] == "blocked"
    assert item["statements"] == []
    clash = [w for w in plan["warnings"] if w["record"] == UCD and w["code"] == "label-description-clash"]
    assert clash and clash[0]["severity"] == "error"
    assert f"local:{wiki.seeded[2]}" in clash[0]["message"]
    assert plan["blocked"] is True
    assert record_yaml(UCD)["title"]["en"] not in (planned / "quickstatements.txt").read_text(encoding="utf-8")


def test_every_planned_statement_has_a_reference(planned: Path) -> None:
    for item in _plan(planned)["items"]:
        record = record_yaml(item["record"]) if item["kind"] == "case-study" else None
        for statement in item["statements"]:
            reference = {snak["property"]: snak["value"] for snak in statement["reference"]}
            assert set(reference) == {"P854", "P813"}, statement
            assert reference["P813"]["precision"] == 11
            if record is not None:
                assert reference["P854"]["value"] == record["source"]["url"]
                assert reference["P813"]["value"] == f"+{record['source']['retrieved']}T00:00:00Z"


def test_dates_keep_the_records_precision(planned: Path) -> None:
    items = _items(planned)
    bl = {s["property"]: s for s in items["casestudy:british-library-wir"]["statements"]}
    assert bl["P710"]["qualifiers"] == [{"property": "P580", "value": {
        "type": "time", "value": "+2012-05-00T00:00:00Z", "precision": 10}}]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if len(s) > 25]


def test_no_narrative_text_anywhere(planned: Path, data: Path) -> None:
    outputs = {name: (planned / name).read_text(encoding="utf-8")
               for name in ("plan.json", "quickstatements.txt", "review.html")}
    for path in sorted(data.glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        narrative = [*record["summary"].values(), *(record.get("sections") or {}).values(),
                     record.get("notes") or ""]
        for contact in record.get("contacts") or []:
            narrative += [contact.get("email") or "", contact.get("name") or ""]
        for text in narrative:
            for sentence in _sentences(text):
                for name, output in outputs.items():
                    assert sentence not in output, (path.name, name, sentence)


def test_descriptions_follow_the_rules(planned: Path) -> None:
    seen: dict[tuple[str, str], str] = {}
    for item in _plan(planned)["items"]:
        for lang, text in item["descriptions"].items():
            assert len(text) <= 250
            assert text != item["labels"].get(lang)
            assert (lang, text) not in seen, (item["key"], seen.get((lang, text)))
            seen[(lang, text)] = item["key"]


def test_plan_json_is_byte_identical_on_a_rerun(planned: Path, wiki: Wikibase, data: Path,
                                                tmp_path: Path) -> None:
    result = _publish(wiki, data, tmp_path / "again")
    assert result.code == 0, result.stderr
    assert (tmp_path / "again" / "plan.json").read_bytes() == (planned / "plan.json").read_bytes()


def _qs_from_plan(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """What plan.json says, in the shape the V1 parser returns."""
    out = []
    for item in plan["items"]:
        if item["action"] not in {"create", "update"}:
            continue
        out.append({
            "create": item["action"] == "create",
            "item": None if item["action"] == "create" else item["item"],
            "labels": item["labels"], "descriptions": item["descriptions"],
            "statements": [
                (s["property"], s["value"],
                 [(q["property"], q["value"]) for q in s["qualifiers"]],
                 [(r["property"], r["value"]) for r in s["reference"]])
                for s in item["statements"]],
        })
    return out


def test_quickstatements_say_what_plan_json_says(planned: Path) -> None:
    parsed = parse_v1((planned / "quickstatements.txt").read_text(encoding="utf-8"))
    assert parsed == _qs_from_plan(_plan(planned))


def test_review_page_escapes_and_shows_current_state(planned: Path) -> None:
    html = (planned / "review.html").read_text(encoding="utf-8")
    assert "<!DOCTYPE html>" in html
    # the 1Lib1Ref title has quotes: escaped in the page, verbatim in plan.json
    assert "&#34;one librarian, one reference&#34;" in html
    assert "label-description-clash" in html
    assert "On the wiki now" in html and "United Kingdom" in html  # the library's P17 as it is
    items = _plan(planned)["items"]
    for action in ("create", "update", "none", "blocked"):  # the summary's last column: all kinds
        count = sum(1 for i in items if i["action"] == action)
        row = re.search(rf'<tr data-action="{action}">.*?</tr>', html)
        assert row is not None and row.group(0).endswith(f"<td>{count}</td></tr>"), action


def test_reads_are_batched_50_ids_per_request(wiki: Wikibase) -> None:
    """wbgetentities: one request per 50 items, counted at the server."""
    from lod.publish.wikidata.reads import IdMap, WikiReader

    log = wiki.workdir / "php-server.log"
    before = log.read_text(encoding="utf-8", errors="replace").count("action=wbgetentities")
    reader = WikiReader(wiki.api_url, wiki.sparql_url, IdMap(wiki.ids), user_agent="lod-tests",
                        timeout=30)
    wanted = [*sorted(wiki.ids), *[f"Q{900000 + n}" for n in range(80)]]  # 80 absent ones too
    found = reader.entities(wanted)
    assert set(found) == set(wiki.ids)  # items and properties; the absent ones left out
    lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
             if "action=wbgetentities" in line][before:]
    assert len(lines) == -(-len(set(wanted)) // 50)
    for line in lines:
        query = parse_qs(urlsplit(line.split("]: ", 1)[1].split()[1]).query)
        assert len(query["ids"][0].split("|")) <= 50
