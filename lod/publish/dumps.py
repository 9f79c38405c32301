"""``lod build``: validated records to the RDF dumps, VoID and the report, atomically.

Every file is written to a staging directory first; only when all exist is
the staging directory swapped in for ``--out``, so a failure at any point
leaves the previous build exactly as it was.

The three dumps are streamed block by block (see :mod:`lod.publish.blocks`):
shared nodes first, then one cached block per record in id order, so memory
does not grow with the size of the dump and an unchanged record costs a
cache read.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import RdfFormat, Store

from lod.ingest import LoadedRecord
from lod.problems import InputError
from lod.publish.blocks import (
    Block,
    BlockCache,
    BlockFacts,
    block_key,
    merge_shared,
    render_blocks,
)
from lod.publish.report import build_report, report_predicates
from lod.publish.void import DumpStats, void_triples
from lod.rdf.serialize import (
    JSONLD_SEPARATOR,
    JSONLD_TAIL,
    jsonld_context,
    jsonld_head,
    jsonld_nodes,
    ntriples_text,
    split_line,
    to_turtle,
    turtle_body,
    turtle_header,
)
from lod.rdf.vocabularies import vocabulary_triples
from lod.reconcile.links import ledger_triples
from lod.settings import Settings
from lod.validate import validate_paths

DUMP_FILES = ("casestudies.ttl", "casestudies.nt", "casestudies.jsonld", "void.ttl", "report.md")
OWN_FILES = (*DUMP_FILES, "context.jsonld")
#: Inside OUT, kept across builds: results of earlier runs, by content hash.
CACHE_DIR = ".cache"
#: Records rendered between two writes to the block cache.
_BATCH = 500

#: A file's content: its bytes, or a function that writes them to the path it is given.
Output = bytes | Callable[[Path], None]


@dataclass
class BuildResult:
    """What a build wrote and what it saw."""

    out_dir: Path
    records: int
    triples: int
    files: list[Path] = field(default_factory=list)
    report: str = ""
    #: The facts the report was made from (see :func:`report_predicates`), for summaries.
    store: Store | None = None


@dataclass
class Assembled:
    """Everything about the dumps except their bulk, which stays in the block cache."""

    keys: list[str]
    shared: list[str]
    stats: DumpStats
    facts: Store


def assemble(records: Sequence[LoadedRecord], settings: Settings, cache: BlockCache) -> Assembled:
    """Render (or find) every record's block, merge the shared nodes and count."""
    predicates = report_predicates()
    ordered = sorted(records, key=lambda loaded: loaded.id)
    keys = [
        block_key(settings.base, predicates, loaded.key or loaded.record.model_dump_json())
        for loaded in ordered
    ]
    merges: list[BlockFacts | None] = [cache.facts(key) for key in keys]
    missing = [index for index, merge in enumerate(merges) if merge is None]
    rendered = render_blocks(settings.base, [ordered[i].record for i in missing], predicates)
    fresh: list[tuple[str, Block]] = []
    for index, block in zip(missing, rendered, strict=True):
        merges[index] = block.merge
        fresh.append((keys[index], block))
        if len(fresh) >= _BATCH:
            cache.put_many(fresh)
            fresh = []
    cache.put_many(fresh)
    shared_lines: set[str] = set()
    stats = DumpStats()
    facts: list[str] = []
    for merge in merges:
        if merge is None:  # pragma: no cover - every gap was rendered above
            raise RuntimeError("a record's block was neither cached nor rendered")
        shared_lines.update(merge.shared)
        stats.add(merge.stats)
        facts.append(merge.facts)
    # Curator-accepted Wikidata links (mappings/*.sssom.tsv) fill the gaps records leave.
    extra = vocabulary_triples() | ledger_triples(settings.base, (r.record for r in ordered))
    shared = merge_shared([shared_lines], extra)
    stats.add(DumpStats.of_lines(shared))
    facts.append(ntriples_text(line for line in shared if split_line(line)[1] in predicates))
    store = Store()
    store.bulk_load("".join(facts).encode("utf-8"), format=RdfFormat.N_TRIPLES)
    return Assembled(keys, shared, stats, store)


def dump_writer(assembled: Assembled, cache: BlockCache) -> Callable[[Path], None]:
    """A writer of the three dumps into a directory, streaming the cached blocks."""

    def write(directory: Path) -> None:
        with (
            (directory / "casestudies.nt").open("wb") as nt,
            (directory / "casestudies.ttl").open("wb") as ttl,
            (directory / "casestudies.jsonld").open("wb") as jsonld,
        ):
            nt.write(ntriples_text(assembled.shared).encode("utf-8"))
            ttl.write((turtle_header() + turtle_body(assembled.shared)).encode("utf-8"))
            jsonld.write(jsonld_head().encode("utf-8"))
            shared_nodes = JSONLD_SEPARATOR.join(jsonld_nodes(assembled.shared)).encode("utf-8")
            first = _write_nodes(jsonld, shared_nodes, True)
            for nt_bytes, ttl_bytes, jsonld_bytes in cache.bodies(assembled.keys):
                nt.write(nt_bytes)
                ttl.write(ttl_bytes)
                first = _write_nodes(jsonld, jsonld_bytes, first)
            jsonld.write(JSONLD_TAIL.encode("utf-8"))

    return write


_SEPARATOR_BYTES = JSONLD_SEPARATOR.encode("utf-8")


def _write_nodes(handle: BinaryIO, nodes: bytes, first: bool) -> bool:
    if not nodes:
        return first
    if not first:
        handle.write(_SEPARATOR_BYTES)
    handle.write(nodes)
    return False


def write_atomically(out_dir: Path, outputs: dict[str, Output],
                     *, before_swap: Callable[[Path], None] | None = None) -> list[Path]:
    """Write ``outputs`` into ``out_dir`` all at once; other files already there are kept."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a published dump is for everyone
    names: set[str] = set()
    try:
        for name, data in sorted(outputs.items()):
            if isinstance(data, bytes):
                (staging / name).write_bytes(data)
                names.add(name)
            else:
                before = {entry.name for entry in staging.iterdir()}
                data(staging)
                names.update({entry.name for entry in staging.iterdir()} - before)
        if before_swap is not None:
            before_swap(staging)
        if out_dir.exists():
            for entry in out_dir.iterdir():
                if entry.name not in names and entry.name not in OWN_FILES:
                    entry.replace(staging / entry.name)
            backup = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
            out_dir.replace(backup / "previous")
            staging.replace(out_dir)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            staging.replace(out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in sorted(names)]


def build(settings: Settings, *, before_swap: Callable[[Path], None] | None = None) -> BuildResult:
    """Validate the case studies, then write every dump; raise InputError on any problem."""
    if settings.cache_dir is None:
        settings = settings.model_copy(update={"cache_dir": settings.out_dir / CACHE_DIR})
    validated = validate_paths([settings.data_dir], settings, include_drafts=False)
    if validated.loaded.files == 0:
        raise InputError([])  # handled by the CLI as "no case-study files"
    if validated.problems:
        raise InputError(validated.problems)
    cache_dir = settings.cache_dir
    cache = BlockCache(cache_dir / "blocks.sqlite" if cache_dir is not None else None)
    try:
        assembled = assemble(validated.unique, settings, cache)
        cache.prune()  # before the swap: after it, the cache is only read
        records = len(assembled.keys)
        report = build_report(assembled.facts, records=records)
        void = void_triples(assembled.stats, settings.base, DUMP_FILES[:3])
        outputs: dict[str, Output] = {
            "casestudies": dump_writer(assembled, cache),
            "context.jsonld": (json.dumps(jsonld_context(), indent=1) + "\n").encode("utf-8"),
            "void.ttl": to_turtle(void),
            "report.md": report.encode("utf-8"),
        }
        files = write_atomically(settings.out_dir, outputs, before_swap=before_swap)
    finally:
        cache.close()
    return BuildResult(
        out_dir=settings.out_dir,
        records=records,
        triples=assembled.stats.triples,
        files=files,
        report=report,
        store=assembled.facts,
    )
