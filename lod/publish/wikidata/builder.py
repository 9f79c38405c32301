"""The plan while it is being made: its items, warnings and undecided records so far.

Every step of the planner (the institutions, the record's own item, the
duplicate check, the batch's clashes) adds to one :class:`PlanBuilder`, so that
an item is planned once under its key, a warning said twice is kept once, and an
update holds only what the item lacks *now* (the wiki's state is read before
planning starts and never changes during it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from lod.publish.wikidata.decisions import Options
from lod.publish.wikidata.duplicates import existing, holds, qnum
from lod.publish.wikidata.facts import Values
from lod.publish.wikidata.model import (
    Candidate,
    ItemState,
    PlannedItem,
    Statement,
    Undecided,
    Warning,
)

ERROR: Final = "error"
INFO: Final = "info"


def case_study_key(record_id: str) -> str:
    """Plan key of a record's own item (the work or the project)."""
    return f"casestudy:{record_id}"


def institution_key(key: str) -> str:
    """Plan key of an institution item (the pipeline's institution key)."""
    return f"institution:{key}"


def unique(statements: Iterable[Statement]) -> list[Statement]:
    """The statements in order, each once (two fields may give one statement)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for statement in statements:
        if statement.key() not in seen:
            seen.add(statement.key())
            out.append(statement)
    return out


class PlanBuilder:
    """The items, warnings and undecided records of the plan being made, and what it is
    checked against: the verified values, the wiki's state, the duplicate candidates."""

    def __init__(self, values: Values, state: Mapping[str, ItemState],
                 candidates: Iterable[Candidate], options: Options) -> None:
        self.values = values
        self.state = state
        self.options = options
        self.candidates: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in sorted(candidates, key=lambda c: (c.key, qnum(c.item), c.how)):
            self.candidates[candidate.key].append(candidate)
        self.items: dict[str, PlannedItem] = {}
        self.warnings: set[Warning] = set()
        self.undecided: list[Undecided] = []

    def warn(self, record: str, code: str, message: str, severity: str = "warning") -> None:
        self.warnings.add(Warning(record, code, message, severity))

    def existing(self, key: str, record: str, statements: Sequence[Statement],
                 labels: Mapping[str, str], descriptions: Mapping[str, str],
                 classes: Mapping[str, str]) -> tuple[str | None, bool]:
        """(item to update, blocked) for a would-be create, from the confirmed candidates."""
        verdict = existing(key, self.candidates.get(key, []), self.state, statements, labels,
                           descriptions, classes, self.values.properties)
        if verdict.warning is not None:
            self.warn(record, *verdict.warning)
        return verdict.item, verdict.blocked

    def add(self, key: str, record: str, kind: str, target: str | None, labels: dict[str, str],
            descriptions: dict[str, str], statements: list[Statement]) -> None:
        """A create (no target) or an update with only what the target lacks."""
        for lang, text in sorted(descriptions.items()):
            if labels.get(lang) == text:
                self.warn(record, "description-equals-label",
                          f"{key}: description in {lang} equals the label; left out")
                del descriptions[lang]
        if target is None:
            self.items[key] = PlannedItem(key, record, kind, "create", None, labels, descriptions,
                                          unique(statements))
            return
        current = self.state[target]
        new_labels = {lang: text for lang, text in labels.items() if lang not in current.labels}
        new_descriptions = {lang: text for lang, text in descriptions.items()
                            if lang not in current.descriptions
                            and current.labels.get(lang, labels.get(lang)) != text}
        missing = [s for s in unique(statements)
                   if not holds(current, s, self.values.properties)]
        action = "update" if (new_labels or new_descriptions or missing) else "none"
        self.items[key] = PlannedItem(key, record, kind, action, target, new_labels,
                                      new_descriptions, missing, current)

    def blocked(self, key: str, record: str, kind: str, target: str | None = None) -> None:
        """The item is planned as blocked: a warning of severity error says why."""
        self.items[key] = PlannedItem(key, record, kind, "blocked", target,
                                      current=self.state.get(target) if target else None)
