"""Reading OUT/plan.json back (the reviewed plan is the single input of a live run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lod.publish.wikidata.model import ItemState, Plan, PlannedItem, Statement, Value, Warning


class PlanError(Exception):
    """plan.json is missing or malformed (one line for the user)."""


def _state(data: dict[str, Any]) -> ItemState:
    return ItemState(
        id=str(data["id"]), labels=dict(data.get("labels", {})),
        descriptions=dict(data.get("descriptions", {})),
        claims={pid: tuple(Value.from_json(v) for v in values)
                for pid, values in data.get("claims", {}).items()},
        lastrevid=int(data.get("lastrevid", 0)))


def _item(data: dict[str, Any]) -> PlannedItem:
    return PlannedItem(
        key=str(data["key"]), record=str(data["record"]), kind=str(data["kind"]),
        action=str(data["action"]), item=data.get("item"),
        labels=dict(data.get("labels", {})), descriptions=dict(data.get("descriptions", {})),
        statements=[Statement.from_json(s) for s in data.get("statements", [])],
        current=_state(data["current"]) if data.get("current") else None)


def read_plan(path: Path) -> Plan:
    """The plan in ``path`` (written by the dry run)."""
    if not path.is_file():
        raise PlanError(f"no plan at {path}: run `lod publish wikidata` without --live first and "
                        "review it")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != "lod-wikidata-plan/1":
            raise PlanError(f"{path}: not a lod Wikidata plan (format {data.get('format')!r})")
        return Plan([_item(i) for i in data["items"]],
                    [Warning(str(w["record"]), str(w["code"]), str(w["message"]),
                             str(w.get("severity", "warning"))) for w in data["warnings"]])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise PlanError(f"{path}: malformed plan ({type(error).__name__}: {error})") from None
