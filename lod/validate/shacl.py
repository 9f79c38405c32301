"""Run the SHACL shapes with pySHACL and report results as curator-facing problems.

A raw SHACL report names RDF nodes; a curator needs a file, a line and a
field. Each property shape carries ``sh:name`` = its YAML field, and every
node the builder mints is traced back to the record (and list item) it came
from, so a result becomes ``path:line: field: message``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

import rdflib
from pyoxigraph import Triple
from rdflib.namespace import SH

from lod import resources
from lod.ingest import LoadedRecord, render_field
from lod.ingest.yamlfile import FieldPath
from lod.problems import Problem
from lod.rdf.build import case_study_iri, institution_iri
from lod.rdf.serialize import to_ntriples


@dataclass(frozen=True)
class Origin:
    """Where a node of the graph came from."""

    record: LoadedRecord | None
    field: FieldPath
    source: Path


@cache
def shapes_graph(directory: Path | None = None) -> rdflib.Graph:
    """All shapes files in one graph (parsed once)."""
    graph = rdflib.Graph()
    for path in sorted((directory or resources.shapes_dir()).glob("*.ttl")):
        graph.parse(path, format="turtle")
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
            origins[f"{iri}#institution-{index + 1}"] = Origin(loaded, ("institutions", index), loaded.path)
            origins.setdefault(
                institution_iri(base, institution), Origin(loaded, ("institutions", index), loaded.path)
            )
        for index in range(len(record.links)):
            origins[f"{iri}#link-{index + 1}"] = Origin(loaded, ("links", index), loaded.path)
    return origins


class RawResult(NamedTuple):
    """One SHACL result reduced to plain strings (cacheable, picklable)."""

    focus: str
    field: str
    message: str
    value: str | None
    record_id: str = ""


def raw_results(results: rdflib.Graph, shapes: rdflib.Graph) -> list[RawResult]:
    """The innermost results of a pySHACL report, as plain strings."""
    found = []
    for top in results.objects(None, SH.result):
        for leaf in _innermost(results, top):
            focus = results.value(leaf, SH.focusNode)
            shape = results.value(leaf, SH.sourceShape)
            name = shapes.value(shape, SH.name) if shape is not None else None
            path = results.value(leaf, SH.resultPath)
            field = str(name) if name is not None else (str(path) if path is not None else "")
            message = str(results.value(leaf, SH.resultMessage) or "does not conform to the shapes")
            value = results.value(leaf, SH.value)
            found.append(RawResult(str(focus), field, message, None if value is None else value.n3()))
    return found


def problem_from_raw(raw: RawResult, origins: dict[str, Origin],
                     fallback: Path = Path("graph")) -> Problem:
    """A result as ``path:line: field: message``, traced back to the record and list item."""
    origin = origins.get(raw.focus)
    message = raw.message
    if raw.value is not None and raw.value.strip("<>\"") not in message:
        message = f"{message} (got {raw.value})"
    if origin is None or origin.record is None:
        label = raw.focus + (f" {raw.field}" if raw.field else "")
        return Problem(fallback, 1, label, message)
    full: FieldPath = (*origin.field, *raw.field.split(".")) if raw.field else origin.field
    line = origin.record.document.line_of(full)
    return Problem(origin.source, line, render_field(full), f"{message} [SHACL]")


def _innermost(results: rdflib.Graph, result: rdflib.term.Node) -> list[rdflib.term.Node]:
    """The nested results (``sh:detail``) that say what is actually wrong, or the result itself."""
    details = list(results.objects(result, SH.detail))
    if not details:
        return [result]
    return [leaf for detail in details for leaf in _innermost(results, detail)]


def shacl_problems(
    triples: Iterable[Triple],
    *,
    origins: dict[str, Origin],
    shapes: rdflib.Graph | None = None,
    fallback: Path = Path("graph"),
) -> list[Problem]:
    """Validate ``triples`` as one graph against the shapes; one problem per result."""
    import pyshacl

    data = rdflib.Graph()
    data.parse(data=to_ntriples(triples).decode("utf-8"), format="nt")
    shapes = shapes if shapes is not None else shapes_graph()
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    if conforms:
        return []
    return sorted({problem_from_raw(raw, origins, fallback) for raw in raw_results(results, shapes)})
