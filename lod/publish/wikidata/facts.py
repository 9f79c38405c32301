"""The facts a plan may use, taken from the assembled graph and its records; never narrative.

Only what docs/wikidata-model.md maps reaches this module's output: the curator's
Wikidata decision, the source as a published work (URL, title, language, date,
authors, DOI, retrieval date), the project's own name and period, institutions
(name, country, type, stated role, ISIL, website, item), IFLA units, projects,
languages, report links. The summary, the sections, notes and contacts are not
read here at all, so they cannot reach Wikidata (CC0) by any path.

Item ids come from the graph the pipeline built: a record's own QID, else the
curators' accepted ledger link (``owl:sameAs``); project and library-type items
from the vocabularies' ``skos:exactMatch``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Store

from lod.model.case_study import CaseStudy
from lod.namespaces import (
    OWL,
    SCHEME_IFLA_UNIT,
    SCHEME_LIBRARY_TYPE,
    SCHEME_PROJECT,
    SKOS,
    WD,
    concept_iri,
)
from lod.publish.wikidata.pids import Properties, plan_properties
from lod.rdf.build import institution_iri, institution_key
from lod.wikidataids import values_rows


@dataclass(frozen=True)
class Values:
    """The verified items for codes (mappings/wikidata-values.tsv).

    ``classes``: code -> class item; ``countries`` and ``languages``: code ->
    (item, English label); ``wikis``: a wiki's host -> its item (the value of
    imported from Wikimedia project); ``work_classes`` and
    ``project_classes``: the classes an existing item must have for a record
    to update it (kinds ``work-class`` and ``project-class``).
    """

    classes: dict[str, str]
    countries: dict[str, tuple[str, str]]
    languages: dict[str, tuple[str, str]]
    wikis: dict[str, str] = field(default_factory=dict)
    work_classes: dict[str, str] = field(default_factory=dict)
    project_classes: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    #: The properties the plan uses (mappings/wikidata-properties.tsv beside the values table).
    properties: Properties = field(default_factory=plan_properties)


def read_values(path: Path) -> Values:
    """Read the values table, and the property table beside it."""
    values = Values({}, {}, {}, properties=plan_properties(path.parent))
    for kind, code, qid, label in values_rows(path):
        values.labels[qid] = label
        if kind == "class":
            values.classes[code] = qid
        elif kind == "country":
            values.countries[code] = (qid, label)
        elif kind == "language":
            values.languages[code] = (qid, label)
        elif kind == "wiki":
            values.wikis[code] = qid
        elif kind == "work-class":
            values.work_classes[qid] = label
        elif kind == "project-class":
            values.project_classes[qid] = label
    return values


@dataclass(frozen=True)
class Participant:
    """An institution of a record, with its item when one is known."""

    key: str
    name: str
    country: str
    type: str
    role: str | None  # None: the record does not say (never a default fact)
    qid: str | None
    type_qid: str | None
    isil: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class Work:
    """The record's source as a published work (``source``'s bibliographic fields)."""

    title: str | None = None
    language: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    doi: str | None = None


@dataclass(frozen=True)
class RecordFacts:
    """What one reviewed or published record says that may go to Wikidata.

    ``decision`` is the curator's: ``item`` (``qid``), ``work``, ``project`` or
    None (undecided: no item is planned for the record).
    """

    id: str
    lang: str
    titles: dict[str, str]
    qid: str | None
    source_url: str | None
    retrieved: dt.date | None
    start: str | None
    end: str | None
    participants: tuple[Participant, ...]
    units: tuple[tuple[str, str | None], ...]
    projects: tuple[tuple[str, str | None], ...]
    reports: tuple[str, ...]
    languages: tuple[str, ...] = field(default=())
    decision: str | None = None
    project_names: dict[str, str] = field(default_factory=dict)
    work: Work = field(default_factory=Work)


def _match(store: Store, subject: str, predicate: str) -> str | None:
    """The Wikidata QID ``subject predicate wd:Q…`` names, if exactly the lowest one."""
    found = sorted(
        (quad.object.value.removeprefix(WD) for quad in
         store.quads_for_pattern(NamedNode(subject), NamedNode(predicate), None)
         if isinstance(quad.object, NamedNode) and quad.object.value.startswith(WD)),
        key=lambda q: int(q[1:]) if q[1:].isdigit() else 0,
    )
    return found[0] if found else None


def _one_line(text: str) -> str:
    """Whitespace collapsed, as Wikibase stores terms (and as a QuickStatements line needs)."""
    return " ".join(text.split())


def record_facts(record: CaseStudy, store: Store, base: str) -> RecordFacts:
    """The plan's view of one record (pure: the graph and the record in, facts out)."""
    exact = f"{SKOS}exactMatch"
    participants = []
    for institution in record.institutions:
        qid = institution.wikidata or _match(store, institution_iri(base, institution), f"{OWL}sameAs")
        participants.append(Participant(
            key=institution_key(institution), name=_one_line(institution.name), country=institution.country,
            type=institution.type,
            role=institution.role if "role" in institution.model_fields_set else None, qid=qid,
            type_qid=_match(store, concept_iri(SCHEME_LIBRARY_TYPE, institution.type), exact),
            isil=institution.isil, website=institution.website))
    source = record.source
    period = record.period
    decision = "item" if record.item else (record.create.create if record.create else None)
    names = (record.create.name or {}) if record.create else {}
    work = Work(
        title=_one_line(source.title) if source and source.title else None,
        language=source.language.lower() if source and source.language else None,
        published=source.published if source else None,
        authors=tuple(_one_line(a) for a in source.authors) if source else (),
        doi=source.doi if source else None)
    return RecordFacts(
        id=record.id,
        lang=record.lang,
        # Wikibase language codes are lower case (zh-hant, not BCP 47 zh-Hant)
        titles={lang.lower(): _one_line(text) for lang, text in record.title.items()},
        qid=record.item,
        source_url=source.url if source else None,
        retrieved=source.retrieved if source else None,
        start=period.start if period else None,
        end=period.end if period else None,
        participants=tuple(participants),
        units=tuple((unit, _match(store, concept_iri(SCHEME_IFLA_UNIT, unit), exact))
                    for unit in record.units),
        projects=tuple((project, _match(store, concept_iri(SCHEME_PROJECT, project), exact))
                       for project in record.wikimedia_projects),
        reports=tuple(link.url for link in record.links if link.kind == "report"),
        languages=tuple(record.languages),
        decision=decision,
        project_names={lang.lower(): _one_line(name) for lang, name in names.items()},
        work=work,
    )


def project_labels(store: Store) -> dict[str, str]:
    """English labels of the project terms (used in generated descriptions)."""
    labels: dict[str, str] = {}
    prefix = concept_iri(SCHEME_PROJECT, "")
    for quad in store.quads_for_pattern(None, NamedNode(f"{SKOS}prefLabel"), None):
        subject, label = quad.subject, quad.object
        if (isinstance(subject, NamedNode) and subject.value.startswith(prefix)
                and isinstance(label, Literal) and label.language == "en"):
            labels[subject.value.removeprefix(prefix)] = label.value
    return labels
