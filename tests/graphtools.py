"""Whole-graph shortcuts and the reference SHACL engine: code only the tests (and benchmarks) use.

lod itself builds its graph one record at a time as N-Triples lines
(:mod:`lod.pipeline`); the tests often want a set of triples from records, a
store from triples, or JSON-LD of any triples, and check lod's SHACL engine
against pySHACL, the reference implementation. None of that belongs in the
package a user installs (pySHACL is not even one of its dependencies).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import rdflib
from pyoxigraph import DefaultGraph, Quad, Store, Triple
from rdflib.namespace import SH

from lod import resources
from lod.model.case_study import CaseStudy
from lod.rdf.build import case_study_triples
from lod.rdf.serialize import jsonld_document, ntriples_text
from lod.validate.engines import (
    ShaclResult,
    bare_iri,
    default_message,
    parse_shapes,
    shape_name,
    shape_names,
    sparql_path,
)
from lod.validate.shacl import shapes_text

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def graph_triples(base: str, records: Iterable[CaseStudy]) -> set[Triple]:
    """The records' triples as a set (an institution named twice is stated once)."""
    triples: set[Triple] = set()
    for record in records:
        triples.update(case_study_triples(base, record))
    return triples


def load_store(triples: Iterable[Triple]) -> Store:
    """An in-memory store holding ``triples`` in its default graph."""
    store = Store()
    graph = DefaultGraph()
    store.bulk_extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return store


def sorted_lines(triples: Iterable[Triple]) -> list[str]:
    """The triples' N-Triples lines, duplicates dropped, in byte order of the line."""
    return sorted({str(t) for t in triples})


def to_ntriples(triples: Iterable[Triple]) -> bytes:
    """N-Triples, one sorted line per triple (the dumps' form)."""
    return ntriples_text(sorted_lines(triples)).encode("utf-8")


def to_jsonld(triples: Iterable[Triple]) -> bytes:
    """The dumps' JSON-LD document (:func:`lod.rdf.serialize.jsonld_document`) of any triples."""
    return jsonld_document(sorted_lines(triples))


def shapes_graph(directory: Path | None = None) -> rdflib.Graph:
    """The shapes as an rdflib graph (what pySHACL and the shape inspections read)."""
    graph = rdflib.Graph()
    graph.parse(data=shapes_text(directory or resources.shapes_dir()), format="turtle")
    return graph


# --- pySHACL, the reference engine -----------------------------------------------------------


def _literal_nt(value: rdflib.term.Node) -> str:
    if isinstance(value, rdflib.Literal):
        lexical = (str(value).replace("\\", "\\\\").replace('"', '\\"')
                   .replace("\n", "\\n").replace("\r", "\\r"))
        if value.language:
            return f'"{lexical}"@{value.language}'
        if value.datatype is not None and str(value.datatype) != _XSD_STRING:
            return f'"{lexical}"^^<{value.datatype}>'
        return f'"{lexical}"'
    if isinstance(value, rdflib.BNode):
        return f"_:{value}"
    return f"<{value}>"


def pyshacl_results(data_ntriples: str, shapes_turtle: str) -> list[ShaclResult]:
    """The same validation with pySHACL, the reference implementation (for the tests)."""
    graph = rdflib.Graph().parse(data=data_ntriples, format="nt")
    return pyshacl_graph_results(graph, parse_shapes(shapes_turtle))


def pyshacl_graph_results(graph: rdflib.Graph, shapes: rdflib.Graph) -> list[ShaclResult]:
    """:func:`pyshacl_results` for graphs already parsed (the tests hold them as rdflib graphs)."""
    import pyshacl

    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=False,
                                    allow_warnings=True)
    names = shape_names(shapes)
    found: set[ShaclResult] = set()
    for result in report.objects(None, SH.result):
        shape = report.value(result, SH.sourceShape)
        source: str | None = None
        if isinstance(shape, rdflib.URIRef):
            source = str(shape)
        elif shape is not None:
            owners = [o for o in shapes.subjects(SH.property, shape) if isinstance(o, rdflib.URIRef)]
            source = str(owners[0]) if len(owners) == 1 else None
        focus = report.value(result, SH.focusNode)
        path_node = report.value(result, SH.resultPath)
        path = None if path_node is None else bare_iri(sparql_path(report, path_node))
        value = report.value(result, SH.value)
        component = str(report.value(result, SH.sourceConstraintComponent))
        message = report.value(result, SH.resultMessage)
        found.add(ShaclResult(
            focus=f"_:{focus}" if isinstance(focus, rdflib.BNode) else str(focus),
            path=path,
            component=component,
            severity=str(report.value(result, SH.resultSeverity)),
            source_shape=source,
            name=shape_name(names, source, path),
            message=str(message) if message is not None else default_message(component),
            value=None if value is None else _literal_nt(value),
        ))
    return sorted(found)
