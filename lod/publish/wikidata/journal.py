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

A torn last line (a kill in the middle of a write) is ignored when reading.
Nothing secret is ever written here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

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


def read(path: Path) -> list[dict[str, Any]]:
    """Every complete event of a journal (none when there is no journal)."""
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a line torn by a kill
        if isinstance(event, dict) and "event" in event:
            events.append(event)
    return events


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
    """``lod publish status``: the journal in a few lines."""
    events = read(path)
    if not events:
        return [f"no publish journal at {path}: nothing was published from this folder"]
    state = replay(events)
    created = sum(1 for e in events if e["event"] == "done" and e.get("action") == "create")
    lines = [
        (f"batch {state.batch} on {state.api} (EditGroups: "
        f"https://editgroups.toolforge.org/b/CB/{state.batch}/), started {state.started}"),
        (f"{'finished' if state.finished else 'NOT finished: run `lod publish wikidata --live` again'}"
        f"; {state.edits} edits done ({created} new items), {len(state.uncertain)} in doubt, "
        f"{len(state.failed)} failed, {len(state.exists)} exist already"),
    ]
    lines += [f"in doubt: {key} ({event.get('action')}); the next run asks the wiki"
              for key, event in sorted(state.uncertain.items())]
    lines += [f"failed: {key}: {error}" for key, error in sorted(state.failed.items())]
    lines += [f"exists: {key} exists as {item}: a curator decides (set the record's wikidata)"
              for key, item in sorted(state.exists.items())]
    return lines
