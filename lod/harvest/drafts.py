"""Write draft records without ever losing a curator's work, and all at once.

Rules (issue 4): a record whose status is ``reviewed`` or ``published`` is
never overwritten; the new draft goes beside it as ``<id>.draft.yaml`` and the
fields that differ are reported. The same holds for a ``draft`` that a person
has edited since lod wrote it (or that lod never wrote): the state file keeps
a hash of every file lod wrote, and only a file still equal to it is replaced.
A file whose content would not change is not touched at all.

Every file of a run is first written into a staging directory inside the
output directory; :meth:`DraftStore.commit` moves them into place (each move
atomic) and then writes the state file; :meth:`DraftStore.abort` leaves the
output directory exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lod.files import write_atomic
from lod.ingest.load import DRAFT_SUFFIX
from lod.inputs import read_case_study, read_harvest_state
from lod.model.policy import CURATED_STATUSES

STATE_FILE = ".harvest-state.json"
STATE_VERSION = 1
#: Fields that always differ between a draft and a curated record, left out of diffs.
_NOT_COMPARED = ("status", "notes", "source")


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line text as literal blocks: diffs a curator can read."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if re.fullmatch(
        r"\d{4}(?:-\d{2}){0,2}", value
    ):  # dates: always quoted, as the format doc shows
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def render_yaml(record: dict[str, Any]) -> str:
    """The record as YAML text, keys in the given order."""
    return yaml.dump(
        record,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Written:
    """What happened to one record: new, changed, unchanged or kept (protected)."""

    record_id: str
    path: Path
    outcome: str
    reason: str = ""
    differs: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for the run summary."""
        if self.outcome != "kept":
            return f"{self.path}: {self.outcome}"
        fields = ", ".join(self.differs) if self.differs else "nothing but status, notes and source"
        return f"{self.path.with_name(self.record_id + '.yaml')} is {self.reason}: wrote {self.path.name} (differs in: {fields})"


def differing_fields(old: Any, new: dict[str, Any]) -> tuple[str, ...]:
    """Top-level fields whose values differ (status, notes and source not compared)."""
    if not isinstance(old, dict):
        return tuple(key for key in new if key not in _NOT_COMPARED)
    keys = list(dict.fromkeys([*old, *new]))
    return tuple(key for key in keys if key not in _NOT_COMPARED and old.get(key) != new.get(key))


@dataclass
class DraftStore:
    """Drafts and the harvest state of one output directory (see the module docstring)."""

    out_dir: Path
    state: dict[str, Any] = field(default_factory=dict)
    _staged: list[tuple[Path, Path]] = field(default_factory=list)
    _staging: Path | None = None
    _created_out: bool = False
    _state_changed: bool = False
    _claimed: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.state = load_state(self.out_dir)

    @property
    def pages(self) -> dict[str, dict[str, Any]]:
        """Harvest state: page title -> {revision, id}."""
        pages: dict[str, dict[str, Any]] = self.state.setdefault("pages", {})
        return pages

    @property
    def files(self) -> dict[str, str]:
        """File name -> hash of the content lod last wrote there."""
        files: dict[str, str] = self.state.setdefault("files", {})
        return files

    def mark_changed(self) -> None:
        """The state must be written at commit (e.g. a page's revision moved on)."""
        self._state_changed = True

    def claim(self, wanted: str, owner_ids: set[str]) -> str:
        """A record id not yet used in this run or by another source: ``x``, ``x-2``, ..."""
        candidate, number = wanted, 1
        while candidate in self._claimed or candidate in owner_ids:
            number += 1
            candidate = f"{wanted[: 80 - len(str(number)) - 1]}-{number}"
        self._claimed.add(candidate)
        return candidate

    def exists(self, record_id: str) -> bool:
        """True when the record (or a draft beside it) is in the output directory."""
        return (self.out_dir / f"{record_id}.yaml").exists() or (
            self.out_dir / f"{record_id}{DRAFT_SUFFIX}"
        ).exists()

    def _stage(self, target: Path, data: bytes) -> None:
        if self._staging is None:
            if not self.out_dir.exists():
                self.out_dir.mkdir(parents=True)
                self._created_out = True
            self._staging = Path(tempfile.mkdtemp(prefix=".lod-staging-", dir=self.out_dir))
        staged = self._staging / f"{len(self._staged)}-{target.name}"
        staged.write_bytes(data)
        self._staged.append((staged, target))
        self.files[target.name] = _sha(data)
        self._state_changed = True

    def write(self, record_id: str, record: dict[str, Any]) -> Written:
        """Stage ``record`` as ``<id>.yaml``, or beside it as a draft when that one is protected."""
        data = render_yaml(record).encode("utf-8")
        target = self.out_dir / f"{record_id}.yaml"
        if not target.exists():
            self._stage(target, data)
            return Written(record_id, target, "new")
        current = read_case_study(target)
        if current == data:
            return Written(record_id, target, "unchanged")
        reason = self._protection(target, current)
        if reason is None:
            self._stage(target, data)
            return Written(record_id, target, "changed")
        try:
            old = yaml.safe_load(current)
        except yaml.YAMLError:
            old = None
        beside = self.out_dir / f"{record_id}{DRAFT_SUFFIX}"
        differs = differing_fields(old, yaml.safe_load(data))
        if not (beside.exists() and read_case_study(beside) == data):
            self._stage(beside, data)
        return Written(record_id, beside, "kept", reason, differs)

    def _protection(self, target: Path, current: bytes) -> str | None:
        """Why ``target`` must not be replaced, or None when lod may replace it."""
        try:
            old = yaml.safe_load(current)
        except yaml.YAMLError:
            return "not valid YAML (left for a person to fix)"
        status = old.get("status") if isinstance(old, dict) else None
        if status in CURATED_STATUSES:
            return f"{status}"
        if self.files.get(target.name) != _sha(current):
            return (
                "a draft edited by hand"
                if target.name in self.files
                else "a draft lod did not write"
            )
        return None

    def commit(self) -> list[Path]:
        """Move every staged file into place, then write the state; return the files written."""
        written: list[Path] = []
        try:
            for staged, target in self._staged:
                write_atomic(target, staged.read_bytes())
                written.append(target)
            if self._state_changed:
                self.out_dir.mkdir(parents=True, exist_ok=True)
                save_state(self.out_dir, self.state)
        finally:
            self._cleanup()
        return written

    def abort(self) -> None:
        """Forget every staged file: the output directory is left as it was."""
        self._staged.clear()
        self._cleanup()
        if self._created_out and self.out_dir.is_dir() and not any(self.out_dir.iterdir()):
            self.out_dir.rmdir()

    def _cleanup(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None


def load_state(out_dir: Path) -> dict[str, Any]:
    """The state file of ``out_dir`` (empty when absent or unreadable: then everything is new)."""
    data = read_harvest_state(out_dir / STATE_FILE)  # a damaged one is refused, naming it
    if data is None or data.get("version") != STATE_VERSION:
        return {"version": STATE_VERSION, "pages": {}, "files": {}}
    return data


def save_state(out_dir: Path, state: dict[str, Any]) -> None:
    """Write the state file atomically (temporary file, then rename)."""
    text = json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    path = out_dir / STATE_FILE
    if read_harvest_state(path) == state:
        return
    write_atomic(path, text)
