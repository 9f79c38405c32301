"""Run the SHACL shapes on the graph (chunk by chunk) and report results as curator-facing problems.

A raw SHACL report names RDF nodes; a curator needs a file, a line and a
field. Each property shape carries ``sh:name`` = its YAML field, and every
node the builder mints is traced back to the record (and list item) it came
from, so a result becomes ``path:line: field: message``.

The engine (and pySHACL, the oracle the tests compare it with) is in
:mod:`lod.validate.engines`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lod.ingest.load import LoadedRecord, render_field
from lod.ingest.yamlfile import FieldPath
from lod.inputs import read_shapes
from lod.namespaces import DEFAULT_BASE
from lod.problems import Problem
from lod.rdf.build import case_study_iri, fragment_iri, institution_iri
from lod.rdf.serialize import ntriples_text
from lod.validate.chunks import RECORDS_PER_CHUNK, Partition
from lod.validate.engines import Engine, ShaclResult


@dataclass(frozen=True)
class Origin:
    """Where a node of the graph came from: a record's list item, or a vocabulary file."""

    record: LoadedRecord | None
    field: FieldPath
    source: Path


def shapes_text(directory: Path) -> str:
    """All shapes files of ``directory`` as one Turtle document (sorted by name)."""
    return read_shapes(directory)


def node_origins(base: str, records: Sequence[LoadedRecord]) -> dict[str, Origin]:
    """Every IRI the builder mints for ``records``, mapped to its record and field."""
    origins: dict[str, Origin] = {}
    for loaded in records:
        record = loaded.record
        iri = case_study_iri(base, record.id)
        origins[iri] = Origin(loaded, (), loaded.path)
        origins[fragment_iri(iri, "submitter")] = Origin(loaded, ("submitted_by",), loaded.path)
        for index, institution in enumerate(record.institutions):
            where: FieldPath = ("institutions", index)
            origins[fragment_iri(iri, "institution", index + 1)] = Origin(loaded, where, loaded.path)
            origins.setdefault(institution_iri(base, institution), Origin(loaded, where, loaded.path))
        for index in range(len(record.links)):
            origins[fragment_iri(iri, "link", index + 1)] = Origin(loaded, ("links", index), loaded.path)
        published = [index for index, contact in enumerate(record.contacts) if contact.publish]
        for number, index in enumerate(published, start=1):
            origins[fragment_iri(iri, "contact", number)] = Origin(loaded, ("contacts", index),
                                                                  loaded.path)
    return origins


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


def shacl_problems(data_ntriples: str, shapes_turtle: str,
                   origins: dict[str, Origin] | Callable[[set[str]], dict[str, Origin]],
                   *, fallback: Path, base: str = DEFAULT_BASE) -> list[Problem]:
    """:func:`graph_problems` of an N-Triples document (one triple per line)."""
    lines = [line.rstrip()[:-1].rstrip() for line in data_ntriples.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    return graph_problems(lines, shapes_turtle, origins, fallback=fallback, base=base)


def chunk_texts(lines: Iterable[str], *, base: str = DEFAULT_BASE,
                records_per_chunk: int = RECORDS_PER_CHUNK,
                parts: Partition | None = None) -> Iterator[str]:
    """The graph of N-Triples ``lines`` cut into chunks, each as an N-Triples document.

    The chunks (:mod:`lod.validate.chunks`) hold whole records and every node
    they reach, so each gives the results the whole graph gives on its
    nodes. ``parts``: an empty partition to sort the lines into (one that
    keeps the records' lines on disk,
    :class:`lod.validate.chunks.SpooledPartition`); by default one in memory.
    Pure Python (no engine): ``lod build`` cuts the chunks in a process of
    its own (:func:`write_chunks`) while this one runs the report.
    """
    parts = Partition(base) if parts is None else parts
    for line in lines:
        parts.add(line)
    for chunk in parts.chunks(records_per_chunk):
        yield ntriples_text(chunk)


def write_chunks(texts: Iterable[str], folder: Path) -> list[Path]:
    """Write each chunk's document to a file of ``folder``; the files, in order."""
    written = []
    for index, text in enumerate(texts):
        path = folder / f"chunk-{index:05d}.nt"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def chunk_results(texts: Iterable[str], shapes_turtle: str) -> list[ShaclResult]:
    """The engine's results on each chunk, merged: the whole graph's results (one engine).

    A node validated in several chunks gives the same results in each; they
    are merged as a set.
    """
    engine = Engine(shapes_turtle)
    found: set[ShaclResult] = set()
    for text in texts:
        found.update(engine.results(text))
    return sorted(found)


def graph_results(lines: Iterable[str], shapes_turtle: str, *, base: str = DEFAULT_BASE,
                  records_per_chunk: int = RECORDS_PER_CHUNK,
                  parts: Partition | None = None) -> list[ShaclResult]:
    """Validate the graph of N-Triples ``lines`` chunk by chunk: the whole graph's results.

    The engine holds one chunk at a time, whatever the collection's size
    (:func:`chunk_texts`, :func:`chunk_results`).
    """
    return chunk_results(chunk_texts(lines, base=base, records_per_chunk=records_per_chunk,
                                     parts=parts), shapes_turtle)


def graph_problems(lines: Iterable[str], shapes_turtle: str,
                   origins: dict[str, Origin] | Callable[[set[str]], dict[str, Origin]],
                   *, fallback: Path, base: str = DEFAULT_BASE,
                   parts: Partition | None = None) -> list[Problem]:
    """Validate the graph of N-Triples ``lines``; one problem per distinct result.

    ``origins``: where each node came from, or a function giving that for the
    results' focus nodes (called only when there are results).
    """
    return result_problems(graph_results(lines, shapes_turtle, base=base, parts=parts),
                           origins, fallback=fallback)


def result_problems(results: list[ShaclResult],
                    origins: dict[str, Origin] | Callable[[set[str]], dict[str, Origin]],
                    *, fallback: Path) -> list[Problem]:
    """The shapes' results as problems, one per distinct result (see :func:`graph_problems`)."""
    if not results:
        return []
    where = origins({result.focus for result in results}) if callable(origins) else origins
    return sorted({problem_of(result, where, fallback) for result in results})


def vocabulary_origins(files: Iterable[tuple[Path, Iterable[str]]]) -> dict[str, Origin]:
    """Each vocabulary subject IRI -> the file that describes it (so the fix is obvious)."""
    origins: dict[str, Origin] = {}
    for path, subjects in files:
        for subject in subjects:
            origins.setdefault(subject, Origin(None, (), path))
    return origins
