"""Run the SHACL shapes on the whole graph and report results as curator-facing problems.

A raw SHACL report names RDF nodes; a curator needs a file, a line and a
field. Each property shape carries ``sh:name`` = its YAML field, and every
node the builder mints is traced back to the record (and list item) it came
from, so a result becomes ``path:line: field: message``.

The engine is behind :func:`shacl_results`; the results are reduced to
plain strings (:class:`ShaclResult`), so the test suite can run the same
graph through pySHACL as an oracle and compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import SH

from lod import resources
from lod.ingest.load import LoadedRecord, render_field
from lod.ingest.yamlfile import FieldPath
from lod.problems import Problem
from lod.rdf.build import case_study_iri, institution_iri


@dataclass(frozen=True, order=True)
class ShaclResult:
    """One SHACL validation result, every term as a plain string (N-Triples form for values)."""

    focus: str
    path: str | None
    component: str
    severity: str
    #: The node shape the result belongs to (a property shape's owner), as an IRI.
    source_shape: str | None
    #: ``sh:name`` of the source shape: the contract field it checks.
    name: str | None
    message: str
    value: str | None


@dataclass(frozen=True)
class Origin:
    """Where a node of the graph came from: a record's list item, or a vocabulary file."""

    record: LoadedRecord | None
    field: FieldPath
    source: Path


def shapes_text(directory: Path) -> str:
    """All shapes files of ``directory`` as one Turtle document (sorted by name)."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.ttl")))


def shapes_graph(directory: Path | None = None) -> rdflib.Graph:
    """The shapes as an rdflib graph (for tests and tools that inspect the shapes)."""
    graph = rdflib.Graph()
    graph.parse(data=shapes_text(directory or resources.shapes_dir()), format="turtle")
    return graph


def node_origins(base: str, records: Sequence[LoadedRecord]) -> dict[str, Origin]:
    """Every IRI the builder mints for ``records``, mapped to its record and field."""
    origins: dict[str, Origin] = {}
    for loaded in records:
        record = loaded.record
        iri = case_study_iri(base, record.id)
        origins[iri] = Origin(loaded, (), loaded.path)
        origins[f"{iri}#submitter"] = Origin(loaded, ("submitted_by",), loaded.path)
        for index, institution in enumerate(record.institutions):
            where: FieldPath = ("institutions", index)
            origins[f"{iri}#institution-{index + 1}"] = Origin(loaded, where, loaded.path)
            origins.setdefault(institution_iri(base, institution), Origin(loaded, where, loaded.path))
        for index in range(len(record.links)):
            origins[f"{iri}#link-{index + 1}"] = Origin(loaded, ("links", index), loaded.path)
    return origins


def _term(node: rdflib.term.Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, rdflib.URIRef):
        return str(node)
    return node.n3()


def pyshacl_results(data_ntriples: str, shapes_turtle: str) -> list[ShaclResult]:
    """Validate with pySHACL (the reference implementation the tests compare against)."""
    import pyshacl

    data = rdflib.Graph()
    data.parse(data=data_ntriples, format="nt")
    shapes = rdflib.Graph()
    shapes.parse(data=shapes_turtle, format="turtle")
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    if conforms:
        return []
    found: set[ShaclResult] = set()
    for top in report.objects(None, SH.result):
        for leaf in _innermost(report, top):
            message = report.value(leaf, SH.resultMessage)
            shape = report.value(leaf, SH.sourceShape)
            name = shapes.value(shape, SH.name) if shape is not None else None
            found.add(ShaclResult(
                focus=str(_term(report.value(leaf, SH.focusNode))),
                path=_term(report.value(leaf, SH.resultPath)),
                component=str(report.value(leaf, SH.sourceConstraintComponent)),
                severity=str(report.value(leaf, SH.resultSeverity)),
                source_shape=_owner(shapes, shape),
                name=None if name is None else str(name),
                message=str(message) if message is not None else "",
                value=_term(report.value(leaf, SH.value)),
            ))
    return sorted(found)


def _owner(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str | None:
    """The IRI of a named shape, or of the node shape a blank property shape belongs to."""
    if shape is None:
        return None
    if isinstance(shape, rdflib.URIRef):
        return str(shape)
    owner = shapes.value(None, SH.property, shape)
    return str(owner) if isinstance(owner, rdflib.URIRef) else None


def _innermost(report: rdflib.Graph, result: rdflib.term.Node) -> list[rdflib.term.Node]:
    """The nested results (``sh:detail``) that say what is actually wrong, or the result itself."""
    details = list(report.objects(result, SH.detail))
    if not details:
        return [result]
    return [leaf for detail in details for leaf in _innermost(report, detail)]


def shacl_results(data_ntriples: str, shapes_turtle: str) -> list[ShaclResult]:
    """Validate the data graph against the shapes with the project's engine."""
    return pyshacl_results(data_ntriples, shapes_turtle)


def problem_of(result: ShaclResult, origins: dict[str, Origin], fallback: Path) -> Problem:
    """A result as ``path:line: field: message``, traced back to the record and list item."""
    field = result.name if result.name is not None else (result.path or "")
    message = result.message or "does not conform to the shapes"
    if result.value is not None and result.value.strip("<>\"") not in message:
        message = f"{message} (got {result.value})"
    origin = origins.get(result.focus)
    if origin is None:
        label = result.focus + (f" {field}" if field else "")
        return Problem(fallback, 1, label, f"{message} [SHACL]")
    if origin.record is None:
        return Problem(origin.source, 1, result.focus + (f" {field}" if field else ""),
                       f"{message} [SHACL]")
    full: FieldPath = (*origin.field, *field.split(".")) if field else origin.field
    line = origin.record.document.line_of(full)
    return Problem(origin.source, line, render_field(full), f"{message} [SHACL]")


def shacl_problems(data_ntriples: str, shapes_turtle: str, origins: dict[str, Origin],
                   *, fallback: Path) -> list[Problem]:
    """Validate the whole graph in one run; one problem per distinct result."""
    results = shacl_results(data_ntriples, shapes_turtle)
    if not results:
        return []
    return sorted({problem_of(result, origins, fallback) for result in results})


def vocabulary_origins(files: Iterable[tuple[Path, Iterable[str]]]) -> dict[str, Origin]:
    """Each vocabulary subject IRI -> the file that describes it (so the fix is obvious)."""
    origins: dict[str, Origin] = {}
    for path, subjects in files:
        for subject in subjects:
            origins.setdefault(subject, Origin(None, (), path))
    return origins
