"""Load case-study files into models, collecting every problem of every file.

A curator fixing a batch wants the whole list at once, so nothing here stops
at the first error: each file is parsed, checked against the contract, and
the cross-file rules (id equals file stem, ids unique) are applied last.
"""

from __future__ import annotations

import json
import os
import types
import typing
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel, ValidationError

from lod.ingest.cache import RecordCache, content_key, record_from_json
from lod.ingest.yamlfile import FieldPath, YamlDocument, YamlSyntaxError, decode_utf8, parse_yaml
from lod.model import terms
from lod.model.case_study import ID_RE, CaseStudy, Institution
from lod.problems import Problem

DRAFT_SUFFIX = ".draft.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


class LoadedRecord:
    """A valid record with the document it came from (for line numbers later).

    A record checked in a worker process, or found in the cache, is kept as its
    JSON (in the record cache when there is one) until ``record`` is first
    read: a rebuild that only needs ids and cache keys never re-validates it,
    and a large collection is never all in memory as models.
    """

    __slots__ = ("_cache", "_record", "_source", "derived", "document", "id", "key")

    def __init__(self, record: CaseStudy | None, document: YamlDocument, key: str = "",
                 *, record_id: str | None = None, source: bytes | None = None,
                 cache: RecordCache | None = None, derived: object = None) -> None:
        if record is None and (record_id is None or (source is None and cache is None)):
            raise ValueError("a LoadedRecord needs a record, or its id and its JSON")
        self._record = record
        self._source = source
        self._cache = cache
        self.document = document
        #: Content key of the file's bytes (empty when loaded without a cache): later
        #: steps key their own caches on it instead of re-serialising the record.
        self.key = key
        self.id: str = record.id if record is not None else str(record_id)
        #: What the loader's ``derive`` function gave for this record, if it ran.
        self.derived = derived

    @property
    def record(self) -> CaseStudy:
        """The record as a model (validated from its JSON on first use)."""
        if self._record is None:
            self._record = record_from_json(self.source_json())
        return self._record

    def model(self) -> CaseStudy:
        """The record as a model, without keeping it: for passes over many records."""
        if self._record is not None:
            return self._record
        return record_from_json(self.source_json())

    @property
    def path(self) -> Path:
        """The file the record was read from."""
        return self.document.path

    def source_json(self) -> bytes:
        """The record as JSON (what the record cache stores)."""
        if self._source is not None:
            return self._source
        if self._record is None and self._cache is not None:
            return self._cache.json_of(self.key)
        return self.record.model_dump_json().encode("utf-8")

    @property
    def institutions(self) -> tuple[Institution, ...]:
        """The record's institutions, without building the whole model when it is still JSON."""
        if self._record is not None:
            return tuple(self._record.institutions)
        data = json.loads(self.source_json())
        return tuple(Institution.model_validate(item) for item in data["institutions"])

    def __repr__(self) -> str:
        return f"LoadedRecord({self.id!r}, {self.path})"


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


def discover(paths: Iterable[Path], *, include_drafts: bool = True) -> list[Path]:
    """The YAML files named or contained (not recursively) in ``paths``, sorted."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            # scandir knows each entry's type from the directory listing: no stat per file.
            with os.scandir(path) as entries:
                found.update(path / entry.name for entry in entries
                             if PurePath(entry.name).suffix in YAML_SUFFIXES and entry.is_file())
        else:
            found.add(path)
    return sorted((p for p in found if include_drafts or not is_draft_file(p)), key=lambda p: p.parts)


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


def _problems_from_validation(error: ValidationError, document: YamlDocument) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc: FieldPath = tuple(part for part in item["loc"] if part != "[key]")
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
    return (record if not problems else None), problems


def check_file(path: Path, data: bytes) -> tuple[CaseStudy | None, YamlDocument, list[Problem]]:
    """Parse and check one file's bytes (pure: no reading, no cache)."""
    try:
        document = parse_yaml(path, decode_utf8(data))
    except YamlSyntaxError as error:
        return None, YamlDocument(path, None), [Problem(path, error.line, "(yaml)", error.message)]
    record, problems = check_document(document)
    document.data = None  # the model holds the facts now; keep memory flat
    return record, document, problems


@dataclass
class _Checked:
    """One file's outcome: a model (checked here) or its JSON (checked in a worker)."""

    key: str  # of the bytes actually parsed
    record: CaseStudy | None
    source: tuple[str, bytes] | None  # (id, JSON)
    document: YamlDocument
    problems: list[Problem]
    derived: object = None


#: What a worker sends back for one file: key, (id, JSON) when valid, problems, derived value.
_WorkerResult = tuple[str, tuple[str, bytes] | None, list[Problem], object]


def _check_chunk(paths: Sequence[Path], keyed: bool,
                 derive: Callable[[CaseStudy], object] | None) -> list[_WorkerResult]:
    """Read, parse and check files in a worker process.

    The worker reads each file itself (the parent never holds a batch of
    files) and sends the record back as JSON, not as a model. Line maps are
    re-read from the file if a problem needs them later.
    """
    results: list[_WorkerResult] = []
    for path in paths:
        data = path.read_bytes()
        record, _, problems = check_file(path, data)
        source = None if record is None else (record.id, record.model_dump_json().encode("utf-8"))
        derived = None if record is None or derive is None else derive(record)
        results.append((content_key(data) if keyed else "", source, problems, derived))
    return results


def _check_all(items: list[tuple[Path, str]], parallel_from: int, keyed: bool,
               derive: Callable[[CaseStudy], object] | None) -> Generator[_Checked, None, None]:
    """Check many files, spread over the cores when there are enough to pay for it."""
    workers = os.cpu_count() or 1
    if workers < 2 or len(items) < parallel_from:
        for path, key in items:
            record, document, problems = check_file(path, path.read_bytes())
            derived = None if record is None or derive is None else derive(record)
            yield _Checked(key, record, None, document, problems, derived)
        return
    size = max(1, min(200, len(items) // (workers * 2)))
    chunks = [[path for path, _ in items[i : i + size]] for i in range(0, len(items), size)]
    task = partial(_check_chunk, keyed=keyed, derive=derive)
    seen: dict[str, str] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for chunk, results in zip(chunks, pool.map(task, chunks), strict=True):
            for path, (key, source, problems, derived) in zip(chunk, results, strict=True):
                yield _Checked(key, None, source, YamlDocument(path, None), problems,
                               _shared_strings(derived, seen))


def _shared_strings(value: object, seen: dict[str, str]) -> object:
    """A derived list of strings with each distinct string held once across all files.

    Values derived from many records repeat (the same institution in hundreds
    of case studies); each comes back from a worker as a new object.
    """
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [seen.setdefault(item, item) for item in value]
    return value


#: Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_FROM = 400


def load_case_studies(
    paths: Iterable[Path], *, include_drafts: bool = True, cache: RecordCache | None = None,
    parallel_from: int = PARALLEL_FROM, derive: Callable[[CaseStudy], object] | None = None,
) -> Loaded:
    """Load every case-study file under ``paths``; problems are collected, never raised.

    With a ``cache``, a file whose bytes were read and found valid before is not
    parsed again. Many files to parse are parsed in worker processes.
    ``derive`` runs on each record parsed in this call, where it is parsed; its
    value is ``LoadedRecord.derived`` (later steps use it to get work done in
    the same pass).
    """
    loaded = Loaded()
    found: list[tuple[Path, str, str | None]] = []
    to_check: list[tuple[Path, str]] = []
    for path in discover(paths, include_drafts=include_drafts):
        loaded.files += 1
        if not path.exists():
            loaded.problems.append(Problem(path, 1, "(file)", "no such file or directory"))
            continue
        key = cache.key_of(path) if cache is not None else ""
        cached = cache.get(key) if cache is not None else None
        found.append((path, key, cached))
        if cached is None:
            to_check.append((path, key))
    checked = _check_all(to_check, parallel_from, cache is not None, derive)
    try:
        _collect(loaded, found, checked, cache)
    finally:
        checked.close()  # shuts the worker pool down
    loaded.problems.sort()
    if cache is not None:
        cache.save()
    return loaded


def _collect(loaded: Loaded, found: list[tuple[Path, str, str | None]],
             checked: Iterator[_Checked], cache: RecordCache | None) -> None:
    """Turn every file's outcome into a record or problems, in file order; ids once each."""
    first_seen: dict[str, Path] = {}
    for path, key, cached in found:
        if cached is not None:
            # A cached record's line numbers, if ever needed, are read from the file.
            document = YamlDocument(path, None)
            item = LoadedRecord(None, document, key, record_id=cached, cache=cache)
        else:
            outcome = next(checked)
            document = outcome.document
            loaded.problems.extend(outcome.problems)
            key = outcome.key or key  # the file may have changed since it was hashed
            if outcome.record is not None:
                item = LoadedRecord(outcome.record, document, key, derived=outcome.derived)
                if cache is not None:
                    cache.put(key, outcome.record)
            elif outcome.source is not None:
                record_id, source = outcome.source
                if cache is not None:
                    cache.put_json(key, record_id, source)
                item = LoadedRecord(None, document, key, record_id=record_id, cache=cache,
                                    source=None if cache is not None else source,
                                    derived=outcome.derived)
            else:
                continue
        if not is_draft_file(path):
            earlier = first_seen.setdefault(item.id, path)
            if earlier != path:
                loaded.problems.append(
                    Problem(
                        path,
                        document.line_of(("id",)),
                        "id",
                        f"duplicate id {item.id!r}: already used by {earlier}; ids must be unique",
                    )
                )
                continue
        loaded.records.append(item)
