"""A researcher's own SPARQL and checked parameters (issue 24, frictions 1 and 3).

Each test runs ``lod`` as a researcher would and checks what they would see:
a wrong parameter is a usage error (exit 2) with the nearest valid value, not
an empty table; a ``.rq`` file, standard input and the predefined prefixes
work as on the Wikidata Query Service; ``--also`` adds other RDF to the store.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from conftest import CASESTUDIES, ROOT, VALID_RECORD, Run, run_lod


@cache
def records() -> tuple[dict[str, object], ...]:
    """The bundled records as plain PyYAML reads them, read once per module (they never change
    during a run; the tests only read them)."""
    return tuple(yaml.safe_load(p.read_text(encoding="utf-8"))
                 for p in sorted(CASESTUDIES.glob("*.yaml")))


def run_with_stdin(text: str, *args: str) -> Run:
    return run_lod("query", "-", *args, stdin=text)


def rows(result: Run) -> list[dict[str, str]]:
    assert result.code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.parametrize(
    ("query", "param", "hint"),
    [
        ("case-studies-in-country", "country=UK", "did you mean 'GB'?"),
        ("activity-trends", "activity=trainig", "did you mean 'training'?"),
        ("case-study-institutions", "id=nls-wi", "did you mean 'nls-wir'?"),
        ("case-study-institutions", "id=nonexistent", "unknown record id 'nonexistent'"),
        ("by-ifla-unit-x", "unit=public-librarys", "did you mean 'public-libraries'?"),
    ],
)
def test_a_wrong_parameter_is_a_usage_error_with_a_hint(query: str, param: str, hint: str,
                                                        tmp_path: Path) -> None:
    if query == "by-ifla-unit-x":  # a researcher's own file typed by its header
        own = tmp_path / "units.rq"
        own.write_text("# params: ?unit (ifla unit)\nSELECT ?unit WHERE { ?cs lcs:iflaUnit ?u . "
                       "?u skos:notation ?unit }\n", encoding="utf-8")
        query = str(own)
    result = run_lod("query", query, "--param", param, "--format", "csv")
    assert result.code == 2
    assert hint in result.stderr
    assert result.stdout == ""


def test_a_country_may_be_given_by_name() -> None:
    by_code = rows(run_lod("query", "case-studies-in-country", "--param", "country=CA",
                           "--format", "csv"))
    by_name = rows(run_lod("query", "case-studies-in-country", "--param", "country=Canada",
                           "--format", "csv"))
    expected = {r["id"] for r in records()
                if any(i["country"] == "CA" for i in r["institutions"])}  # type: ignore[index,attr-defined]
    assert expected
    assert {r["id"] for r in by_code} == {r["id"] for r in by_name} == expected


def test_a_right_record_id_still_answers() -> None:
    found = rows(run_lod("query", "case-study-institutions", "--param", "id=nls-wir",
                         "--format", "csv"))
    assert found and {r["id"] for r in found} == {"nls-wir"}


def test_a_query_file_with_the_predefined_prefixes(tmp_path: Path) -> None:
    own = tmp_path / "count.rq"
    own.write_text("SELECT (COUNT(DISTINCT ?cs) AS ?n) WHERE { ?cs a lcs:CaseStudy ; "
                   "lcs:project project:wikidata }\n", encoding="utf-8")
    expected = sum(1 for r in records() if "wikidata" in (r.get("wikimedia_projects") or []))
    assert rows(run_lod("query", own, "--format", "csv")) == [{"n": str(expected)}]


def test_a_query_on_standard_input() -> None:
    answer = run_with_stdin("SELECT ?id WHERE { ?cs dcterms:identifier ?id } ORDER BY ?id",
                            "--format", "csv")
    assert [r["id"] for r in rows(answer)] == sorted(str(r["id"]) for r in records())


def test_the_prefixes_are_listed_and_are_the_ones_predefined() -> None:
    listed = run_lod("query", "--prefixes")
    assert listed.code == 0
    declared = dict(line.split()[1:3] for line in listed.stdout.splitlines())
    assert declared["lcs:"] == "<https://w3id.org/libcasestudies/ns#>"
    assert declared["libtype:"] == "<https://w3id.org/libcasestudies/vocab/library-type/>"
    assert declared["wdt:"] == "<http://www.wikidata.org/prop/direct/>"
    # Every listed prefix works undeclared in a query: one query names them all (a prefix that
    # is not predefined fails its parse, and the error names it), one store load instead of one
    # per prefix.
    answer = run_with_stdin("ASK { " + " UNION ".join(f"{{ ?s ?p {prefix}x }}" for prefix in declared)
                            + " }")
    assert answer.code == 0, answer.stderr


def test_a_query_that_declares_its_own_prefix_keeps_it() -> None:
    own = ("PREFIX schema: <http://schema.org/>\n"
           "SELECT ?n WHERE { ?x schema:name ?n }")
    assert rows(run_with_stdin(own, "--format", "csv")) == []


def test_also_adds_other_rdf_to_the_store(tmp_path: Path) -> None:
    extract = tmp_path / "extract.nt"
    extract.write_text('<http://www.wikidata.org/entity/Q1> '
                       '<http://www.w3.org/2000/01/rdf-schema#label> "made-up item"@en .\n',
                       encoding="utf-8")
    question = 'SELECT ?label WHERE { wd:Q1 rdfs:label ?label }'
    assert rows(run_with_stdin(question, "--format", "csv")) == []
    joined = run_with_stdin(question, "--format", "csv", "--also", str(extract))
    assert rows(joined) == [{"label": "made-up item"}]


def test_also_with_a_broken_file_names_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    answer = run_lod("query", "case-studies", "--also", broken)
    assert answer.code == 1
    assert str(broken) in answer.stderr


def test_a_construct_query_gives_ntriples(tmp_path: Path) -> None:
    own = tmp_path / "types.rq"
    own.write_text("CONSTRUCT { ?cs a schema:CreativeWork } WHERE { ?cs a lcs:CaseStudy }",
                   encoding="utf-8")
    answer = run_lod("query", own)
    assert answer.code == 0, answer.stderr
    lines = answer.stdout.splitlines()
    assert len(lines) == len(records())
    assert all(line.endswith("<https://schema.org/CreativeWork> .") for line in lines)


def test_a_missing_query_file_is_a_usage_error() -> None:
    answer = run_lod("query", "no-such-file.rq")
    assert answer.code == 2
    assert "no-such-file.rq" in answer.stderr


# ---- friction 2: dates that compare


def _day_range(value: str) -> tuple[str, str]:
    """Written here from the rule (a year or month widens to its first and last day)."""
    import calendar

    if len(value) == 4:
        return f"{value}-01-01", f"{value}-12-31"
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:7])
        return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return value, value


def _periods() -> dict[str, tuple[str | None, str | None]]:
    found = {}
    for record in records():
        period = record.get("period") or {}
        assert isinstance(period, dict)
        start, end = period.get("start"), period.get("end")
        found[str(record["id"])] = (str(start) if start else None, str(end) if end else None)
    return found


def _model_doc_example(title: str) -> str:
    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    after = doc.split(title, 1)[1]
    return after.split("```sparql\n", 1)[1].split("```", 1)[0]


def test_a_date_filter_keeps_every_precision() -> None:
    """The issue's own filter, on the comparable form: every start since 2015 is kept."""
    question = ('SELECT ?id WHERE { ?cs dcterms:identifier ?id ; lcs:startFirstDay ?day . '
                'FILTER(?day >= "2015-01-01"^^xsd:date) }')
    kept = {r["id"] for r in rows(run_with_stdin(question, "--format", "csv"))}
    expected = {rid for rid, (start, _) in _periods().items() if start and start[:4] >= "2015"}
    assert len(expected) > 1
    assert kept == expected


def test_the_documented_recipes_answer_what_the_records_say() -> None:
    since = rows(run_with_stdin(_model_doc_example("Case studies started since 2015:"),
                                "--format", "csv"))
    assert {r["id"] for r in since} == {
        rid for rid, (start, _) in _periods().items() if start and int(start[:4]) >= 2015}
    active = rows(run_with_stdin(_model_doc_example("may have been active in 2015"),
                                 "--format", "csv"))
    expected = set()
    for rid, (start, end) in _periods().items():
        if start and _day_range(start)[0] <= "2015-12-31" and (
                end is None or _day_range(end)[1] >= "2015-01-01"):
            expected.add(rid)
    assert {r["id"] for r in active} == expected


def test_no_catalogue_query_compares_dates_as_strings() -> None:
    for path in sorted((ROOT / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        assert "SUBSTR(STR(?start)" not in text and "SUBSTR(STR(?end)" not in text, path.name


def test_by_year_counts_the_years_the_records_give() -> None:
    from collections import Counter

    expected = Counter(start[:4] for start, _ in _periods().values() if start)
    found = {r["year"]: int(r["case_studies"])
             for r in rows(run_lod("query", "by-year", "--format", "csv"))}
    assert found == dict(expected)


# ---- friction 4: absent is absent


def test_a_missing_role_is_not_stored_as_partner(tmp_path: Path) -> None:
    from conftest import write_record

    write_record(tmp_path)  # its second institution states no role
    roles = rows(run_lod("query", "by-role", "--data", tmp_path, "--format", "csv"))
    assert {r["role"]: r["case_studies"] for r in roles} == {"lead": "1", "not stated": "1"}
    stated = run_with_stdin("SELECT ?role WHERE { ?a prov:hadRole ?role }", "--data",
                            str(tmp_path), "--format", "csv")
    assert [r["role"] for r in rows(stated)] == ["https://w3id.org/libcasestudies/vocab/role/lead"]


def test_by_role_is_honest_on_the_bundled_records() -> None:
    from collections import Counter

    expected: Counter[str] = Counter()
    for record in records():
        institutions = record["institutions"]
        assert isinstance(institutions, list)
        expected.update({str(i.get("role", "not stated")) for i in institutions})
    found = {r["role"]: int(r["case_studies"])
             for r in rows(run_lod("query", "by-role", "--format", "csv"))}
    assert found == dict(expected)
    assert "partner" not in found or expected["partner"] == found["partner"]


# ---- friction 5: a dimension no record uses is not a list of gaps


def test_an_unused_dimension_is_reported_as_such(tmp_path: Path) -> None:
    from conftest import write_record

    data = tmp_path / "data"
    text = VALID_NO_UNIT
    write_record(data, text=text)
    built = run_lod("build", "--data", data, "--out", tmp_path / "dist")
    assert built.code == 0, built.stderr
    assert "no case study names an IFLA unit yet" in built.stdout
    assert "IFLA units with no case study" not in built.stdout
    report = (tmp_path / "dist" / "report.md").read_text(encoding="utf-8")
    assert "No case study names an IFLA unit yet" in report
    assert "IFLA units with no case study" not in report


def test_the_gap_list_appears_once_one_record_names_a_unit(tmp_path: Path) -> None:
    from conftest import write_record

    data = tmp_path / "data"
    write_record(data, text=VALID_RECORD.format(id="lyon-editathon"))  # names public-libraries
    built = run_lod("build", "--data", data, "--out", tmp_path / "dist")
    assert built.code == 0, built.stderr
    report = (tmp_path / "dist" / "report.md").read_text(encoding="utf-8")
    units = len((ROOT / "mappings" / "ifla-unit-ids.tsv").read_text().splitlines()) - 1
    assert f"**IFLA units with no case study** ({units - 1})" in report
    assert "No case study names an IFLA unit yet" not in report


def test_the_site_says_unused_not_sixty_gaps(tmp_path: Path) -> None:
    from conftest import write_record

    data = tmp_path / "data"
    write_record(data, text=VALID_NO_UNIT)
    assert run_lod("site", "--data", data, "--out", tmp_path / "out").code == 0
    site = tmp_path / "out" / "site"
    dashboard = (site / "dashboard.html").read_text(encoding="utf-8")
    assert "no case study names an IFLA unit yet" in dashboard
    assert "IFLA units with no case study yet" not in dashboard
    unit_page = (site / "unit" / "public-libraries.html").read_text(encoding="utf-8")
    assert "No case study names an IFLA unit yet" in unit_page


#: The shared valid record without its IFLA unit: no record of its folder names one.
VALID_NO_UNIT = VALID_RECORD.format(id="lyon-editathon").replace("ifla_units: [public-libraries]\n", "")


# ---- friction 6: labels where people read


def test_the_table_shows_labels_and_csv_keeps_ids() -> None:
    table = run_lod("query", "by-library-type")
    assert table.code == 0
    assert "academic library" in table.stdout
    assert not re.search(r"^academic\s+[0-9]", table.stdout, re.MULTILINE)
    plain = rows(run_lod("query", "by-library-type", "--format", "csv"))
    assert list(plain[0]) == ["type", "case_studies"]  # the catalogue's fixed columns
    assert "academic" in {r["type"] for r in plain}


def test_lang_adds_a_label_column_beside_the_id_and_falls_back_to_english() -> None:
    labelled = rows(run_lod("query", "by-library-type", "--lang", "es", "--format", "csv"))
    assert list(labelled[0]) == ["type", "type_label", "case_studies"]
    by_id = {r["type"]: r["type_label"] for r in labelled}
    assert by_id["academic"] == "academic library"  # no Spanish prefLabel: English
    document = json.loads(run_lod("query", "by-country", "--lang", "en", "--format",
                                  "json").stdout)
    first = document["results"]["bindings"][0]
    assert set(first) == {"country", "country_label", "case_studies"}
    assert first["country"]["value"] == "US" and first["country_label"]["value"] == "United States"


def test_pivot_makes_the_matrix_the_query_describes() -> None:
    pairs = rows(run_lod("query", "type-project-matrix", "--format", "csv"))
    matrix = rows(run_lod("query", "type-project-matrix", "--pivot", "--format", "csv"))
    projects = sorted({r["project"] for r in pairs})
    assert sorted(list(matrix[0])[1:]) == projects
    cells = {(r["type"], p): r[p] for r in matrix for p in projects}
    for pair in pairs:
        assert cells[(pair["type"], pair["project"])] == pair["case_studies"]
    zeros = [key for key, value in cells.items() if value == "0"]
    assert len(zeros) == len(cells) - len(pairs)
    table = run_lod("query", "type-project-matrix", "--pivot")
    assert "Wikimedia Commons" in table.stdout and "academic library" in table.stdout


def test_pivot_of_a_two_column_answer_is_a_usage_error() -> None:
    answer = run_lod("query", "by-library-type", "--pivot")
    assert answer.code == 2
    assert "three columns" in answer.stderr


# ---- the research questions of docs/queries.md, and every documented example


EXAMPLE_FILES = sorted((ROOT / "docs" / "examples").glob("*.rq"))
QUESTIONS = (
    "Which national libraries ran Wikidata projects since 2015?",
    "Which library types have no case study in which continent?",
    "Which activities occur together?",
    "What did Canada's libraries do?",
    "Who leads, libraries or Wikimedia affiliates?",
    "Case studies per Wikimedia project per year",
)


def test_the_six_research_questions_are_answered_in_the_docs() -> None:
    page = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    research = page.split("## Research questions", 1)[1].split("\n## `", 1)[0]
    for question in QUESTIONS:
        assert f"### {question}" in research
        answer = research.split(f"### {question}", 1)[1].split("\n### ", 1)[0]
        assert "```sparql" in answer and re.search(r"^\d+ rows?", answer, re.MULTILINE)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_every_documented_example_runs_as_shown(path: Path) -> None:
    from lod.query.catalog import own_query

    query = own_query(path.read_text(encoding="utf-8"), str(path))
    params = [arg for assignment in query.example for arg in ("--param", assignment)]
    answer = run_lod("query", path, *params, "--format", "csv")
    assert answer.code == 0, answer.stderr
    assert answer.stdout.splitlines()[0] == ",".join(query.columns)
    for param in query.params:  # a wrong value is refused, not answered with nothing
        wrong = run_lod("query", path, "--param", f"{param.name}=zzzz-nothing")
        assert wrong.code == 2, wrong.stdout


def test_every_catalogue_example_is_checked_before_it_runs() -> None:
    from lod.query.catalog import catalog

    for query in catalog():
        for param in query.params:
            if param.kind in ("string", "iri", "integer", "qid"):
                continue  # free values: nothing to check them against
            wrong = run_lod("query", query.name, "--param", f"{param.name}=zzzz-nothing")
            assert wrong.code == 2, (query.name, param.name, wrong.stdout)


def test_every_sparql_example_of_the_model_page_runs() -> None:
    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sparql\n(.*?)^```", doc, re.MULTILINE | re.DOTALL)
    runnable = [b for b in blocks if re.search(r"\b(SELECT|ASK|CONSTRUCT)\b", b)]
    assert len(runnable) >= 3
    for block in runnable:
        answer = run_with_stdin(block, "--format", "csv")
        assert answer.code == 0, (block, answer.stderr)
        assert answer.stdout.count("\n") > 1, f"no answer on the bundled records: {block}"


def test_an_endpoint_holding_the_dumps_gives_the_same_labels(tmp_path: Path) -> None:
    from servers import oxigraph_server

    assert run_lod("build", "--out", tmp_path / "dist").code == 0
    local = run_lod("query", "by-library-type")
    with oxigraph_server(files=[tmp_path / "dist" / "casestudies.nt"]) as server:
        remote = run_lod("query", "by-library-type", "--endpoint", server.query_url)
        pivoted = run_lod("query", "type-project-matrix", "--pivot", "--endpoint",
                          server.query_url)
    assert remote.code == 0, remote.stderr
    assert remote.stdout == local.stdout
    assert "academic library" in remote.stdout
    assert "Wikimedia Commons" in pivoted.stdout
