"""``lod build``: the checked graph to the RDF dumps, VoID and the report, atomically.

Every output is rendered from the pipeline's one graph (sorted N-Triples
lines), so the same input gives the same bytes; :mod:`lod.publish.outdir`
puts them in place all at once.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import DefaultGraph, RdfFormat, Store

from lod.pipeline import Assembled, assemble
from lod.problems import InputError, nothing_found
from lod.publish.outdir import Content, replace_folder
from lod.publish.report import ReportData, render_report, report_data
from lod.publish.void import DumpStats, void_triples
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

#: Lines of the graph turned into JSON-LD at a time (bounded memory).
_BLOCK = 20_000
DUMP_FILES = ("casestudies.ttl", "casestudies.nt", "casestudies.jsonld", "void.ttl", "report.md")
OWN_FILES = (*DUMP_FILES, "context.jsonld")


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


def _jsonld_writer(lines: list[str]) -> Callable[[BinaryIO], None]:
    def write(handle: BinaryIO) -> None:
        handle.write(jsonld_head().encode("utf-8"))
        start = 0
        while start < len(lines):
            # A block ends at a change of subject, so a node is never split across two blocks.
            end = min(len(lines), start + _BLOCK)
            while end < len(lines) and _subject(lines[end]) == _subject(lines[end - 1]):
                end += 1
            handle.write(_jsonld_block(lines, start, end))
            start = end
        handle.write(JSONLD_TAIL.encode("utf-8"))

    return write


def _subject(line: str) -> str:
    return line[: line.index(" ")]


def _jsonld_block(lines: list[str], start: int, end: int) -> bytes:
    nodes = jsonld_nodes(lines[start:end])
    lead = JSONLD_SEPARATOR if start else ""
    return (lead + JSONLD_SEPARATOR.join(nodes)).encode("utf-8") if nodes else b""


def _turtle_writer(store: Store) -> Callable[[BinaryIO], None]:
    def write(handle: BinaryIO) -> None:
        store.dump(handle, format=RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES,
                   from_graph=DefaultGraph())

    return write


def render_dumps(assembled: Assembled, *, records: int | None = None
                 ) -> tuple[dict[str, Content], ReportData]:
    """Every file of a build, by name (pure: the same graph gives the same bytes).

    ``records``: how many records the graph holds, when ``assembled`` has
    released them already (the build does, once their triples exist).

    The three dumps are written to their files as they are made, never held
    whole in memory: N-Triples and JSON-LD from the sorted lines, Turtle by
    Oxigraph from its store (subjects grouped, in the store's order).
    """
    lines = assembled.lines
    count = len(assembled.records) if records is None else records
    data = report_data(assembled.store, records=count)
    stats = DumpStats.of_lines(lines)
    files: dict[str, Content] = {
        "casestudies.ttl": _turtle_writer(assembled.store),
        "casestudies.nt": assembled.write_ntriples,
        "casestudies.jsonld": _jsonld_writer(lines),
        "void.ttl": to_turtle(void_triples(stats, assembled.base, DUMP_FILES[:3])),
        "report.md": render_report(data).encode("utf-8"),
        "context.jsonld": (json.dumps(jsonld_context(), indent=1) + "\n").encode("utf-8"),
    }
    return files, data


def as_bytes(content: Content) -> bytes:
    """A file's content as bytes (for files small enough to hold, and for tests)."""
    if isinstance(content, bytes):
        return content
    buffer = io.BytesIO()
    content(buffer)
    return buffer.getvalue()


def build(settings: Settings, *, before_swap: Callable[[Path], None] | None = None) -> BuildResult:
    """Check the case studies, then write every dump; raise InputError on any problem."""
    assembled = assemble([settings.data_dir], settings, include_drafts=False)
    if assembled.loaded.files == 0:
        raise InputError([nothing_found(settings.data_dir)])
    if assembled.problems:
        raise InputError(assembled.problems)
    count = len(assembled.records)
    # The dumps are made from the graph alone: the records (some 130 MB at 10,000 records)
    # are released once their triples exist.
    assembled.records.clear()
    files, data = render_dumps(assembled, records=count)
    replace_folder(settings.out_dir, files, before_swap=before_swap)
    return BuildResult(
        out_dir=settings.out_dir,
        records=count,
        triples=len(assembled.lines),
        files=sorted(settings.out_dir / name for name in OWN_FILES),
        report=as_bytes(files["report.md"]).decode("utf-8"),
        data=data,
    )
