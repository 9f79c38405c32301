"""The typed values a Wikidata plan is made of: values, statements, item states, planned items.

Everything here is plain data with a canonical JSON form, so that ``plan.json``
is a pure function of the records and the wiki's state (no clock, no order of
arrival), and so that two values can be compared the way Wikibase would:
``Value.key`` ignores what Wikibase ignores (a time's digits finer than its
precision).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

#: Wikibase time precisions: year, month, day.
YEAR: Final = 9
MONTH: Final = 10
DAY: Final = 11


@dataclass(frozen=True, order=True)
class Value:
    """One snak value: ``type`` is item, string, url, external-id, monolingualtext, time or other."""

    type: str
    value: str
    lang: str = ""
    precision: int = 0

    def key(self) -> str:
        """What makes two values the same statement value (time: only the digits its precision has)."""
        if self.type == "time":
            digits = {YEAR: 5, MONTH: 8, DAY: 11}.get(self.precision, len(self.value))
            return f"time:{self.value[:digits]}/{self.precision}"
        if self.type == "monolingualtext":
            return f"text:{self.lang}:{self.value}"
        if self.type in {"url", "external-id"}:
            return f"string:{self.value}"
        return f"{self.type}:{self.value}"

    def to_json(self) -> dict[str, Any]:
        """Canonical JSON (plan.json)."""
        out: dict[str, Any] = {"type": self.type, "value": self.value}
        if self.type == "monolingualtext":
            out["language"] = self.lang
        if self.type == "time":
            out["precision"] = self.precision
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Value:
        """Inverse of :meth:`to_json`."""
        return cls(str(data["type"]), str(data["value"]), str(data.get("language", "")),
                   int(data.get("precision", 0)))


def item(qid: str) -> Value:
    """An item value."""
    return Value("item", qid)


def partial_date(text: str) -> Value:
    """A contract date (YYYY, YYYY-MM or YYYY-MM-DD) as a Wikibase time at the same precision."""
    parts = text.split("-")
    precision = {1: YEAR, 2: MONTH, 3: DAY}[len(parts)]
    year, month, dom = [*parts, "00", "00"][:3]
    return Value("time", f"+{int(year):04d}-{month}-{dom}T00:00:00Z", precision=precision)


def day(date: dt.date) -> Value:
    """A day-precision time (the reference's retrieved date)."""
    return Value("time", f"+{date.isoformat()}T00:00:00Z", precision=DAY)


Snak = tuple[str, Value]


@dataclass(frozen=True)
class Statement:
    """A statement to add: property, value, qualifiers and one reference (never empty)."""

    property: str
    value: Value
    qualifiers: tuple[Snak, ...] = ()
    reference: tuple[Snak, ...] = ()

    def key(self) -> tuple[str, str]:
        """Same property and value = the same statement, whoever added it and with what qualifiers."""
        return (self.property, self.value.key())

    def to_json(self) -> dict[str, Any]:
        """Canonical JSON (plan.json)."""
        return {
            "property": self.property,
            "value": self.value.to_json(),
            "qualifiers": [{"property": p, "value": v.to_json()} for p, v in self.qualifiers],
            "reference": [{"property": p, "value": v.to_json()} for p, v in self.reference],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Statement:
        """Inverse of :meth:`to_json`."""
        def snaks(rows: list[dict[str, Any]]) -> tuple[Snak, ...]:
            return tuple((str(r["property"]), Value.from_json(r["value"])) for r in rows)

        return cls(str(data["property"]), Value.from_json(data["value"]),
                   snaks(data.get("qualifiers", [])), snaks(data.get("reference", [])))


@dataclass(frozen=True)
class ItemState:
    """What an item on the wiki holds now (from ``wbgetentities``, the truth; never from SPARQL)."""

    id: str
    labels: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    claims: dict[str, tuple[Value, ...]] = field(default_factory=dict)
    lastrevid: int = 0

    def has(self, statement: Statement) -> bool:
        """True when a statement with the same property and value is there already."""
        wanted = statement.value.key()
        return any(value.key() == wanted for value in self.claims.get(statement.property, ()))

    def to_json(self) -> dict[str, Any]:
        """Canonical JSON (plan.json's ``current``)."""
        return {
            "id": self.id,
            "lastrevid": self.lastrevid,
            "labels": dict(sorted(self.labels.items())),
            "descriptions": dict(sorted(self.descriptions.items())),
            "claims": {pid: [v.to_json() for v in values]
                       for pid, values in sorted(self.claims.items(), key=lambda kv: _pid_order(kv[0]))},
        }


def _pid_order(pid: str) -> tuple[int, str]:
    return (int(pid[1:]) if pid[1:].isdigit() else 0, pid)


@dataclass(frozen=True, order=True)
class Warning:
    """Something a reviewer must see; ``severity`` error blocks the item it names."""

    record: str
    code: str
    message: str
    severity: str = "warning"

    def to_json(self) -> dict[str, str]:
        """Canonical JSON (plan.json)."""
        return {"record": self.record, "code": self.code, "severity": self.severity,
                "message": self.message}


@dataclass(frozen=True)
class Candidate:
    """An existing item the duplicate check found for a planned create, and how."""

    key: str
    item: str
    how: str


@dataclass
class PlannedItem:
    """One item of the plan: a create, an update of an existing item, or nothing to do."""

    key: str
    record: str
    kind: str
    action: str
    item: str | None
    labels: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    statements: list[Statement] = field(default_factory=list)
    current: ItemState | None = None

    def to_json(self) -> dict[str, Any]:
        """Canonical JSON (plan.json)."""
        return {
            "key": self.key,
            "record": self.record,
            "kind": self.kind,
            "action": self.action,
            "item": self.item,
            "labels": dict(sorted(self.labels.items())),
            "descriptions": dict(sorted(self.descriptions.items())),
            "statements": [s.to_json() for s in self.statements],
            "current": self.current.to_json() if self.current else None,
        }


@dataclass(frozen=True, order=True)
class Undecided:
    """A record without a Wikidata decision: no item is planned; ``choices`` says what to add."""

    record: str
    choices: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Canonical JSON (plan.json's ``undecided``)."""
        return {"record": self.record, "choices": list(self.choices)}


@dataclass
class Plan:
    """Every planned item (sorted by key), every warning (sorted), the undecided records."""

    items: list[PlannedItem]
    warnings: list[Warning]
    undecided: list[Undecided] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """True when an error stops part of the plan (part 2 refuses to apply a blocked plan)."""
        return any(w.severity == "error" for w in self.warnings)

    def to_json(self) -> dict[str, Any]:
        """The whole plan as plan.json holds it."""
        return {
            "format": "lod-wikidata-plan/1",
            "blocked": self.blocked,
            "items": [i.to_json() for i in self.items],
            "warnings": [w.to_json() for w in self.warnings],
            **({"undecided": [u.to_json() for u in self.undecided]} if self.undecided else {}),
        }
