"""Reading OUT/plan.json back: the reviewed plan, checked whole before a live run sends anything.

``plan.json`` is an input a person edits (as QuickStatements users delete the
lines they reject), so it is read as untrusted: the schema below is the JSON
form :mod:`lod.publish.wikidata.model` writes (``Value``, ``Statement``,
``ItemState``, ``PlannedItem``, ``Warning``, ``Plan``), versioned by its
``format``, with no unknown field, no coercion between types and every id
well formed. Every problem is reported with its place
(``plan.json: items[3].statements[2].value: ...``) and nothing is applied;
what passes becomes the model's own objects through their ``from_json``, and a
round trip must give back exactly what the file says (no field silently
dropped, none invented).

:func:`digest` is the sha256 of the plan's canonical form (sorted keys, items
sorted by key, no whitespace): the same plan reformatted, or with its keys
reordered, has the same digest, hence the same EditGroups batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lod.publish.wikidata.edits import statement_json
from lod.publish.wikidata.model import ItemState, Plan, PlannedItem, Statement, Value, Warning
from lod.publish.wikidata.pids import plan_properties
from lod.publish.wikidata.reads import LOCAL

FORMAT: Final = "lod-wikidata-plan/1"
#: The reviewed plan, and the copy of the plan as the dry run wrote it (what a reviewer removed
#: is what the first has not and the second has).
PLAN: Final = "plan.json"
AS_PLANNED: Final = ".plan-as-planned.json"
#: At most this many problems are listed (a plan damaged everywhere says so without a flood).
MAX_PROBLEMS: Final = 50

Pid = Annotated[str, StringConstraints(pattern=r"^P[1-9][0-9]*$")]
#: A Wikidata item id, or ``local:Q…`` for an item only a test Wikibase has.
Qid = Annotated[str, StringConstraints(pattern=r"^(local:)?Q[1-9][0-9]*$")]
#: A Wikibase language code (lower case: ``en``, ``zh-hant``, ``de-ch``).
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[a-z0-9]{1,8})*$")]
#: Wikibase's limits: 250 characters for a term, 1500 for a string value.
Term = Annotated[str, StringConstraints(min_length=1, max_length=250)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=1500)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ItemValue(_Strict):
    """An item (``Q…``)."""

    type: Literal["item"]
    value: Qid


class StringValue(_Strict):
    """A string, a URL or an external identifier."""

    type: Literal["string", "external-id"]
    value: Text


class UrlValue(_Strict):
    """A web address (http or https, as Wikibase's URL datatype accepts)."""

    type: Literal["url"]
    value: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=1500)]


class TextValue(_Strict):
    """A monolingual text."""

    type: Literal["monolingualtext"]
    value: Text
    language: Lang


class TimeValue(_Strict):
    """A Wikibase time at year (9), month (10) or day (11) precision."""

    type: Literal["time"]
    value: Annotated[str, StringConstraints(pattern=r"^[+-][0-9]{4,16}-[0-9]{2}-[0-9]{2}T00:00:00Z$")]
    precision: Literal[9, 10, 11]

    @model_validator(mode="after")
    def _digits_fit_the_precision(self) -> TimeValue:
        """A month (10) needs a month 01-12, a day (11) a day 01-31 too, as Wikibase asks."""
        month, day = int(self.value[-15:-13]), int(self.value[-12:-10])
        if month > 12 or day > 31:
            raise ValueError(f"{self.value} is not a date")
        if self.precision >= 10 and month == 0:
            raise ValueError(f"precision {self.precision} needs a month (not 00) in {self.value}")
        if self.precision == 11 and day == 0:
            raise ValueError(f"precision 11 (day) needs a day (not 00) in {self.value}")
        return self


#: The value types a statement may carry (``type`` says which).
ValueJson = Annotated[ItemValue | StringValue | UrlValue | TextValue | TimeValue,
                      Field(discriminator="type")]
_TAGS: Final = frozenset({"item", "string", "external-id", "url", "monolingualtext", "time"})


class SnakJson(_Strict):
    """A qualifier or a part of a reference: property and value."""

    property: Pid
    value: ValueJson




class StatementJson(_Strict):
    """A statement to add, with its qualifiers and its reference (never without one, except
    where the value is the item's own source or an identifier)."""

    property: Pid
    value: ValueJson
    qualifiers: list[SnakJson]
    reference: list[SnakJson]

    @field_validator("reference")
    @classmethod
    def _referenced(cls, value: list[SnakJson], info: ValidationInfo) -> list[SnakJson]:
        # Statements that carry no reference (docs/wikidata-model.md): the value is the item's
        # own source URL or an identifier; their rows of the property table name no reference.
        if not value and info.data.get("property") not in plan_properties().unreferenced:
            raise ValueError("List should have at least 1 item (a statement needs a reference "
                             "unless its value is the item's own source or an identifier)")
        return value


class ReadValueJson(_Strict):
    """A value as the wiki holds it (``current``: read, never written; any type)."""

    type: Annotated[str, StringConstraints(min_length=1)]
    value: str
    language: str | None = None
    precision: int | None = None


class CurrentJson(_Strict):
    """The item as the dry run read it (for the review page; ``--live`` reads it afresh)."""

    id: Qid
    lastrevid: Annotated[int, Field(ge=0)]
    labels: dict[Lang, str]
    descriptions: dict[Lang, str]
    claims: dict[Pid, list[ReadValueJson]]


class ItemJson(_Strict):
    """One planned item."""

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z-]*:\S+$", max_length=300)]
    record: Annotated[str, StringConstraints(min_length=1)]
    kind: Annotated[str, StringConstraints(min_length=1)]
    action: Literal["create", "update", "none", "blocked"]
    item: Qid | None
    labels: dict[Lang, Term]
    descriptions: dict[Lang, Term]
    statements: list[StatementJson]
    current: CurrentJson | None


class WarningJson(_Strict):
    """A warning of the dry run; severity ``error`` blocks the plan."""

    record: str
    code: str
    severity: Literal["info", "warning", "error"]
    message: str


class UndecidedJson(_Strict):
    """A record without a Wikidata decision (no item planned; informative)."""

    record: Annotated[str, StringConstraints(min_length=1)]
    choices: list[str]


class PlanJson(_Strict):
    """The whole file."""

    format: Literal["lod-wikidata-plan/1"]
    blocked: bool
    items: list[ItemJson]
    warnings: list[WarningJson]
    undecided: list[UndecidedJson] = []


#: The parts of the file a live run acts on: these must read back exactly as written.
APPLIED: Final = ("format", "blocked", "items", "warnings")


class PlanError(Exception):
    """plan.json is missing, malformed or refused; ``lines`` name each problem's place."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


def place(loc: Sequence[int | str]) -> str:
    """``('items', 3, 'statements', 2, 'value')`` -> ``items[3].statements[2].value``."""
    out = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif previous == "value" and part in _TAGS:
            pass  # pydantic names the union member it tried; the user wrote only "value"
        elif isinstance(part, str) and part.startswith("function-"):
            pass
        else:
            out += f".{part}" if out else part
        previous = part
    return out or "(the whole file)"


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise ValueError(f"the key {name!r} appears twice in one object")
        found[name] = value
    return found


def _load(path: Path) -> Any:
    """The JSON in ``path``; PlanError naming the line when it is not JSON."""
    if not path.is_file():
        raise PlanError([(f"no plan at {path}: run `lod publish wikidata` without --live first "
                         "and review it")])
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PlanError([f"{path}: not UTF-8 (byte {error.start + 1})"]) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        cut = " (cut off?)" if error.pos >= len(text.rstrip()) else ""
        raise PlanError([(f"{path}: line {error.lineno} column {error.colno}: not valid JSON"
                         f"{cut}: {error.msg}")]) from None
    except ValueError as error:  # a duplicate key, or a number Python cannot hold
        raise PlanError([f"{path}: {error}"]) from None


def _refusals(checked: PlanJson) -> list[str]:
    """What the schema alone cannot say: blocked plans and items, empty creates, duplicates."""
    out: list[str] = []
    if checked.blocked:
        out.append("blocked: the plan is blocked (an error names what, see review.html): fix the "
                   "records or the wiki, plan again and review")
    for n, warning in enumerate(checked.warnings):
        if warning.severity == "error":
            out.append(f"warnings[{n}]: an error blocks the plan ({warning.code}: "
                       f"{warning.message[:200]})")
    seen: dict[str, int] = {}
    for n, entry in enumerate(checked.items):
        if entry.key in seen:
            out.append(f"items[{n}].key: {entry.key!r} is items[{seen[entry.key]}] already")
        seen.setdefault(entry.key, n)
        if entry.action == "blocked":
            out.append(f"items[{n}].action: {entry.key} is blocked (see the warnings); remove "
                       "the item from the plan, or fix its record and plan again")
        elif entry.action == "create":
            if entry.item is not None:
                out.append(f"items[{n}].item: a create names no item (it has {entry.item})")
            if not entry.labels and not entry.statements:
                out.append(f"items[{n}]: a new item needs a label or a statement (this one "
                           "would be blank)")
        elif entry.action == "update" and entry.item is None:
            out.append(f"items[{n}].item: an update names the item it adds to")
    return out


def _value(data: ItemValue | StringValue | UrlValue | TextValue | TimeValue) -> Value:
    return Value.from_json(data.model_dump())


def _statement(data: StatementJson) -> Statement:
    return Statement(data.property, _value(data.value),
                     tuple((s.property, _value(s.value)) for s in data.qualifiers),
                     tuple((s.property, _value(s.value)) for s in data.reference))


def _current(data: CurrentJson) -> ItemState:
    return ItemState(data.id, dict(data.labels), dict(data.descriptions),
                     {pid: tuple(Value.from_json(v.model_dump(exclude_none=True)) for v in values)
                      for pid, values in data.claims.items()}, data.lastrevid)


def _plan(checked: PlanJson) -> Plan:
    return Plan([PlannedItem(i.key, i.record, i.kind, i.action, i.item, dict(i.labels),
                             dict(i.descriptions), [_statement(s) for s in i.statements],
                             _current(i.current) if i.current else None)
                 for i in checked.items],
                [Warning(w.record, w.code, w.message, w.severity) for w in checked.warnings])


def _unsendable(plan: Plan) -> list[str]:
    """Statements the client library would refuse to build (checked now, not mid-run)."""
    out = []
    for n, planned in enumerate(plan.items):
        for m, statement in enumerate(planned.statements):
            try:
                statement_json(statement, lambda i: i.removeprefix(LOCAL))
            except ValueError as error:
                out.append(f"items[{n}].statements[{m}]: {str(error)[:300]}")
    return out


def canonical(data: Any) -> bytes:
    """The plan's content in one form: sorted keys, items sorted by key, no whitespace."""
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = {**data, "items": sorted(data["items"], key=lambda i: json.dumps(
            i.get("key") if isinstance(i, dict) else i, sort_keys=True))}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def applied(data: Any) -> Any:
    """The parts of a plan's JSON that a live run acts on (:data:`APPLIED`)."""
    return {name: data.get(name) for name in APPLIED} if isinstance(data, dict) else data


def digest(plan: Plan) -> str:
    """sha256 of the canonical form of what the plan applies (the batch id is its first 16
    digits): informative parts (the records without a decision) do not change the batch."""
    return hashlib.sha256(canonical(applied(plan.to_json()))).hexdigest()


def check_plan(data: Any, name: str = "plan.json") -> Plan:
    """Check parsed JSON against the schema and the refusals; the model's :class:`Plan`."""
    try:
        checked = PlanJson.model_validate(data)
    except ValidationError as error:
        lines = [f"{name}: {place(e['loc'])}: {e['msg']}"
                 for e in error.errors(include_url=False)]
        if len(lines) > MAX_PROBLEMS:
            lines = [*lines[:MAX_PROBLEMS], f"{name}: and {len(lines) - MAX_PROBLEMS} more problems"]
        raise PlanError(lines) from None
    refused = _refusals(checked)
    if refused:
        raise PlanError([f"{name}: {line}" for line in refused[:MAX_PROBLEMS]])
    plan = _plan(checked)
    unsendable = _unsendable(plan)
    if unsendable:
        raise PlanError([f"{name}: {line}" for line in unsendable[:MAX_PROBLEMS]])
    if canonical(applied(plan.to_json())) != canonical(applied(data)):
        raise PlanError([(f"{name}: the plan does not read back as written (a field lod cannot "
                         "keep); plan again")])
    return plan


def read_plan(path: Path) -> Plan:
    """The plan in ``path``, checked whole (see the module docstring); PlanError otherwise."""
    return check_plan(_load(path), str(path))


def keys(path: Path) -> list[str] | None:
    """The item keys of a plan file, or None when it cannot be read (used for comparisons only)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [str(i["key"]) for i in data["items"] if isinstance(i, dict) and "key" in i]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def removed_keys(out: Path, plan: Plan) -> list[str]:
    """Keys of the items the dry run planned in OUT and a reviewer removed from plan.json."""
    planned = keys(out / AS_PLANNED)
    if planned is None:
        return []
    kept = {item.key for item in plan.items}
    return sorted(set(planned) - kept)


def removed_before(out: Path) -> set[str]:
    """Before a new dry run: the keys a reviewer removed from the plan OUT holds now."""
    planned, reviewed = keys(out / AS_PLANNED), keys(out / PLAN)
    if planned is None or reviewed is None:
        return set()
    return set(planned) - set(reviewed)
