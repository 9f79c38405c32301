"""Joining Wikidata (issue 24, friction 9): the extract query and the --also recipe.

The extract is a CONSTRUCT meant for the Wikidata Query Service; here it runs
over HTTP on a local Oxigraph serving the Wikidata-shaped sample, asked about
the items a small catalogue names, and its answer is added with --also to
answer a "both" query, exactly as docs/queries.md tells a researcher to.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from conftest import ROOT, run_lod, write_record
from servers import oxigraph_server

SAMPLE = ROOT / "tests" / "data" / "wikidata" / "sample.ttl"
WD = "http://www.wikidata.org/entity/"
RECORD = """\
id: {id}
status: reviewed
lang: en
title:
  en: A fixture case study
summary:
  en: A library worked with Wikidata.
institutions:
  - name: {name}
    country: {country}
    type: public
    role: lead
    wikidata: {qid}
wikimedia_projects: [wikidata]
"""


def catalogue(folder: Path) -> Path:
    write_record(folder, "fixture-one", RECORD.format(id="fixture-one", name="Fixture Public Library",
                                                      country="ES", qid="Q900000001"))
    write_record(folder, "fixture-two", RECORD.format(id="fixture-two", name="Fixture University Library",
                                                      country="FR", qid="Q900000002"))
    return folder


def test_the_extract_asks_about_exactly_the_catalogues_items(tmp_path: Path) -> None:
    data = catalogue(tmp_path / "data")
    shown = run_lod("query", "wikidata-extract", "--data", data, "--show")
    assert shown.code == 0, shown.stderr
    assert f"VALUES ?item {{ <{WD}Q900000001> <{WD}Q900000002> }}" in shown.stdout


def test_extract_then_also_answers_a_both_query(tmp_path: Path) -> None:
    data = catalogue(tmp_path / "data")
    before = run_lod("query", "institutions-wikidata-ids", "--data", data, "--format", "csv")
    assert before.code == 0, before.stderr
    assert {r["isil"] for r in csv.DictReader(io.StringIO(before.stdout))} == {""}
    with oxigraph_server(files=[SAMPLE]) as server:
        extract = run_lod("query", "wikidata-extract", "--data", data,
                          "--endpoint", server.query_url)
    assert extract.code == 0, extract.stderr
    lines = extract.stdout.splitlines()
    subjects = {line.split(" ", 1)[0] for line in lines}
    # Only the two items and their classes: nothing about the sample's other libraries.
    assert f"<{WD}Q900000001>" in subjects and f"<{WD}Q900000002>" in subjects
    assert f"<{WD}Q900000003>" not in subjects
    assert f'<{WD}Q900000001> <http://www.wikidata.org/prop/direct/P791> "ES-FIX1" .' in lines
    saved = tmp_path / "extract.nt"
    saved.write_text(extract.stdout, encoding="utf-8")
    after = run_lod("query", "institutions-wikidata-ids", "--data", data, "--also", saved,
                    "--format", "csv")
    assert after.code == 0, after.stderr
    found = {r["wikidata"]: r for r in csv.DictReader(io.StringIO(after.stdout))}
    assert found[f"{WD}Q900000001"]["isil"] == "ES-FIX1"
    assert found[f"{WD}Q900000002"]["viaf"] in ("222; 223", "223; 222")


def test_a_catalogue_without_items_says_so(tmp_path: Path) -> None:
    write_record(tmp_path / "data", "no-items", RECORD.format(
        id="no-items", name="Nameless", country="ES", qid="Q1").replace("    wikidata: Q1\n", ""))
    answer = run_lod("query", "wikidata-extract", "--data", tmp_path / "data", "--show")
    assert answer.code == 1
    assert "gives no value for ?item" in answer.stderr
