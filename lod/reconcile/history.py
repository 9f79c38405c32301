"""``mappings/decision-history.tsv``: every curator decision ever made, and what it replaced.

The ledgers (:mod:`lod.ledgers`) hold the decisions in force; ``lod mappings
review`` and ``relink`` add a line here for each decision they write, so a
withdrawn or changed link can be traced (and restored) without digging
through version control. The file only grows; it is replaced whole, atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lod.files import write_atomic
from lod.inputs import InputFileError, read_text
from lod.ledgers import MappingFileError, MappingRow

HISTORY_FILE: Final = "decision-history.tsv"
HISTORY_COLUMNS: Final = ("date", "curator", "action", "record_id", "subject_id", "subject_label",
                          "object_id", "object_label", "replaced")


def decision_text(row: MappingRow) -> str:
    """A decision in words: ``accepted wd:Q1 (label) by wdu:X on 2026-01-01``."""
    verb = "rejected" if row.negated else "accepted"
    label = f" ({row.object_label})" if row.object_label else ""
    who = row.reviewer_id or row.author_id
    return f"{verb} {row.object_id}{label}" + (f" by {who}" if who else "") + (
        f" on {row.mapping_date}" if row.mapping_date else "")


@dataclass(frozen=True)
class HistoryLine:
    """One curator decision as remembered in ``mappings/decision-history.tsv``."""

    date: str
    curator: str
    action: str
    record_id: str
    subject_id: str
    subject_label: str
    object_id: str
    object_label: str
    replaced: str = ""

    @classmethod
    def of(cls, date: str, curator: str, action: str, row: MappingRow,
           old: MappingRow | None) -> HistoryLine:
        """The line for ``action`` on ``row``, replacing ``old`` (if any)."""
        return cls(date, curator, action, row.record_id, row.subject_id, row.subject_label,
                   row.object_id, row.object_label, decision_text(old) if old else "")

    def tsv(self) -> str:
        """The line as written (tabs and line breaks in values become spaces)."""
        return "\t".join(" ".join(str(getattr(self, name)).split()) for name in HISTORY_COLUMNS)


def read_history(path: Path) -> list[HistoryLine]:
    """The decision history (empty when the file does not exist yet)."""
    if not os.path.lexists(path):
        return []
    try:
        lines = read_text(path, what="decision history").split("\n")
    except InputFileError as error:
        raise MappingFileError(str(error.problem)) from None
    if lines[0].split("\t") != list(HISTORY_COLUMNS):
        raise MappingFileError(f"{path}:1: columns must be exactly {', '.join(HISTORY_COLUMNS)}")
    found = []
    for number, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        values = line.split("\t")
        if len(values) != len(HISTORY_COLUMNS):
            raise MappingFileError(f"{path}:{number}: {len(values)} fields; expected {len(HISTORY_COLUMNS)}")
        found.append(HistoryLine(*values))
    return found


def append_history(folder: Path, lines: Iterable[HistoryLine]) -> None:
    """Add decisions to ``folder/decision-history.tsv`` (the whole file replaced atomically)."""
    new = [line.tsv() for line in lines]
    if not new:
        return
    path = folder / HISTORY_FILE
    old = [line.tsv() for line in read_history(path)]
    write_atomic(path, "\n".join(["\t".join(HISTORY_COLUMNS), *old, *new]) + "\n")
