"""The Wikidata-side queries on a real Oxigraph loaded with a Wikidata-shaped sample.

``tests/data/wikidata/sample.ttl`` is written like the Wikidata RDF dump;
every expected row below was worked out by hand from that file (see its
comments). The queries go through the same path as ``lod query --endpoint``:
the label service is rewritten for Oxigraph and parameters become a trailing
VALUES clause.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
import rdflib
from pyoxigraph import RdfFormat, Store
from test_query_golden import write_fixture

from conftest import ROOT, run_lod
from lod.pipeline import assemble
from lod.query.catalog import CatalogQuery, catalog, get_query
from lod.query.execute import endpoint_text, run_in_process, run_on_endpoint, wdqs_link
from lod.query.labelservice import has_label_service, rewrite_label_service, uses_label_service
from lod.query.params import bind_params, with_values
from lod.settings import Settings
from servers import oxigraph_server

SAMPLE = ROOT / "tests" / "data" / "wikidata" / "sample.ttl"
WD = "http://www.wikidata.org/entity/"
UA = Settings().user_agent
Row = tuple[str, ...]


def q(n: int) -> str:
    return f"{WD}Q{n}"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with oxigraph_server(files=[SAMPLE]) as server:
        yield server.query_url


def rows(endpoint: str, name: str, *params: str) -> list[Row]:
    query = get_query(name)
    result = run_on_endpoint(query, endpoint, bind_params(query, params), user_agent=UA, timeout=30)
    assert result.columns == query.columns
    return [tuple(v or "" for v in row) for row in result.values()]


def test_case_studies_with_their_libraries(endpoint: str) -> None:
    assert rows(endpoint, "wikidata-case-studies") == [
        (q(900000101), "Fixture case study one", q(900000001), "Fixture Public Library",
         q(29), "Spain"),
        # 'mul' label when there is no English one
        (q(900000102), "Fixture case study two", q(900000002), "Fixture University Library",
         q(142), "France"),
        # a French label only: the label falls back to the item id, as on WDQS
        (q(900000103), "Q900000103", q(900000003), "Biblioteca Fixture Tres",
         q(145), "United Kingdom"),
    ]


def test_participants_with_qualifiers_and_no_deprecated_statement(endpoint: str) -> None:
    assert rows(endpoint, "wikidata-case-study-participants") == [
        (q(900000101), "Fixture case study one", q(900000001), "Fixture Public Library",
         "2019-01-01T00:00:00Z", "2019-06-30T00:00:00Z"),
        (q(900000101), "Fixture case study one", q(900000010), "Fixture Wikimedia Chapter", "", ""),
        (q(900000102), "Fixture case study two", q(900000002), "Fixture University Library",
         "2020-03-01T00:00:00Z", ""),
    ]


def test_libraries_in_countries_without_a_case_study(endpoint: str) -> None:
    # Spain, France, the UK and Australia have a case study (directly or through an item
    # involved); the Netherlands (no label: its id) and Sweden do not.
    assert rows(endpoint, "wikidata-libraries-no-case-study") == [
        (q(55), "Q55", "2"),
        (q(34), "Sweden", "1"),
    ]


def test_libraries_in_one_country(endpoint: str) -> None:
    assert rows(endpoint, "wikidata-libraries-in-country", "country=Q29") == [
        (q(29), q(900000001), "Fixture Public Library", "fixture public library in Spain",
         "ES-FIX1", "https://library-one.example.org/"),
        (q(29), q(900000006), "Fixture Library Six", "", "", ""),
    ]
    assert rows(endpoint, "wikidata-libraries-in-country", f"country={WD}Q34")[0][1] == q(900000007)


def split(row: Row) -> tuple[str, str, frozenset[str], frozenset[str], frozenset[str]]:
    """GROUP_CONCAT leaves the order of joined values to the engine."""
    def values(cell: str) -> frozenset[str]:
        return frozenset(cell.split("; ")) if cell else frozenset()
    return (row[0], row[1], values(row[2]), values(row[3]), values(row[4]))


def test_identifiers_of_case_study_libraries(endpoint: str) -> None:
    got = [split(row) for row in rows(endpoint, "wikidata-library-identifiers")]
    assert got == [
        (q(900000001), "Fixture Public Library", {"ES-FIX1"}, {"111"},
         {"https://library-one.example.org/"}),
        (q(900000002), "Fixture University Library", {"FR-FIX2"}, {"222", "223"}, set()),
        (q(900000003), "Biblioteca Fixture Tres", set(), set(), set()),
    ]
    one = rows(endpoint, "wikidata-library-identifiers", "library=Q900000002")
    assert [split(row) for row in one] == [got[1]]


def test_both_query_joins_catalogue_and_wikidata(tmp_path: Path) -> None:
    folder = write_fixture(tmp_path / "data")
    assembled = assemble([folder], Settings(data_dir=folder), include_drafts=False)
    graph = tmp_path / "catalogue.nt"
    graph.write_text(assembled.ntriples, encoding="utf-8")
    with oxigraph_server(files=[graph, SAMPLE]) as server:
        got = [split(row[1:]) for row in rows(server.query_url, "institutions-wikidata-ids")]
    assert got == [
        ("Fixture Public Library", q(900000001), {"ES-FIX1"}, {"111"},
         {"https://library-one.example.org/"}),
        ("Fixture University Library", q(900000002), {"FR-FIX2"}, {"222", "223"}, set()),
    ]


@pytest.mark.parametrize("query", [q for q in catalog()
                                   if q.endpoint == "wikidata" and q.form == "select"],
                         ids=lambda q: q.name)
def test_in_process_and_over_http_agree_on_the_sample(endpoint: str, query: object) -> None:
    from lod.query.catalog import CatalogQuery

    assert isinstance(query, CatalogQuery)
    store = Store()
    store.load(path=str(SAMPLE), format=RdfFormat.TURTLE)
    bindings = bind_params(query, query.example)
    local = run_in_process(query, store, bindings)
    remote = run_on_endpoint(query, endpoint, bindings, user_agent=UA, timeout=30)
    assert local.rows
    assert canonical(local.values()) == canonical(remote.values())


def canonical(found: list[tuple[str | None, ...]]) -> list[tuple[str, ...]]:
    """Rows with GROUP_CONCAT cells sorted (engines may join values in any order)."""
    return [tuple("; ".join(sorted(v.split("; "))) if v else "" for v in row) for row in found]


# --- the label-service rewrite ----------------------------------------------------------------

def test_label_service_is_kept_for_wdqs_only() -> None:
    query = get_query("wikidata-case-studies")
    assert uses_label_service(query.text)
    assert has_label_service("https://query.wikidata.org/sparql")
    assert not has_label_service("http://127.0.0.1:7878/query")
    assert not has_label_service("https://qlever.example.org/api/wikidata")
    assert "wikibase:label" in endpoint_text(query, "https://query.wikidata.org/sparql")
    rewritten = endpoint_text(query, "http://127.0.0.1:7878/query")
    assert not uses_label_service(rewritten)
    assert "rdf-schema#label" in rewritten


@pytest.mark.parametrize("query", [q for q in catalog() if uses_label_service(q.text)],
                         ids=lambda q: q.name)
def test_rewritten_queries_are_standard_sparql(query: object) -> None:
    from lod.query.catalog import CatalogQuery

    assert isinstance(query, CatalogQuery)
    text = rewrite_label_service(query.text)
    rdflib.Graph().query(text)  # rdflib's parser: plain SPARQL 1.1, no SERVICE left
    assert "SERVICE" not in text.upper().replace("# ", "")


def test_rewrite_leaves_queries_without_the_service_alone() -> None:
    text = get_query("by-country").text
    assert rewrite_label_service(text) == text


def test_rewrite_keeps_unbound_entities_unbound() -> None:
    """An OPTIONAL entity without a value must not pick up every label in the store."""
    store = Store()
    store.load(path=str(SAMPLE), format=RdfFormat.TURTLE)
    text = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX bd: <http://www.bigdata.com/rdf#>
SELECT ?item ?itemLabel ?website ?websiteLabel WHERE {
  VALUES ?item { wd:Q900000002 }
  OPTIONAL { ?item wdt:P856 ?website }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "fr,en" . }
}"""
    got = [tuple(row) for row in store.query(rewrite_label_service(text))]  # type: ignore[union-attr]
    assert len(got) == 1
    assert got[0][1].value == "Fixture University Library"
    assert got[0][2] is None and got[0][3] is None


def test_manual_label_service_mode() -> None:
    store = Store()
    store.load(path=str(SAMPLE), format=RdfFormat.TURTLE)
    text = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX bd: <http://www.bigdata.com/rdf#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE {
  VALUES ?item { wd:Q900000001 }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "es,en" . ?item rdfs:label ?name . }
}"""
    got = [tuple(row) for row in store.query(rewrite_label_service(text))]  # type: ignore[union-attr]
    assert [row[0].value for row in got] == ["Biblioteca Pública de Prueba"]


# --- --link -----------------------------------------------------------------------------------

def test_link_opens_the_query_on_wdqs() -> None:
    result = run_lod("query", "wikidata-libraries-in-country", "--param", "country=Q29", "--link")
    assert result.code == 0, result.stderr
    url = result.stdout.strip()
    assert url.startswith("https://query.wikidata.org/#")
    text = unquote(url.split("#", 1)[1])
    query = get_query("wikidata-libraries-in-country")
    assert text.startswith(query.text.rstrip("\n"))
    assert text.rstrip().endswith("VALUES (?country) { (<http://www.wikidata.org/entity/Q29>) }")
    assert wdqs_link(query, bind_params(query, ["country=Q29"])) == url


def test_link_is_refused_for_local_queries() -> None:
    result = run_lod("query", "by-country", "--link")
    assert result.code == 2
    assert "--link is for wikidata queries" in result.stderr


def test_wikidata_query_on_catalogue_data_says_where_to_run_it() -> None:
    result = run_lod("query", "wikidata-case-studies", "--format", "csv")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == [",".join(get_query("wikidata-case-studies").columns)]
    assert "reads Wikidata" in result.stderr


@pytest.mark.parametrize("query", [q for q in catalog()
                                   if q.endpoint == "wikidata" and q.form == "select"],
                         ids=lambda q: q.name)
def test_rewritten_queries_give_the_same_rows_on_rdflib(
    query: CatalogQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rewrite is plain SPARQL 1.1: a third engine agrees on the sample."""
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)  # keep '…Z' dateTimes as written
    store = Store()
    store.load(path=str(SAMPLE), format=RdfFormat.TURTLE)
    graph = rdflib.Graph()
    graph.parse(SAMPLE, format="turtle")
    bindings = bind_params(query, query.example)
    ours = run_in_process(query, store, bindings).values()
    text = with_values(rewrite_label_service(query.text), bindings)
    theirs = [tuple(None if v is None else str(v) for v in row) for row in graph.query(text)]
    assert ours
    assert canonical(theirs) == canonical(ours)
