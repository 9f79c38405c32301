"""SHACL results of earlier runs, by content, in SQLite (``OUT/.cache/shacl.sqlite``).

Kept apart from the checking itself: what is cached, and how it is read and
written back, is the part a curator never needs to think about.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from lod.validate.shacl import RawResult

#: Bump when the cache's table changes.
_CACHE_FORMAT = 3


@dataclass
class ShaclCache:
    """Results of earlier runs, by a hash of (shapes, vocabulary, record), in SQLite.

    Beside each record's results it keeps the lines the record states about its
    institutions, so that the cross-record institution check of a rebuild can
    be assembled without reading the unchanged records at all. Entries are
    read in one query and only new ones are written back.
    """

    path: Path | None
    entries: dict[str, list[RawResult]]
    institutions: dict[str, list[str]] = field(default_factory=dict)
    #: Entries kept by :meth:`save` whatever ``keep`` says (the vocabularies' results).
    pinned: set[str] = field(default_factory=set)
    _stored: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, path: Path | None) -> ShaclCache:
        """Read the cache if there is one; an unreadable cache is simply empty."""
        if path is None or not path.is_file():
            return cls(path, {})
        try:
            with closing(_connect(path)) as db:
                rows = db.execute("SELECT key, results, institutions FROM shacl").fetchall()
            entries = {key: [RawResult(*r) for r in json.loads(results)] for key, results, _ in rows}
            seen: dict[str, str] = {}  # an institution named by many records: its lines once
            institutions = {
                key: [seen.setdefault(line, line) for line in json.loads(lines)]
                for key, _, lines in rows if lines is not None
            }
        except (sqlite3.DatabaseError, ValueError, TypeError):
            path.unlink(missing_ok=True)
            return cls(path, {})
        return cls(path, entries, institutions, _stored=set(entries))

    def save(self, keep: Iterable[str]) -> None:
        """Write the new entries and forget those no longer in use, in one transaction."""
        if self.path is None:
            return
        wanted = set(keep) | self.pinned
        new = sorted(key for key in wanted - self._stored if key in self.entries)
        gone = self._stored - wanted
        if not new and not gone and self.path.is_file():
            return
        rows = (  # encoded row by row as SQLite takes them, never all at once
            (key, json.dumps([list(r) for r in self.entries[key]], ensure_ascii=False),
             json.dumps(self.institutions[key], ensure_ascii=False)
             if key in self.institutions else None)
            for key in new
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(_connect(self.path)) as db:
            db.executemany("INSERT OR REPLACE INTO shacl VALUES (?, ?, ?)", rows)
            db.executemany("DELETE FROM shacl WHERE key = ?", ((key,) for key in gone))
            db.commit()
        self._stored = (self._stored - gone) | set(new)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=NORMAL")
    if db.execute("PRAGMA user_version").fetchone()[0] != _CACHE_FORMAT:
        db.execute("DROP TABLE IF EXISTS shacl")
        db.execute(f"PRAGMA user_version = {_CACHE_FORMAT}")
    db.execute("CREATE TABLE IF NOT EXISTS shacl (key TEXT PRIMARY KEY, results TEXT NOT NULL,"
                " institutions TEXT)")
    return db
