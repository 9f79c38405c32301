"""Each record's share of every dump, rendered once and then copied.

A dump is written as blocks: one block per record in id order, each sorted
within, then the nodes several records may share (institutions, the
vocabularies, ledger links). A record's block holds only nodes it owns (the
case study and its ``#...`` parts), so it renders to N-Triples, Turtle and
JSON-LD on its own, and its bytes do not depend on where they sit in the
file (a JSON-LD block carries its own trailing comma; the shared nodes,
never empty, close the list).

The cache (``OUT/.cache/blocks.sqlite``) keeps, by record content, what the
build merges across records (institution lines, report facts, counts), and
where each block's bytes lie in the dumps of the last build. A rebuild copies
the unchanged blocks' byte ranges from the dumps it replaces (in the kernel,
runs of neighbours at once) and renders only the records that changed, so
the dumps are never stored twice and never held in memory.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyoxigraph import Triple

from lod.ingest import LoadedRecord
from lod.model.case_study import CaseStudy
from lod.namespaces import RDF
from lod.publish import void as void_module
from lod.publish.report import ReportData
from lod.publish.void import DumpStats
from lod.rdf import build as build_module
from lod.rdf import serialize as serialize_module
from lod.rdf.build import case_study_iri, case_study_triples
from lod.rdf.serialize import (
    JSONLD_SEPARATOR,
    Split,
    jsonld_of_split,
    ntriples_text,
    sorted_lines,
    split_lines,
    turtle_of_split,
)

#: Below this many records to render, starting worker processes costs more than it saves.
PARALLEL_FROM = 400
_CHUNK = 200
#: Bump when the layout of :class:`Block` or of the table changes.
BLOCK_FORMAT = 6


@dataclass(frozen=True)
class BlockFacts:
    """What the build merges across records: small, read on every build."""

    facts: str  # N-Triples of the own lines the report's queries read
    stats: DumpStats

    def to_json(self) -> bytes:
        """The cache's form of these facts."""
        stats = self.stats
        return json.dumps([
            self.facts,
            [stats.triples, stats.entities, stats.subjects, sorted(stats.predicates),
             sorted(stats.classes.items())],
        ], ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> BlockFacts:
        """Facts read back from :meth:`to_json`."""
        facts, (triples, entities, subjects, predicates, classes) = json.loads(data)
        stats = DumpStats(triples, entities, subjects, {sys.intern(p) for p in predicates},
                          Counter({sys.intern(c): n for c, n in classes}))
        return cls(facts, stats)


@dataclass(frozen=True)
class Block:
    """One record's own nodes in every dump format (UTF-8), plus what the build merges."""

    merge: BlockFacts
    ntriples: bytes
    turtle: bytes
    jsonld: bytes  # node objects, each followed by JSONLD_SEPARATOR


def make_block(base: str, record: CaseStudy, facts_predicates: frozenset[str]) -> Block:
    """Render one record (pure: the same record gives the same block)."""
    iri = case_study_iri(base, record.id)
    return block_of_lines(sorted_lines(case_study_triples(base, record)), iri, facts_predicates)


_RDF_TYPE = f"<{RDF}type>"


def is_fact(split: Split, mentioned: frozenset[str]) -> bool:
    """Whether the report's store needs this triple: its predicate is one the queries
    name, and a ``rdf:type`` only when the class is one they name too."""
    _, predicate, obj = split
    return predicate in mentioned and (predicate != _RDF_TYPE or obj in mentioned)


def block_of_lines(lines: Sequence[str], iri: str, facts_predicates: frozenset[str]) -> Block:
    """Render the record's own nodes; the shared ones (its institutions) are left out.

    Every record's institution lines reach the dumps once, merged, through the
    validation step, which gathers them anyway for the institutions' check.
    """
    prefixes = (f"<{iri}>", f"<{iri}#")
    own = [line for line in lines if line.startswith(prefixes)]
    parts = split_lines(own)
    facts = ntriples_text(
        line for line, split in zip(own, parts, strict=True) if is_fact(split, facts_predicates)
    )
    return Block(
        merge=BlockFacts(facts, DumpStats.of_split(parts)),
        ntriples=ntriples_text(own).encode("utf-8"),
        turtle=turtle_of_split(parts).encode("utf-8"),
        jsonld=(JSONLD_SEPARATOR.join(jsonld_of_split(parts)) + JSONLD_SEPARATOR).encode("utf-8"),
    )


#: The records of the pool being run, set just before its workers are forked.
_FORKED: list[tuple[str, Sequence[LoadedRecord], frozenset[str]]] = []


def _render_range(bounds: tuple[int, int]) -> list[Block]:
    """Render records ``start:end`` of the forked job (records inherited, not pickled)."""
    base, records, predicates = _FORKED[0]
    return [make_block(base, loaded.model(), predicates)
            for loaded in records[bounds[0] : bounds[1]]]


def render_blocks(base: str, records: Sequence[LoadedRecord], facts_predicates: frozenset[str],
                  *, workers: int | None = None, parallel_from: int | None = None
                  ) -> Iterator[Block]:
    """The blocks of ``records`` in order; spread over the cores when there are many.

    Records still held as JSON become models one at a time, where they are
    rendered, and are not kept.
    """
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(records) < (parallel_from or PARALLEL_FROM):
        yield from (make_block(base, loaded.model(), facts_predicates) for loaded in records)
        return
    size = max(1, min(_CHUNK, len(records) // (workers * 4)))
    bounds = [(i, min(i + size, len(records))) for i in range(0, len(records), size)]
    _FORKED[:] = [(base, records, facts_predicates)]
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=gc.freeze) as pool:
            for blocks in pool.map(_render_range, bounds):
                yield from blocks
    finally:
        _FORKED.clear()


@cache
def _code_salt() -> bytes:
    """The rendering code itself: a change to it must re-render every block."""
    digest = hashlib.sha256(f"lod-block-{BLOCK_FORMAT}".encode())
    for module in (build_module, serialize_module, void_module):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.digest()


def block_key(base: str, facts_predicates: frozenset[str], content: str) -> str:
    """Cache key of a record's block: rendering code, base, report needs and the record."""
    digest = hashlib.sha256(_code_salt())
    digest.update(base.encode("utf-8") + b"\n")
    digest.update("\n".join(sorted(facts_predicates)).encode("utf-8") + b"\n")
    digest.update(content.encode("utf-8"))
    return digest.hexdigest()


#: Where one block lies in each dump: (offset, length) for N-Triples, Turtle, JSON-LD.
Span = tuple[int, int, int, int, int, int]
#: A dump file as it was when a layout was recorded: size, modification time, inode.
FileStamp = tuple[int, int, int]


def file_stamp(path: Path) -> FileStamp | None:
    """The identity of a dump file (None when it is missing)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


class BlockCache:
    """Merge facts by block key, and the layout of the last build's dumps, in SQLite.

    ``path=None`` remembers nothing beyond this build.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.used: set[str] = set()
        self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        if self.path is None:
            return self._open(":memory:")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._open(str(self.path))
        except sqlite3.DatabaseError:  # a damaged cache file is only a slower build
            self.path.unlink(missing_ok=True)
            return self._open(str(self.path))

    @staticmethod
    def _open(target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target)
        db.execute("PRAGMA synchronous=NORMAL")
        if db.execute("PRAGMA user_version").fetchone()[0] != BLOCK_FORMAT:
            for table in ("blocks", "facts", "layout", "dumps", "shared", "report"):  # another version's
                db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute(f"PRAGMA user_version = {BLOCK_FORMAT}")
        db.execute("CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, merge BLOB NOT NULL)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS layout (key TEXT PRIMARY KEY, nt_off INTEGER, nt_len INTEGER,"
            " ttl_off INTEGER, ttl_len INTEGER, jl_off INTEGER, jl_len INTEGER)"
        )
        db.execute("CREATE TABLE IF NOT EXISTS dumps (name TEXT PRIMARY KEY, size INTEGER,"
                   " mtime_ns INTEGER, inode INTEGER)")
        db.execute("CREATE TABLE IF NOT EXISTS shared (digest TEXT PRIMARY KEY, ttl BLOB, jsonld BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS report (digest TEXT PRIMARY KEY, data TEXT)")
        db.commit()
        return db

    def facts_of(self, keys: Iterable[str]) -> dict[str, BlockFacts]:
        """:meth:`facts` for many keys, read in one query."""
        wanted = set(keys)
        found: dict[str, BlockFacts] = {}
        for key, merge in self._db.execute("SELECT key, merge FROM facts"):
            if key in wanted:
                try:
                    found[key] = BlockFacts.from_json(merge)
                except (ValueError, KeyError, TypeError):  # an unreadable row is rendered again
                    continue
        self.used.update(found)
        return found

    def shared_block(self, digest: str) -> tuple[bytes, bytes] | None:
        """The Turtle and JSON-LD of the shared nodes last rendered, if their digest matches."""
        row = self._db.execute("SELECT ttl, jsonld FROM shared WHERE digest = ?", (digest,)).fetchone()
        return None if row is None else (row[0], row[1])

    def put_shared_block(self, digest: str, turtle: bytes, jsonld: bytes) -> None:
        """Keep the shared nodes' rendering for the next build (only the latest is kept)."""
        self._db.execute("DELETE FROM shared")
        self._db.execute("INSERT INTO shared VALUES (?, ?, ?)", (digest, turtle, jsonld))
        self._db.commit()

    def report(self, digest: str) -> ReportData | None:
        """The report's answers for facts with this digest, if the last build had them."""
        row = self._db.execute("SELECT data FROM report WHERE digest = ?", (digest,)).fetchone()
        if row is None:
            return None
        try:
            return ReportData.from_json(row[0])
        except (ValueError, KeyError, TypeError):
            return None

    def put_report(self, digest: str, data: ReportData) -> None:
        """Keep the report's answers for the next build (only the latest)."""
        self._db.execute("DELETE FROM report")
        self._db.execute("INSERT INTO report VALUES (?, ?)", (digest, data.to_json()))
        self._db.commit()

    def put_facts(self, items: Iterable[tuple[str, BlockFacts]]) -> None:
        """Remember the merge facts of freshly rendered blocks."""
        rows = [(key, merge.to_json()) for key, merge in items]
        self._db.executemany("INSERT OR REPLACE INTO facts (key, merge) VALUES (?, ?)", rows)
        self._db.commit()
        self.used.update(key for key, _ in rows)

    def layout(self, dumps: dict[str, Path]) -> dict[str, Span]:
        """Where each block lies in ``dumps``, if those files are the ones last recorded."""
        recorded = {
            name: (size, mtime, inode)
            for name, size, mtime, inode in self._db.execute("SELECT * FROM dumps")
        }
        if not recorded or any(recorded.get(name) != file_stamp(path) for name, path in dumps.items()):
            return {}
        spans: dict[str, Span] = {}
        for key, a, b, c, d, e, f in self._db.execute("SELECT * FROM layout"):
            spans[key] = (a, b, c, d, e, f)
        return spans

    def record_layout(self, spans: dict[str, Span], dumps: dict[str, Path]) -> None:
        """Remember where this build put each block, and which files it wrote."""
        db = self._db
        db.execute("DELETE FROM layout")
        db.execute("DELETE FROM dumps")
        db.executemany("INSERT INTO layout VALUES (?, ?, ?, ?, ?, ?, ?)",
                       ((key, *span) for key, span in spans.items()))
        stamps = [(name, *stamp) for name, path in dumps.items()
                  if (stamp := file_stamp(path)) is not None]
        db.executemany("INSERT INTO dumps VALUES (?, ?, ?, ?)", stamps)
        db.commit()

    def forget_layout(self) -> None:
        """The dumps are about to be replaced: no span may point into them any more."""
        self._db.execute("DELETE FROM dumps")
        self._db.commit()

    def prune(self) -> None:
        """Forget the facts of blocks no record uses any more."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
        self._db.execute("DELETE FROM keep")
        self._db.executemany("INSERT OR IGNORE INTO keep (key) VALUES (?)", ((k,) for k in self.used))
        self._db.execute("DELETE FROM facts WHERE key NOT IN (SELECT key FROM keep)")
        self._db.commit()

    def reopen(self) -> None:
        """Close and open the database again (its directory was moved by the swap)."""
        self._db.close()
        self._db = self._connect()

    def close(self) -> None:
        """Release the database."""
        self._db.close()


def merge_shared(institution_lines: Iterable[str], extra: Iterable[Triple]) -> list[str]:
    """The institutions' lines (N-Triples, each with its " .\n") plus ``extra``, sorted, once each."""
    lines = {line[:-3] for line in institution_lines}
    lines.update(str(t) for t in extra)
    return sorted(lines)
