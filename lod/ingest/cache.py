"""Records already read and checked, by the bytes of their file.

A rebuild after one edit should not parse and check ten thousand unchanged
files again. The key is the file's content plus the source of the contract
code and its data tables, so a change to either starts afresh. The record is
kept as its JSON and turned back into a model only when a later step asks
for it: a rebuild in which nothing needs the unchanged records never pays
for validating them again.
"""

from __future__ import annotations

import hashlib
import sqlite3
from functools import cache
from pathlib import Path

from lod import resources
from lod.model.case_study import CaseStudy

_MODEL_DIR = Path(__file__).resolve().parents[1] / "model"
#: Bump when the table changes.
_FORMAT = 1


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

    ``path=None`` gives an empty cache that remembers nothing.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.used: set[str] = set()
        self._pending: list[tuple[str, str, str]] = []
        self._db: sqlite3.Connection | None = None
        self._rows: dict[str, tuple[str, str]] | None = None
        if path is not None and path.is_file():
            try:
                self._db = self._connect(path)
            except sqlite3.DatabaseError:  # not a cache we can read: start afresh
                path.unlink(missing_ok=True)

    @classmethod
    def open(cls, path: Path | None) -> RecordCache:
        """Open the cache at ``path``; a missing or unreadable cache is empty."""
        return cls(path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        db.execute("PRAGMA synchronous=NORMAL")
        if db.execute("PRAGMA user_version").fetchone()[0] != _FORMAT:
            db.execute("DROP TABLE IF EXISTS records")
            db.execute(f"PRAGMA user_version = {_FORMAT}")
        db.execute(
            "CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, id TEXT NOT NULL,"
            " json TEXT NOT NULL)"
        )
        return db

    def get(self, key: str) -> tuple[str, str] | None:
        """The id and JSON of the record stored under ``key``, if any."""
        if self._rows is None:
            # One query for all rows: ten thousand point queries cost more than reading them.
            self._rows = {} if self._db is None else {
                row[0]: (row[1], row[2]) for row in self._db.execute("SELECT key, id, json FROM records")
            }
        found = self._rows.get(key)
        if found is not None:
            self.used.add(key)
        return found

    def put(self, key: str, record: CaseStudy) -> None:
        """Remember a valid record (written by :meth:`save`)."""
        self.put_json(key, record.id, record.model_dump_json())

    def put_json(self, key: str, record_id: str, source: str) -> None:
        """Remember a valid record given as its JSON."""
        self._pending.append((key, record_id, source))
        self.used.add(key)

    def save(self) -> None:
        """Write new records and forget those no file has any more, in one transaction."""
        if self.path is None or (not self._pending and self._db is None):
            return
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._connect(self.path)
        db = self._db
        db.executemany("INSERT OR REPLACE INTO records (key, id, json) VALUES (?, ?, ?)",
                       self._pending)
        self._pending = []
        self._rows = None
        db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
        db.execute("DELETE FROM keep")
        db.executemany("INSERT OR IGNORE INTO keep (key) VALUES (?)", ((k,) for k in self.used))
        db.execute("DELETE FROM records WHERE key NOT IN (SELECT key FROM keep)")
        db.commit()


def record_from_json(text: str) -> CaseStudy:
    """A cached record as a model again (checked by pydantic: the cache is only a file)."""
    return CaseStudy.model_validate_json(text)
