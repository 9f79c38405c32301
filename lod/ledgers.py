"""The curated SSSOM ledgers in ``mappings/`` (the field-to-property table is :mod:`lod.propertytable`).

A ledger is the memory of every curator decision about a Wikidata link: an
accepted row becomes ``owl:sameAs`` in the build, a rejected row
(``predicate_modifier: Not``) stops the pair from being proposed again. Both
must survive hand edits and concurrent branches, so every file has one
canonical form (fixed columns, sorted rows, LF, UTF-8) that :func:`render_sssom`
produces and a test compares against; writes go through a temporary file and a
rename so that no reader ever sees half a ledger.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from lod import resources
from lod.files import write_atomic
from lod.inputs import InputFileError, read_sssom_text
from lod.namespaces import DEFAULT_BASE, SKOS, VOCAB, WD

#: Column order of every SSSOM file the project writes (a subset of the SSSOM slots).
COLUMNS: Final = (
    "record_id",
    "subject_id",
    "subject_label",
    "predicate_id",
    "predicate_modifier",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "author_id",
    "reviewer_id",
    "mapping_tool",
    "mapping_date",
    "comment",
)
#: Metadata keys in the order they are written.
METADATA_KEYS: Final = ("curie_map", "mapping_set_id", "mapping_set_title", "license", "comment")

INSTITUTION_PREFIX: Final = "lcsinst"
UNIT_PREFIX: Final = "unit"
RECORD_PREFIX: Final = "lcsmap"
CC0: Final = "https://creativecommons.org/publicdomain/zero/1.0/"
MAPPING_SET_BASE: Final = f"{DEFAULT_BASE}mappings/"

#: Every prefix a ledger may use; subject ids of institutions derive from the default base.
CURIE_MAP: Final[dict[str, str]] = {
    INSTITUTION_PREFIX: f"{DEFAULT_BASE}institution/",
    RECORD_PREFIX: f"{DEFAULT_BASE}mapping/",
    "orcid": "https://orcid.org/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": SKOS,
    UNIT_PREFIX: f"{VOCAB}ifla-unit/",
    "wd": WD,
    "wdu": "https://www.wikidata.org/wiki/User:",
}

#: Ledger file name -> the subject prefix whose rows it holds.
LEDGERS: Final[dict[str, str]] = {
    "institutions.sssom.tsv": INSTITUTION_PREFIX,
    "ifla-units.sssom.tsv": UNIT_PREFIX,
}

#: The SEMAPV justifications this project uses (https://w3id.org/semapv/vocab/).
JUSTIFICATIONS: Final = frozenset(
    {
        "semapv:BackgroundKnowledgeBasedMatching",
        "semapv:CompositeMatching",
        "semapv:LexicalMatching",
        "semapv:ManualMappingCuration",
        "semapv:MappingReview",
        "semapv:UnspecifiedMatching",
    }
)
PREDICATES: Final = frozenset({"skos:exactMatch", "owl:sameAs"})
NOT: Final = "Not"

_CURIE_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):(\S+)")
_OBJECT_RE = re.compile(r"wd:Q[1-9][0-9]*")
#: Columns with a closed set of values: the values, and how an error message names them.
_CLOSED: Final[dict[str, tuple[frozenset[str], str]]] = {
    "predicate_modifier": (frozenset({"", NOT}), "empty or 'Not'"),
    "predicate_id": (PREDICATES, f"one of {sorted(PREDICATES)}"),
    "mapping_justification": (JUSTIFICATIONS, f"one of {sorted(JUSTIFICATIONS)}"),
}


class MappingFileError(ValueError):
    """A mapping file that cannot be read; the message names the file and line."""


class MappingRow(BaseModel):
    """One SSSOM mapping: a subject of ours, a Wikidata item and how we know."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    record_id: str = Field(description="stable id of this row: lcsmap:<hash of subject and object>")
    subject_id: str = Field(description="CURIE of our institution (lcsinst:<key>) or unit (unit:<id>)")
    subject_label: str = Field(description="the name in our records")
    predicate_id: str = Field("skos:exactMatch", description="skos:exactMatch")
    predicate_modifier: str = Field("", description="'Not' for a rejected pair, else empty")
    object_id: str = Field(description="the Wikidata item as wd:Q…")
    object_label: str = Field("", description="the item's label when the row was made")
    mapping_justification: str = Field(description="semapv: term saying how the match was found")
    confidence: float | None = Field(None, ge=0, le=1, description="score of the matcher, 0-1")
    author_id: str = Field("", description="CURIE of the curator asserting the row")
    reviewer_id: str = Field("", description="CURIE of the curator who reviewed it")
    mapping_tool: str = Field("", description="tool that proposed the row, if any")
    mapping_date: str = Field("", description="ISO date the row was made or decided")
    comment: str = Field("", description="evidence found and any curator remark")

    @field_validator("subject_id", "record_id")
    @classmethod
    def _curie(cls, value: str) -> str:
        if not _CURIE_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not a CURIE (prefix:local)")
        return value

    @field_validator("object_id")
    @classmethod
    def _object(cls, value: str) -> str:
        if not _OBJECT_RE.fullmatch(value):
            raise ValueError(f"object_id {value!r} must be a Wikidata item as wd:Q…")
        return value

    @field_validator(*_CLOSED)
    @classmethod
    def _closed(cls, value: str, info: ValidationInfo) -> str:
        allowed, words = _CLOSED[str(info.field_name)]
        if value not in allowed:
            raise ValueError(f"{info.field_name} {value!r} must be {words}")
        return value

    @field_validator("mapping_date")
    @classmethod
    def _date(cls, value: str) -> str:
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"mapping_date {value!r} must be an ISO date YYYY-MM-DD") from None
        return value

    @field_validator("subject_label", "object_label", "comment", "mapping_tool")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @property
    def negated(self) -> bool:
        """True for a rejected pair (``predicate_modifier: Not``)."""
        return self.predicate_modifier == NOT

    @property
    def qid(self) -> str:
        """The Wikidata item id without the ``wd:`` prefix."""
        return self.object_id.removeprefix("wd:")

    @property
    def pair(self) -> tuple[str, str]:
        """(subject, object): what a decision is about."""
        return (self.subject_id, self.object_id)


@dataclass(frozen=True)
class MappingSet:
    """An SSSOM file: set-level metadata and the rows."""

    mapping_set_id: str
    rows: tuple[MappingRow, ...] = ()
    title: str = ""
    license: str = CC0
    comment: str = ""
    curie_map: Mapping[str, str] = field(default_factory=lambda: dict(CURIE_MAP))

    def with_rows(self, rows: Iterable[MappingRow]) -> MappingSet:
        """The same set with other rows (sorted canonically)."""
        return MappingSet(self.mapping_set_id, sort_rows(rows), self.title, self.license,
                          self.comment, self.curie_map)


def record_id(subject_id: str, object_id: str) -> str:
    """Stable row id for a (subject, object) pair, so a decision can name it on the command line."""
    digest = hashlib.sha1(f"{subject_id} {object_id}".encode(), usedforsecurity=False).hexdigest()
    return f"{RECORD_PREFIX}:{digest[:10]}"


def institution_subject(key: str) -> str:
    """Subject CURIE of an institution from :func:`lod.rdf.build.institution_key`."""
    return f"{INSTITUTION_PREFIX}:{key}"


def _sort_key(row: MappingRow) -> tuple[str, str, str, float]:
    return (row.subject_id, row.predicate_modifier, row.object_id, -(row.confidence or 0.0))


def sort_rows(rows: Iterable[MappingRow]) -> tuple[MappingRow, ...]:
    """Canonical order: by subject, positive before negated, then by object."""
    return tuple(sorted(rows, key=_sort_key))


def empty_set(name: str, *, title: str = "", comment: str = "") -> MappingSet:
    """A new mapping set named after its file."""
    return MappingSet(f"{MAPPING_SET_BASE}{name}", (), title, CC0, comment, dict(CURIE_MAP))


# --- reading -----------------------------------------------------------------------------


def _split_header(text: str) -> tuple[list[str], list[str]]:
    lines = text.split("\n")
    header: list[str] = []
    while lines and lines[0].startswith("#"):
        header.append(lines.pop(0)[1:])
    return header, lines


def parse_sssom(text: str, *, source: str = "<sssom>") -> MappingSet:
    """Parse SSSOM TSV text (``#``-prefixed YAML metadata, then a header row and rows)."""
    header, body = _split_header(text)
    metadata = "\n".join(header)
    try:
        meta = yaml.safe_load(metadata) or {}
    except yaml.YAMLError as error:
        raise MappingFileError(f"{source}:1: metadata: not valid YAML ({error})") from None
    if not isinstance(meta, dict):
        raise MappingFileError(f"{source}:1: metadata: expected a mapping of keys")
    unknown = sorted(set(meta) - set(METADATA_KEYS))
    if unknown:
        raise MappingFileError(f"{source}:1: metadata: unknown keys {unknown}")
    if not meta.get("mapping_set_id"):
        raise MappingFileError(f"{source}:1: metadata: mapping_set_id is required")
    curie_map = meta.get("curie_map") or {}
    first = len(header) + 1
    reader = csv.reader(io.StringIO("\n".join(body)), delimiter="\t", quoting=csv.QUOTE_NONE)
    table = [line for line in reader if line]
    if not table:
        raise MappingFileError(f"{source}:{first}: missing the column header row")
    columns = table[0]
    if tuple(columns) != COLUMNS:
        raise MappingFileError(
            f"{source}:{first}: columns must be exactly {', '.join(COLUMNS)}; got {', '.join(columns)}"
        )
    rows = []
    for number, values in enumerate(table[1:], start=first + 1):
        if len(values) != len(COLUMNS):
            raise MappingFileError(f"{source}:{number}: {len(values)} fields; expected {len(COLUMNS)}")
        data: dict[str, object] = dict(zip(COLUMNS, values, strict=True))
        data["confidence"] = values[COLUMNS.index("confidence")] or None
        try:
            rows.append(MappingRow.model_validate(data))
        except ValidationError as error:
            item = error.errors()[0]
            where = item["loc"][0] if item["loc"] else "(row)"
            message = str(item["msg"]).removeprefix("Value error, ")
            raise MappingFileError(f"{source}:{number}: {where}: {message}") from None
    return MappingSet(
        mapping_set_id=str(meta["mapping_set_id"]),
        rows=tuple(rows),
        title=str(meta.get("mapping_set_title") or ""),
        license=str(meta.get("license") or CC0),
        comment=str(meta.get("comment") or ""),
        curie_map={str(k): str(v) for k, v in dict(curie_map).items()},
    )


def read_sssom(path: Path) -> MappingSet:
    """Read one SSSOM TSV file."""
    try:
        text = read_sssom_text(path)
    except InputFileError as error:
        raise MappingFileError(str(error.problem)) from None
    return parse_sssom(text, source=str(path))


def read_ledger(directory: Path | None = None) -> MappingSet:
    """Every ledger in ``mappings/`` as one set (absent files count as empty)."""
    folder = directory or resources.mappings_dir()
    rows: list[MappingRow] = []
    for name in LEDGERS:
        path = folder / name
        if os.path.lexists(path):  # a dangling symlink is a damaged ledger, not an absent one
            rows.extend(read_sssom(path).rows)
    return empty_set("ledger").with_rows(rows)


# --- writing -----------------------------------------------------------------------------


def _format_confidence(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def render_sssom(mapping_set: MappingSet) -> str:
    """The canonical text of a mapping set: fixed metadata and column order, sorted rows."""
    meta: dict[str, object] = {"curie_map": dict(sorted(mapping_set.curie_map.items()))}
    meta["mapping_set_id"] = mapping_set.mapping_set_id
    if mapping_set.title:
        meta["mapping_set_title"] = mapping_set.title
    meta["license"] = mapping_set.license
    if mapping_set.comment:
        meta["comment"] = mapping_set.comment
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    lines = [f"# {line}".rstrip() for line in dumped.rstrip("\n").split("\n")]
    lines.append("\t".join(COLUMNS))
    for row in sort_rows(mapping_set.rows):
        values = row.model_dump()
        values["confidence"] = _format_confidence(row.confidence)
        lines.append("\t".join(str(values[name]) for name in COLUMNS))
    return "\n".join(lines) + "\n"


def write_sssom(path: Path, mapping_set: MappingSet) -> None:
    """Write a mapping set in canonical form, atomically."""
    write_atomic(path, render_sssom(mapping_set))


# --- integrity ---------------------------------------------------------------------------


def row_problems(row: MappingRow, curie_map: Mapping[str, str]) -> list[str]:
    """What is wrong with one row of a decided ledger (empty when it is fine)."""
    problems = []
    for name in ("subject_id", "object_id", "predicate_id", "mapping_justification", "record_id"):
        prefix = getattr(row, name).split(":", 1)[0]
        if prefix not in curie_map:
            problems.append(f"{name}: prefix {prefix!r} is not declared in the curie_map")
    for name in ("author_id", "reviewer_id"):
        value = getattr(row, name)
        if not value:
            problems.append(f"{name}: a decided row names the curator (e.g. orcid:… or wdu:…)")
        elif not _CURIE_RE.fullmatch(value) or value.split(":", 1)[0] not in curie_map:
            problems.append(f"{name}: {value!r} is not a CURIE with a declared prefix")
    if not row.subject_label:
        problems.append("subject_label: empty")
    if not row.mapping_date:
        problems.append("mapping_date: empty; a decision has a date")
    if row.record_id != record_id(row.subject_id, row.object_id):
        problems.append(f"record_id: expected {record_id(row.subject_id, row.object_id)}")
    return problems


def ledger_problems(mapping_set: MappingSet, *, subject_prefix: str | None = None) -> list[str]:
    """Rules across rows: one positive item per subject, no pair both accepted and rejected."""
    problems = []
    positive: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for row in mapping_set.rows:
        where = f"{row.subject_id} -> {row.object_id}"
        problems += [f"{where}: {problem}" for problem in row_problems(row, mapping_set.curie_map)]
        if subject_prefix and not row.subject_id.startswith(f"{subject_prefix}:"):
            problems.append(f"{where}: subject_id must start with {subject_prefix}:")
        if row.pair in seen:
            problems.append(f"{where}: the pair is listed twice (one decision per pair)")
        seen.add(row.pair)
        if not row.negated:
            other = positive.setdefault(row.subject_id, row.object_id)
            if other != row.object_id:
                problems.append(f"{where}: {row.subject_id} is already mapped to {other}")
    return problems
