"""The build's report is read from a store of only the triples its queries can match.

A SELECT query's answers depend only on the triples its patterns can match
(SPARQL 1.1, section 18.5: a basic graph pattern is evaluated by matching
its triple patterns against the graph; a property path of fixed steps
matches only triples of those steps' predicates). So a store holding the
triples of the predicates the queries name answers them exactly as the
whole graph does, unless a pattern can match a triple of any predicate (a
variable predicate, a negated property set) or a node through no triple at
all (``p*``, ``p?``: a path of length zero joins every node of the graph to itself).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from lod.pipeline import assemble
from lod.publish.report import report_data, report_query_texts
from lod.rdf.predicates import read_predicates
from lod.settings import Settings
from tests.conftest import ROOT

EX = "http://example.org/"
PREFIX = f"PREFIX ex: <{EX}>\n"


def test_the_predicates_of_fixed_patterns_and_paths_are_read() -> None:
    query = PREFIX + """SELECT ?a (COUNT(?c) AS ?n) WHERE {
      ?a a ex:Thing ; ex:p/ex:q ?b .
      OPTIONAL { ?b ^ex:r|ex:s ?c }
      FILTER EXISTS { ?c ex:t+ ?d }
      { SELECT ?a WHERE { ?a ex:u ?e } }
    } GROUP BY ?a"""
    assert read_predicates([query]) == {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        *(EX + name for name in "pqrstu"),
    }


@pytest.mark.parametrize("body", [
    "?a ?p ?b",                 # any predicate
    "?a !ex:p ?b",              # every predicate but one
    "?a ex:p* ?b",              # every node to itself, through no triple
    "?a ex:p? ?b",
    "?a ex:q/(ex:p*) ?b",
    "?a ex:q ?x . FILTER NOT EXISTS { ?a ?p ?b }",
])
def test_a_pattern_that_may_match_any_triple_asks_for_the_whole_graph(body: str) -> None:
    fixed = PREFIX + "SELECT * WHERE { ?a ex:q ?b }"
    assert read_predicates([fixed]) == {EX + "q"}
    assert read_predicates([fixed, PREFIX + "SELECT * WHERE { " + body + " }"]) is None


def test_the_report_from_the_predicates_it_reads_is_the_report_from_the_whole_graph(
        tmp_path: Path) -> None:
    assembled = assemble([ROOT / "casestudies"], Settings())
    predicates = read_predicates(report_query_texts())
    assert predicates is not None
    whole = Store()
    whole.bulk_load(assembled.ntriples.encode("utf-8"), format=RdfFormat.N_TRIPLES)
    some = assembled.disk_store(predicates)
    assert len(some) < len(whole)
    assert (report_data(some, records=len(assembled.records))
            == report_data(whole, records=len(assembled.records)))
