"""The checks OpenRefine runs before an upload, run on a plan for its review page (pure, no I/O).

OpenRefine's Wikibase extension inspects every batch before it is sent
(``extensions/wikibase/src/org/openrefine/wikibase/qa/``; the user manual's
"Quality assurance" page lists them). The ones that fit these batches, each
with the rule behind it:

- **unsourced statements** (UnsourcedScrutinizer; Help:Sources): a statement
  added without a reference. Not flagged: URL and identifier statements,
  whose value is their own source (Help:Sources: no source is needed for
  identifiers that link to their source, or when the item itself is the
  source);
- **descriptions** (CommonDescriptionScrutinizer, EnglishDescriptionScrutinizer;
  Help:Description): longer than 250 characters (OpenRefine: critical) or than
  12 words (Help:Description: usually two to twelve); the same as the label;
  and in English: starting with a capital letter (unless the first word is a
  name that always has one: a reviewer decides, so it is a note), starting
  with "a", "an" or "the", ending with punctuation;
- **new items** (NewEntityScrutinizer): without ``instance of`` (P31) or
  ``subclass of`` (P279); without a description;
- **single value** (SingleValueScrutinizer; constraint Q19474404): a
  property with that constraint would hold more than one value on the item,
  counting what the item holds already (OpenRefine looks at the batch only),
  values told apart by a separator qualifier (P4155) excepted;
- **format** (FormatScrutinizer; constraint Q21502404): a string, URL or
  identifier value, in a statement, qualifier or reference, that does not
  match the property's format (the whole value, as OpenRefine matches it).

The constraints come from ``mappings/wikidata-constraints.tsv``: the
constraints of the properties the plans use, each row with where it was read
(Wikidata changes them; re-check a row before trusting it for a large batch).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from lod.inputs import read_tsv
from lod.publish.wikidata.model import Plan, PlannedItem, Snak, Statement, Value
from lod.wikidataids import verified_id

#: The kinds of constraint checked; each row of mappings/wikidata-constraints.tsv names its
#: kind and the kind's constraint item (verified with the row's source), one item per kind.
KINDS: Final = ("single value", "format")
#: The properties that give a new item its type, by their verified labels.
TYPING: Final = ("instance of", "subclass of")
_QID: Final = re.compile(r"Q[1-9][0-9]*")
#: Datatypes whose value is its own source (Help:Sources): not flagged as unsourced.
SELF_SOURCED: Final = frozenset({"url", "external-id"})
ENDS_WITH_PUNCTUATION: Final = tuple(".?!;:,'\"")
ARTICLES: Final = frozenset({"a", "an", "the"})
MAX_DESCRIPTION_CHARACTERS: Final = 250
MAX_DESCRIPTION_WORDS: Final = 12

#: Each check: its heading on the review page, its severity, the rule behind it. ``{label}``
#: stands for the id of a property of :data:`TYPING`, ``{kind}`` for a kind's constraint item
#: (:func:`check_table` fills them in from the tables).
CHECKS: Final = {
    "unsourced-statement": ("Statements without a reference", "warning",
                            "Help:Sources; OpenRefine: unsourced statements"),
    "description-too-long": ("Descriptions too long", "warning",
                             "Help:Description (2-12 words; OpenRefine: 250 characters)"),
    "description-equals-label": ("Descriptions the same as the label", "warning",
                                 "Help:Description; OpenRefine: description identical with label"),
    "description-capital": ("Descriptions starting with a capital letter", "note",
                            "Help:Description#Capitalization (unless a name needs it)"),
    "description-article": ("Descriptions starting with an article", "warning",
                            "Help:Description#No initial articles (a, an, the)"),
    "description-punctuation": ("Descriptions ending with punctuation", "warning",
                                "Help:Description (not a sentence); OpenRefine"),
    "new-item-without-type": ("New items without instance of ({instance of}) or subclass of ({subclass of})",
                              "warning", "OpenRefine: new item without type"),
    "new-item-without-description": ("New items without a description", "warning",
                                     "Help:Description; OpenRefine: no description"),
    "single-value": ("Single-value constraint broken", "warning",
                     "the property's single-value constraint ({single value})"),
    "format": ("Format constraint broken", "warning",
               "the property's format constraint ({format})"),
}


@dataclass(frozen=True)
class Constraint:
    """One constraint of one property (a row of mappings/wikidata-constraints.tsv)."""

    property: str
    kind: str
    parameter: str = ""
    mandatory: bool = False
    source: str = ""
    separators: tuple[str, ...] = ()


@dataclass
class Constraints:
    """The constraints of the used properties, by property."""

    by_property: dict[str, list[Constraint]] = field(default_factory=dict)
    #: kind -> its constraint item, as the table names it.
    items: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Constraints:
        """Read the table; a bad row is an error naming the file and line (it is curated data)."""
        found: dict[str, list[Constraint]] = {}
        items: dict[str, str] = {}
        for row in read_tsv(path, ("property", "constraint", "constraint_item"), quoted=False):
            number = row.line
            kind, item = row.get("constraint") or "", row.get("constraint_item") or ""
            if kind not in KINDS:
                raise ValueError(f"{path}:{number}: constraint: expected {' or '.join(KINDS)}")
            if not _QID.fullmatch(item) or items.setdefault(kind, item) != item:
                raise ValueError(f"{path}:{number}: constraint_item: expected the {kind} "
                                 f"constraint's item{' ' + items[kind] if kind in items else ''}, "
                                 "one item per kind")
            parameter = row.get("parameter") or ""
            separators: tuple[str, ...] = ()
            if kind == "format":
                try:
                    re.compile(parameter)
                except re.error as error:
                    raise ValueError(f"{path}:{number}: parameter: not a regular expression "
                                     f"({error})") from None
            elif parameter.startswith("separators "):
                separators = tuple(parameter.removeprefix("separators ").split())
            constraint = Constraint(row["property"], kind, parameter,
                                    row.get("status") == "mandatory", row.get("source") or "",
                                    separators)
            found.setdefault(constraint.property, []).append(constraint)
        return cls(found, items)

    def of(self, pid: str, kind: str) -> list[Constraint]:
        """The constraints of one kind on one property."""
        return [c for c in self.by_property.get(pid, []) if c.kind == kind]


@dataclass(frozen=True)
class Finding:
    """One check that failed on one item."""

    key: str
    code: str
    message: str

    @property
    def heading(self) -> str:
        """The check's heading on the review page."""
        return _filled(CHECKS[self.code][0])

    @property
    def severity(self) -> str:
        """warning or note."""
        return CHECKS[self.code][1]


def _description_findings(planned: PlannedItem) -> Iterator[Finding]:
    labels = dict(planned.current.labels) if planned.current else {}
    labels.update(planned.labels)
    for lang, text in sorted(planned.descriptions.items()):
        words = text.split()
        where = f"description [{lang}] “{text}”"
        if len(text) > MAX_DESCRIPTION_CHARACTERS or len(words) > MAX_DESCRIPTION_WORDS:
            yield Finding(planned.key, "description-too-long",
                          f"{where}: {len(words)} words, {len(text)} characters")
        if labels.get(lang, "").strip().casefold() == text.strip().casefold():
            yield Finding(planned.key, "description-equals-label", f"{where}: same as the label")
        if lang != "en" or not words:
            continue
        if "A" <= text[0] <= "Z":
            yield Finding(planned.key, "description-capital", f"{where}: starts with a capital")
        if words[0].rstrip("".join(ENDS_WITH_PUNCTUATION)).casefold() in ARTICLES:
            yield Finding(planned.key, "description-article",
                          f"{where}: starts with “{words[0]}”")
        if text.rstrip().endswith(ENDS_WITH_PUNCTUATION):
            yield Finding(planned.key, "description-punctuation",
                          f"{where}: ends with “{text.rstrip()[-1]}”")


def _snaks(statement: Statement) -> Iterator[tuple[str, Snak]]:
    yield "statement", (statement.property, statement.value)
    for snak in statement.qualifiers:
        yield "qualifier", snak
    for snak in statement.reference:
        yield "reference", snak


def _separated(statement: Statement, separators: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(value.key() for pid, value in statement.qualifiers if pid in separators)


def item_findings(planned: PlannedItem, constraints: Constraints) -> list[Finding]:
    """Every check that fails on one planned item (nothing for an item with nothing to add)."""
    if planned.action not in {"create", "update"}:
        return []
    found = list(_description_findings(planned))
    if planned.action == "create":
        properties = {s.property for s in planned.statements}
        typing = [verified_id(label, "property") for label in TYPING]
        if not properties & set(typing):
            found.append(Finding(planned.key, "new-item-without-type",
                                 "no instance of ({}) or subclass of ({})".format(*typing)))
        if not planned.descriptions:
            found.append(Finding(planned.key, "new-item-without-description",
                                 "no description in any language"))
    for statement in planned.statements:
        if not statement.reference and statement.value.type not in SELF_SOURCED:
            found.append(Finding(planned.key, "unsourced-statement",
                                 f"{statement.property}: no reference"))
        for position, (pid, value) in _snaks(statement):
            if value.type not in {"string", "url", "external-id"}:
                continue
            for constraint in constraints.of(pid, "format"):
                if re.fullmatch(constraint.parameter, value.value) is None:
                    found.append(Finding(planned.key, "format", (
                        f"{pid} in a {position}: “{value.value}” does not match "
                        f"{constraint.parameter}" + (" (mandatory)" if constraint.mandatory
                                                      else ""))))
    for pid in sorted({s.property for s in planned.statements}):
        for constraint in constraints.of(pid, "single value"):
            planned_here = [s for s in planned.statements if s.property == pid]
            existing: list[Value] = list(planned.current.claims.get(pid, ())) \
                if planned.current else []
            groups: dict[tuple[str, ...], set[str]] = {}
            for statement in planned_here:
                groups.setdefault(_separated(statement, constraint.separators), set()).add(
                    statement.value.key())
            unseparated = groups.get((), set()) | {v.key() for v in existing}
            if len(unseparated) > 1 or any(len(v) > 1 for k, v in groups.items() if k):
                found.append(Finding(planned.key, "single-value", (
                    f"{pid} would hold {len(existing) + len(planned_here)} values "
                    f"({len(existing)} there, {len(planned_here)} added)")))
    return list(dict.fromkeys(found))  # one finding per value, however many statements cite it


def _filled(text: str, constraints: Constraints | None = None) -> str:
    """A text of :data:`CHECKS` with the ids it names filled in from the tables."""
    for label in TYPING:
        text = text.replace(f"{{{label}}}", verified_id(label, "property"))
    items = constraints.items if constraints else {}
    for kind in KINDS:  # a kind the table does not name is not cited by id
        text = text.replace(f"{{{kind}}}", items[kind]) if kind in items else \
            text.replace(f" ({{{kind}}})", "")
    return text


def check_table(constraints: Constraints) -> dict[str, tuple[str, str, str]]:
    """:data:`CHECKS` as the review page shows it: the ids filled in."""
    return {code: (_filled(heading), severity, _filled(rule, constraints))
            for code, (heading, severity, rule) in CHECKS.items()}


def findings(plan: Plan, constraints: Constraints) -> list[Finding]:
    """Every failed check of the plan, in plan order."""
    return [f for planned in plan.items for f in item_findings(planned, constraints)]


def by_code(found: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by check, in the order of :data:`CHECKS`."""
    groups: dict[str, list[Finding]] = {code: [] for code in CHECKS}
    for finding in found:
        groups[finding.code].append(finding)
    return {code: rows for code, rows in groups.items() if rows}


def by_key(found: Iterable[Finding]) -> Mapping[str, list[Finding]]:
    """Findings grouped by item."""
    groups: dict[str, list[Finding]] = {}
    for finding in found:
        groups.setdefault(finding.key, []).append(finding)
    return groups
