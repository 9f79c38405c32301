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

Nothing that grows with the collection is held in memory
(:mod:`lod.spool`): each record goes, pickled by its worker, to a spool file
in a work folder, with its N-Triples lines; the lines of the records the
graph keeps are sorted by an external merge into one N-Triples file; SHACL
reads its chunks back from files (:class:`lod.validate.chunks.SpooledPartition`);
the records are read back one at a time when asked for. The work folder is
the caller's (``lod build`` gives one in its staging folder beside OUT) or a
temporary folder removed with the :class:`Assembled`. The same path runs
at 30 records and at 100,000.
"""

from __future__ import annotations

import pickle
import re
import shutil
import tempfile
import weakref
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import NamedNode, RdfFormat, Store

from lod import resources
from lod.ingest.load import (
    Loaded,
    LoadedRecord,
    check_path,
    discover,
    duplicate_id,
    is_draft_file,
)
from lod.ingest.yamlfile import YamlDocument
from lod.ledgers import MappingFileError
from lod.model.policy import PUBLIC_STATUSES, is_public
from lod.model.vocab import STATUSES
from lod.problems import Problem
from lod.rdf.build import case_study_iri, case_study_lines
from lod.rdf.serialize import ntriples_text
from lod.rdf.vocabularies import vocabulary_file_triples, vocabulary_files, vocabulary_triples
from lod.reconcile.links import ledger_triples
from lod.settings import Settings
from lod.spool import (
    GraphFile,
    LineSorter,
    Slot,
    Spool,
    SpooledCaseStudies,
    SpooledRecords,
    blob_lines,
    lines_blob,
    work_texts,
)
from lod.validate.chunks import SpooledPartition
from lod.validate.shacl import (
    Origin,
    chunk_results,
    chunk_texts,
    node_origins,
    result_problems,
    shapes_text,
    vocabulary_origins,
    write_chunks,
)
from lod.workers import PARALLEL_FROM, Forked, fan_out, forks_pay

_MESSAGE_RE = re.compile(
    r"(?P<path>.+?):(?P<line>\d+): (?:(?P<field>[\w()\[\]. ]+): )?(?P<message>.*)", re.DOTALL)
#: Lines of the graph loaded into a store at a time.
_BLOCK = 20_000


@dataclass
class Assembled:
    """The checked graph: its records, its triples (sorted N-Triples lines) and every problem."""

    #: What loading the files gave: their count and problems (the records are in ``records``).
    loaded: Loaded
    base: str
    #: One record per id, sorted by id (a curated record wins over its draft), read from
    #: the spool one at a time.
    records: Sequence[LoadedRecord]
    #: The whole graph as one N-Triples file: sorted lines, no repeats.
    graph: GraphFile
    #: The folder holding the spool and the graph file.
    folder: Path
    problems: list[Problem] = field(default_factory=list)
    #: The statuses of the records kept (the record policy's public ones, or every status).
    statuses: tuple[str, ...] = PUBLIC_STATUSES
    #: The ids of ``records``, in the same order.
    ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def lines(self) -> list[str]:
        """The graph's N-Triples lines (without the final " ."), sorted, no repeats.

        Read from the graph file on each call: for the commands that need
        them all (the site); the build streams the file instead.
        """
        return list(self.graph)

    @property
    def ntriples(self) -> str:
        """The graph as one N-Triples document (read anew on each call)."""
        return self.graph.text()

    def write_ntriples(self, handle: BinaryIO) -> None:
        """Write the N-Triples document to an open file, a buffer at a time."""
        self.graph.write_to(handle)

    @cached_property
    def store(self) -> Store:
        """The graph in an in-memory Oxigraph store (for the queries, the site and ``lod serve``).

        Loaded a block of lines at a time, in the graph's order (the order
        the store gives unordered results in).
        """
        store = Store()
        for block in self.graph.blocks(_BLOCK):
            store.bulk_load(ntriples_text(block).encode("utf-8"), format=RdfFormat.N_TRIPLES)
        return store

    def disk_store(self, predicates: Collection[str] | None = None) -> Store:
        """The graph in an on-disk Oxigraph store in the work folder (for the build's report).

        Its memory does not grow with the graph: the bulk loader holds one
        block of the file (16 MB) at a time and the rest stays on disk.
        ``predicates``: only the triples of these predicates (all when None),
        for queries that read no other (:func:`lod.rdf.predicates.read_predicates`).
        """
        store = Store(str(self.folder / "store"))
        for block in self.graph.byte_blocks(predicates=predicates):
            store.bulk_load(block, format=RdfFormat.N_TRIPLES)
        return store


@dataclass(frozen=True)
class _FileWork:
    """One file's outcome; when it holds a record, the record pickled and its lines as one blob."""

    path: Path
    problems: tuple[Problem, ...]
    #: The record's id and status (None: the file gave no record).
    record_id: str | None = None
    status: str = ""
    #: The pickled :class:`LoadedRecord` (empty when the graph does not keep its status).
    record: bytes = b""
    #: Its N-Triples lines, sorted, one blob (:func:`lod.spool.lines_blob`).
    lines: bytes = b""

    @property
    def id_line(self) -> int:
        """The line of the record's id, for a duplicate-id problem: found only then.

        Line numbers come from composing the file's YAML again
        (:class:`lod.ingest.yamlfile.YamlDocument`), which costs as much as
        parsing it; asking for every file's id line doubled the YAML work of a build.
        """
        return YamlDocument(self.path, None).line_of(("id",))


def _work_on(paths: Sequence[Path], base: str, statuses: tuple[str, ...]) -> list[_FileWork]:
    """Check files and turn their records into lines (in a worker process or in this one).

    A record whose status the graph does not keep is checked, but its lines
    are never made (nor sent back from a worker). A kept record is pickled
    here, so the main process writes it to disk without rebuilding its objects.
    """
    done = []
    for path in paths:
        checked = check_path(path)
        record = checked.record
        if record is None:
            done.append(_FileWork(path, checked.problems))
            continue
        kept = is_public(record.status, statuses)
        lines = lines_blob(sorted(set(case_study_lines(base, record)))) if kept else b""
        blob = pickle.dumps(LoadedRecord(record, checked.document), pickle.HIGHEST_PROTOCOL) \
            if kept else b""
        done.append(_FileWork(path, checked.problems, record.id, record.status, blob, lines))
    return done


@dataclass(frozen=True)
class _Choice:
    """The record chosen so far for an id, and where its blobs are (None: not kept)."""

    record_id: str
    path: Path
    record: Slot | None
    lines: Slot | None


def _ledger_problem(error: MappingFileError) -> Problem:
    match = _MESSAGE_RE.fullmatch(str(error))
    if match is None:
        return Problem(Path("mappings"), 1, "(ledger)", str(error))
    return Problem(Path(match["path"]), int(match["line"]), match["field"] or "(ledger row)",
                   match["message"])


def _origins(settings: Settings, mappings: Path, records: Sequence[LoadedRecord],
             focuses: set[str]) -> dict[str, Origin]:
    """Where each focus node came from: asked for only when the shapes found something.

    The records are read one at a time; only the origins of ``focuses`` are
    kept (an institution's is the first record naming it, as in
    :func:`lod.validate.shacl.node_origins`).
    """
    origins = vocabulary_origins(
        (path, {t.subject.value for t in vocabulary_file_triples(path)
                if isinstance(t.subject, NamedNode)})
        for path in vocabulary_files(mappings)
    )
    found: dict[str, Origin] = {}
    for item in records:
        for node, origin in node_origins(settings.base, [item]).items():
            if node in focuses:
                found.setdefault(node, origin)
    origins.update(found)
    return origins


def assemble(paths: Sequence[Path], settings: Settings, *, include_drafts: bool = True,
             shacl: bool = True, every_status: bool = False,
             parallel_from: int = PARALLEL_FROM, workdir: Path | None = None) -> Assembled:
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
    return assemble_files(files, settings, shacl=shacl, every_status=every_status,
                          parallel_from=parallel_from, workdir=workdir)


def assemble_files(files: Sequence[Path], settings: Settings, *, shacl: bool = True,
                   every_status: bool = False, parallel_from: int = PARALLEL_FROM,
                   workdir: Path | None = None) -> Assembled:
    """:func:`assemble` on files already discovered.

    ``workdir``: a folder (made if missing) for the spool and the graph
    file, which the caller removes; without it, a temporary folder removed
    when the result is no longer used (or the process ends).
    """
    if workdir is None:
        folder = Path(tempfile.mkdtemp(prefix="lod-graph-"))
    else:
        folder = workdir
        folder.mkdir(parents=True, exist_ok=True)
    try:
        result = _assemble_into(folder, files, settings, shacl=shacl,
                                every_status=every_status, parallel_from=parallel_from)
    except BaseException:
        if workdir is None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    if workdir is None:
        weakref.finalize(result, shutil.rmtree, folder, ignore_errors=True)
    return result


def _choose(work: Iterator[_FileWork], spool: Spool) -> tuple[Loaded, list[_Choice]]:
    """The rules across files, as the files' outcomes come back in file order.

    Ids are unique among reviewed files (a second one is a problem); a
    curated record wins over its draft, the last draft over earlier ones
    (:func:`lod.ingest.load.collect` holds the same rules for a list of
    records). A record is spooled unless a curated record already holds its
    id. Returns the loaded files' count and problems, and the chosen records
    the graph keeps, sorted by id.
    """
    loaded = Loaded()
    first_seen: dict[str, Path] = {}
    chosen: dict[str, _Choice] = {}
    for item in work:
        loaded.files += 1
        loaded.problems.extend(item.problems)
        if item.record_id is None:
            continue
        if not is_draft_file(item.path):
            earlier = first_seen.setdefault(item.record_id, item.path)
            if earlier != item.path:
                loaded.problems.append(duplicate_id(item.path, item.id_line, item.record_id, earlier))
                continue
        current = chosen.get(item.record_id)
        if current is not None and not is_draft_file(current.path):
            continue
        chosen[item.record_id] = _Choice(
            item.record_id, item.path,
            spool.add(item.record) if item.record else None,
            spool.add(item.lines) if item.record else None)
    loaded.problems.sort()
    return loaded, [chosen[key] for key in sorted(chosen) if chosen[key].record is not None]


def _assemble_into(folder: Path, files: Sequence[Path], settings: Settings, *, shacl: bool,
                   every_status: bool, parallel_from: int) -> Assembled:
    statuses = STATUSES if every_status else settings.public_statuses
    spool = Spool(folder / "records.bin")
    work = fan_out(partial(_work_on, base=settings.base, statuses=statuses), files,
                   parallel_from=parallel_from)
    loaded, kept = _choose(work, spool)
    records = SpooledRecords(spool, [choice.record for choice in kept if choice.record is not None])
    problems = list(loaded.problems)
    sorter = LineSorter(folder)
    for choice in kept:
        if choice.lines is not None:
            sorter.add(blob_lines(spool.read(choice.lines)))
    mappings = settings.mappings_dir or resources.mappings_dir()
    sorter.add(str(t) for t in vocabulary_triples(mappings))
    try:
        links = ledger_triples(settings.base, SpooledCaseStudies(records), mappings)
        sorter.add(str(t) for t in links)
    except MappingFileError as error:
        problems.append(_ledger_problem(error))
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(mappings, 1, "(ledger)", f"cannot read a ledger: {error}"))
    graph_path = folder / "graph.nt"
    graph = GraphFile(graph_path, sorter.merge(graph_path))
    result = Assembled(loaded, settings.base, records, graph, folder, problems, statuses,
                       ids=[choice.record_id for choice in kept])
    if shacl:
        result.problems += shape_problems(result, settings)
    result.problems.sort()
    return result


def shape_problems(assembled: Assembled, settings: Settings, *,
                   beside: Callable[[], object] | None = None) -> list[Problem]:
    """The shapes' results on the assembled graph, as problems (SHACL in chunks).

    :func:`assemble` runs it unless told not to. ``lod build`` runs it
    itself, with ``beside``: the chunks are then cut (pure Python) by a
    forked process while this one runs ``beside`` (the report), and only
    the engine runs here: the same chunks, the same engine, the same results.
    """
    keys = [f"<{case_study_iri(settings.base, record_id)}>" for record_id in assembled.ids]
    shapes = shapes_text(settings.shapes_dir or resources.shapes_dir())
    mappings = settings.mappings_dir or resources.mappings_dir()
    chunks = assembled.folder / "chunks"
    chunks.mkdir()
    try:
        texts = chunk_texts(assembled.graph, base=settings.base,
                            parts=SpooledPartition(settings.base, chunks, keys))
        if beside is not None:
            cut = Forked(partial(write_chunks, texts, chunks), here=not forks_pay(len(keys)))
            try:
                beside()
                paths = cut.result()
            finally:
                cut.cancel()
            texts = work_texts(paths)
        return result_problems(chunk_results(texts, shapes),
                               partial(_origins, settings, mappings, assembled.records),
                               fallback=mappings)
    finally:
        shutil.rmtree(chunks, ignore_errors=True)
