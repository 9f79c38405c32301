"""lod's SHACL engine (the ``shacl`` package) behind a result type that pySHACL's also fits.

lod validates with the ``shacl`` package: on the project's shapes it gave the
same results as pySHACL on every case of the violation suite and checks a
10,000-record graph about 14 times faster than pySHACL (see
``benchmarks/README.md``). pySHACL stays the reference, in the tests only
(``tests/graphtools.py``): the suite runs each violation case through both and
requires the same results, so a bug in the faster engine cannot pass silently.
Both reduce their results with the helpers here to :class:`ShaclResult`, with
one convention for every term:

* ``focus``: the focus node's IRI, or ``_:label`` for a blank node;
* ``path``: the predicate IRI for a predicate path, any other path in SPARQL
  1.1 property path syntax (``^<iri>``), None without one;
* ``component``, ``severity``: full IRIs;
* ``source_shape``: the shape's IRI, or for a blank property shape the IRI of
  the node shape holding it;
* ``name``: ``sh:name`` of the property shape (the contract field it checks);
* ``message``: the shape's ``sh:message``, else ``"<Component> constraint not
  satisfied"`` (the engines' own default texts differ);
* ``value``: the offending value in N-Triples syntax, or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

_SH = str(SH)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: The engine lod validates with, and its version (shown by ``make bench``).
ENGINE = f"shacl {metadata.version('shacl')}"


@dataclass(frozen=True, order=True)
class ShaclResult:
    """One SHACL validation result, every term as a plain string (see the module's convention)."""

    focus: str
    path: str | None
    component: str
    severity: str
    source_shape: str | None
    name: str | None
    message: str
    value: str | None


class ShapesError(ValueError):
    """The shapes (or the data) could not be read by the engine."""


def default_message(component: str) -> str:
    return f"{component.removeprefix(_SH).removesuffix('ConstraintComponent')} constraint not satisfied"


def bare_iri(text: str) -> str:
    """``<iri>`` -> ``iri``; anything else (a blank node, a complex path) unchanged."""
    if text.startswith("<") and text.endswith(">") and ">" not in text[1:-1]:
        return text[1:-1]
    return text


def sparql_path(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    """A SHACL path node in SPARQL 1.1 property path syntax."""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in graph:
        return "(" + "/".join(sparql_path(graph, n) for n in Collection(graph, node)) + ")"
    unary = {SH.inversePath: "^{}", SH.zeroOrMorePath: "{}*", SH.oneOrMorePath: "{}+",
             SH.zeroOrOnePath: "{}?"}
    for predicate, form in unary.items():
        inner = graph.value(node, predicate)
        if inner is not None:
            return form.format(sparql_path(graph, inner))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(graph, n) for n in Collection(graph, alternatives)) + ")"
    raise ShapesError(f"not a SHACL path: {node}")


def shape_names(shapes: rdflib.Graph) -> dict[tuple[str, str | None], str]:
    """(node shape IRI, path) -> ``sh:name`` of its property shape; (shape IRI, None) for named ones."""
    names: dict[tuple[str, str | None], str] = {}
    for shape, name in shapes.subject_objects(SH.name):
        if isinstance(shape, rdflib.URIRef):
            names[(str(shape), None)] = str(name)
        path = shapes.value(shape, SH.path)
        if path is None:
            continue
        for owner in shapes.subjects(SH.property, shape):
            if isinstance(owner, rdflib.URIRef):
                names[(str(owner), bare_iri(sparql_path(shapes, path)))] = str(name)
    return names


def shape_name(names: dict[tuple[str, str | None], str], shape: str | None, path: str | None) -> str | None:
    if shape is None:
        return None
    return names.get((shape, path)) or names.get((shape, None))


@lru_cache(maxsize=8)
def _shape_names_of(shapes_turtle: str) -> dict[tuple[str, str | None], str]:
    """:func:`shape_names` of the shapes' Turtle, kept per text: reading the Turtle with rdflib
    costs more than validating a chunk, and every engine built on the same shapes (each
    validation of a test, each ``graph_results`` call) needs the same names. Read only."""
    return shape_names(parse_shapes(shapes_turtle))


def parse_shapes(shapes_turtle: str) -> rdflib.Graph:
    try:
        return rdflib.Graph().parse(data=shapes_turtle, format="turtle")
    except (SyntaxError, ValueError) as error:  # rdflib's BadSyntax is a SyntaxError
        raise ShapesError(f"the shapes do not parse: {error}") from None


class Engine:
    """lod's engine with the shapes compiled once, to validate many graphs (the chunks)."""

    def __init__(self, shapes_turtle: str) -> None:
        import shacl

        self.shapes_turtle = shapes_turtle
        try:
            self.compiled = shacl.Shapes.from_text(shapes_turtle, format="turtle")
        except ValueError as error:
            raise ShapesError(str(error)) from None

    def results(self, data_ntriples: str) -> list[ShaclResult]:
        """Validate one N-Triples document; its results, sorted, each once."""
        try:
            report = self.compiled.validate_text(data_ntriples, format="ntriples",
                                                 inference="none", allow_warnings=True)
        except ValueError as error:
            raise ShapesError(str(error)) from None
        if report.conforms:
            return []
        names = _shape_names_of(self.shapes_turtle)
        found: set[ShaclResult] = set()
        for result in report.results:
            source = result.source_shape
            if source is None or source.startswith("_:"):
                source = result.root_shape
            shape = None if source is None or source.startswith("_:") else bare_iri(source)
            path = None if result.path is None else bare_iri(result.path)
            value = result.value
            found.add(ShaclResult(
                focus=bare_iri(result.focus_node),
                path=path,
                component=result.component_iri,
                severity=result.severity_iri,
                source_shape=shape,
                name=shape_name(names, shape, path),
                message=result.message if result.message is not None
                else default_message(result.component_iri),
                value=None if value is None else value.removesuffix(f"^^<{_XSD_STRING}>"),
            ))
        return sorted(found)


def shacl_results(data_ntriples: str, shapes_turtle: str) -> list[ShaclResult]:
    """Validate N-Triples data against Turtle shapes with ``shacl`` (lod's engine), in one run."""
    return Engine(shapes_turtle).results(data_ntriples)
