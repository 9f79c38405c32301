"""The one path from files to a checked graph; every command that needs the graph gets it here.

files --(ingest: contract)--> records --(rdf)--> one graph (the records, the
vocabularies, the curators' accepted ledger links) --(validate: SHACL)-->
problems. ``lod validate``, ``build``, ``query --data``, ``serve``, the
report, the docs and the publishing steps all call :func:`assemble`; none
builds a graph of its own, so none can see a different one.

Nothing here is cached: the result is a function of the files' names and
bytes, the shapes, the mappings and the package's code, every time.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, Triple

from lod import resources
from lod.ingest.load import Loaded, LoadedRecord, is_draft_file, load_case_studies
from lod.ledgers import MappingFileError
from lod.problems import Problem
from lod.rdf.build import graph_triples
from lod.rdf.serialize import ntriples_text, sorted_lines
from lod.rdf.vocabularies import vocabulary_file_triples, vocabulary_files, vocabulary_triples
from lod.reconcile.links import ledger_triples
from lod.settings import Settings
from lod.validate.shacl import node_origins, shacl_problems, shapes_text, vocabulary_origins

_MESSAGE_RE = re.compile(r"(?P<path>.+?):(?P<line>\d+): (?P<field>[^:]+): (?P<message>.*)", re.DOTALL)


@dataclass
class Assembled:
    """The checked graph: its records, its triples (sorted N-Triples lines) and every problem."""

    loaded: Loaded
    base: str
    #: One record per id, sorted by id (a curated record wins over its draft).
    records: list[LoadedRecord] = field(default_factory=list)
    #: The whole graph as N-Triples lines (without the final " ."), sorted, no repeats.
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def ntriples(self) -> str:
        """The graph as one N-Triples document."""
        return ntriples_text(self.lines)

    @cached_property
    def store(self) -> Store:
        """The graph in an in-memory Oxigraph store (for the queries and the report)."""
        store = Store()
        if self.lines:
            store.load(self.ntriples.encode("utf-8"), format=RdfFormat.N_TRIPLES)
        return store


def _one_per_id(records: Sequence[LoadedRecord]) -> list[LoadedRecord]:
    chosen: dict[str, LoadedRecord] = {}
    for item in records:
        current = chosen.get(item.id)
        if current is None or is_draft_file(current.path):
            chosen[item.id] = item
    return [chosen[key] for key in sorted(chosen)]


def _ledger_problem(error: MappingFileError) -> Problem:
    match = _MESSAGE_RE.fullmatch(str(error))
    if match is None:
        return Problem(Path("mappings"), 1, "(ledger)", str(error))
    return Problem(Path(match["path"]), int(match["line"]), match["field"], match["message"])


def assemble(paths: Sequence[Path], settings: Settings, *, include_drafts: bool = True,
             shacl: bool = True, statuses: Collection[str] | None = None) -> Assembled:
    """Load ``paths``, build one graph of the valid records and check it with the shapes.

    Problems are collected, never raised: contract problems of some files do
    not stop the others from being checked with the shapes. ``statuses``, when
    given, keeps only the records with one of those statuses in the graph (the
    site shows reviewed and published records only, and counts the same ones).
    """
    loaded = load_case_studies(paths, include_drafts=include_drafts)
    result = Assembled(loaded, settings.base, problems=list(loaded.problems))
    result.records = _one_per_id(loaded.records)
    if statuses is not None:
        result.records = [item for item in result.records if item.record.status in statuses]
    mappings = settings.mappings_dir or resources.mappings_dir()
    models = [item.record for item in result.records]
    triples: set[Triple] = graph_triples(settings.base, models)
    triples |= vocabulary_triples(mappings)
    try:
        triples |= ledger_triples(settings.base, models, mappings)
    except MappingFileError as error:
        result.problems.append(_ledger_problem(error))
    except (OSError, UnicodeDecodeError) as error:
        result.problems.append(Problem(mappings, 1, "(ledger)", f"cannot read a ledger: {error}"))
    result.lines = sorted_lines(triples)
    if shacl:
        shapes = shapes_text(settings.shapes_dir or resources.shapes_dir())
        origins = vocabulary_origins(
            (path, {t.subject.value for t in vocabulary_file_triples(path)
                    if isinstance(t.subject, NamedNode)})
            for path in vocabulary_files(mappings)
        )
        origins.update(node_origins(settings.base, result.records))
        result.problems += shacl_problems(result.ntriples, shapes, origins, fallback=mappings)
    result.problems.sort()
    return result
