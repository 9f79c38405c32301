"""The chunk graphs SHACL runs on are the graphs rdflib would have parsed, minus what no shape reads."""

from __future__ import annotations

import itertools

import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from lod.namespaces import RDF, XSD
from lod.validate import records as by_record
from lod.validate.fastgraph import (
    IndexStore,
    graph_from_ntriples,
    indexed_graph,
    read_predicates,
    speed_up_pyshacl,
    unescape,
)

S = NamedNode("http://example.org/s")
P = NamedNode("http://example.org/p")

TRICKY = [
    'quote " inside', "back\\slash", "new\nline", "carriage\rreturn", "tab\there",
    "nul \x00 and del \x7f and vt \x0b", "next line \x85 and line sep \u2028 raw",
    "é ü 漢字", "astral 😀 𝄞", "", " . ", '"@en', '"^^<http://x/>', "> <", "\\u0041 stays",
    "ends with backslash \\",
]
LANGS = [None, "en", "de-CH", "zh-Hant-TW"]
DATATYPES = [None, f"{XSD}string", f"{XSD}integer", f"{XSD}date", f"{XSD}gYear",
             "http://example.org/dt#x"]


def _rdflib(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="nt")


def _same(text: str) -> None:
    """Our graph holds exactly the terms (lexical form, language, datatype) rdflib's holds."""
    ours, theirs = graph_from_ntriples(text), _rdflib(text)
    assert len(ours) == len(theirs)
    if any(isinstance(term, rdflib.BNode) for triple in theirs for term in triple):
        plain = rdflib.Graph()
        for triple in ours:
            plain.add(triple)
        assert isomorphic(plain, theirs)
    else:
        assert sorted(t.n3() for triple in ours for t in triple) == sorted(
            t.n3() for triple in theirs for t in triple
        )
        assert set(ours) == set(theirs)


def _line(triple: Triple) -> str:
    return f"{triple} .\n"


@pytest.mark.parametrize("value", TRICKY)
@pytest.mark.parametrize("lang", LANGS)
def test_tricky_literals_read_as_rdflib_reads_them(value: str, lang: str | None) -> None:
    _same(_line(Triple(S, P, Literal(value, language=lang))))


@pytest.mark.parametrize("value", ["01", "1", "abc", "2024-02-30", "2024", "+7", ""])
@pytest.mark.parametrize("datatype", DATATYPES)
def test_typed_literals_including_ill_typed_ones(value: str, datatype: str | None) -> None:
    literal = Literal(value) if datatype is None else Literal(value, datatype=NamedNode(datatype))
    _same(_line(Triple(S, P, literal)))


def test_escapes_pyoxigraph_never_writes_but_n_triples_allows() -> None:
    text = (
        '<http://example.org/s> <http://example.org/p> "\\u00E9\\U0001F600\\"\\\\\\t\\b\\f\\\'" .\n'
        "<http://example.org/\\u00E9> <http://example.org/p> <http://example.org/o\\U0001F600> .\n"
        '<http://example.org/s> <http://example.org/p> "x"^^<http://example.org/\\u00E9> .\n'
    )
    _same(text)


def test_blank_nodes_are_one_node_per_label_within_a_text() -> None:
    a, b = BlankNode("a"), BlankNode("b1")
    text = "".join(_line(t) for t in [
        Triple(S, P, a), Triple(a, P, b), Triple(b, P, Literal("x")), Triple(a, P, Literal("y")),
    ])
    _same(text)
    assert len({term for triple in graph_from_ntriples(text) for term in triple
                if isinstance(term, rdflib.BNode)}) == 2


def test_a_record_chunk_reads_as_rdflib_reads_it() -> None:
    from conftest import CASESTUDIES
    from lod.ingest import load_case_studies
    from lod.rdf.build import case_study_triples
    from lod.rdf.serialize import to_ntriples
    from lod.settings import Settings

    loaded = load_case_studies([CASESTUDIES])
    text = "".join(
        to_ntriples(case_study_triples(Settings().base, item.record)).decode("utf-8")
        for item in loaded.records
    )
    _same(text)


@settings(max_examples=300, deadline=None)
@given(
    value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    lang=st.sampled_from(LANGS),
    datatype=st.sampled_from(DATATYPES),
)
def test_any_literal_reads_as_rdflib_reads_it(
    value: str, lang: str | None, datatype: str | None
) -> None:
    if lang is not None:
        literal = Literal(value, language=lang)
    elif datatype is not None:
        literal = Literal(value, datatype=NamedNode(datatype))
    else:
        literal = Literal(value)
    _same(_line(Triple(S, P, literal)) + _line(Triple(S, NamedNode(f"{RDF}type"), P)))


def test_unescape_leaves_plain_text_alone() -> None:
    assert unescape("plain") == "plain"
    assert unescape("a\\nb\\u0041\\U0001F600") == "a\nbA😀"


def test_index_store_answers_every_pattern_as_rdflib_memory_does() -> None:
    nodes = [rdflib.URIRef(f"http://example.org/{n}") for n in "abc"]
    values = [*nodes, rdflib.Literal("x"), rdflib.Literal("x", lang="en"), rdflib.BNode()]
    triples = [(s, p, o) for s in nodes for p in nodes[:2] for o in values if hash((s, p, o)) % 3]
    ours, theirs = indexed_graph(), rdflib.Graph()
    for triple in triples + triples[:5]:  # duplicates are ignored
        ours.add(triple)
        theirs.add(triple)
    assert isinstance(ours.store, IndexStore)
    assert len(ours) == len(theirs) == len(triples)
    missing = rdflib.URIRef("http://example.org/missing")
    for s, p, o in itertools.product([None, *nodes, missing], [None, *nodes, missing],
                                     [None, *values, missing]):
        assert sorted(ours.triples((s, p, o))) == sorted(theirs.triples((s, p, o)))


def test_pyshacl_speed_up_keeps_the_parameter_list() -> None:
    from pyshacl import shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

    speed_up_pyshacl()
    speed_up_pyshacl()
    params, _ = shape.CONSTRAINT_PARAMS  # type: ignore[attr-defined]
    assert list(params) == list(ALL_CONSTRAINT_PARAMETERS)
    assert all(p in params for p in ALL_CONSTRAINT_PARAMETERS)
    assert SH.targetClass not in params


# --- What the record shapes can see --------------------------------------------------------


def _reachable_paths(shapes: rdflib.Graph, roots: list[str]) -> set[str]:
    """Every IRI under an sh:path of any node reachable from ``roots`` (an independent walk)."""
    found: set[str] = set()
    seen: set[rdflib.term.Node] = set()
    todo: list[rdflib.term.Node] = [rdflib.URIRef(r) for r in roots]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in shapes.predicate_objects(node):
            if p == SH.path:
                stack = [o]
                while stack:
                    step = stack.pop()
                    if isinstance(step, rdflib.URIRef) and step != rdflib.RDF.nil:
                        found.add(str(step))
                    else:
                        stack.extend(x for _, x in shapes.predicate_objects(step))
            elif isinstance(o, rdflib.BNode) or (o, None, None) in shapes:
                todo.append(o)
    return found


@pytest.mark.parametrize(
    "roots", [list(by_record.RECORD_SHAPES), [by_record.INSTITUTION_SHAPE]], ids=["records", "institutions"]
)
def test_chunk_filter_keeps_every_predicate_the_shapes_read(roots: list[str]) -> None:
    shapes = by_record._worker_shapes()
    kept = read_predicates(shapes, roots)
    # None would be correct but slow: some shape uses a feature the filter cannot read.
    assert kept is not None, "a record shape uses a SHACL feature the chunk filter does not know"
    assert _reachable_paths(shapes, roots) <= kept
    assert {str(rdflib.RDF.type), str(rdflib.RDFS.subClassOf)} <= kept
    # Long narrative sections are never parsed for the record shapes.
    assert "https://w3id.org/libcasestudies/ns#context" not in kept


def test_no_shape_is_closed() -> None:
    shapes = by_record._worker_shapes()
    assert not list(shapes.triples((None, SH.closed, None)))


SHAPES_PREFIX = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
         {"http://example.org/p"}),
        (("ex:S a sh:NodeShape ; sh:property [ sh:path [ sh:inversePath ex:q ] ; sh:node ex:T ] . "
         "ex:T a sh:NodeShape ; sh:property [ sh:path ( ex:r ex:s ) ; sh:maxCount 1 ] ."),
         {"http://example.org/q", "http://example.org/r", "http://example.org/s"}),
        (("ex:S a sh:NodeShape ; sh:or ( [ sh:path ex:p ; sh:minCount 1 ] [ sh:datatype ex:d ] ) ; "
         "sh:property [ sh:path ex:a ; sh:lessThan ex:b ] ."),
         {"http://example.org/p", "http://example.org/a", "http://example.org/b"}),
        ("ex:S a sh:NodeShape ; sh:closed true ; sh:property [ sh:path ex:p ] .", None),
        ("ex:S a sh:NodeShape ; sh:sparql [ sh:select \"SELECT $this WHERE {}\" ] .", None),
        ("ex:S a sh:NodeShape ; sh:property [ sh:path [ sh:unknownPath ex:p ] ] .", None),
    ],
    ids=["simple", "inverse-and-sequence", "or-and-pairs", "closed", "sparql", "unknown-path"],
)
def test_read_predicates(body: str, expected: set[str] | None) -> None:
    shapes = rdflib.Graph().parse(data=SHAPES_PREFIX + body, format="turtle")
    kept = read_predicates(shapes, ["http://example.org/S"])
    if expected is None:
        assert kept is None
    else:
        assert kept is not None
        assert kept - {str(rdflib.RDF.type), str(rdflib.RDFS.subClassOf)} == expected


def test_filtered_chunk_drops_only_unread_predicates() -> None:
    keep = frozenset({P.value, f"{RDF}type"})
    other = NamedNode("http://example.org/narrative")
    text = "".join(_line(t) for t in [
        Triple(S, P, Literal("kept")), Triple(S, other, Literal("dropped \\ \" \n")),
        Triple(S, NamedNode(f"{RDF}type"), P),
    ])
    graph = graph_from_ntriples(text, keep)
    assert {str(p) for _, p, _ in graph} == {P.value, f"{RDF}type"}
    assert len(graph) == 2
