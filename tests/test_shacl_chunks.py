"""Validation in chunks gives exactly the whole graph's results (issue 26).

The pipeline validates the graph a few hundred records at a time
(:mod:`lod.validate.chunks`) so that the SHACL engine's copy does not grow
with the collection. That is only right if every node a shape reads is held
whole by each chunk that reaches it; institutions are described by every
record naming them, so a chunk holds all of their triples. These tests read
the shapes for paths that could reach past a chunk, check on a collection
that the chunks hold what they promise, and compare every result (focus,
path, component, severity, shape, field, message, value) with one run of the
engine on the whole graph: on the violation table of ``test_shapes.py`` and
on generated collections whose records share institutions by QID and by
name, two of them giving one institution conflicting ISILs and kinds.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import rdflib
import yaml
from test_benchmarks_generate import generator

from graphtools import shapes_graph
from lod import resources
from lod.namespaces import DEFAULT_BASE, LCS
from lod.pipeline import assemble
from lod.settings import Settings
from lod.validate.chunks import FREE_IRIS, VOCABULARY_ONLY, partition, reach_problems
from lod.validate.engines import ShaclResult, shacl_results
from lod.validate.shacl import graph_results, shapes_text
from tests.test_shapes import VIOLATIONS, ntriples, the_record

SHAPES_HEAD = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix lcs: <https://w3id.org/libcasestudies/ns#> .
@prefix lcsh: <https://w3id.org/libcasestudies/shapes#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
"""
#: A shape reaching past a chunk: how many records name an institution (``^lcs:involves``).
REACHES_BACK = SHAPES_HEAD + """
lcsh:InstitutionShape sh:property [
    sh:path [ sh:inversePath lcs:involves ] ; sh:name "institutions" ; sh:maxCount 3 ;
    sh:message "named by at most three records" ] .
"""
#: A shape reading the node behind a web page address (which may be another record's).
READS_A_FREE_IRI = SHAPES_HEAD + """
lcsh:LinkShape sh:property [
    sh:path schema:url ; sh:name "url" ; sh:class schema:WebPage ;
    sh:message "links to a page described here" ] .
"""
#: Stricter than the shipped shapes: one library type per institution, so conflicting kinds
#: given by two records are a result the chunks must find too.
ONE_KIND = SHAPES_HEAD + """
lcsh:OneKindShape a sh:NodeShape ; sh:targetClass lcs:Institution ;
    sh:property [ sh:path lcs:libraryType ; sh:name "type" ; sh:maxCount 1 ;
        sh:message "one library type per institution" ] .
"""


@cache
def _shipped_shapes() -> str:
    """The shipped shapes' Turtle, read once (every test below reads the same files)."""
    return shapes_text(resources.shapes_dir())


def _shapes(extra: str = "") -> rdflib.Graph:
    graph = shapes_graph()
    if extra:
        graph.parse(data=extra, format="turtle")
    return graph


# --------------------------------------------------------------------------- the shapes


def test_the_shipped_shapes_reach_only_nodes_a_chunk_holds_whole() -> None:
    assert reach_problems(shapes_graph()) == []


@pytest.mark.parametrize(("extra", "says"), [
    (REACHES_BACK, "follows <https://w3id.org/libcasestudies/ns#involves> backwards"),
    (READS_A_FREE_IRI, "through <https://schema.org/url>"),
])
def test_a_shape_reaching_past_a_chunk_is_refused(extra: str, says: str) -> None:
    problems = reach_problems(_shapes(extra))
    assert len(problems) == 1 and says in problems[0], problems


def test_a_sparql_constraint_is_refused() -> None:
    extra = SHAPES_HEAD + """
lcsh:InstitutionShape sh:sparql [ sh:select "SELECT $this WHERE { ?x lcs:involves $this }" ] .
"""
    assert any("sparql" in problem for problem in reach_problems(_shapes(extra)))


# --------------------------------------------------------------------------- generated collections


def _institution(name: str, kind: str, **more: str) -> dict[str, Any]:
    return {"name": name, "country": "FR", "type": kind, **more}


def _conflicting(folder: Path) -> None:
    """Two records at both ends of the id order (so in different chunks) naming the same two
    institutions differently: one by QID (two ISILs), one by name (two library types)."""
    template = yaml.safe_load(min(folder.glob("*.yaml")).read_text(encoding="utf-8"))
    sides = {"aaa-first-conflict": ("FR-111", "public"), "zzz-last-conflict": ("FR-222", "academic")}
    for record_id, (isil, kind) in sides.items():
        data = {**template, "id": record_id, "status": "reviewed"}
        data["institutions"] = [
            _institution("Bibliothèque de l'Essai", kind, wikidata="Q90000001", isil=isil),
            _institution("Médiathèque du Bourg", kind),
        ]
        (folder / f"{record_id}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                                  encoding="utf-8")


@cache
def collection_lines(tmp: Path, n: int) -> tuple[str, ...]:
    """The lines of a generated collection's graph (with the two conflicting records)."""
    folder = tmp / f"cs-{n}"
    generator().generate(n, folder, seed=11)
    (folder / "MANIFEST.json").unlink()
    _conflicting(folder)
    assembled = assemble([folder], Settings(data_dir=folder), shacl=False, every_status=True)
    assert not assembled.problems, assembled.problems[:3]
    return tuple(assembled.lines)


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, ...]:
    return collection_lines(tmp_path_factory.mktemp("chunks"), 80)


def _whole(lines: tuple[str, ...] | list[str], shapes: rdflib.Graph) -> list[ShaclResult]:
    text = "".join(f"{line} .\n" for line in lines)
    return shacl_results(text, shapes.serialize(format="turtle"))


@pytest.fixture(scope="module")
def whole(lines: tuple[str, ...]) -> tuple[ShaclResult, ...]:
    """The collection's results with the shipped shapes in one run on the whole graph
    (the same for each chunk size below)."""
    return tuple(_whole(lines, shapes_graph()))


def test_records_share_institutions_by_qid_and_by_name(lines: tuple[str, ...]) -> None:
    involved: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        subject, predicate, obj = line.split(" ", 2)
        if predicate == f"<{LCS}involves>":
            involved[obj].add(subject)
    shared = {node[1:-1].rsplit("/", 1)[1] for node, records in involved.items() if len(records) > 1}
    assert any(key.startswith("Q") for key in shared), "shared by QID"
    assert any(not key.startswith(("Q", "isil-")) for key in shared), "shared by country and name"
    chunks = list(partition(lines, DEFAULT_BASE).chunks(7))
    holding = [i for i, chunk in enumerate(chunks)
               if any("/casestudy/aaa-first-conflict>" in line for line in chunk)
               or any("/casestudy/zzz-last-conflict>" in line for line in chunk)]
    assert len(holding) == 2, "the conflicting records must be in different chunks"


def test_each_chunk_holds_every_node_it_reaches_whole(lines: tuple[str, ...]) -> None:
    """The premise of :func:`reach_problems`, checked on data: forward from any node of a
    chunk, every node reached (except through a curator's free IRI) has all its triples
    there, and every triple of a vocabulary-only predicate is in every chunk."""
    outgoing: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        outgoing[line.split(" ", 1)[0]].add(line)
    vocabulary_only = {line for line in lines if line.split(" ", 2)[1][1:-1] in VOCABULARY_ONLY}
    assert vocabulary_only
    for chunk in partition(lines, DEFAULT_BASE).chunks(7):
        held = set(chunk)
        assert vocabulary_only <= held
        for line in chunk:
            subject, predicate, obj = line.split(" ", 2)
            assert outgoing[subject] <= held, f"{subject} is not whole in its chunk"
            if predicate[1:-1] not in FREE_IRIS and obj in outgoing:
                assert outgoing[obj] <= held, f"{obj} (reached by {predicate}) is not whole"


@pytest.mark.parametrize("records_per_chunk", [1, 7, 500])
def test_chunked_results_are_the_whole_graphs(lines: tuple[str, ...], whole: tuple[ShaclResult, ...],
                                              records_per_chunk: int) -> None:
    assert whole, "the conflicting ISILs must be a result"
    assert any(result.focus.endswith("/institution/Q90000001") for result in whole)
    chunked = graph_results(lines, _shipped_shapes(), records_per_chunk=records_per_chunk)
    assert chunked == list(whole)


def test_conflicting_kinds_across_chunks_are_found(lines: tuple[str, ...]) -> None:
    shapes = _shapes(ONE_KIND)
    whole = _whole(lines, shapes)
    kinds = {result.focus.rsplit("/", 1)[1] for result in whole
             if result.message == "one library type per institution"}
    assert {"Q90000001", "fr-mediatheque-du-bourg"} <= kinds
    assert graph_results(lines, shapes.serialize(format="turtle"), records_per_chunk=7) == whole


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
def test_violation_table_chunked_as_whole(case: str) -> None:
    mutate, _ = VIOLATIONS[case]
    with the_record(mutate) as graph:
        text = ntriples(graph)
    lines = [line.rstrip()[:-1].rstrip() for line in text.splitlines() if line.strip()]
    shapes = _shipped_shapes()
    whole = shacl_results("".join(f"{line} .\n" for line in lines), shapes)
    assert graph_results(lines, shapes, records_per_chunk=1) == whole
