"""``mappings/wikidata-properties.tsv``: how each contract field becomes a Wikidata statement.

The table is curated by hand beside the SSSOM ledgers, but it is not a
ledger: one row per contract field, naming the property, its datatype, the
qualifiers and the reference the statement carries. The publishing step and
the tests that keep property ids honest read it through :func:`read_property_table`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lod import resources
from lod.inputs import InputFileError, read_tsv
from lod.ledgers import MappingFileError

PROPERTY_COLUMNS: Final = ("field", "property", "label", "datatype", "qualifiers", "reference", "comment")
PID_RE: Final = re.compile(r"\bP[1-9][0-9]*\b")


class PropertyRow(BaseModel):
    """How one contract field becomes a Wikidata statement (read by the publishing step)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(description="contract field path, e.g. institutions[].isil")
    property: str = Field(pattern=r"^P[1-9][0-9]*$", description="the Wikidata property")
    label: str = Field(description="the property's current English label")
    datatype: str = Field(description="the property's Wikibase datatype")
    qualifiers: str = Field("", description="PID=field pairs added as qualifiers, ';'-separated")
    reference: str = Field("", description="PID=field pairs of the reference, ';'-separated")
    comment: str = Field("", description="where the value comes from and what to watch")

    def pids(self) -> list[str]:
        """Every property the row uses: the statement's, its qualifiers' and its reference's."""
        return [self.property, *PID_RE.findall(self.qualifiers), *PID_RE.findall(self.reference)]


def read_property_table(path: Path | None = None) -> list[PropertyRow]:
    """``mappings/wikidata-properties.tsv`` as typed rows; :class:`MappingFileError` names a bad line."""
    path = path or resources.mappings_dir() / "wikidata-properties.tsv"
    try:
        rows = read_tsv(path, PROPERTY_COLUMNS, exact=True, quoted=False)
    except InputFileError as error:
        raise MappingFileError(str(error.problem)) from None
    found = []
    for row in rows:
        try:
            found.append(PropertyRow.model_validate(row.values))
        except ValidationError as error:
            item = error.errors()[0]
            where = item["loc"][0] if item["loc"] else "(row)"
            raise MappingFileError(f"{path}:{row.line}: {where}: {item['msg']}") from None
    return found
