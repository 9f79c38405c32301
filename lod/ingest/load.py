"""Load the curated case-study files into models, collecting every problem of every file.

A curator fixing a batch wants the whole list at once, so nothing here stops
at the first error: each file is parsed and checked against the contract, and
the rules that span files (the id equals the file stem, ids are unique) are
applied to every file on every run. There is no cache: loading is a pure
function of the files' names and bytes.
"""

from __future__ import annotations

import os
import re
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel, ValidationError

from lod.ingest.yamlfile import FieldPath, YamlDocument, YamlSyntaxError, decode_utf8, parse_yaml
from lod.inputs import InputFileError, read_case_study, read_text
from lod.model import terms
from lod.model.case_study import DECISION_TAGS, ID_RE, CaseStudy
from lod.problems import Problem
from lod.text import forbidden_in, name_of

DRAFT_SUFFIX = ".draft.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedRecord:
    """A valid record with the document it came from (for line numbers later)."""

    record: CaseStudy
    document: YamlDocument

    @property
    def id(self) -> str:
        """The record's id (equal to its file's stem)."""
        return self.record.id

    @property
    def path(self) -> Path:
        """The file the record was read from."""
        return self.document.path


@dataclass
class Loaded:
    """What loading a set of files gave: the valid records and all problems."""

    records: list[LoadedRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0


def stem_id(path: Path) -> str:
    """The record id a file name promises: ``x.yaml`` and ``x.draft.yaml`` both give ``x``."""
    name = path.name
    if name.endswith(DRAFT_SUFFIX):
        return name[: -len(DRAFT_SUFFIX)]
    return path.stem


def is_draft_file(path: Path) -> bool:
    """Drafts written beside a reviewed record by the harvester."""
    return path.name.endswith(DRAFT_SUFFIX)


class DiscoveryError(Exception):
    """A path given to the loader cannot be listed (permissions, a symlink loop...)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.problem = Problem(path, 1, "(file)", reason)
        super().__init__(str(self.problem))


def discover(paths: Iterable[Path], *, include_drafts: bool = True) -> list[Path]:
    """The YAML files named or contained (not recursively) in ``paths``, sorted.

    Raises :class:`DiscoveryError` for a folder that cannot be listed.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            try:
                with os.scandir(path) as entries:
                    found.update(path / entry.name for entry in entries
                                 if PurePath(entry.name).suffix in YAML_SUFFIXES
                                 and _is_file(entry))
            except OSError as error:
                raise DiscoveryError(path, f"cannot list this folder: {error.strerror}") from None
        else:
            found.add(path)
    return sorted((p for p in found if include_drafts or not is_draft_file(p)), key=lambda p: p.parts)


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Anything but a plain file is reported when read: a dangling symlink, a folder named *.yaml."""
    try:
        return entry.is_file() or entry.is_symlink() or entry.is_dir()
    except OSError:  # a symlink loop: not a file, and reported when read
        return True


def render_field(where: Sequence[str | int]) -> str:
    """``('institutions', 0, 'country')`` -> ``institutions[0].country``."""
    text = ""
    for part in where:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "(record)"


def _model_fields(model: type[BaseModel] | None, where: Sequence[str | int]) -> list[str]:
    """Field names of the nested model found at ``where`` (for unknown-key hints)."""
    current: Any = model
    for part in where:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        if info is None:
            return []
        current = _inner_model(info.annotation)
    return list(current.model_fields) if current is not None else []


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType) or origin is typing.Annotated:
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _without_tags(loc: FieldPath) -> FieldPath:
    """Drop the union tag pydantic puts after ``wikidata`` (the user wrote no such key)."""
    if len(loc) > 1 and loc[0] == "wikidata" and loc[1] in DECISION_TAGS:
        return (loc[0], *loc[2:])
    return loc


def _problems_from_validation(error: ValidationError, document: YamlDocument) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc: FieldPath = _without_tags(tuple(part for part in item["loc"] if part != "[key]"))
        kind = item["type"]
        message = str(item["msg"]).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = _model_fields(CaseStudy, loc[:-1])
            message = terms.unknown_term_message("key", key, allowed)
        elif kind == "missing":
            message = f"required field '{loc[-1]}' is missing"
        elif kind == "too_short" and "at least 1" in message:
            message = "must list at least one entry"
        elif "input" in item and kind.endswith("_type"):
            message = f"{message} (got {type(item['input']).__name__})"
        problems.append(Problem(document.path, document.line_of(loc), render_field(loc), message))
    return problems


#: Fields whose text may run over several lines (and so hold newlines and tabs).
MULTILINE_FIELDS = frozenset({"summary", "sections", "notes"})


def _texts(value: Any, into: list[str]) -> None:
    """Every string in ``value`` (mapping keys included) appended to ``into``."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            into.append(item)
        elif isinstance(item, dict):
            into.extend(key for key in item if isinstance(key, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _may_hold_control(data: dict[Any, Any]) -> bool:
    """False when no text of the record can hold a refused character: the quick pass.

    Every string goes, by the rule that applies to it (multi-line text, or one
    line), into one of two texts joined with spaces, and each is searched once;
    a space is never refused, so a hit in the joined text is a hit in one of
    its strings. Only a record with a hit is walked field by field for the
    problems (:func:`_control_problems`), so a clean record pays one pass.
    """
    one_line: list[str] = []
    multiline: list[str] = []
    for key, value in data.items():
        if isinstance(key, str):
            one_line.append(key)
        _texts(value, multiline if str(key) in MULTILINE_FIELDS else one_line)
    return (forbidden_in(" ".join(one_line), multiline=False) is not None
            or forbidden_in(" ".join(multiline), multiline=True) is not None)


def _control_problems(document: YamlDocument) -> list[Problem]:
    """Every text value (and key) holding a control or bidi character (lod.text.FORBIDDEN)."""
    if isinstance(document.data, dict) and not _may_hold_control(document.data):
        return []
    return _control_walk(document)


def _control_walk(document: YamlDocument) -> list[Problem]:
    """The problems of :func:`_control_problems`, field by field, each with its line."""
    problems = []
    stack: list[tuple[FieldPath, Any]] = [((), document.data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and forbidden_in(key, multiline=False):
                    stack.append((where, key))
                stack.append(((*where, str(key)), item))
        elif isinstance(value, list):
            stack.extend(((*where, index), item) for index, item in enumerate(value))
        elif isinstance(value, str):
            multiline = bool(where) and where[0] in MULTILINE_FIELDS
            found = forbidden_in(value, multiline=multiline)
            if found is not None:
                allowed = "" if multiline else "; line breaks and tabs only in summary, sections, notes"
                problems.append(Problem(
                    document.path, document.line_of(where), render_field(where),
                    f"{name_of(found)} is not allowed in text (control and bidirectional "
                    f"characters change what a reader sees){allowed}"))
    return problems


def check_document(document: YamlDocument) -> tuple[CaseStudy | None, list[Problem]]:
    """Check one parsed file against the contract (id equals the file stem included)."""
    path = document.path
    problems = [
        Problem(path, document.line_of(where), render_field(where), "key given twice")
        for where in document.repeated
    ]
    data = document.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else type(data).__name__
        problems.append(Problem(path, 1, "(record)", f"expected a mapping of fields, got {got}"))
        return None, problems
    problems.extend(_control_problems(document))
    expected_id = stem_id(path)
    raw_id = data.get("id")
    if isinstance(raw_id, str) and ID_RE.fullmatch(raw_id) and raw_id != expected_id:
        problems.append(
            Problem(
                path,
                document.line_of(("id",)),
                "id",
                f"id {raw_id!r} does not match the file name; expected {expected_id!r} "
                f"(the file must be named {raw_id}.yaml)",
            )
        )
    try:
        record = CaseStudy.model_validate(data)
    except ValidationError as error:
        problems.extend(_problems_from_validation(error, document))
        return None, problems
    problems.extend(unfinished_review(record, document))
    return (record if not problems else None), problems


TODO_RE = re.compile(r"^\s*TODO\b.*$", re.MULTILINE)


def todo_lines(notes: str | None) -> list[str]:
    """The to-do lines an importer left in ``notes`` (each starts with ``TODO``)."""
    return [found.group(0).strip() for found in TODO_RE.finditer(notes or "")]


def unfinished_review(record: CaseStudy, document: YamlDocument) -> list[Problem]:
    """A record marked reviewed or published must not keep an importer's TODO lines.

    The TODO lines are the importer's list of values it could not be sure of;
    a review is finished when each is resolved and its line deleted. Letting
    such a record through put answers like "No" into the dumps as names.
    """
    todos = todo_lines(record.notes)
    if record.status == "draft" or not todos:
        return []
    line = _todo_line(document, todos[0])
    more = f" (and {len(todos) - 1} more)" if len(todos) > 1 else ""
    return [Problem(document.path, line, "notes",
                    f"status is {record.status!r} but notes still has {len(todos)} TODO "
                    f"line{'s' if len(todos) != 1 else ''}: {todos[0]!r}{more}; resolve each and "
                    "delete its line, or set status: draft")]


def _todo_line(document: YamlDocument, todo: str) -> int:
    """The file line of a TODO (the notes key's line when the text cannot be found)."""
    start = document.line_of(("notes",))
    try:
        text = read_text(document.path)
    except InputFileError:
        return start
    for number, line in enumerate(text.splitlines()[start - 1 :], start=start):
        if todo[:40] in line:
            return number
    return start


def check_file(path: Path, data: bytes) -> tuple[CaseStudy | None, YamlDocument, list[Problem]]:
    """Parse and check one file's bytes (pure: no reading)."""
    try:
        document = parse_yaml(path, decode_utf8(data))
    except YamlSyntaxError as error:
        return None, YamlDocument(path, None), [Problem(path, error.line, "(yaml)", error.message)]
    record, problems = check_document(document)
    document.data = None  # the model holds the facts now
    return record, document, problems


def _read(path: Path) -> bytes | Problem:
    try:
        return read_case_study(path)
    except InputFileError as error:
        return error.problem


@dataclass(frozen=True)
class Checked:
    """One file's outcome on its own: its record when it meets the contract, and its problems."""

    path: Path
    record: CaseStudy | None
    document: YamlDocument
    problems: tuple[Problem, ...]


def check_path(path: Path) -> Checked:
    """Read and check one file (the contract's rules that need only this file)."""
    data = _read(path)
    if isinstance(data, Problem):
        return Checked(path, None, YamlDocument(path, None), (data,))
    record, document, problems = check_file(path, data)
    return Checked(path, record, document, tuple(problems))


def duplicate_id(path: Path, line: int, record_id: str, earlier: Path) -> Problem:
    """The problem of a second reviewed file giving an id already used."""
    return Problem(path, line, "id",
                   f"duplicate id {record_id!r}: already used by {earlier}; ids must be unique")


def collect(outcomes: Iterable[Checked]) -> Loaded:
    """The files' outcomes, in order, with the rules across files applied (ids are unique)."""
    loaded = Loaded()
    first_seen: dict[str, Path] = {}
    for outcome in outcomes:
        loaded.files += 1
        loaded.problems.extend(outcome.problems)
        record, path, document = outcome.record, outcome.path, outcome.document
        if record is None:
            continue
        if not is_draft_file(path):
            earlier = first_seen.setdefault(record.id, path)
            if earlier != path:
                loaded.problems.append(
                    duplicate_id(path, document.line_of(("id",)), record.id, earlier))
                continue
        loaded.records.append(LoadedRecord(record, document))
    loaded.problems.sort()
    return loaded


def load_case_studies(paths: Iterable[Path], *, include_drafts: bool = True) -> Loaded:
    """Load every case-study file under ``paths``; problems are collected, never raised."""
    return collect(check_path(path) for path in discover(paths, include_drafts=include_drafts))
