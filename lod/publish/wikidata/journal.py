"""The publish journal: OUT/journal.jsonl, append-only, one JSON object per line.

Each line is flushed and fsync'd before the call it announces and after its
outcome, so a crash, a kill or Ctrl-C at any point leaves a journal that says
what may have happened: ``intended`` without an outcome means "maybe landed;
ask the wiki". Events:

- ``batch``: a run of a batch began (batch id, API URL, the id map, the plan's sha256);
- ``intended``: an edit is about to be sent (key, action, item, baserevid);
- ``done``: it landed (key, item, revision);
- ``failed``: it did not, and why (one line);
- ``exists``: a create was refused because the label and description belong
  to another item (that item), never retried as a create;
- ``finished``: the run reached the end of the plan.

- ``settled``: ``--settle`` asked the wiki about the items damaged lines may
  concern (the line numbers).

The reader never trusts a line: one that is not UTF-8, is cut off or has the
wrong shape is reported with its number. A cut-off last line (a kill in the
middle of a write) cannot hide an edit and is only reported; any other damaged
line may have been the only record of an edit, so a live run stops before
sending anything until ``--settle`` has asked the wiki (:meth:`Reading.unsettled`).
Nothing secret is ever written here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from lod.inputs import read_bytes

NAME: Final = "journal.jsonl"


def now() -> str:
    """UTC time, seconds precision (the journal's clock)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Journal:
    """Appends events to OUT/journal.jsonl, each made durable before returning."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = path.open("a", encoding="utf-8")

    def write(self, event: str, **fields: Any) -> None:
        """Append one event and fsync it."""
        line = json.dumps({"event": event, "time": now(), **fields}, ensure_ascii=False,
                          sort_keys=True)
        self._handle.write(line + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        """Close the file."""
        self._handle.close()


#: The fields each event must have, and their types (``time`` on every event).
SHAPES: Final[dict[str, dict[str, tuple[type, ...]]]] = {
    "batch": {"batch": (str,), "api": (str,), "ids": (dict,), "plan": (str,)},
    "intended": {"key": (str,), "action": (str,)},
    "done": {"key": (str,), "item": (str,)},
    "failed": {"key": (str,), "error": (str,)},
    "exists": {"key": (str,), "item": (str,)},
    "uncertain": {"key": (str,)},
    "finished": {},
    "settled": {"lines": (list,)},
}
_KEY = re.compile(r'"key"\s*:\s*"([^"\\]{1,300})"')


@dataclass(frozen=True)
class Damage:
    """A journal line lod cannot read: where, why, and which items it may be about."""

    line: int
    reason: str
    #: the items whose record this line may have been (its own key when readable, else the
    #: items of the lines before and after it: events are written one item at a time)
    keys: tuple[str, ...]
    #: the last line, cut off by a kill while it was written (the edit it announces is
    #: then in doubt or was never sent: skipping it cannot repeat an edit)
    tail: bool


@dataclass
class Reading:
    """The journal's readable events and the lines it could not read."""

    events: list[dict[str, Any]] = field(default_factory=list)
    damage: list[Damage] = field(default_factory=list)

    def unsettled(self) -> list[Damage]:
        """Damage that could hide an edit and that no ``settled`` event has dealt with.

        A cut-off last line never hides an edit: it was written before the
        request it announces or after its outcome, whose ``intended`` is then
        an edit in doubt. Any other damaged line may have been the only record
        of an edit, so the run stops until the wiki has been asked.
        """
        settled = {int(n) for e in self.events if e["event"] == "settled"
                   for n in e["lines"] if isinstance(n, int)}
        return [d for d in self.damage if not d.tail and d.line not in settled]


def _shape_problem(event: object) -> str | None:
    if not isinstance(event, dict):
        return "not a JSON object"
    kind = event.get("event")
    if kind not in SHAPES:
        return f"unknown event {kind!r}" if isinstance(kind, str) else "no event name"
    for name, types in {"time": (str,), **SHAPES[kind]}.items():
        if not isinstance(event.get(name), types):
            return f"{kind} without a valid {name!r}"
    try:
        dt.datetime.fromisoformat(str(event["time"]))
    except ValueError:
        return f"{kind} with a time that is not one ({str(event['time'])[:40]!r})"
    return None


def read_journal(path: Path) -> Reading:
    """Every readable event, and every line that is not UTF-8, cut off or of the wrong shape.

    Never raises on the journal's content; a journal that cannot be read at
    all (a folder or a symlink loop in its place, unreadable) is an
    :class:`lod.inputs.InputFileError` naming it: never taken for no journal.
    """
    reading = Reading()
    if not os.path.lexists(path):
        return reading
    raw = read_bytes(path, what="publish journal")
    lines = raw.split(b"\n")
    complete = raw.endswith(b"\n")
    if complete:
        lines.pop()
    keyed: list[tuple[int, str | None]] = []  # line number -> its key (None for damage)
    problems: list[tuple[int, str, str | None, bool]] = []
    for number, data in enumerate(lines, 1):
        last = number == len(lines) and not complete
        if not data.strip():
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            found = _KEY.search(data.decode("utf-8", "replace"))
            problems.append((number, f"not UTF-8 (byte {error.start + 1})",
                             found.group(1) if found else None, last))
            keyed.append((number, None))
            continue
        try:
            event = json.loads(text)
        except ValueError:
            found = _KEY.search(text)
            reason = "cut off (the run was killed while writing it)" if last else "not JSON"
            problems.append((number, reason, found.group(1) if found else None, last))
            keyed.append((number, None))
            continue
        problem = _shape_problem(event)
        if problem is not None:
            key = event.get("key") if isinstance(event, dict) else None
            problems.append((number, f"wrong shape: {problem}",
                             key if isinstance(key, str) else None, last))
            keyed.append((number, None))
            continue
        reading.events.append(event)
        keyed.append((number, str(event["key"]) if "key" in event else None))
    for number, reason, key, tail in problems:
        if key is not None:
            keys: tuple[str, ...] = (key,)
        else:
            before = [k for n, k in keyed if n < number and k is not None][-1:]
            after = [k for n, k in keyed if n > number and k is not None][:1]
            keys = tuple(dict.fromkeys([*before, *after]))
        reading.damage.append(Damage(number, reason, keys, tail))
    return reading


def read(path: Path) -> list[dict[str, Any]]:
    """Every readable event of a journal (none when there is no journal)."""
    return read_journal(path).events


def damage_lines(path: Path, reading: Reading) -> list[str]:
    """One line per damaged journal line, naming it and the items it may concern."""
    out = []
    for damage in reading.damage:
        about = f"; it may concern {', '.join(damage.keys)}" if damage.keys else ""
        out.append(f"{path}: line {damage.line}: {damage.reason}{about}")
    return out


@dataclass
class State:
    """What the journal says about every key: the last outcome, or an edit in doubt."""

    batch: str | None = None
    #: sha256 of the plan.json the batch applies (one reviewed plan = one EditGroups batch)
    plan: str = ""
    finished: bool = False
    api: str | None = None
    ids: dict[str, str] = field(default_factory=dict)
    #: key -> item created or updated (plan id)
    done: dict[str, str] = field(default_factory=dict)
    #: key -> the other item that holds the label and description
    exists: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    #: key -> the ``intended`` event that has no outcome yet
    uncertain: dict[str, dict[str, Any]] = field(default_factory=dict)
    started: str | None = None
    edits: int = 0


def replay(events: Iterable[Mapping[str, Any]]) -> State:
    """Fold the events into the current :class:`State`."""
    state = State()
    for event in events:
        kind, key = event["event"], str(event.get("key", ""))
        if kind == "batch":
            if state.batch != event.get("batch"):
                state.started = str(event.get("time", ""))
            state.batch = str(event["batch"])
            state.api = str(event.get("api", "")) or None
            state.ids = dict(event.get("ids", {}))
            state.plan = str(event.get("plan", ""))
            state.finished = False
        elif kind == "finished":
            state.finished = True
        elif kind == "intended":
            state.uncertain[key] = dict(event)
        elif kind == "done":
            state.uncertain.pop(key, None)
            state.failed.pop(key, None)
            state.exists.pop(key, None)  # "exists as Qn" that turned out to be our own create
            state.done[key] = str(event["item"])
            state.edits += 1
        elif kind == "exists":
            state.uncertain.pop(key, None)
            state.exists[key] = str(event["item"])
        elif kind == "failed":
            state.uncertain.pop(key, None)
            state.failed[key] = str(event.get("error", ""))
    return state


def status_lines(path: Path) -> list[str]:
    """``lod publish status``: the journal in a few lines, its damage and what to do about it."""
    reading = read_journal(path)
    if not reading.events and not reading.damage:
        return [f"no publish journal at {path}: nothing was published from this folder"]
    state = replay(reading.events)
    created = sum(1 for e in reading.events if e["event"] == "done" and e.get("action") == "create")
    lines = [
        (f"batch {state.batch} on {state.api} (EditGroups: "
        f"https://editgroups.toolforge.org/b/CB/{state.batch}/), started {state.started}"),
        (f"{'finished' if state.finished else 'NOT finished: run `lod publish wikidata --live` again'}"
        f"; {state.edits} edits done ({created} new items), {len(state.uncertain)} in doubt, "
        f"{len(state.failed)} failed, {len(state.exists)} exist already"),
    ]
    lines += damage_lines(path, reading)
    for damage in reading.unsettled():
        items = ", ".join(damage.keys) or "an item the line no longer names"
        lines.append(f"uncertain: {items} (line {damage.line} of the journal is damaged): lod "
                     "cannot tell whether its edit landed, so `--live` stops; run `lod publish "
                     "wikidata --live --settle` to ask the wiki what landed (as for any edit in "
                     "doubt), record it and go on")
    lines += [f"in doubt: {key} ({event.get('action')}); the next run asks the wiki"
              for key, event in sorted(state.uncertain.items())]
    lines += [f"failed: {key}: {error}" for key, error in sorted(state.failed.items())]
    lines += [f"exists: {key} exists as {item}: a curator decides (set the record's wikidata)"
              for key, item in sorted(state.exists.items())]
    return lines
