"""``lod build``: validated records to the RDF dumps, VoID and the report, atomically.

Every file is written to a staging directory first; only when all exist is
the staging directory swapped in for ``--out``, so a failure at any point
leaves the previous build exactly as it was.

The three dumps are streamed record block by record block (see
:mod:`lod.publish.blocks`): a record rendered before is copied from the dump
being replaced, a new or changed one is rendered (in worker processes when
there are many), and the shared nodes close each file. Memory does not grow
with the size of the dumps.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from lod.ingest import LoadedRecord
from lod.problems import InputError
from lod.publish.blocks import (
    Block,
    BlockCache,
    BlockFacts,
    Span,
    block_key,
    is_fact,
    merge_shared,
    render_blocks,
)
from lod.publish.report import (
    ReportData,
    render_report,
    report_data,
    report_predicates,
    report_salt,
)
from lod.publish.spill import Spilled, close_spills, spill_files, spill_hook
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
from lod.validate import Validated, validate_paths

DUMP_FILES = ("casestudies.ttl", "casestudies.nt", "casestudies.jsonld", "void.ttl", "report.md")
OWN_FILES = (*DUMP_FILES, "context.jsonld")
#: The dumps made of blocks, in the order of a :data:`Span`'s pairs.
STREAMED = ("casestudies.nt", "casestudies.ttl", "casestudies.jsonld")
#: Inside OUT, kept across builds: results of earlier runs, by content hash.
CACHE_DIR = ".cache"
#: Rendered blocks whose facts are written to the cache at once.
_BATCH = 500
#: Bytes copied per system call when a dump's ranges are copied.
_COPY_STEP = 1 << 24


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
    #: Records whose blocks were rendered (the others were copied from the last build).
    rendered: int = 0


@dataclass
class Assembled:
    """What the dumps hold, apart from their bytes: counts, shared nodes, report facts."""

    keys: list[str]
    stats: DumpStats
    facts: Path  # N-Triples of every triple the report's queries read
    facts_digest: str  # of those facts, the report's queries, their code and engine
    spans: dict[str, Span]
    rendered: int


class _Facts:
    """The report's facts, streamed to a file and hashed on the way (never all in memory)."""

    def __init__(self, path: Path, records: int) -> None:
        self.path = path
        self.handle = path.open("wb")
        self.hasher = hashlib.sha256(f"{report_salt()}\n{records}\n".encode())

    def add(self, text: str) -> None:
        data = text.encode("utf-8")
        self.handle.write(data)
        self.hasher.update(data)

    def close(self) -> str:
        self.handle.close()
        return self.hasher.hexdigest()


class _Dump:
    """One streamed dump file: rendered bytes appended, ranges of other files copied in runs."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("wb", buffering=0)
        self.position = 0
        self._sources: dict[Path, int] = {}  # open file descriptors to copy from
        self._run: tuple[Path, int, int] | None = None  # (source, offset, length) not yet copied

    def write(self, data: bytes) -> tuple[int, int]:
        self._flush()
        start = self.position
        view = memoryview(data)
        while view:
            view = view[self.handle.write(view) or 0 :]
        self.position += len(data)
        return start, len(data)

    def copy(self, source: Path, offset: int, length: int) -> tuple[int, int]:
        run = self._run
        if run is not None and run[0] == source and run[1] + run[2] == offset:
            self._run = (source, run[1], run[2] + length)
        else:
            self._flush()
            self._run = (source, offset, length)
        start = self.position
        self.position += length
        return start, length

    def _flush(self) -> None:
        if self._run is None:
            return
        path, offset, length = self._run
        self._run = None
        source = self._sources.get(path)
        if source is None:
            source = self._sources[path] = os.open(path, os.O_RDONLY)
        target = self.handle.fileno()
        while length:
            try:
                done = os.copy_file_range(source, target, min(length, _COPY_STEP), offset)
            except OSError:  # not supported here: copy through user space
                done = os.write(target, os.pread(source, min(length, _COPY_STEP), offset))
            if done <= 0:
                raise OSError(f"{path} is shorter than recorded")
            offset += done
            length -= done

    def close(self) -> None:
        try:
            self._flush()
        finally:
            self.handle.close()
            for descriptor in self._sources.values():
                os.close(descriptor)


def write_dumps(directory: Path, previous: Path, records: Sequence[LoadedRecord],
                settings: Settings, cache: BlockCache, institution_lines: Sequence[str],
                spilled: Mapping[str, object] | None = None, spill_dir: Path | None = None,
                *, facts_path: Path) -> Assembled:
    """Write the three dumps into ``directory``.

    A record's block comes from, in order of preference: the spill files of
    this build's SHACL workers (``spilled``, by record id), the dumps in
    ``previous`` (when the cache's layout still describes them), or a fresh
    rendering.
    """
    predicates = report_predicates()
    ordered = sorted(records, key=lambda loaded: loaded.id)
    keys = [block_key(settings.base, predicates, loaded.key or loaded.record.model_dump_json())
            for loaded in ordered]
    old = {name: previous / name for name in STREAMED}
    old_spans = cache.layout(old)
    fresh_spills: dict[int, Spilled] = {}
    for index, loaded in enumerate(ordered):
        found = (spilled or {}).get(loaded.id)
        if isinstance(found, Spilled) and spill_dir is not None:
            fresh_spills[index] = found
    known = cache.facts_of(key for key in keys if key in old_spans)
    missing = [i for i, key in enumerate(keys) if i not in fresh_spills and key not in known]
    rendered: Iterator[Block] = render_blocks(
        settings.base, [ordered[i] for i in missing], predicates
    )
    dumps = [_Dump(directory / name) for name in STREAMED]
    nt, ttl, jsonld = dumps
    old_nt, old_ttl, old_jsonld = (old[name] for name in STREAMED)
    spans: dict[str, Span] = {}
    stats = DumpStats()
    facts = _Facts(facts_path, len(keys))
    fresh: list[tuple[str, BlockFacts]] = []
    try:
        ttl.write(turtle_header().encode("utf-8"))
        jsonld.write(jsonld_head().encode("utf-8"))
        for index, key in enumerate(keys):
            spill_of = fresh_spills.get(index)
            merge = known.pop(key, None)
            if spill_of is not None:
                merge = BlockFacts.from_json(spill_of.merge_json)
            if merge is None:
                block = next(rendered)
                merge = block.merge
                fresh.append((key, merge))
                spans[key] = (*nt.write(block.ntriples), *ttl.write(block.turtle),
                              *jsonld.write(block.jsonld))
            elif spill_of is not None and spill_dir is not None:
                fresh.append((key, merge))
                a, b, c, d, e, f = spill_of.span
                nt_file, ttl_file, jsonld_file = spill_files(spill_dir, spill_of.stem)
                spans[key] = (*nt.copy(nt_file, a, b), *ttl.copy(ttl_file, c, d),
                              *jsonld.copy(jsonld_file, e, f))
            else:
                a, b, c, d, e, f = old_spans[key]
                spans[key] = (*nt.copy(old_nt, a, b), *ttl.copy(old_ttl, c, d),
                              *jsonld.copy(old_jsonld, e, f))
                cache.used.add(key)
            if len(fresh) >= _BATCH:
                cache.put_facts(fresh)
                fresh = []
            stats.add(merge.stats)
            facts.add(merge.facts)
        cache.put_facts(fresh)
        # Curator-accepted Wikidata links (mappings/*.sssom.tsv) fill the gaps records leave.
        extra = vocabulary_triples() | ledger_triples(settings.base, (r.record for r in ordered))
        shared = merge_shared(institution_lines, extra)
        if not shared:
            raise RuntimeError("no vocabulary: the dumps' shared nodes cannot be empty")
        shared_nt = ntriples_text(shared).encode("utf-8")
        nt.write(shared_nt)
        # Institutions and vocabularies rarely change between two builds: reuse their rendering.
        digest = hashlib.sha256(shared_nt).hexdigest()
        rendering = cache.shared_block(digest)
        if rendering is None:
            rendering = (turtle_body(shared).encode("utf-8"),
                         (JSONLD_SEPARATOR.join(jsonld_nodes(shared)) + JSONLD_TAIL).encode("utf-8"))
            cache.put_shared_block(digest, *rendering)
        ttl.write(rendering[0])
        jsonld.write(rendering[1])
        stats.add(DumpStats.of_lines(shared))
        facts.add(ntriples_text(line for line in shared if is_fact(split_line(line), predicates)))
    finally:
        for dump in dumps:
            dump.close()
        digest = facts.close()
    return Assembled(keys, stats, facts_path, digest, spans, len(missing) + len(fresh_spills))


def report_of(assembled: Assembled, cache: BlockCache) -> ReportData:
    """The report's answers: asked of a store of the facts, unless these very facts were."""
    data = cache.report(assembled.facts_digest)
    if data is None:
        store = Store()
        store.bulk_load(path=assembled.facts, format=RdfFormat.N_TRIPLES)
        data = report_data(store, records=len(assembled.keys))
        cache.put_report(assembled.facts_digest, data)
    return data


@contextmanager
def staging(out_dir: Path, *, before_swap: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """A directory to write a build into, swapped in for ``out_dir`` when the block ends.

    Files already in ``out_dir`` that a build does not make (the cache, a
    curator's notes) are carried over; if the block raises, ``out_dir`` is
    left exactly as it was.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    stage.chmod(0o755)  # mkdtemp makes it private; a published dump is for everyone
    try:
        yield stage
        if before_swap is not None:
            before_swap(stage)
        made = {entry.name for entry in stage.iterdir()}
        if out_dir.exists():
            for entry in out_dir.iterdir():
                if entry.name not in made and entry.name not in OWN_FILES:
                    entry.replace(stage / entry.name)
            backup = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
            out_dir.replace(backup / "previous")
            stage.replace(out_dir)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            stage.replace(out_dir)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def build(settings: Settings, *, before_swap: Callable[[Path], None] | None = None) -> BuildResult:
    """Validate the case studies, then write every dump; raise InputError on any problem."""
    if settings.cache_dir is None:
        settings = settings.model_copy(update={"cache_dir": settings.out_dir / CACHE_DIR})
    out_dir = settings.out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Records whose shapes are checked get their blocks rendered right there, from
    # the same N-Triples, and written to spill files the dumps are then copied from.
    spill_dir = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".spill",
                                      dir=out_dir.parent))
    try:
        hook = spill_hook(settings.base, report_predicates(), spill_dir)
        validated = validate_paths([settings.data_dir], settings, include_drafts=False,
                                   on_text=hook)
        close_spills(spill_dir)
        if validated.loaded.files == 0:
            raise InputError([])  # handled by the CLI as "no case-study files"
        if validated.problems:
            raise InputError(validated.problems)
        return _publish(settings, validated, out_dir, spill_dir, before_swap)
    finally:
        close_spills(spill_dir)
        shutil.rmtree(spill_dir, ignore_errors=True)


def _publish(settings: Settings, validated: Validated, out_dir: Path, spill_dir: Path,
             before_swap: Callable[[Path], None] | None) -> BuildResult:
    cache_dir = settings.cache_dir
    cache = BlockCache(cache_dir / "blocks.sqlite" if cache_dir is not None else None)
    try:
        with staging(out_dir, before_swap=before_swap) as stage:
            assembled = write_dumps(stage, out_dir, validated.unique, settings, cache,
                                    validated.institution_lines, validated.sidecar, spill_dir,
                                    facts_path=spill_dir / "facts.nt")
            # What validation handed over is in the dumps now; the report needs memory.
            validated.sidecar.clear()
            validated.institution_lines.clear()
            records = len(assembled.keys)
            data = report_of(assembled, cache)
            report = render_report(data)
            void = void_triples(assembled.stats, settings.base, DUMP_FILES[:3])
            (stage / "void.ttl").write_bytes(to_turtle(void))
            (stage / "report.md").write_bytes(report.encode("utf-8"))
            (stage / "context.jsonld").write_bytes(
                (json.dumps(jsonld_context(), indent=1) + "\n").encode("utf-8")
            )
            cache.prune()
            # From here the recorded layout would point into files about to go away.
            cache.forget_layout()
            cache.close()
        cache.reopen()  # the swap moved its directory
        cache.record_layout(assembled.spans, {name: out_dir / name for name in STREAMED})
    finally:
        cache.close()
    files = sorted(out_dir / name for name in OWN_FILES)
    return BuildResult(
        out_dir=settings.out_dir,
        records=records,
        triples=assembled.stats.triples,
        files=files,
        report=report,
        data=data,
        rendered=assembled.rendered,
    )
