"""Lint of the catalogue: every ``.rq`` parses, says what it returns, and uses its params.

Both pyoxigraph and rdflib parse every query, so a query that only one engine
accepts is caught. Parameters must be result columns (plain SELECT variables):
that is what makes in-process substitution and a remote trailing VALUES give
the same rows (lod/query/params.py).
"""

from __future__ import annotations

import csv
import re

import pytest
from pyoxigraph import Store
from rdflib.plugins.sparql import prepareQuery

from conftest import ROOT
from lod.query.catalog import ENDPOINT_KINDS, CatalogQuery, catalog
from lod.query.labelservice import rewrite_label_service

QUERIES = catalog()
FIXED = {
    "case-studies": ("casestudy", "id", "title", "start", "end"),
    "institutions": ("institution", "name", "country", "type", "wikidata", "case_studies"),
    "by-library-type": ("type", "case_studies"),
    "by-country": ("country", "case_studies"),
    "by-ifla-unit": ("unit", "case_studies"),
    "by-project": ("project", "case_studies"),
    "by-activity": ("activity", "case_studies"),
    "gaps-library-types": ("type",),
    "gaps-ifla-units": ("unit",),
}
_SELECT_RE = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\bWHERE\b", re.DOTALL | re.IGNORECASE)


def ids(query: CatalogQuery) -> str:
    return query.name


def body(query: CatalogQuery) -> str:
    return "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))


def projected(query: CatalogQuery) -> tuple[list[str], list[str]]:
    """(all projected variables, the plain ones that are not ``(expr AS ?v)``)."""
    clause = _SELECT_RE.search(body(query))
    assert clause, "no SELECT ... WHERE"
    text = clause.group(1)
    aliased = re.findall(r"AS\s+\?(\w+)\s*\)", text, re.IGNORECASE)
    bare = text
    while "(" in bare:  # drop (expr AS ?v) groups, innermost parentheses first
        bare = re.sub(r"\([^()]*\)", " ", bare)
    plain = re.findall(r"\?(\w+)", bare)
    order = re.findall(r"AS\s+\?(\w+)\s*\)|(?<![\w(])\?(\w+)(?=\s|$)", text)
    everything = [a or b for a, b in order if (a or b) in set(aliased) | set(plain)]
    return everything, plain


def test_catalogue_size_and_fixed_names() -> None:
    assert len(QUERIES) >= 25
    by_name = {q.name: q for q in QUERIES}
    for name, columns in FIXED.items():
        assert by_name[name].columns == columns, name


@pytest.mark.parametrize("query", QUERIES, ids=ids)
def test_header(query: CatalogQuery) -> None:
    lines = query.text.splitlines()
    assert [line.split(":")[0] for line in lines[:5]] == [
        "# title", "# description", "# endpoint", "# params", "# columns"]
    assert query.endpoint in ENDPOINT_KINDS
    assert query.title and query.description.endswith(".")
    assert len(set(query.columns)) == len(query.columns)


@pytest.mark.parametrize("query", QUERIES, ids=ids)
def test_parses_with_both_engines(query: CatalogQuery) -> None:
    Store().query(query.text)  # pyoxigraph: parse and run on an empty store
    prepareQuery(rewrite_label_service(query.text))  # rdflib has no SERVICE wikibase:label


SELECTS = [q for q in QUERIES if q.form == "select"]


def test_a_graph_query_says_its_rows_are_triples() -> None:
    """CONSTRUCT queries (the Wikidata extract) answer triples: their columns say so."""
    graphs = [q for q in QUERIES if q.form != "select"]
    assert graphs, "the catalogue has its Wikidata extract"
    for query in graphs:
        assert query.columns == ("subject", "predicate", "object"), query.name


@pytest.mark.parametrize("query", SELECTS, ids=ids)
def test_columns_are_the_select_variables(query: CatalogQuery) -> None:
    everything, _ = projected(query)
    assert tuple(everything) == query.columns
    result = Store().query(rewrite_label_service(query.text))
    assert tuple(v.value for v in result.variables) == query.columns  # type: ignore[union-attr]


@pytest.mark.parametrize("query", [q for q in SELECTS if q.params], ids=ids)
def test_params_are_used_plain_result_columns(query: CatalogQuery) -> None:
    _, plain = projected(query)
    where = body(query).split("WHERE", 1)[1]
    for param in query.params:
        assert param.name in plain, f"?{param.name} must be a plain SELECT variable"
        assert re.search(rf"\?{param.name}\b", where), f"?{param.name} is not used"
        if "GROUP BY" in where:
            group = where.split("GROUP BY", 1)[1].split("\n", 1)[0]
            assert f"?{param.name}" in group.split(), f"?{param.name} must be a GROUP BY key"
    for assignment in query.example:
        assert assignment.split("=")[0] in {p.name for p in query.params}
    required = {p.name for p in query.params if not p.optional}
    assert required <= {a.split("=")[0] for a in query.example}, "give an # example: for docs"


@pytest.mark.parametrize("query", QUERIES, ids=ids)
def test_no_trailing_values_of_its_own(query: CatalogQuery) -> None:
    """Parameters add the trailing VALUES clause; a query must not have one already."""
    after = body(query).rsplit("}", 1)[1]
    assert "VALUES" not in after.upper()


@pytest.mark.parametrize("query", [q for q in QUERIES if q.endpoint != "wikidata"], ids=ids)
def test_local_queries_use_minus_not_filter_not_exists(query: CatalogQuery) -> None:
    """Oxigraph runs FILTER NOT EXISTS once per row: on 10,000 case studies a gap query with
    it did not finish in ten minutes, while the same question with MINUS takes milliseconds."""
    assert "NOT EXISTS" not in body(query).upper()


def test_wikidata_ids_are_verified() -> None:
    """Wikidata-side queries use only ids checked by a person (mappings/wikidata-ids.tsv)."""
    with (ROOT / "mappings" / "wikidata-ids.tsv").open(encoding="utf-8") as handle:
        verified = {row["id"] for row in csv.DictReader(handle, delimiter="\t")}
    for query in QUERIES:
        used = set(re.findall(r"\b(?:wd|wdt|p|ps|pq):([PQ][0-9]+)\b", body(query)))
        assert used <= verified, f"{query.name}: unverified {sorted(used - verified)}"


@pytest.mark.parametrize("query", [q for q in QUERIES if q.endpoint != "local"], ids=ids)
def test_wikidata_queries_declare_every_prefix(query: CatalogQuery) -> None:
    """WDQS predeclares wd:, wdt:, … but other stores do not: the file must say them."""
    declared = set(re.findall(r"PREFIX\s+(\w*):", body(query)))
    used = set(re.findall(r"(?<![\w<?#\"])([a-z]+):[A-Za-z]", body(query)))
    assert used <= declared | {"http", "https"}, sorted(used - declared)
