"""Case-study records to triples, straight into pyoxigraph terms.

The mapping is the one documented in ``docs/model.md``; it is pure (records
in, triples out) so that a single record can be rebuilt and validated alone.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Triple

from lod.model.case_study import CaseStudy, Institution
from lod.namespaces import (
    DCTERMS,
    LCS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SCHEME_ACTIVITY,
    SCHEME_COUNTRY,
    SCHEME_IFLA_UNIT,
    SCHEME_LIBRARY_TYPE,
    SCHEME_LINK_KIND,
    SCHEME_PROJECT,
    SCHEME_ROLE,
    SCHEME_SUBMITTER_KIND,
    SPDX,
    WD,
    XSD,
    concept_iri,
)

_SLUG_RE = re.compile(r"[^a-z0-9]+")


@cache
def _iri(value: str) -> NamedNode:
    return NamedNode(value)


def _concept(scheme: str, term: str) -> NamedNode:
    return _iri(concept_iri(scheme, term))


A = _iri(f"{RDF}type")
XSD_STRING = _iri(f"{XSD}string")
XSD_INTEGER = _iri(f"{XSD}integer")
XSD_DATE = _iri(f"{XSD}date")
_DATE_TYPES = {4: _iri(f"{XSD}gYear"), 7: _iri(f"{XSD}gYearMonth"), 10: XSD_DATE}
_SECTION_PREDICATES = {
    key: _iri(f"{LCS}{key}")
    for key in ("context", "goals", "implementation", "outcomes", "lessons", "resources")
}


def slug(text: str, *, limit: int = 60) -> str:
    """ASCII slug of a name; names with no Latin letters get a short hash instead."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = _SLUG_RE.sub("-", folded.lower()).strip("-")[:limit].strip("-")
    if not value:
        value = "h" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    return value


def institution_key(institution: Institution) -> str:
    """Stable key: the QID, else the ISIL, else country plus the slug of the name."""
    if institution.wikidata:
        return institution.wikidata
    if institution.isil:
        return "isil-" + quote(institution.isil, safe="")
    return f"{institution.country.lower()}-{slug(institution.name)}"


def case_study_iri(base: str, record_id: str) -> str:
    """``<base>casestudy/<id>``."""
    return f"{base}casestudy/{record_id}"


def institution_iri(base: str, institution: Institution) -> str:
    """``<base>institution/<key>``."""
    return f"{base}institution/{institution_key(institution)}"


def _text(value: str, lang: str | None = None) -> Literal:
    return Literal(value, language=lang) if lang else Literal(value)


def institution_triples(base: str, institution: Institution) -> Iterator[Triple]:
    """The facts about one institution (shared by every record that names it)."""
    node = _iri(institution_iri(base, institution))
    yield Triple(node, A, _iri(f"{LCS}Institution"))
    yield Triple(node, A, _iri(f"{SCHEMA}Organization"))
    yield Triple(node, _iri(f"{SCHEMA}name"), _text(institution.name))
    yield Triple(node, _iri(f"{LCS}country"), _concept(SCHEME_COUNTRY, institution.country))
    yield Triple(node, _iri(f"{SCHEMA}addressCountry"), _text(institution.country))
    yield Triple(node, _iri(f"{LCS}libraryType"), _concept(SCHEME_LIBRARY_TYPE, institution.type))
    if institution.isil:
        yield Triple(node, _iri(f"{LCS}isil"), _text(institution.isil))
    if institution.wikidata:
        item = _iri(f"{WD}{institution.wikidata}")
        yield Triple(node, _iri(f"{OWL}sameAs"), item)
        yield Triple(node, _iri(f"{SCHEMA}sameAs"), item)
    if institution.website:
        yield Triple(node, _iri(f"{SCHEMA}url"), _iri(institution.website))


def case_study_triples(base: str, record: CaseStudy) -> Iterator[Triple]:
    """Every triple one record contributes (institutions included, notes and private contacts not)."""
    iri = case_study_iri(base, record.id)
    cs = _iri(iri)
    lang = record.lang
    yield Triple(cs, A, _iri(f"{LCS}CaseStudy"))
    yield Triple(cs, A, _iri(f"{SCHEMA}CreativeWork"))
    yield Triple(cs, _iri(f"{DCTERMS}identifier"), _text(record.id))
    yield Triple(cs, _iri(f"{SCHEMA}creativeWorkStatus"), _text(record.status))
    yield Triple(cs, _iri(f"{SCHEMA}inLanguage"), _text(lang))
    for tag, title in record.title.items():
        yield Triple(cs, _iri(f"{DCTERMS}title"), _text(title, tag))
    for tag, summary in record.summary.items():
        yield Triple(cs, _iri(f"{DCTERMS}abstract"), _text(summary, tag))
    if record.sections:
        for key, text in record.sections.items():
            yield Triple(cs, _SECTION_PREDICATES[key], _text(text, lang))
    if record.submitted_by:
        submitter = _iri(f"{iri}#submitter")
        yield Triple(cs, _iri(f"{LCS}submittedBy"), submitter)
        yield Triple(submitter, A, _iri(f"{LCS}Submitter"))
        kind = _concept(SCHEME_SUBMITTER_KIND, record.submitted_by.kind)
        yield Triple(submitter, _iri(f"{LCS}submitterKind"), kind)
        if record.submitted_by.unit:
            unit = _concept(SCHEME_IFLA_UNIT, record.submitted_by.unit)
            yield Triple(submitter, _iri(f"{LCS}iflaUnit"), unit)
        if record.submitted_by.name:
            yield Triple(submitter, _iri(f"{SCHEMA}name"), _text(record.submitted_by.name))
    for unit_id in record.ifla_units:
        yield Triple(cs, _iri(f"{LCS}iflaUnit"), _concept(SCHEME_IFLA_UNIT, unit_id))
    for number, institution in enumerate(record.institutions, start=1):
        node = _iri(institution_iri(base, institution))
        association = _iri(f"{iri}#institution-{number}")
        yield Triple(cs, _iri(f"{LCS}involves"), node)
        yield Triple(cs, _iri(f"{PROV}qualifiedAssociation"), association)
        yield Triple(association, A, _iri(f"{PROV}Association"))
        yield Triple(association, _iri(f"{PROV}agent"), node)
        yield Triple(association, _iri(f"{PROV}hadRole"), _concept(SCHEME_ROLE, institution.role))
        yield from institution_triples(base, institution)
    for project in record.wikimedia_projects:
        yield Triple(cs, _iri(f"{LCS}project"), _concept(SCHEME_PROJECT, project))
    for activity in record.activities:
        yield Triple(cs, _iri(f"{LCS}activity"), _concept(SCHEME_ACTIVITY, activity))
    for language in record.languages:
        yield Triple(cs, _iri(f"{LCS}wikiLanguage"), _text(language))
    if record.period:
        if record.period.start:
            start = Literal(record.period.start, datatype=_DATE_TYPES[len(record.period.start)])
            yield Triple(cs, _iri(f"{SCHEMA}startDate"), start)
        if record.period.end:
            end = Literal(record.period.end, datatype=_DATE_TYPES[len(record.period.end)])
            yield Triple(cs, _iri(f"{SCHEMA}endDate"), end)
    for number, link in enumerate(record.links, start=1):
        page = _iri(f"{iri}#link-{number}")
        yield Triple(cs, _iri(f"{LCS}link"), page)
        yield Triple(cs, _iri(f"{RDFS}seeAlso"), _iri(link.url))
        yield Triple(page, A, _iri(f"{SCHEMA}WebPage"))
        yield Triple(page, _iri(f"{SCHEMA}url"), _iri(link.url))
        if link.title:
            yield Triple(page, _iri(f"{SCHEMA}name"), _text(link.title))
        if link.kind:
            yield Triple(page, _iri(f"{LCS}linkKind"), _concept(SCHEME_LINK_KIND, link.kind))
    published = (contact for contact in record.contacts if contact.publish)
    for number, contact in enumerate(published, start=1):
        point = _iri(f"{iri}#contact-{number}")
        yield Triple(cs, _iri(f"{SCHEMA}contactPoint"), point)
        yield Triple(point, A, _iri(f"{SCHEMA}ContactPoint"))
        if contact.name:
            yield Triple(point, _iri(f"{SCHEMA}name"), _text(contact.name))
        if contact.email:
            yield Triple(point, _iri(f"{SCHEMA}email"), _text(contact.email))
    if record.source:
        if record.source.url:
            yield Triple(cs, _iri(f"{DCTERMS}source"), _iri(record.source.url))
        if record.source.revision is not None:
            revision = Literal(str(record.source.revision), datatype=XSD_INTEGER)
            yield Triple(cs, _iri(f"{LCS}sourceRevision"), revision)
        if record.source.retrieved:
            retrieved = Literal(record.source.retrieved.isoformat(), datatype=XSD_DATE)
            yield Triple(cs, _iri(f"{LCS}retrieved"), retrieved)
    yield Triple(cs, _iri(f"{DCTERMS}license"), _iri(f"{SPDX}{record.license}"))
    if record.wikidata:
        item = _iri(f"{WD}{record.wikidata}")
        yield Triple(cs, _iri(f"{OWL}sameAs"), item)
        yield Triple(cs, _iri(f"{SCHEMA}sameAs"), item)


def graph_triples(base: str, records: Iterable[CaseStudy]) -> set[Triple]:
    """The records' triples as a set (an institution named twice is stated once)."""
    triples: set[Triple] = set()
    for record in records:
        triples.update(case_study_triples(base, record))
    return triples
