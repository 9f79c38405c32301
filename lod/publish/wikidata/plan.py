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

No I/O here: :mod:`lod.publish.wikidata.reads` fetches the state. This module
decides what each record's own item is and runs the steps in order; each step is
a module of its own: :mod:`~lod.publish.wikidata.institutions`,
:mod:`~lod.publish.wikidata.statements`, :mod:`~lod.publish.wikidata.references`,
:mod:`~lod.publish.wikidata.duplicates` (through the
:class:`~lod.publish.wikidata.builder.PlanBuilder` they all add to) and
:mod:`~lod.publish.wikidata.terms` (labels and descriptions).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from lod.publish.wikidata.builder import (
    ERROR,
    PlanBuilder,
    case_study_key,
    institution_key,
)
from lod.publish.wikidata.decisions import Options
from lod.publish.wikidata.facts import RecordFacts, Values
from lod.publish.wikidata.institutions import plan_institutions
from lod.publish.wikidata.model import Candidate, ItemState, Plan, Statement, Undecided
from lod.publish.wikidata.references import blocked_by_source, note_source, record_source
from lod.publish.wikidata.statements import project_statements, work_statements
from lod.publish.wikidata.terms import (
    label,
    project_description,
    unique_descriptions,
    work_description,
)

#: What other modules take from here (the options and the keys are defined where the steps
#: that use them live, and named here for the callers of the planner).
__all__ = ["Evidence", "Options", "build_plan", "case_study_key", "institution_key",
           "planned_terms"]


@dataclass(frozen=True)
class Evidence:
    """What earlier live runs say: plan key -> the item the journal records as created there."""

    created: Mapping[str, str] = field(default_factory=dict)


#: Nothing created but the records' own items (the command's defaults).
DEFAULTS: Final = Options()


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


def _own_item(planner: PlanBuilder, record: RecordFacts, resolved: Mapping[str, str],
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
        classes = [v.value for v in current.claims.get(values.properties("instance of"), ())]
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
    source = record_source(record)
    if blocked_by_source(planner, record, key, str(kind), source) or source is None \
            or kind is None:
        return None
    note_source(planner, record, source)
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
                     f"({planner.values.properties('organizer')}) yet")
    return kind, labels, descriptions, project_statements(planner, record, resolved, source)


def _batch_clashes(planner: PlanBuilder) -> None:
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
               options: Options = DEFAULTS, evidence: Evidence = Evidence()) -> Plan:
    """The plan for the given records (reviewed or published) against the wiki's state."""
    planner = PlanBuilder(values, state, candidates, options)
    decided = []
    for record in sorted(facts, key=lambda f: f.id):
        if record.decision is None:
            planner.undecided.append(_undecided(record))
        else:
            decided.append(record)
    resolved = plan_institutions(planner, decided)
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
