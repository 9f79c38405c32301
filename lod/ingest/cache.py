"""Records already read and checked, by the bytes of their file.

A rebuild after one edit should not parse and check ten thousand unchanged
files again. The key is the file's content plus the source of the contract
code and its data tables, so a change to either starts afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from lod import resources
from lod.model.case_study import CaseStudy

_MODEL_DIR = Path(__file__).resolve().parents[1] / "model"


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


@dataclass
class RecordCache:
    """Valid records as JSON, keyed by :func:`content_key`; lives in OUT/.cache/."""

    path: Path | None
    entries: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, path: Path | None) -> RecordCache:
        """Read the cache; a missing or unreadable cache is empty."""
        if path is None or not path.is_file():
            return cls(path)
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        return cls(path, entries if isinstance(entries, dict) else {})

    def get(self, key: str) -> CaseStudy | None:
        """The record stored under ``key``, if any (re-checked by pydantic from JSON)."""
        text = self.entries.get(key)
        if text is None:
            return None
        try:
            record = CaseStudy.model_validate_json(text)
        except ValidationError:
            return None
        self.used.add(key)
        return record

    def put(self, key: str, record: CaseStudy) -> None:
        """Remember a valid record."""
        self.entries[key] = record.model_dump_json()
        self.used.add(key)

    def save(self) -> None:
        """Write the entries used in this run, atomically (others are dropped)."""
        if self.path is None or (not self.used and not self.path.exists()):
            return
        data = {k: self.entries[k] for k in sorted(self.used) if k in self.entries}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.path.parent, prefix=".records-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
        Path(name).replace(self.path)
