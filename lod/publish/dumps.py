"""``lod build``: the checked graph to the RDF dumps, VoID and the report, atomically.

Every output is rendered from the pipeline's one graph (the file of its
sorted N-Triples lines), so the same input gives the same bytes;
:mod:`lod.publish.outdir` puts them in place all at once. The build works
inside OUT's staging folder: the pipeline's spool and graph file are there,
and are removed before the swap (or with the staging folder on failure).
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import RdfFormat, parse, serialize

from lod.ingest.load import discover
from lod.pipeline import Assembled, assemble_files, shape_problems
from lod.problems import InputError, nothing_found
from lod.publish.outdir import Content, staging, swap_in, write_file, write_files
from lod.publish.report import ReportData, render_report, report_data, report_query_texts
from lod.publish.void import DumpStats, void_triples
from lod.rdf.predicates import read_predicates
from lod.rdf.serialize import (
    JSONLD_SEPARATOR,
    JSONLD_TAIL,
    TURTLE_PREFIXES,
    jsonld_context,
    jsonld_head,
    jsonld_nodes,
    to_turtle,
)
from lod.settings import Settings
from lod.spool import GraphFile
from lod.workers import Forked, forks_pay

#: Lines of the graph turned into JSON-LD at a time (bounded memory).
_BLOCK = 20_000
DUMP_FILES = ("casestudies.ttl", "casestudies.nt", "casestudies.jsonld", "void.ttl", "report.md")
OWN_FILES = (*DUMP_FILES, "context.jsonld")
#: The build's work folder inside the staging folder (never swapped in).
_WORK = ".work"
#: How much lower the dumps' writers run than the shapes and the report (``os.nice``): they
#: have the most time to finish, so the checks that decide whether the build fails go first.
_NICE = 10


@dataclass
class BuildResult:
    """What a build wrote and what it saw."""

    out_dir: Path
    records: int
    triples: int
    files: list[Path] = field(default_factory=list)
    report: str = ""
    #: The answers the report was made from, for summaries.
    data: ReportData | None = None


def _jsonld_writer(graph: GraphFile) -> Callable[[BinaryIO], None]:
    def write(handle: BinaryIO) -> None:
        handle.write(jsonld_head().encode("utf-8"))
        block: list[str] = []
        lead = ""
        for line in graph:
            # A block ends at a change of subject, so a node is never split across two blocks.
            if len(block) >= _BLOCK and _subject(line) != _subject(block[-1]):
                lead = _jsonld_block(handle, block, lead)
                block = []
            block.append(line)
        _jsonld_block(handle, block, lead)
        handle.write(JSONLD_TAIL.encode("utf-8"))

    return write


def _subject(line: str) -> str:
    return line[: line.index(" ")]


def _jsonld_block(handle: BinaryIO, lines: list[str], lead: str) -> str:
    """Write one block's nodes; the separator the next block starts with."""
    nodes = jsonld_nodes(lines)
    if nodes:
        handle.write((lead + JSONLD_SEPARATOR.join(nodes)).encode("utf-8"))
    return JSONLD_SEPARATOR


def _turtle_writer(graph: GraphFile) -> Callable[[BinaryIO], None]:
    """Turtle of the graph, subjects grouped, made from the graph file read last line first.

    That is the order an in-memory Oxigraph store loaded with the sorted
    lines gives its triples in (the order the dump had when it was written
    from such a store), so the bytes are the same without the store.
    """
    def write(handle: BinaryIO) -> None:
        triples = (quad.triple for block in graph.reversed_blocks()
                   for quad in parse(block, format=RdfFormat.N_TRIPLES))
        serialize(triples, handle, format=RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)

    return write


def _report(assembled: Assembled) -> ReportData:
    """The report's answers, from the graph in an on-disk store (see :func:`render_dumps`).

    The store holds only the triples of the predicates the report's queries
    read (:func:`lod.rdf.predicates.read_predicates`): the same answers, from
    some 40% of the triples and a fraction of the bytes (no narrative text).
    """
    predicates = read_predicates(report_query_texts())
    return report_data(assembled.disk_store(predicates), records=len(assembled.records))


def _small_files(base: str, stats: DumpStats, data: ReportData) -> dict[str, Content]:
    """VoID, the report and the JSON-LD context: small enough to hold."""
    return {
        "void.ttl": to_turtle(void_triples(stats, base, DUMP_FILES[:3])),
        "report.md": render_report(data).encode("utf-8"),
        "context.jsonld": (json.dumps(jsonld_context(), indent=1) + "\n").encode("utf-8"),
    }


def render_dumps(assembled: Assembled) -> tuple[dict[str, Content], ReportData]:
    """Every file of a build, by name (pure: the same graph gives the same bytes).

    The three dumps are written to their files as they are made, never held
    whole in memory: N-Triples and JSON-LD from the graph file, Turtle from
    the same file read backwards. The report's queries run on an on-disk
    store, so no output needs the graph in memory. (``lod build`` makes the
    same files with the same functions, the largest in processes of their own.)
    """
    graph = assembled.graph
    data = _report(assembled)
    files: dict[str, Content] = {
        "casestudies.ttl": _turtle_writer(graph),
        "casestudies.nt": assembled.write_ntriples,
        "casestudies.jsonld": _jsonld_writer(graph),
        **_small_files(assembled.base, DumpStats.of_lines(graph), data),
    }
    return files, data


def as_bytes(content: Content) -> bytes:
    """A file's content as bytes (for files small enough to hold, and for tests)."""
    if isinstance(content, bytes):
        return content
    buffer = io.BytesIO()
    content(buffer)
    return buffer.getvalue()


def _dump_stats(assembled: Assembled, target: Path) -> DumpStats:
    """Write the N-Triples dump and count VoID's numbers (in a process of its own, in a build)."""
    write_file(target, assembled.write_ntriples)
    return DumpStats.of_lines(assembled.graph)


def _checked_and_written(assembled: Assembled, settings: Settings,
                         stage: Path) -> tuple[dict[str, Content], ReportData]:
    """Check the shapes and run the report while other processes write the dumps.

    Once the graph file exists, the shapes, the dumps and the report each
    need only it: the three dumps (and VoID's counts) are written by forked
    processes (:class:`lod.workers.Forked`), and SHACL's chunks cut by
    another, while this one runs the report's queries and then the SHACL
    engine on the chunks, so a build keeps every core busy. The engine and
    the report stay here: they and the on-disk store run thread pools,
    which a forked process does not get. They are the
    functions :func:`render_dumps` calls, so the bytes are the same. On any
    problem the processes are stopped and nothing is kept. Returns the small
    files still to write and the report's answers.
    """
    graph = assembled.graph
    writers: list[Forked[None]] = []
    counted: Forked[DumpStats] | None = None
    here = not forks_pay(len(assembled.ids))  # a small build writes them itself, after the checks
    if not assembled.problems:  # contract problems: only the shapes' problems are still wanted
        writers = [Forked(partial(write_file, stage / "casestudies.ttl", _turtle_writer(graph)),
                          nice=_NICE, here=here),
                   Forked(partial(write_file, stage / "casestudies.jsonld", _jsonld_writer(graph)),
                          nice=_NICE, here=here)]
        counted = Forked(partial(_dump_stats, assembled, stage / "casestudies.nt"), nice=_NICE,
                         here=here)
    report: list[ReportData] = []
    try:
        problems = assembled.problems + shape_problems(
            assembled, settings,
            beside=None if counted is None else lambda: report.append(_report(assembled)))
        if problems or counted is None:
            raise InputError(sorted(problems))
        data = report[0]
        for writer in writers:
            writer.result()
        stats = counted.result()
    finally:
        for writer in writers:
            writer.cancel()
        if counted is not None:
            counted.cancel()
    return _small_files(assembled.base, stats, data), data


def build(settings: Settings, *, before_swap: Callable[[Path], None] | None = None) -> BuildResult:
    """Check the case studies, then write every dump; raise InputError on any problem.

    The files are listed first (a missing folder writes nothing); then,
    with OUT's lock held, the graph is assembled in a work folder inside
    the staging folder, the shapes checked while the dumps are written
    beside it, the work folder removed and the staging folder swapped in.
    """
    files = discover([settings.data_dir], include_drafts=False)
    if not files:
        raise InputError([nothing_found(settings.data_dir)])
    with staging(settings.out_dir) as stage:
        work = stage / _WORK
        assembled = assemble_files(files, settings, workdir=work, shacl=False)
        outputs, data = _checked_and_written(assembled, settings, stage)
        write_files(stage, settings.out_dir, outputs)
        result = BuildResult(
            out_dir=settings.out_dir,
            records=len(assembled.records),
            triples=len(assembled.graph),
            files=sorted(settings.out_dir / name for name in OWN_FILES),
            report=as_bytes(outputs["report.md"]).decode("utf-8"),
            data=data,
        )
        del assembled
        shutil.rmtree(work)
        swap_in(stage, settings.out_dir, set(DUMP_FILES) | set(outputs),
                before_swap=before_swap)
    return result
