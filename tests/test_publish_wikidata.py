"""``lod publish wikidata`` (dry run) against a real test Wikibase seeded with existing items.

The seed (Wikidata's ids, translated by the fixture) holds: an item for the
Ball State article (its URL stored another way, some statements already),
the British Library (a national library, with its country), and an unrelated
item with the label and description the Bibliowikis project would get (a
clash). The British Library record is given the library's QID as its own
``wikidata`` (issue 27's mistake). Expectations are computed from the YAML
files and the rules of docs/wikidata-model.md, not from a previous run.
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
from publish_seed import CLASH, WORK, WORK_URL, record_yaml
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
    library = folder / f"{LIBRARY_QID_RECORD}.yaml"  # the library's QID in the record's field
    library.write_text(library.read_text(encoding="utf-8") + "wikidata: Q23308\n", encoding="utf-8")
    return folder


LIBRARY_QID_RECORD = "british-library-wir"


def _publish(wiki: Wikibase, data: Path, out: Path, *extra: str) -> Any:
    return run_lod("publish", "wikidata", "--data", data, "--api", wiki.api_url, "--sparql",
                   wiki.sparql_url, "--ids", wiki.ids_file, "--out", out, *extra)


@pytest.fixture(scope="module")
def planned(wiki: Wikibase, data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "out"
    result = _publish(wiki, data, out)
    assert result.code == 0, result.stderr
    assert "dry run" in result.stdout
    assert f"{CLASH}: label-description-clash:" in result.stderr  # errors are shown, not only filed
    return out


def _plan(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    return loaded


def _items(out: Path) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in _plan(out)["items"]}


def _reviewed(data: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for path in data.glob("*.yaml"):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record["status"] in {"reviewed", "published"}:
            found[record["id"]] = record
    return found


def test_one_create_per_decision_and_none_without(planned: Path, data: Path) -> None:
    items = _items(planned)
    records = _reviewed(data)
    creating = {rid for rid, r in records.items() if isinstance(r.get("wikidata"), dict)}
    creates = {key for key, item in items.items()
               if key.startswith("casestudy:") and item["action"] == "create"}
    assert creates == {f"casestudy:{rid}" for rid in creating - {WORK, CLASH}}
    undecided = {u["record"] for u in _plan(planned)["undecided"]}
    assert undecided == {rid for rid, r in records.items() if "wikidata" not in r}
    assert not any(item["record"] in undecided for item in items.values())
    assert "casestudy:temple-critical-il" not in items  # the draft
    assert "temple-critical-il" not in undecided


def test_an_existing_work_found_by_another_form_of_its_url_only_gets_what_it_lacks(
        planned: Path, wiki: Wikibase) -> None:
    item = _items(planned)[f"casestudy:{WORK}"]
    assert item["action"] == "update" and item["kind"] == "work"
    assert item["item"] == f"local:{wiki.seeded[0]}"  # local only: no Wikidata id
    added = {(s["property"], s["value"]["value"]) for s in item["statements"]}
    source = record_yaml(WORK)["source"]
    assert ("P31", "Q155207") not in added
    assert ("P407", "Q1860") not in added
    assert not any(p == "P953" for p, _ in added)  # the same page as the stored WORK_URL
    assert ("P1476", source["title"]) in added
    assert ("P2093", source["authors"][0]) in added
    assert item["labels"] == {}  # it has an English label already
    assert item["descriptions"] == {}
    warnings = [w for w in _plan(planned)["warnings"] if w["record"] == WORK]
    assert any(w["code"] == "possible-duplicate" and "by url" in w["message"] for w in warnings)
    assert WORK_URL != source["url"]


def test_a_record_qid_pointing_at_a_library_is_refused(planned: Path) -> None:
    item = _items(planned)[f"casestudy:{LIBRARY_QID_RECORD}"]
    assert item["action"] == "blocked" and item["statements"] == []
    [refusal] = [w for w in _plan(planned)["warnings"]
                 if w["record"] == LIBRARY_QID_RECORD and w["code"] == "not-a-case-study"]
    assert refusal["severity"] == "error"
    assert LIBRARY_QID_RECORD in refusal["message"] and "Q23308" in refusal["message"]
    assert "Q22806" in refusal["message"]  # the class the wiki gives it: national library
    library = _items(planned)["institution:Q23308"]
    assert library["action"] == "none"  # its own class and country are kept; nothing added


def test_the_label_description_clash_is_caught_before_any_write(planned: Path, wiki: Wikibase) -> None:
    plan = _plan(planned)
    item = _items(planned)[f"casestudy:{CLASH}"]
    assert item["action"] == "blocked"
    assert item["statements"] == []
    clash = [w for w in plan["warnings"] if w["record"] == CLASH and w["code"] == "label-description-clash"]
    assert clash and clash[0]["severity"] == "error"
    assert f"local:{wiki.seeded[2]}" in clash[0]["message"]
    assert plan["blocked"] is True
    assert "Bibliowikis" not in (planned / "quickstatements.txt").read_text(encoding="utf-8")


SELF_VALUED = {"P953", "P973", "P356", "P791"}


def test_every_statement_has_the_reference_the_model_names(planned: Path) -> None:
    for item in _plan(planned)["items"]:
        if not item["key"].startswith("casestudy:"):
            continue
        source = record_yaml(item["record"])["source"]
        host = urlsplit(source["url"]).hostname or ""
        wiki_page = host.endswith((".wikipedia.org", ".wikisource.org")) or (
            host.endswith(".wikimedia.org") and host.split(".")[0] not in {"diff", "blog", "lists"})
        for statement in item["statements"]:
            reference = {snak["property"]: snak["value"] for snak in statement["reference"]}
            if statement["property"] in SELF_VALUED:
                assert reference == {}, statement
                continue
            assert reference["P813"]["precision"] == 11
            assert reference["P813"]["value"] == f"+{source['retrieved']}T00:00:00Z"
            if wiki_page:
                assert "P4656" in reference and "P854" not in reference, statement
            else:
                assert set(reference) == {"P854", "P813"}, statement


def test_dates_keep_the_records_precision(planned: Path) -> None:
    items = _items(planned)
    oclc = {s["property"]: s for s in
            items["casestudy:oclc-wikipedia-libraries-better-together"]["statements"]}
    assert oclc["P580"]["value"] == {"type": "time", "value": "+2016-12-00T00:00:00Z",
                                     "precision": 10}
    assert oclc["P580"]["qualifiers"] == []
    lead = items["casestudy:1lib1ref-campaign"]
    assert [(s["property"], s["value"]["value"], s["qualifiers"]) for s in lead["statements"]
            if s["property"] in {"P664", "P710"}] == [("P664", "Q180", [])]


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
            assert 2 <= len(text.split()) <= 12, text
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
    # the OCLC project's name has a "+": written as text, verbatim in plan.json
    assert "Wikipedia + Libraries: Better Together" in html
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


def test_a_property_missing_from_the_table_stops_the_dry_run_in_one_line(
        wiki: Wikibase, data: Path, tmp_path: Path) -> None:
    """A copy of the mappings without the row of a property the plan uses (P973, described at
    URL): the command names the table and the label, exits 1 and writes no OUT."""
    from lod import resources

    mappings = tmp_path / "mappings"
    shutil.copytree(resources.mappings_dir(), mappings)
    table = mappings / "wikidata-properties.tsv"
    table.write_text("".join(line for line in table.read_text(encoding="utf-8").splitlines(
        keepends=True) if "\tP973\t" not in line), encoding="utf-8")
    out = tmp_path / "out"
    result = run_lod("publish", "wikidata", "--data", data, "--api", wiki.api_url, "--sparql",
                     wiki.sparql_url, "--ids", wiki.ids_file, "--out", out,
                     env={"LOD_MAPPINGS": str(mappings)})
    assert result.code == 1, result.stdout + result.stderr
    assert f"{table}:1: property: " in result.stderr
    assert "'described at URL'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
