"""The plan of Wikidata edits, as pure code: facts and the wiki's current state in, a plan out.

The data model is argued in docs/wikidata-model.md; in short:

- **nothing without a curator's decision**: a record without one gets no item
  and is listed as undecided, with what to add; ``{create: work}`` plans the
  published work in ``source``, ``{create: project}`` the project itself, a QID
  an update of that item, refused unless the wiki says it is a work or a project
  (its ``P31``), so that a QID put in the wrong field cannot touch a library;
- **statements that mean what they say**: a work's title, language and date are
  the work's own (``source``), never the record's; a project's lead is its
  organiser (P664), other institutions participants (P710), funders P8324, and
  the period is the project's own (P580/P582 on the project item), never
  copied onto a participant;
- **sources**: a reference names the record's source, normalised, never a
  mirror; a page of a Wikimedia wiki is *imported from* it (P143 + P4656); a
  statement whose value is the source URL itself carries no reference; a
  missing retrieval date only leaves P813 out (and is noted);
- **duplicates**: candidates from the query service, the wiki's own search,
  sitelinks and the journal of earlier runs, each confirmed against the item's
  current data; nothing is ever removed or replaced.

No I/O here: :mod:`lod.publish.wikidata.reads` fetches the state.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from lod.publish.wikidata.facts import Participant, RecordFacts, Values
from lod.publish.wikidata.model import (
    Candidate,
    ItemState,
    Plan,
    PlannedItem,
    Snak,
    Statement,
    Undecided,
    Value,
    Warning,
    day,
    item,
    partial_date,
)
from lod.publish.wikidata.sources import Source, normalise, url_key, wikipedia_without_language
from lod.publish.wikidata.terms import (
    institution_description,
    label,
    project_description,
    unique_descriptions,
    work_description,
)

ERROR: Final = "error"
INFO: Final = "info"
#: How near two normalised titles must be to be shown as a possible duplicate.
NEAR: Final = 0.85


@dataclass(frozen=True)
class InstitutionClass:
    """A row of mappings/wikidata-institution-classes.tsv: a kind of institution and its class."""

    kind: str
    qid: str | None
    label: str
    note: str = ""


@dataclass(frozen=True)
class CreateDecision:
    """A curator's decision to create an item for one institution (mappings/wikidata-creates.tsv)."""

    key: str
    kind: str


@dataclass(frozen=True)
class Options:
    """What the user allowed: new items for institutions (with a recorded decision), IFLA units."""

    create_institutions: bool = False
    create_units: bool = False
    classes: Mapping[str, InstitutionClass] = field(default_factory=dict)
    decisions: Mapping[str, CreateDecision] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    """What earlier live runs say: plan key -> the item the journal records as created there."""

    created: Mapping[str, str] = field(default_factory=dict)


def case_study_key(record_id: str) -> str:
    """Plan key of a record's own item (the work or the project)."""
    return f"casestudy:{record_id}"


def institution_key(key: str) -> str:
    """Plan key of an institution item (the pipeline's institution key)."""
    return f"institution:{key}"


def normal_title(text: str) -> str:
    """A title compared with others: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


# --- references ---------------------------------------------------------------------------------


def _source(record: RecordFacts) -> Source | None:
    if not record.source_url:
        return None
    language = record.work.language or record.lang
    return normalise(record.source_url, language)


def reference(record: RecordFacts, values: Values) -> tuple[Snak, ...]:
    """The reference the model names: the record's source, as an external page (P854) or, on a
    Wikimedia wiki, imported from that wiki (P143 when the wiki's item is verified, P4656 the
    page); P813 only when the record gives the day it was read."""
    source = _source(record)
    if source is None or source.blocked:
        return ()
    snaks: list[Snak] = []
    if source.wiki:
        wiki_item = values.wikis.get(source.wiki)
        if wiki_item:
            snaks.append(("P143", item(wiki_item)))
        snaks.append(("P4656", Value("url", source.url)))
    else:
        snaks.append(("P854", Value("url", source.url)))
    if record.retrieved:
        snaks.append(("P813", day(record.retrieved)))
    return tuple(snaks)


class _Planner:
    def __init__(self, values: Values, state: Mapping[str, ItemState],
                 candidates: Iterable[Candidate], options: Options, evidence: Evidence) -> None:
        self.values = values
        self.state = state
        self.options = options
        self.evidence = evidence
        self.candidates: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in sorted(candidates, key=lambda c: (c.key, _qnum(c.item), c.how)):
            self.candidates[candidate.key].append(candidate)
        self.items: dict[str, PlannedItem] = {}
        self.warnings: set[Warning] = set()
        self.undecided: list[Undecided] = []

    def warn(self, record: str, code: str, message: str, severity: str = "warning") -> None:
        self.warnings.add(Warning(record, code, message, severity))

    # --- duplicate check ------------------------------------------------------------------

    def _same_value(self, current: ItemState, statement: Statement) -> bool:
        """Does the item hold this statement's value, compared the way the check compares?"""
        for value in current.claims.get(statement.property, ()):
            if statement.value.type == "url" and value.type == "url":
                if url_key(value.value) == url_key(statement.value.value):
                    return True
            elif statement.property == "P356":
                if value.value.casefold() == statement.value.value.casefold():
                    return True
            elif value.key() == statement.value.key():
                return True
        return False

    def _confirmed(self, candidate: Candidate, statements: Sequence[Statement],
                   labels: Mapping[str, str], descriptions: Mapping[str, str]) -> str | None:
        """How the wiki's own current data confirms a candidate: "same", "near", "clash" or None."""
        current = self.state.get(candidate.item)
        if current is None:
            return None
        if candidate.how in {"url", "doi", "isil", "website", "sitelink", "journal"}:
            if candidate.how in {"sitelink", "journal"}:
                return "same"
            wanted = {"url": {"P973", "P953"}, "doi": {"P356"}, "isil": {"P791"},
                      "website": {"P856"}}[candidate.how]
            found = any(s.property in wanted and self._same_value(current, Statement(prop, s.value))
                        for s in statements for prop in wanted)
            return "same" if found else None
        if candidate.how in {"title", "search", "label"}:
            ours = {normal_title(text) for text in labels.values()}
            ours |= {normal_title(s.value.value) for s in statements if s.property == "P1476"}
            theirs = {normal_title(text) for text in current.labels.values()}
            theirs |= {normal_title(v.value) for v in current.claims.get("P1476", ())}
            if ours & theirs:
                return "same"
            if any(difflib.SequenceMatcher(None, a, b).ratio() >= NEAR for a in ours for b in theirs):
                return "near"
            return None
        same_pair = any(current.labels.get(lang) == text and
                        current.descriptions.get(lang) == descriptions.get(lang)
                        for lang, text in labels.items())
        return "clash" if same_pair else None

    def existing(self, key: str, record: str, statements: Sequence[Statement],
                 labels: Mapping[str, str], descriptions: Mapping[str, str],
                 classes: Mapping[str, str]) -> tuple[str | None, bool]:
        """(item to update, blocked) for a would-be create, from the confirmed candidates."""
        found = [(c, self._confirmed(c, statements, labels, descriptions))
                 for c in self.candidates.get(key, [])]
        strong = {"url", "doi", "isil", "website", "sitelink", "journal"}
        same_thing = [c for c, how in found if how == "same" and (
            c.how in strong or _has_class(self.state[c.item], classes))]
        if same_thing:
            chosen = min(same_thing, key=lambda c: (c.how != "journal", _qnum(c.item))).item
            evidence = ", ".join(sorted({f"{c.item} (by {c.how})" for c in same_thing}))
            self.warn(record, "possible-duplicate",
                      f"{key}: an item exists already: {evidence}; planned as an update of {chosen}")
            return chosen, False
        clashes = sorted({c.item for c, how in found if how == "clash"}, key=_qnum)
        if clashes:
            self.warn(record, "label-description-clash",
                      f"{key}: {', '.join(clashes)} has the same label and description; "
                      "Wikibase would refuse the create; nothing planned for this item", ERROR)
            return None, True
        namesakes = sorted({c.item for c, how in found if how == "same"}, key=_qnum)
        if namesakes:
            self.warn(record, "possible-duplicate",
                      f"{key}: {', '.join(namesakes)} has the same name but is not of the same "
                      "kind; check it, then link it (wikidata: Q…) or keep the create", ERROR)
            return None, True
        near = sorted({c.item for c, how in found if how == "near"}, key=_qnum)
        if near:
            self.warn(record, "near-duplicate",
                      f"{key}: {', '.join(near)} has a nearly equal title or name; if it is the "
                      "same, put its QID into the record instead of the create")
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
        missing = [s for s in _unique(statements) if not self._same_value(current, s)]
        action = "update" if (new_labels or new_descriptions or missing) else "none"
        self.items[key] = PlannedItem(key, record, kind, action, target, new_labels,
                                      new_descriptions, missing, current)

    def blocked(self, key: str, record: str, kind: str, target: str | None = None) -> None:
        self.items[key] = PlannedItem(key, record, kind, "blocked", target,
                                      current=self.state.get(target) if target else None)


def _has_class(current: ItemState, classes: Mapping[str, str]) -> bool:
    return any(v.value in classes for v in current.claims.get("P31", ()))


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


# --- institutions ---------------------------------------------------------------------------------


def _institution_statements(planner: _Planner, participant: Participant, ref: tuple[Snak, ...],
                            *, class_qid: str | None, new: bool) -> list[Statement]:
    """P31, P17, P791, P856 of an institution item; on an existing item only what it lacks
    (P31, P17 and P856 only when the item has none: they are single-value in practice)."""
    values = planner.values
    current = None if new else planner.state.get(participant.qid or "")
    out: list[Statement] = []

    def lacks(pid: str) -> bool:
        return current is None or not current.claims.get(pid)

    if class_qid and lacks("P31"):
        out.append(Statement("P31", item(class_qid), reference=ref))
    country = values.countries.get(participant.country)
    if country and lacks("P17"):
        out.append(Statement("P17", item(country[0]), reference=ref))
    if participant.isil:
        out.append(Statement("P791", Value("external-id", participant.isil)))  # an identifier
    if participant.website and lacks("P856"):
        out.append(Statement("P856", Value("url", normalise(participant.website).url),
                             reference=ref))
    return out


def _plan_institutions(planner: _Planner, facts: Sequence[RecordFacts]) -> dict[str, str]:
    """Plan institution items; return institution key -> the item a record's item may name."""
    resolved: dict[str, str] = {}
    for record in sorted(facts, key=lambda f: f.id):
        ref = reference(record, planner.values)
        if not ref:
            continue  # no acceptable source: nothing said about the institutions either
        for participant in record.participants:
            if participant.qid:
                if participant.qid not in planner.state:  # no statement may name a missing item
                    planner.warn(record.id, "missing-item",
                                 f"{participant.name}: {participant.qid} is not on the wiki; "
                                 "its statement is left out")
                    continue
                resolved[participant.key] = participant.qid
                key = institution_key(participant.qid)
                if key not in planner.items:
                    planner.add(key, record.id, "institution", participant.qid, {}, {},
                                _institution_statements(planner, participant, ref,
                                                        class_qid=participant.type_qid, new=False))
                continue
            _plan_new_institution(planner, record, participant, ref, resolved)
    return resolved


def _plan_new_institution(planner: _Planner, record: RecordFacts, participant: Participant,
                          ref: tuple[Snak, ...], resolved: dict[str, str]) -> None:
    decision = planner.options.decisions.get(participant.key)
    if not planner.options.create_institutions or decision is None:
        planner.warn(record.id, "needs-reconciliation",
                     f"{participant.name} ({participant.country}) has no accepted item; its "
                     "statement is left out (run `lod reconcile`, or record a create decision in "
                     "mappings/wikidata-creates.tsv and pass --create-institutions)")
        return
    key = institution_key(participant.key)
    if key in planner.items:
        return
    chosen = planner.options.classes.get(decision.kind)
    if chosen is None or chosen.qid is None:
        why = chosen.note if chosen else "not a kind of mappings/wikidata-institution-classes.tsv"
        planner.warn(record.id, "no-institution-class",
                     f"{participant.name}: the create decision's kind {decision.kind!r} has no "
                     f"verified class ({why}); link its existing item instead", ERROR)
        planner.blocked(key, record.id, "institution")
        return
    name, changed = label(participant.name)
    if changed:
        planner.warn(record.id, "label-disambiguation",
                     f"{participant.name}: the bracketed part is left out of the label "
                     "(Help:Label: disambiguation belongs in the description)")
    labels = {record.lang.lower(): name}
    country = planner.values.countries.get(participant.country)
    descriptions: dict[str, str] = {}
    text = institution_description(chosen.label, country[1] if country else None)
    if text:
        descriptions["en"] = text
    if country is None:
        planner.warn(record.id, "no-country-item",
                     f"{participant.name}: no verified item for country {participant.country}; "
                     "P17 and the description left out")
    statements = _institution_statements(planner, participant, ref, class_qid=chosen.qid,
                                         new=True)
    target, blocked = planner.existing(key, record.id, statements, labels, descriptions,
                                       {chosen.qid: chosen.label})
    if blocked:
        planner.blocked(key, record.id, "institution")
    elif target:
        resolved[participant.key] = target
        planner.add(key, record.id, "institution", target, labels, descriptions,
                    _institution_statements(planner, replace(participant, qid=target), ref,
                                            class_qid=chosen.qid, new=False))
    else:
        planner.add(key, record.id, "institution", None, labels, descriptions, statements)


# --- the record's own item: a work or a project -----------------------------------------------------


def _subjects(planner: _Planner, record: RecordFacts, resolved: Mapping[str, str]
              ) -> list[tuple[Participant, str]]:
    out = []
    for participant in record.participants:
        qid = resolved.get(participant.key)
        if qid is None:
            if planner.options.create_institutions and participant.key in planner.options.decisions:
                planner.warn(record.id, "after-create",
                             f"{participant.name}: named once its new item exists (re-run the "
                             "plan after publishing)")
            continue
        out.append((participant, qid))
    return out


def _language_item(planner: _Planner, record: RecordFacts, code: str) -> str | None:
    found = planner.values.languages.get(code) or planner.values.languages.get(code.split("-")[0])
    if found is None:
        planner.warn(record.id, "no-language-item",
                     f"no verified item for language {code!r} (mappings/wikidata-values.tsv); "
                     "P407 left out")
        return None
    return found[0]


def work_statements(planner: _Planner, record: RecordFacts, resolved: Mapping[str, str],
                    source: Source) -> list[Statement]:
    """The statements of the published work in ``source`` (docs/wikidata-model.md, "Works")."""
    ref = reference(record, planner.values)
    work = record.work
    out = [Statement("P31", item(planner.values.classes["case-study"]), reference=ref)]
    if work.title and work.language:
        out.append(Statement("P1476", Value("monolingualtext", work.title, work.language),
                             reference=ref))
    if work.language:
        language = _language_item(planner, record, work.language)
        if language:
            out.append(Statement("P407", item(language), reference=ref))
    if work.published:
        out.append(Statement("P577", partial_date(work.published), reference=ref))
    for number, author in enumerate(work.authors, 1):
        out.append(Statement("P2093", Value("string", author),
                             (("P1545", Value("string", str(number))),), ref))
    if work.doi:
        # Wikidata keeps DOIs in upper case; an identifier needs no reference (Help:Sources)
        out.append(Statement("P356", Value("external-id", work.doi.upper())))
    out.append(Statement("P953", Value("url", source.url)))  # the value is the source itself
    for participant, qid in _subjects(planner, record, resolved):
        if participant.role != "funder":
            out.append(Statement("P921", item(qid), reference=ref))
    for _, wiki_project in record.projects:
        if wiki_project:
            out.append(Statement("P4510", item(wiki_project), reference=ref))
    return out


def project_statements(planner: _Planner, record: RecordFacts, resolved: Mapping[str, str],
                       source: Source) -> list[Statement]:
    """The statements of the project itself (docs/wikidata-model.md, "Projects")."""
    ref = reference(record, planner.values)
    out = [Statement("P31", item(planner.values.classes["project"]), reference=ref)]
    for participant, qid in _subjects(planner, record, resolved):
        if participant.role == "lead":
            out.append(Statement("P664", item(qid), reference=ref))
        elif participant.role == "funder":
            out.append(Statement("P8324", item(qid), reference=ref))
        else:  # partner, host, or not stated: a participant, with no period of its own
            out.append(Statement("P710", item(qid), reference=ref))
    for unit, unit_item in record.units:
        if unit_item:
            out.append(Statement("P710", item(unit_item), reference=ref))
        else:
            planner.warn(record.id, "needs-reconciliation",
                         f"IFLA unit {unit} has no accepted item; its statement is left out")
    if record.start:
        out.append(Statement("P580", partial_date(record.start), reference=ref))
    if record.end:
        out.append(Statement("P582", partial_date(record.end), reference=ref))
    for _, wiki_project in record.projects:
        if wiki_project:
            out.append(Statement("P2283", item(wiki_project), reference=ref))
    out.append(Statement("P973", Value("url", source.url)))  # the value is the source itself
    return out


def _undecided(record: RecordFacts) -> Undecided:
    """What the curator may add to decide, and what each choice still lacks."""
    missing = [name for name, value in (("source.url", record.source_url),
                                         ("source.title", record.work.title),
                                         ("source.language", record.work.language),
                                         ("source.published", record.work.published))
               if not value]
    work = "wikidata: {create: work}" + (f" (add {', '.join(missing)})" if missing else "")
    roles = any(p.role for p in record.participants)
    project = "wikidata: {create: project, name: {" + record.lang + ": …}}" + (
        "" if roles else " (state an institution's role)")
    return Undecided(record.id, (work, project, "wikidata: Q… (an existing work or project item)"))


def _blocked_by_source(planner: _Planner, record: RecordFacts, key: str, kind: str,
                       source: Source | None) -> bool:
    if source is None:
        planner.warn(record.id, "no-source",
                     f"{key}: no source.url: its statements could not name a source; add "
                     "source.url (the page that describes it)", ERROR)
        planner.blocked(key, record.id, kind)
        return True
    if source.blocked:
        planner.warn(record.id, "blocked-source",
                     f"{key}: source.url {record.source_url} is a {source.blocked.kind} "
                     f"({source.blocked.reason}); no statement can cite it: replace source.url "
                     "with the original page", ERROR)
        planner.blocked(key, record.id, kind)
        return True
    return False


def _note_source(planner: _Planner, record: RecordFacts, source: Source) -> None:
    if source.changed:
        planner.warn(record.id, "url-normalised",
                     f"source.url {record.source_url} is written {source.url} (desktop host, "
                     "scheme, encoding)", INFO)
    if record.source_url and wikipedia_without_language(record.source_url):
        planner.warn(record.id, "url-language",
                     f"source.url {record.source_url} names no Wikipedia edition; read as "
                     f"{source.url}: write the URL with its language", "warning")
    if record.retrieved is None:
        planner.warn(record.id, "no-retrieved-date",
                     "source.retrieved is not given: references cite the URL alone (no P813); "
                     "add the day the page was read", INFO)
    if source.wikimedia and source.wiki not in planner.values.wikis:
        planner.warn(record.id, "wiki-item-unknown",
                     f"{source.wiki} has no verified item: references give the page (P4656) "
                     "without imported from (P143)", INFO)


def _own_item(planner: _Planner, record: RecordFacts, resolved: Mapping[str, str],
              projects: Mapping[str, str]) -> tuple[str, dict[str, str], dict[str, str],
                                                     list[Statement]] | None:
    """(kind, labels, descriptions, statements) of the record's own item, or None (blocked)."""
    key = case_study_key(record.id)
    values = planner.values
    kind = record.decision
    current = planner.state.get(record.qid) if record.qid else None
    if record.decision == "item":
        if current is None:
            planner.warn(record.id, "missing-item",
                         f"the record's wikidata: {record.qid} is not on the wiki", ERROR)
            planner.blocked(key, record.id, "case-study")
            return None
        classes = [v.value for v in current.claims.get("P31", ())]
        if any(c in values.work_classes for c in classes):
            kind = "work"
        elif any(c in values.project_classes for c in classes):
            kind = "project"
        else:
            shown = ", ".join(f"{c} ({values.labels.get(c, 'unknown class')})" for c in classes)
            planner.warn(record.id, "not-a-case-study",
                         f"record {record.id}: its wikidata: {record.qid} is "
                         + (f"an instance of {shown}" if classes else "an item without a class")
                         + ", not a case study, work or project; nothing planned for it. A QID "
                         "of a library or partner belongs on its institution "
                         "(institutions[].wikidata)", ERROR)
            planner.blocked(key, record.id, "case-study", record.qid)
            return None
    source = _source(record)
    if _blocked_by_source(planner, record, key, str(kind), source) or source is None \
            or kind is None:
        return None
    _note_source(planner, record, source)
    labels: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    if kind == "work":
        if source.wiki and not source.wiki.endswith("wikisource.org"):
            planner.warn(record.id, "work-is-a-wiki-page",
                         f"{key}: the work is a page of {source.wiki}; a wiki page is rarely a "
                         "published work (WD:N): consider create: project")
        work = record.work
        if work.title and work.language:
            text, changed = label(work.title)
            labels[work.language] = text
            for lang in sorted({"en", work.language}):
                description = work_description(record, lang)
                if description:
                    descriptions[lang] = description
        return kind, labels, descriptions, work_statements(planner, record, resolved, source)
    for lang, name in sorted(record.project_names.items()):
        text, changed = label(name)
        if changed:
            planner.warn(record.id, "label-disambiguation",
                         f"{key}: {name!r}: the bracketed part is left out of the label "
                         "(Help:Label: disambiguation belongs in the description)")
        labels[lang] = text
    for lang in sorted({"en", *labels}):
        description = project_description(record, lang, projects)
        if description:
            descriptions[lang] = description
    if not any(p.role == "lead" and p.key in resolved for p in record.participants):
        planner.warn(record.id, "no-organiser",
                     f"{key}: no lead institution with an item: the project has no organiser "
                     "(P664) yet")
    return kind, labels, descriptions, project_statements(planner, record, resolved, source)


def _batch_clashes(planner: _Planner) -> None:
    """Two creates with one label and description in a language: both blocked."""
    owners: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for key, planned in planner.items.items():
        if planned.action == "create":
            for lang, text in planned.labels.items():
                if lang in planned.descriptions:
                    owners[(lang, text, planned.descriptions[lang])].append(key)
    for (lang, text, _), keys in sorted(owners.items()):
        if len(keys) > 1:
            for key in keys:
                record = planner.items[key].record
                planner.warn(record, "label-description-clash",
                             f"{key}: {', '.join(k for k in keys if k != key)} would get the same "
                             f"label and description in {lang} ({text!r})", ERROR)
                planner.blocked(key, record, planner.items[key].kind)


def planned_terms(facts: Sequence[RecordFacts], projects: Mapping[str, str]
                  ) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Labels and descriptions of every decided create (key -> terms), for the duplicate probes."""
    out: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for record in facts:
        labels: dict[str, str] = {}
        descriptions: dict[str, str] = {}
        if record.decision == "work" and record.work.title and record.work.language:
            labels[record.work.language] = label(record.work.title)[0]
            for lang in sorted({"en", record.work.language}):
                text = work_description(record, lang)
                if text:
                    descriptions[lang] = text
        elif record.decision == "project":
            labels = {lang: label(name)[0] for lang, name in record.project_names.items()}
            for lang in sorted({"en", *labels}):
                text = project_description(record, lang, projects)
                if text:
                    descriptions[lang] = text
        else:
            continue
        out[case_study_key(record.id)] = (labels, descriptions)
    return out


def build_plan(facts: Sequence[RecordFacts], projects: Mapping[str, str], values: Values,
               state: Mapping[str, ItemState], candidates: Iterable[Candidate],
               options: Options = Options(), evidence: Evidence = Evidence()) -> Plan:
    """The plan for the given records (reviewed or published) against the wiki's state."""
    planner = _Planner(values, state, candidates, options, evidence)
    decided = []
    for record in sorted(facts, key=lambda f: f.id):
        if record.decision is None:
            planner.undecided.append(_undecided(record))
        else:
            decided.append(record)
    resolved = _plan_institutions(planner, decided)
    own: dict[str, tuple[RecordFacts, str, dict[str, str], dict[str, str], list[Statement]]] = {}
    for record in decided:
        made = _own_item(planner, record, resolved, projects)
        if made is not None:
            kind, labels, descriptions, statements = made
            own[case_study_key(record.id)] = (record, kind, labels, descriptions, statements)
    extras = {key: [name for p in record.participants if (name := label(p.name)[0])]
              for key, (record, *_rest) in own.items()}
    unique, dropped = unique_descriptions({k: v[3] for k, v in own.items()}, extras)
    for key, lang in dropped:
        planner.warn(own[key][0].id, "description-not-unique",
                     f"{key}: its {lang} description would equal another item's in this batch; "
                     "left out (add a fact that tells them apart)")
    for key, (record, kind, labels, _, statements) in sorted(own.items()):
        descriptions = unique[key]
        target: str | None = record.qid
        if target is None:
            earlier = evidence.created.get(key)
            if earlier and earlier in state:
                planner.warn(record.id, "created-earlier",
                             f"{key}: the journal of an earlier live run created {earlier}; "
                             "planned as an update of it, not a second create")
                target = earlier
        if target is None:
            classes = values.work_classes if kind == "work" else values.project_classes
            target, blocked = planner.existing(key, record.id, statements, labels, descriptions,
                                               classes)
            if blocked:
                planner.blocked(key, record.id, kind)
                continue
        planner.add(key, record.id, kind, target, labels, dict(descriptions), statements)
    _batch_clashes(planner)
    return Plan([planner.items[key] for key in sorted(planner.items)], sorted(planner.warnings),
                sorted(planner.undecided))
