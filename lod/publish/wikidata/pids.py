"""The properties a plan may use, read from mappings/wikidata-properties.tsv: no id in code.

The table is the one list of the properties the planner uses (issue 21 point
4): a row per contract field with its property, and the properties of the
statement's qualifiers and reference. Code names a property by its English
label (the row's ``label``; for a qualifier's or a reference's property, its
label in mappings/wikidata-ids.tsv, the verified table), so each id is written
once, in a table a person checked, and a property the code asks for that the
table lacks stops the plan with the file and the label, not with a KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lod import resources
from lod.ledgers import MappingFileError
from lod.problems import Problem
from lod.propertytable import read_property_table
from lod.wikidataids import IDS_FILE, WikidataIdError, verified_ids

PROPERTIES_FILE = "wikidata-properties.tsv"


class PropertyTableError(WikidataIdError):
    """A property the code needs is not in the table, or the table cannot be read."""


@dataclass(frozen=True)
class Properties:
    """The properties of the table by their English labels; ``unreferenced``: those whose rows
    carry no reference (the value is the item's own source URL or an identifier, Help:Sources)."""

    path: Path
    by_label: Mapping[str, str]
    unreferenced: frozenset[str]

    def __call__(self, label: str) -> str:
        """The id of the property labelled ``label``."""
        found = self.by_label.get(label)
        if found is None:
            raise PropertyTableError(Problem(
                self.path, 1, "property", f"no row names the property {label!r}, which the "
                "Wikidata plan uses; add its row (docs/model.md, \"Adding a field\")"))
        return found


def plan_properties(mappings: Path | None = None) -> Properties:
    """The planner's properties, from the tables in ``mappings`` (default: the package's)."""
    folder = mappings or resources.mappings_dir()
    path = folder / PROPERTIES_FILE
    return _read(path, folder, *resources.file_version(path),
                 *resources.file_version(folder / IDS_FILE))


@cache
def _read(path: Path, folder: Path, *versions: int) -> Properties:
    try:
        rows = read_property_table(path)
    except MappingFileError as error:
        raise PropertyTableError(Problem(path, 1, "(table)", str(error))) from None
    labels = verified_ids(folder)
    by_label: dict[str, str] = {}
    for row in rows:
        by_label[row.label] = row.property
        for pid in row.pids()[1:]:
            if pid not in labels:
                raise PropertyTableError(Problem(path, 1, row.field, f"{pid} is not a verified "
                                                 f"id of {folder / IDS_FILE}"))
            by_label[labels[pid]] = pid
    return Properties(path, by_label, frozenset(r.property for r in rows if not r.reference))
