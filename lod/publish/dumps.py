"""``lod build``: the checked graph to the RDF dumps, VoID and the report, atomically.

Every output is rendered from the pipeline's one graph (sorted N-Triples
lines), so the same input gives the same bytes; :mod:`lod.publish.outdir`
puts them in place all at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lod.pipeline import Assembled, assemble
from lod.problems import InputError
from lod.publish.outdir import replace_folder
from lod.publish.report import ReportData, render_report, report_data
from lod.publish.void import DumpStats, void_triples
from lod.rdf.serialize import (
    JSONLD_SEPARATOR,
    JSONLD_TAIL,
    jsonld_context,
    jsonld_head,
    jsonld_nodes,
    to_turtle,
    turtle_of_ntriples,
)
from lod.settings import Settings

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


def render_dumps(assembled: Assembled) -> tuple[dict[str, bytes], ReportData]:
    """Every file of a build, by name (pure: the same graph gives the same bytes)."""
    lines = assembled.lines
    data = report_data(assembled.store, records=len(assembled.records))
    stats = DumpStats.of_lines(lines)
    jsonld = jsonld_head() + JSONLD_SEPARATOR.join(jsonld_nodes(lines)) + JSONLD_TAIL
    files = {
        "casestudies.ttl": turtle_of_ntriples(assembled.ntriples),
        "casestudies.nt": assembled.ntriples.encode("utf-8"),
        "casestudies.jsonld": jsonld.encode("utf-8"),
        "void.ttl": to_turtle(void_triples(stats, assembled.base, DUMP_FILES[:3])),
        "report.md": render_report(data).encode("utf-8"),
        "context.jsonld": (json.dumps(jsonld_context(), indent=1) + "\n").encode("utf-8"),
    }
    return files, data


def build(settings: Settings, *, before_swap: Callable[[Path], None] | None = None) -> BuildResult:
    """Check the case studies, then write every dump; raise InputError on any problem."""
    assembled = assemble([settings.data_dir], settings, include_drafts=False)
    if assembled.loaded.files == 0:
        raise InputError([])  # the CLI says "no case-study files"
    if assembled.problems:
        raise InputError(assembled.problems)
    files, data = render_dumps(assembled)
    replace_folder(settings.out_dir, files, before_swap=before_swap)
    return BuildResult(
        out_dir=settings.out_dir,
        records=len(assembled.records),
        triples=len(assembled.lines),
        files=sorted(settings.out_dir / name for name in OWN_FILES),
        report=files["report.md"].decode("utf-8"),
        data=data,
    )
