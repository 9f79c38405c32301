"""Records already read and checked, by the bytes of their file.

A rebuild after one edit should not parse and check ten thousand unchanged
files again. The key is the file's content plus the source of the contract
code and its data tables, so a change to either starts afresh. The record is
kept as its JSON (UTF-8) in SQLite and read back only when a step asks for
the model: a rebuild in which nothing needs the unchanged records reads
their ids and nothing else, and memory does not grow with their number.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from functools import cache
from pathlib import Path

from lod import resources
from lod.model.case_study import CaseStudy

_MODEL_DIR = Path(__file__).resolve().parents[1] / "model"
#: Bump when the tables change.
_FORMAT = 3
#: A file modified less than this long before its stamp was recorded is read again
#: (its modification time may not tell two writes in the same tick apart).
_RACY_NS = 2_000_000_000
#: New records written to the database at once (so they are not all held in memory).
_BATCH = 1000


@cache
def _salt() -> bytes:
    digest = hashlib.sha256()
    for path in sorted(_MODEL_DIR.glob("*.py")):
        digest.update(path.read_bytes())
    digest.update((resources.mappings_dir() / "ifla-unit-ids.tsv").read_bytes())
    return digest.digest()


def content_key(data: bytes) -> str:
    """Key of a file's bytes under the current contract code."""
    return hashlib.sha256(_salt() + data).hexdigest()


class RecordCache:
    """Valid records as JSON, keyed by :func:`content_key`, in SQLite (OUT/.cache/).

    ``path=None`` gives an empty cache that remembers nothing. Each process
    (a forked worker included) opens its own connection.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.used: set[str] = set()
        self._pending: dict[str, tuple[str, bytes]] = {}
        self._ids: dict[str, str] | None = None
        self._stamps: dict[str, tuple[int, int, int, int, str]] | None = None
        self._seen_files: set[str] = set()
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        if path is not None and path.is_file():
            try:
                self._connection()
            except sqlite3.DatabaseError:  # not a cache we can read: start afresh
                self._db = None
                path.unlink(missing_ok=True)

    @classmethod
    def open(cls, path: Path | None) -> RecordCache:
        """Open the cache at ``path``; a missing or unreadable cache is empty."""
        return cls(path)

    def _connection(self) -> sqlite3.Connection:
        if self.path is None:
            raise RuntimeError("this record cache keeps nothing")
        if self._db is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path)
            db.execute("PRAGMA synchronous=NORMAL")
            if db.execute("PRAGMA user_version").fetchone()[0] != _FORMAT:
                db.execute("DROP TABLE IF EXISTS records")
                db.execute("DROP TABLE IF EXISTS files")
                db.execute(f"PRAGMA user_version = {_FORMAT}")
            db.execute(
                "CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, id TEXT NOT NULL,"
                " json BLOB NOT NULL)"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER,"
                " mtime_ns INTEGER, inode INTEGER, seen_ns INTEGER, key TEXT)"
            )
            db.commit()
            self._db, self._pid = db, os.getpid()
        return self._db

    def key_of(self, path: Path) -> str:
        """The content key of a file: from its stamp when unchanged since the last run,
        else from its bytes (as git's index does: size, modification time, inode)."""
        if self._stamps is None:
            exists = self.path is not None and self.path.is_file()
            self._stamps = {
                row[0]: (row[1], row[2], row[3], row[4], row[5])
                for row in self._connection().execute("SELECT * FROM files")
            } if exists else {}
        stat = path.stat()
        name = os.path.abspath(path)  # noqa: PTH100 - resolve() costs a syscall per part
        known = self._stamps.get(name)
        if (known is not None and known[:3] == (stat.st_size, stat.st_mtime_ns, stat.st_ino)
                and stat.st_mtime_ns < known[3] - _RACY_NS):
            key = known[4]
        else:
            key = content_key(path.read_bytes())
            self._stamps[name] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, time.time_ns(), key)
        self._seen_files.add(name)
        return key

    def get(self, key: str) -> str | None:
        """The id of the record stored under ``key``, if any (its JSON stays on disk)."""
        if self._ids is None:
            # One query for every id: ten thousand point queries cost more than reading them.
            exists = self.path is not None and self.path.is_file()
            self._ids = dict(self._connection().execute("SELECT key, id FROM records")) if exists else {}
        found = self._ids.get(key)
        if found is not None:
            self.used.add(key)
        return found

    def json_of(self, key: str) -> bytes:
        """The JSON of a record stored (or about to be stored) under ``key``."""
        pending = self._pending.get(key)
        if pending is not None:
            return pending[1]
        row = self._connection().execute("SELECT json FROM records WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(f"record {key} is not in the cache {self.path}")
        return bytes(row[0])

    def put(self, key: str, record: CaseStudy) -> None:
        """Remember a valid record (written by :meth:`save`)."""
        self.put_json(key, record.id, record.model_dump_json().encode("utf-8"))

    def put_json(self, key: str, record_id: str, source: bytes) -> None:
        """Remember a valid record given as its JSON."""
        self._pending[key] = (record_id, source)
        self.used.add(key)
        if self.path is not None and len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        db = self._connection()
        db.executemany("INSERT OR REPLACE INTO records (key, id, json) VALUES (?, ?, ?)",
                       ((key, rid, source) for key, (rid, source) in self._pending.items()))
        db.commit()
        if self._ids is not None:
            self._ids.update((key, rid) for key, (rid, _) in self._pending.items())
        self._pending = {}

    def save(self) -> None:
        """Write new records and forget those no file has any more."""
        if self.path is None or (not self._pending and self._db is None):
            return
        self._flush()
        db = self._connection()
        db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
        db.execute("DELETE FROM keep")
        db.executemany("INSERT OR IGNORE INTO keep (key) VALUES (?)", ((k,) for k in self.used))
        db.execute("DELETE FROM records WHERE key NOT IN (SELECT key FROM keep)")
        if self._stamps is not None:
            db.execute("DELETE FROM files")
            db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)",
                           ((name, *self._stamps[name]) for name in sorted(self._seen_files)
                            if self._stamps[name][4] in self.used))
        db.commit()


def record_from_json(text: str | bytes) -> CaseStudy:
    """A cached record as a model again (checked by pydantic: the cache is only a file)."""
    return CaseStudy.model_validate_json(text)
