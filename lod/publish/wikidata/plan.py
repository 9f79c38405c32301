"""The plan of Wikidata edits, as pure code: facts and the wiki's current state in, a plan out.

Rules (issue 13, mappings/wikidata-properties.tsv):

- a case study without an item becomes a create (instance of case study); one
  with an item (its own ``wikidata``, or one the duplicate check confirmed)
  gets only the labels, descriptions and statements it lacks. A statement is
  there already when an item has the same property and value, whoever added
  it; nothing is ever removed or replaced;
- every planned statement carries a reference: the record's source URL (P854)
  and the day it was read (P813);
- a participant without an accepted item is reported and left out; new items
  for institutions only with ``create_institutions``;
- a label and description equal to another item's in one language is an
  error that blocks the create, found before anything is written.

No I/O here: :mod:`lod.publish.wikidata.reads` fetches the state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lod.publish.wikidata.facts import Participant, RecordFacts, Values
from lod.publish.wikidata.model import (
    Candidate,
    ItemState,
    Plan,
    PlannedItem,
    Snak,
    Statement,
    Value,
    Warning,
    day,
    item,
    partial_date,
)
from lod.publish.wikidata.terms import INSTITUTION_PHRASES, case_study_terms, unique_descriptions

ERROR = "error"


@dataclass(frozen=True)
class Options:
    """What the user allowed: new items for institutions, for IFLA units."""

    create_institutions: bool = False
    create_units: bool = False


def case_study_key(record_id: str) -> str:
    """Plan key of a record's case-study item."""
    return f"casestudy:{record_id}"


def institution_key(key: str) -> str:
    """Plan key of an institution item (the pipeline's institution key)."""
    return f"institution:{key}"


def _reference(facts: RecordFacts) -> tuple[Snak, ...]:
    if not (facts.source_url and facts.retrieved):  # the callers skip such records
        raise ValueError(f"{facts.id}: no source URL or retrieved date to cite")
    return (("P854", Value("url", facts.source_url)), ("P813", day(facts.retrieved)))


def planned_terms(facts: Sequence[RecordFacts], projects: Mapping[str, str]
                  ) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Labels and batch-unique descriptions of every record's case-study item (key -> terms)."""
    terms = {case_study_key(f.id): case_study_terms(f, projects) for f in facts}
    unique = unique_descriptions({key: descriptions for key, (_, descriptions) in terms.items()})
    return {key: (labels, unique[key]) for key, (labels, _) in terms.items()}


class _Planner:
    def __init__(self, values: Values, state: Mapping[str, ItemState],
                 candidates: Iterable[Candidate], options: Options) -> None:
        self.values = values
        self.state = state
        self.options = options
        self.candidates: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in sorted(candidates, key=lambda c: (c.key, _qnum(c.item), c.how)):
            self.candidates[candidate.key].append(candidate)
        self.items: dict[str, PlannedItem] = {}
        self.warnings: set[Warning] = set()

    def warn(self, record: str, code: str, message: str, severity: str = "warning") -> None:
        self.warnings.add(Warning(record, code, message, severity))

    # --- duplicate check ------------------------------------------------------------------

    def _confirmed(self, candidate: Candidate, statements: Sequence[Statement],
                   labels: Mapping[str, str], descriptions: Mapping[str, str]) -> bool:
        """Is the candidate SPARQL found really a match, by the wiki's own current data?"""
        current = self.state.get(candidate.item)
        if current is None:
            return False
        if candidate.how in {"url", "title", "isil", "website"}:
            wanted = {"url": {"P973", "P953"}, "title": {"P1476"}, "isil": {"P791"},
                      "website": {"P856"}}[candidate.how]
            return any(s.property in wanted and current.has(Statement(prop, s.value))
                       for s in statements for prop in wanted)
        if candidate.how == "label":
            return any(current.labels.get(lang) == text for lang, text in labels.items())
        return any(current.labels.get(lang) == text and current.descriptions.get(lang) == descriptions.get(lang)
                   for lang, text in labels.items())

    def _existing(self, key: str, record: str, statements: Sequence[Statement],
                  labels: Mapping[str, str], descriptions: Mapping[str, str],
                  class_qid: str | None) -> tuple[str | None, bool]:
        """(item to update, blocked) for a would-be create, from the confirmed candidates."""
        confirmed = [c for c in self.candidates.get(key, [])
                     if self._confirmed(c, statements, labels, descriptions)]
        same_thing = [c for c in confirmed if c.how in {"url", "title", "isil", "website"} or (
            c.how == "label+description" and class_qid is not None
            and self.state[c.item].has(Statement("P31", item(class_qid))))]
        if same_thing:
            chosen = same_thing[0].item
            found = ", ".join(sorted({f"{c.item} (by {c.how})" for c in same_thing}))
            self.warn(record, "possible-duplicate",
                      f"{key}: an item exists already: {found}; planned as an update of {chosen}")
            return chosen, False
        clashes = sorted({c.item for c in confirmed if c.how == "label+description"}, key=_qnum)
        if clashes:
            self.warn(record, "label-description-clash",
                      f"{key}: {', '.join(clashes)} has the same label and description; "
                      "Wikibase would refuse the create; nothing planned for this item", ERROR)
            return None, True
        namesakes = sorted({c.item for c in confirmed if c.how == "label"}, key=_qnum)
        if namesakes:
            self.warn(record, "possible-duplicate",
                      f"{key}: {', '.join(namesakes)} has the same name; accept or reject it in "
                      "the ledger (`lod reconcile`) before creating a new item", ERROR)
            return None, True
        return None, False

    # --- items ----------------------------------------------------------------------------

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
                                          _unique(statements))
            return
        current = self.state[target]
        new_labels = {lang: text for lang, text in labels.items() if lang not in current.labels}
        new_descriptions = {lang: text for lang, text in descriptions.items()
                            if lang not in current.descriptions
                            and current.labels.get(lang, labels.get(lang)) != text}
        missing = [s for s in _unique(statements) if not current.has(s)]
        action = "update" if (new_labels or new_descriptions or missing) else "none"
        self.items[key] = PlannedItem(key, record, kind, action, target, new_labels,
                                      new_descriptions, missing, current)

    def blocked(self, key: str, record: str, kind: str, target: str | None = None) -> None:
        self.items[key] = PlannedItem(key, record, kind, "blocked", target,
                                      current=self.state.get(target) if target else None)


def _qnum(qid: str) -> int:
    digits = qid.rsplit("Q", 1)[-1]
    return int(digits) if digits.isdigit() else 0


def _unique(statements: Iterable[Statement]) -> list[Statement]:
    seen: set[tuple[str, str]] = set()
    out = []
    for statement in statements:
        if statement.key() not in seen:
            seen.add(statement.key())
            out.append(statement)
    return out


def _institution_statements(planner: _Planner, participant: Participant,
                            reference: tuple[Snak, ...], *, new: bool) -> list[Statement]:
    """P31, P17, P791, P856 of an institution item; on an existing item only where the table
    allows (P17, P856 and P31 only when the item has none)."""
    values = planner.values
    current = None if new else planner.state.get(participant.qid or "")
    out: list[Statement] = []

    def lacks(pid: str) -> bool:
        return current is None or not current.claims.get(pid)

    type_qid = participant.type_qid or values.classes.get(
        "organization" if participant.type == "non-library" else "library")
    if type_qid and lacks("P31"):
        out.append(Statement("P31", item(type_qid), reference=reference))
    country = values.countries.get(participant.country)
    if country and lacks("P17"):
        out.append(Statement("P17", item(country[0]), reference=reference))
    if participant.isil:
        out.append(Statement("P791", Value("external-id", participant.isil), reference=reference))
    if participant.website and lacks("P856"):
        out.append(Statement("P856", Value("url", participant.website), reference=reference))
    return out


def _plan_institutions(planner: _Planner, facts: Sequence[RecordFacts]) -> dict[str, str]:
    """Plan institution items; return institution key -> the item a case study may name."""
    resolved: dict[str, str] = {}
    for record in sorted(facts, key=lambda f: f.id):
        if not (record.source_url and record.retrieved):
            continue
        reference = _reference(record)
        for participant in record.participants:
            if participant.qid:
                if participant.qid not in planner.state:  # no statement may name a missing item
                    planner.warn(record.id, "missing-item",
                                 f"{participant.name}: {participant.qid} is not on the wiki; "
                                 "its statement is left out")
                    continue
                resolved[participant.key] = participant.qid
                key = institution_key(participant.qid)
                if key in planner.items:
                    continue
                planner.add(key, record.id, "institution", participant.qid, {}, {},
                            _institution_statements(planner, participant, reference, new=False))
                continue
            if not planner.options.create_institutions:
                planner.warn(record.id, "needs-reconciliation",
                             f"{participant.name} ({participant.country}) has no accepted item; "
                             "its statement is left out (run `lod reconcile`, or allow "
                             "--create-institutions)")
                continue
            key = institution_key(participant.key)
            labels = {record.lang.lower(): participant.name[:250]}
            phrases = INSTITUTION_PHRASES.get(record.lang)
            country = planner.values.countries.get(participant.country)
            descriptions: dict[str, str] = {}
            if phrases and country:
                phrase = phrases[1] if participant.type == "non-library" else phrases[0]
                descriptions[record.lang.lower()] = phrase.format(country=country[1])
            statements = _institution_statements(planner, participant, reference, new=True)
            target, blocked = planner._existing(key, record.id, statements, labels, descriptions, None)
            if blocked:
                planner.blocked(key, record.id, "institution")
            elif target:
                resolved[participant.key] = target
                planner.add(key, record.id, "institution", target, labels, descriptions,
                            _institution_statements(planner, participant.__class__(
                                **{**participant.__dict__, "qid": target}), reference, new=False))
            elif key not in planner.items:
                if country is None:
                    planner.warn(record.id, "no-country-item",
                                 f"{participant.name}: no verified item for country "
                                 f"{participant.country}; P17 left out")
                planner.add(key, record.id, "institution", None, labels, descriptions, statements)
    return resolved


def _case_study_statements(planner: _Planner, record: RecordFacts,
                           resolved: Mapping[str, str]) -> list[Statement]:
    reference = _reference(record)
    out = [Statement("P31", item(planner.values.classes["case-study"]), reference=reference)]
    for lang, title in sorted(record.titles.items()):
        out.append(Statement("P1476", Value("monolingualtext", title, lang), reference=reference))
    period: list[Snak] = []
    if record.start:
        period.append(("P580", partial_date(record.start)))
    if record.end:
        period.append(("P582", partial_date(record.end)))
    for participant in record.participants:
        qid = resolved.get(participant.key)
        if qid is None:
            if planner.options.create_institutions:
                planner.warn(record.id, "after-create",
                             f"{participant.name}: the participant statement can be planned once "
                             "its new item exists (re-run the plan after publishing)")
            continue
        if participant.role == "funder":
            out.append(Statement("P8324", item(qid), reference=reference))
        else:
            out.append(Statement("P710", item(qid), tuple(period), reference))
    for unit, qid in record.units:
        if qid:
            out.append(Statement("P710", item(qid), reference=reference))
        elif planner.options.create_units:
            planner.warn(record.id, "unit-not-created",
                         f"IFLA unit {unit}: IFLA has no verified item in "
                         "mappings/wikidata-values.tsv, so a unit item cannot name its parent "
                         "(P749); reconcile the unit instead")
        else:
            planner.warn(record.id, "needs-reconciliation",
                         f"IFLA unit {unit} has no accepted item; its statement is left out")
    language = planner.values.languages.get(record.lang)
    if language:
        out.append(Statement("P407", item(language[0]), reference=reference))
    else:
        planner.warn(record.id, "no-language-item",
                     f"no verified item for language {record.lang!r}; P407 left out")
    for _, qid in record.projects:
        if qid:
            out.append(Statement("P4510", item(qid), reference=reference))
    for url in record.reports:
        out.append(Statement("P953", Value("url", url), reference=reference))
    if record.source_url:
        out.append(Statement("P973", Value("url", record.source_url), reference=reference))
    return out


def _batch_clashes(planner: _Planner) -> None:
    """Two creates with one label and description in a language: both blocked."""
    owners: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for key, planned in planner.items.items():
        if planned.action == "create":
            for lang, label in planned.labels.items():
                if lang in planned.descriptions:
                    owners[(lang, label, planned.descriptions[lang])].append(key)
    for (lang, label, _), keys in sorted(owners.items()):
        if len(keys) > 1:
            for key in keys:
                record = planner.items[key].record
                planner.warn(record, "label-description-clash",
                             f"{key}: {', '.join(k for k in keys if k != key)} would get the same "
                             f"label and description in {lang} ({label!r})", ERROR)
                planner.blocked(key, record, planner.items[key].kind)


def build_plan(facts: Sequence[RecordFacts], projects: Mapping[str, str], values: Values,
               state: Mapping[str, ItemState], candidates: Iterable[Candidate],
               options: Options = Options()) -> Plan:
    """The plan for the given records (reviewed or published) against the wiki's state."""
    planner = _Planner(values, state, candidates, options)
    usable = []
    for record in facts:
        if record.source_url and record.retrieved:
            usable.append(record)
        else:
            planner.warn(record.id, "no-source", "no source URL or retrieved date: statements "
                         "could not carry a reference; nothing planned", ERROR)
            planner.blocked(case_study_key(record.id), record.id, "case-study")
    resolved = _plan_institutions(planner, usable)
    terms = planned_terms(usable, projects)
    class_qid = values.classes["case-study"]
    for record in sorted(usable, key=lambda f: f.id):
        key = case_study_key(record.id)
        labels, descriptions = terms[key]
        statements = _case_study_statements(planner, record, resolved)
        if record.qid:
            if record.qid not in state:
                planner.warn(record.id, "missing-item",
                             f"the record's item {record.qid} is not on the wiki", ERROR)
                planner.blocked(key, record.id, "case-study")
                continue
            planner.add(key, record.id, "case-study", record.qid, labels, dict(descriptions),
                        statements)
            continue
        target, blocked = planner._existing(key, record.id, statements, labels, descriptions,
                                            class_qid)
        if blocked:
            planner.blocked(key, record.id, "case-study")
        else:
            planner.add(key, record.id, "case-study", target, labels, dict(descriptions), statements)
    _batch_clashes(planner)
    return Plan([planner.items[key] for key in sorted(planner.items)], sorted(planner.warnings))
