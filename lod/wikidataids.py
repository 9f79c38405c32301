"""The verified Wikidata ids (mappings/wikidata-ids.tsv), looked up by their English labels.

Code names a Wikidata property or item by its label and reads its id here, so
that no id is written in ``lod/`` (issue 21 point 4): an id is written once, in
the table a person checked against Wikidata (tests/test_mappings.py keeps each
row's label the real one). Every label in the table is unique, so a label names
one id; a label the table lacks is an error naming the file and the label.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from lod import resources
from lod.inputs import InputFileError, read_tsv
from lod.problems import Problem

IDS_FILE = "wikidata-ids.tsv"


class WikidataIdError(ValueError):
    """An id the code needs is not in a table (or the table cannot be read): the file, what."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def verified_ids(mappings: Path | None = None) -> dict[str, str]:
    """Verified id -> its English label."""
    path = (mappings or resources.mappings_dir()) / IDS_FILE
    return dict(_read(path, *resources.file_version(path)))


def verified_id(label: str, kind: Literal["property", "item"] = "item",
                mappings: Path | None = None) -> str:
    """The verified property or item labelled ``label``."""
    path = (mappings or resources.mappings_dir()) / IDS_FILE
    found = _by_label(path, *resources.file_version(path)).get((kind, label), [])
    if len(found) != 1:
        raise WikidataIdError(Problem(path, 1, "label", f"no verified {kind} labelled {label!r} "
                                      "(lod names it by that label; add its row with the id "
                                      "checked on Wikidata)"))
    return found[0]


def values_rows(path: Path) -> tuple[tuple[str, str, str, str], ...]:
    """The rows (kind, code, id, label) of a values table (mappings/wikidata-values.tsv)."""
    return _values(path, *resources.file_version(path))


@cache
def _values(path: Path, changed: int, size: int) -> tuple[tuple[str, str, str, str], ...]:
    rows = read_tsv(path, ("kind", "code", "id", "label"), quoted=False)
    return tuple((row["kind"], row["code"], row["id"], row["label"]) for row in rows)


@cache
def _by_label(path: Path, changed: int, size: int) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for wid, label in _read(path, changed, size):
        found.setdefault(("property" if wid[:1] == "P" else "item", label), []).append(wid)
    return found


@cache
def _read(path: Path, changed: int, size: int) -> tuple[tuple[str, str], ...]:
    try:
        rows = read_tsv(path, ("id", "label"), quoted=False)
    except InputFileError as error:
        raise WikidataIdError(error.problem) from None
    return tuple((row["id"], row["label"]) for row in rows)
