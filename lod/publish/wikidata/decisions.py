"""Curators' decisions to create institution items, and the class each kind of institution gets.

``mappings/wikidata-creates.tsv`` is the ledger of those decisions: one row per
institution (``subject_id`` is its ledger subject, ``lcsinst:<key>``) with the
*kind* the curator chose; nothing is created for an institution without a row,
as OpenRefine creates a new item only where a person chose "new item" for a
cell. ``mappings/wikidata-institution-classes.tsv`` maps each kind to its class
(a university is not an academic library; an archive is not a library; a
Wikimedia chapter is neither, and has no verified class yet, so it cannot be
created: its existing item is linked instead). Every id there is a verified one
of mappings/wikidata-ids.tsv.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from lod.inputs import InputFileError, read_tsv
from lod.ledgers import INSTITUTION_PREFIX

CLASS_COLUMNS: Final = ("kind", "id", "label", "note")
CREATE_COLUMNS: Final = ("subject_id", "subject_label", "kind", "author_id", "decided_on", "comment")
_QID_RE: Final = re.compile(r"Q[1-9][0-9]*")


@dataclass(frozen=True)
class InstitutionClass:
    """A row of mappings/wikidata-institution-classes.tsv: a kind of institution and its class."""

    kind: str
    qid: str | None
    label: str
    note: str = ""


@dataclass(frozen=True)
class CreateDecision:
    """A curator's decision to create an item for one institution (mappings/wikidata-creates.tsv)."""

    key: str
    kind: str


@dataclass(frozen=True)
class Options:
    """What the user allowed: new items for institutions (with a recorded decision), IFLA units."""

    create_institutions: bool = False
    create_units: bool = False
    classes: Mapping[str, InstitutionClass] = field(default_factory=dict)
    decisions: Mapping[str, CreateDecision] = field(default_factory=dict)


class DecisionFileError(ValueError):
    """A decisions or classes table that cannot be read, at a line of a file."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.exists():
        return []
    try:
        rows = read_tsv(path, columns, exact=True, quoted=False)
    except InputFileError as error:
        raise DecisionFileError(path, error.problem.line, error.problem.message) from None
    return [(row.line, {k: (v or "").strip() for k, v in row.values.items()}) for row in rows]


def read_institution_classes(path: Path) -> dict[str, InstitutionClass]:
    """kind -> its class (an empty id: no verified class, the note says why)."""
    found: dict[str, InstitutionClass] = {}
    for number, row in _rows(path, CLASS_COLUMNS):
        if row["id"] and not _QID_RE.fullmatch(row["id"]):
            raise DecisionFileError(path, number, f"id {row['id']!r} is not a QID")
        if row["kind"] in found:
            raise DecisionFileError(path, number, f"kind {row['kind']!r} given twice")
        found[row["kind"]] = InstitutionClass(row["kind"], row["id"] or None, row["label"],
                                              row["note"])
    return found


def read_create_decisions(path: Path) -> dict[str, CreateDecision]:
    """institution key -> the curator's decision to create its item (an absent file: none)."""
    found: dict[str, CreateDecision] = {}
    for number, row in _rows(path, CREATE_COLUMNS):
        prefix, _, key = row["subject_id"].partition(":")
        if prefix != INSTITUTION_PREFIX or not key:
            raise DecisionFileError(path, number, f"subject_id must be {INSTITUTION_PREFIX}:<key>")
        if not row["kind"] or not row["author_id"]:
            raise DecisionFileError(path, number, "a decision names its kind and its curator")
        try:
            dt.date.fromisoformat(row["decided_on"])
        except ValueError:
            raise DecisionFileError(path, number, "decided_on must be YYYY-MM-DD") from None
        found[key] = CreateDecision(key, row["kind"])
    return found
