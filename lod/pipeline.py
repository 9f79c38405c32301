"""The one path from files to a checked graph; every command that needs the graph gets it here.

files --(ingest: contract)--> records --(rdf)--> one graph (the records, the
vocabularies, the curators' accepted ledger links) --(validate: SHACL)-->
problems. ``lod validate``, ``build``, ``query --data``, ``serve``, the
report, the docs, the site and the publishing steps all call :func:`assemble`;
none builds a graph of its own, so none can see a different one.

Nothing here is cached: the result is a function of the files' names and
bytes, the shapes, the mappings and the package's code, every time. The work
on each file (read, parse, check, turn into N-Triples lines) needs no other
file, so a large collection is spread over the cores; the rules across files
and everything after run once, in this process, on the files' results in
file order, so the output is the same however the work was spread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import NamedNode, RdfFormat, Store

from lod import resources
from lod.ingest.load import (
    Checked,
    Loaded,
    LoadedRecord,
    check_path,
    collect,
    discover,
    is_draft_file,
)
from lod.ledgers import MappingFileError
from lod.model.policy import PUBLIC_STATUSES, is_public
from lod.model.vocab import STATUSES
from lod.problems import Problem
from lod.rdf.build import case_study_lines
from lod.rdf.serialize import ntriples_text
from lod.rdf.vocabularies import vocabulary_file_triples, vocabulary_files, vocabulary_triples
from lod.reconcile.links import ledger_triples
from lod.settings import Settings
from lod.validate.shacl import Origin, graph_problems, node_origins, shapes_text, vocabulary_origins
from lod.workers import PARALLEL_FROM, fan_out

_MESSAGE_RE = re.compile(
    r"(?P<path>.+?):(?P<line>\d+): (?:(?P<field>[\w()\[\]. ]+): )?(?P<message>.*)", re.DOTALL)
#: Lines of the graph written or loaded at a time.
_BLOCK = 20_000


@dataclass
class Assembled:
    """The checked graph: its records, its triples (sorted N-Triples lines) and every problem."""

    #: What loading the files gave: their count and problems, and (once assembled) only the
    #: records the graph keeps; the others are released as soon as they are checked.
    loaded: Loaded
    base: str
    #: One record per id, sorted by id (a curated record wins over its draft).
    records: list[LoadedRecord] = field(default_factory=list)
    #: The whole graph as N-Triples lines (without the final " ."), sorted, no repeats.
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: The statuses of the records kept (the record policy's public ones, or every status).
    statuses: tuple[str, ...] = PUBLIC_STATUSES

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def ntriples(self) -> str:
        """The graph as one N-Triples document (its lines in order; made anew on each call)."""
        return ntriples_text(self.lines)

    def write_ntriples(self, handle: BinaryIO) -> None:
        """Write the N-Triples document to an open file, a block of lines at a time."""
        handle.writelines(ntriples_text(self.lines[start : start + _BLOCK]).encode("utf-8")
                          for start in range(0, len(self.lines), _BLOCK))

    @cached_property
    def store(self) -> Store:
        """The graph in an in-memory Oxigraph store (for the queries and the report).

        Loaded a block of lines at a time: the graph's N-Triples document is
        never held whole beside the lines it is made of.
        """
        store = Store()
        for start in range(0, len(self.lines), _BLOCK):
            block = ntriples_text(self.lines[start : start + _BLOCK]).encode("utf-8")
            store.bulk_load(block, format=RdfFormat.N_TRIPLES)
        return store


@dataclass(frozen=True)
class _FileWork:
    """One file's outcome and, when it holds a record, the record's N-Triples lines."""

    checked: Checked
    lines: tuple[str, ...]


def _work_on(paths: Sequence[Path], base: str, statuses: tuple[str, ...]) -> list[_FileWork]:
    """Check files and turn their records into lines (in a worker process or in this one).

    A record whose status the graph does not keep is checked, but its lines
    are never made (nor sent back from a worker).
    """
    done = []
    for path in paths:
        checked = check_path(path)
        record = checked.record
        lines = () if record is None or not is_public(record.status, statuses) else \
            tuple(set(case_study_lines(base, record)))
        done.append(_FileWork(checked, lines))
    return done


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
    return Problem(Path(match["path"]), int(match["line"]), match["field"] or "(ledger row)",
                   match["message"])


def _origins(settings: Settings, mappings: Path, records: Sequence[LoadedRecord]) -> dict[str, Origin]:
    """Where each node came from: asked for only when the shapes found something."""
    origins = vocabulary_origins(
        (path, {t.subject.value for t in vocabulary_file_triples(path)
                if isinstance(t.subject, NamedNode)})
        for path in vocabulary_files(mappings)
    )
    origins.update(node_origins(settings.base, records))
    return origins


def assemble(paths: Sequence[Path], settings: Settings, *, include_drafts: bool = True,
             shacl: bool = True, every_status: bool = False,
             parallel_from: int = PARALLEL_FROM) -> Assembled:
    """Load ``paths``, build one graph of the valid records and check it with the shapes.

    Problems are collected, never raised: contract problems of some files do
    not stop the others from being checked with the shapes. The graph holds
    the records the record policy makes public (``settings.public_statuses``,
    :mod:`lod.model.policy`), so every output built from it counts the same
    records; ``every_status`` keeps every record (``lod validate`` checks
    drafts too, ``lod serve --drafts`` shows them). Raises
    :class:`lod.ingest.load.DiscoveryError` for a folder that cannot be listed.
    """
    files = discover(paths, include_drafts=include_drafts)
    statuses = STATUSES if every_status else settings.public_statuses
    work = list(fan_out(partial(_work_on, base=settings.base, statuses=statuses), files,
                        parallel_from=parallel_from))
    loaded = collect(item.checked for item in work)
    result = Assembled(loaded, settings.base, problems=list(loaded.problems), statuses=statuses)
    result.records = [item for item in _one_per_id(loaded.records)
                      if is_public(item.record.status, statuses)]
    loaded.records = result.records  # the records the graph leaves out: released
    lines_of = {item.checked.path: item.lines for item in work}
    lines: set[str] = set()
    for item in result.records:
        lines.update(lines_of[item.path])
    mappings = settings.mappings_dir or resources.mappings_dir()
    lines.update(str(t) for t in vocabulary_triples(mappings))
    try:
        links = ledger_triples(settings.base, (item.record for item in result.records), mappings)
        lines.update(str(t) for t in links)
    except MappingFileError as error:
        result.problems.append(_ledger_problem(error))
    except (OSError, UnicodeDecodeError) as error:
        result.problems.append(Problem(mappings, 1, "(ledger)", f"cannot read a ledger: {error}"))
    del work, lines_of  # the other files' records and lines: no longer needed
    result.lines = sorted(lines)
    del lines
    if shacl:
        shapes = shapes_text(settings.shapes_dir or resources.shapes_dir())
        result.problems += graph_problems(
            result.lines, shapes, partial(_origins, settings, mappings, result.records),
            fallback=mappings, base=settings.base)
    result.problems.sort()
    return result
