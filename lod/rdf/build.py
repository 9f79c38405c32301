"""Case-study records to triples, straight into pyoxigraph terms.

The mapping is the one documented in ``docs/model.md``; it is pure (records
in, triples out) so that a single record can be rebuilt and validated alone.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import unicodedata
from collections.abc import Iterator
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
DCTERMS_ABSTRACT = NamedNode(f"{DCTERMS}abstract")
DCTERMS_IDENTIFIER = NamedNode(f"{DCTERMS}identifier")
DCTERMS_LICENSE = NamedNode(f"{DCTERMS}license")
DCTERMS_SOURCE = NamedNode(f"{DCTERMS}source")
DCTERMS_TITLE = NamedNode(f"{DCTERMS}title")
LCS_ACTIVITY = NamedNode(f"{LCS}activity")
LCS_CASE_STUDY = NamedNode(f"{LCS}CaseStudy")
LCS_COUNTRY = NamedNode(f"{LCS}country")
LCS_IFLA_UNIT = NamedNode(f"{LCS}iflaUnit")
LCS_INSTITUTION = NamedNode(f"{LCS}Institution")
LCS_INVOLVES = NamedNode(f"{LCS}involves")
LCS_ISIL = NamedNode(f"{LCS}isil")
LCS_LIBRARY_TYPE = NamedNode(f"{LCS}libraryType")
LCS_LINK = NamedNode(f"{LCS}link")
LCS_LINK_KIND = NamedNode(f"{LCS}linkKind")
LCS_START_FIRST_DAY = NamedNode(f"{LCS}startFirstDay")
LCS_START_LAST_DAY = NamedNode(f"{LCS}startLastDay")
LCS_START_YEAR = NamedNode(f"{LCS}startYear")
LCS_END_FIRST_DAY = NamedNode(f"{LCS}endFirstDay")
LCS_END_LAST_DAY = NamedNode(f"{LCS}endLastDay")
LCS_END_YEAR = NamedNode(f"{LCS}endYear")
LCS_PROJECT = NamedNode(f"{LCS}project")
LCS_RETRIEVED = NamedNode(f"{LCS}retrieved")
LCS_SOURCE_REVISION = NamedNode(f"{LCS}sourceRevision")
LCS_SOURCE_TITLE = NamedNode(f"{LCS}sourceTitle")
LCS_SOURCE_LANGUAGE = NamedNode(f"{LCS}sourceLanguage")
LCS_SOURCE_PUBLISHED = NamedNode(f"{LCS}sourcePublished")
LCS_SOURCE_AUTHOR = NamedNode(f"{LCS}sourceAuthor")
LCS_SOURCE_DOI = NamedNode(f"{LCS}sourceDoi")
LCS_WIKIDATA_CREATE = NamedNode(f"{LCS}wikidataCreate")
LCS_PROJECT_NAME = NamedNode(f"{LCS}projectName")
LCS_SUBMITTED_BY = NamedNode(f"{LCS}submittedBy")
LCS_SUBMITTER = NamedNode(f"{LCS}Submitter")
LCS_SUBMITTER_KIND = NamedNode(f"{LCS}submitterKind")
LCS_WIKI_LANGUAGE = NamedNode(f"{LCS}wikiLanguage")
OWL_SAME_AS = NamedNode(f"{OWL}sameAs")
PROV_AGENT = NamedNode(f"{PROV}agent")
PROV_ASSOCIATION = NamedNode(f"{PROV}Association")
PROV_HAD_ROLE = NamedNode(f"{PROV}hadRole")
PROV_QUALIFIED_ASSOCIATION = NamedNode(f"{PROV}qualifiedAssociation")
RDFS_SEE_ALSO = NamedNode(f"{RDFS}seeAlso")
SCHEMA_ADDRESS_COUNTRY = NamedNode(f"{SCHEMA}addressCountry")
SCHEMA_CONTACT_POINT_CLASS = NamedNode(f"{SCHEMA}ContactPoint")
SCHEMA_CONTACT_POINT = NamedNode(f"{SCHEMA}contactPoint")
SCHEMA_CREATIVE_WORK = NamedNode(f"{SCHEMA}CreativeWork")
SCHEMA_CREATIVE_WORK_STATUS = NamedNode(f"{SCHEMA}creativeWorkStatus")
SCHEMA_EMAIL = NamedNode(f"{SCHEMA}email")
SCHEMA_END_DATE = NamedNode(f"{SCHEMA}endDate")
SCHEMA_IN_LANGUAGE = NamedNode(f"{SCHEMA}inLanguage")
SCHEMA_NAME = NamedNode(f"{SCHEMA}name")
SCHEMA_ORGANIZATION = NamedNode(f"{SCHEMA}Organization")
SCHEMA_SAME_AS = NamedNode(f"{SCHEMA}sameAs")
SCHEMA_START_DATE = NamedNode(f"{SCHEMA}startDate")
SCHEMA_URL = NamedNode(f"{SCHEMA}url")
SCHEMA_WEB_PAGE = NamedNode(f"{SCHEMA}WebPage")
_SECTION_PREDICATES = {
    key: _iri(f"{LCS}{key}")
    for key in ("context", "goals", "implementation", "outcomes", "lessons", "resources")
}


#: The nodes a record mints under its own IRI: ``<cs>#submitter``, ``<cs>#institution-N`` ….
FRAGMENTS = ("submitter", "institution", "link", "contact")


def fragment_iri(case_iri: str, kind: str, number: int | None = None) -> str:
    """The one place a record's own nodes are named (the builder and validation both call it).

    ``number`` counts list items from 1; the submitter has none.
    """
    if kind not in FRAGMENTS:
        raise ValueError(f"unknown fragment kind {kind!r}")
    return f"{case_iri}#{kind}" if number is None else f"{case_iri}#{kind}-{number}"


def day_range(value: str) -> tuple[str, str]:
    """The first and the last day a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` value can mean."""
    year = int(value[:4])
    if len(value) == 4:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    month = int(value[5:7])
    if len(value) == 7:
        last = calendar.monthrange(year, month)[1]
        return f"{value}-01", f"{value}-{last:02d}"
    return value, value


def _date_triples(cs: NamedNode, value: str, typed: NamedNode, first: NamedNode,
                  last: NamedNode, year: NamedNode) -> Iterator[Triple]:
    """The typed value as given, plus forms that compare: first and last day, and the year."""
    yield Triple(cs, typed, Literal(value, datatype=_DATE_TYPES[len(value)]))
    first_day, last_day = day_range(value)
    yield Triple(cs, first, Literal(first_day, datatype=XSD_DATE))
    yield Triple(cs, last, Literal(last_day, datatype=XSD_DATE))
    yield Triple(cs, year, Literal(value[:4], datatype=XSD_INTEGER))


def iri_segment(text: str, *, limit: int = 60) -> str:
    """A name as an ASCII IRI path segment (an institution key's name part); a name with no
    Latin letters gets a short hash instead. Keys are identifiers: the output never changes."""
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
    return f"{institution.country.lower()}-{iri_segment(institution.name)}"


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
    yield Triple(node, A, LCS_INSTITUTION)
    yield Triple(node, A, SCHEMA_ORGANIZATION)
    yield Triple(node, SCHEMA_NAME, _text(institution.name))
    yield Triple(node, LCS_COUNTRY, _concept(SCHEME_COUNTRY, institution.country))
    yield Triple(node, SCHEMA_ADDRESS_COUNTRY, _text(institution.country))
    yield Triple(node, LCS_LIBRARY_TYPE, _concept(SCHEME_LIBRARY_TYPE, institution.type))
    if institution.isil:
        yield Triple(node, LCS_ISIL, _text(institution.isil))
    if institution.wikidata:
        item = _iri(f"{WD}{institution.wikidata}")
        yield Triple(node, OWL_SAME_AS, item)
        yield Triple(node, SCHEMA_SAME_AS, item)
    if institution.website:
        yield Triple(node, SCHEMA_URL, _iri(institution.website))


def case_study_triples(base: str, record: CaseStudy) -> Iterator[Triple]:
    """Every triple one record contributes (institutions included, notes and private contacts not)."""
    iri = case_study_iri(base, record.id)
    cs = _iri(iri)
    lang = record.lang
    yield Triple(cs, A, LCS_CASE_STUDY)
    yield Triple(cs, A, SCHEMA_CREATIVE_WORK)
    yield Triple(cs, DCTERMS_IDENTIFIER, _text(record.id))
    yield Triple(cs, SCHEMA_CREATIVE_WORK_STATUS, _text(record.status))
    yield Triple(cs, SCHEMA_IN_LANGUAGE, _text(lang))
    for tag, title in record.title.items():
        yield Triple(cs, DCTERMS_TITLE, _text(title, tag))
    for tag, summary in record.summary.items():
        yield Triple(cs, DCTERMS_ABSTRACT, _text(summary, tag))
    if record.sections:
        for key, text in record.sections.items():
            yield Triple(cs, _SECTION_PREDICATES[key], _text(text, lang))
    if record.submitted_by:
        submitter = _iri(fragment_iri(iri, "submitter"))
        yield Triple(cs, LCS_SUBMITTED_BY, submitter)
        yield Triple(submitter, A, LCS_SUBMITTER)
        kind = _concept(SCHEME_SUBMITTER_KIND, record.submitted_by.kind)
        yield Triple(submitter, LCS_SUBMITTER_KIND, kind)
        if record.submitted_by.unit:
            unit = _concept(SCHEME_IFLA_UNIT, record.submitted_by.unit)
            yield Triple(submitter, LCS_IFLA_UNIT, unit)
        if record.submitted_by.name:
            yield Triple(submitter, SCHEMA_NAME, _text(record.submitted_by.name))
    for unit_id in record.ifla_units:
        yield Triple(cs, LCS_IFLA_UNIT, _concept(SCHEME_IFLA_UNIT, unit_id))
    for number, institution in enumerate(record.institutions, start=1):
        node = _iri(institution_iri(base, institution))
        association = _iri(fragment_iri(iri, "institution", number))
        yield Triple(cs, LCS_INVOLVES, node)
        yield Triple(cs, PROV_QUALIFIED_ASSOCIATION, association)
        yield Triple(association, A, PROV_ASSOCIATION)
        yield Triple(association, PROV_AGENT, node)
        if institution.role:  # absent is absent: no default role is stated for the record
            yield Triple(association, PROV_HAD_ROLE, _concept(SCHEME_ROLE, institution.role))
        yield from institution_triples(base, institution)
    for project in record.wikimedia_projects:
        yield Triple(cs, LCS_PROJECT, _concept(SCHEME_PROJECT, project))
    for activity in record.activities:
        yield Triple(cs, LCS_ACTIVITY, _concept(SCHEME_ACTIVITY, activity))
    for language in record.languages:
        yield Triple(cs, LCS_WIKI_LANGUAGE, _text(language))
    if record.period:
        if record.period.start:
            yield from _date_triples(cs, record.period.start, SCHEMA_START_DATE,
                                     LCS_START_FIRST_DAY, LCS_START_LAST_DAY, LCS_START_YEAR)
        if record.period.end:
            yield from _date_triples(cs, record.period.end, SCHEMA_END_DATE,
                                     LCS_END_FIRST_DAY, LCS_END_LAST_DAY, LCS_END_YEAR)
    for number, link in enumerate(record.links, start=1):
        page = _iri(fragment_iri(iri, "link", number))
        yield Triple(cs, LCS_LINK, page)
        yield Triple(cs, RDFS_SEE_ALSO, _iri(link.url))
        yield Triple(page, A, SCHEMA_WEB_PAGE)
        yield Triple(page, SCHEMA_URL, _iri(link.url))
        if link.title:
            yield Triple(page, SCHEMA_NAME, _text(link.title))
        if link.kind:
            yield Triple(page, LCS_LINK_KIND, _concept(SCHEME_LINK_KIND, link.kind))
    published = (contact for contact in record.contacts if contact.publish)
    for number, contact in enumerate(published, start=1):
        point = _iri(fragment_iri(iri, "contact", number))
        yield Triple(cs, SCHEMA_CONTACT_POINT, point)
        yield Triple(point, A, SCHEMA_CONTACT_POINT_CLASS)
        if contact.name:
            yield Triple(point, SCHEMA_NAME, _text(contact.name))
        if contact.email:
            yield Triple(point, SCHEMA_EMAIL, _text(contact.email))
    if record.source:
        if record.source.url:
            yield Triple(cs, DCTERMS_SOURCE, _iri(record.source.url))
        if record.source.revision is not None:
            revision = Literal(str(record.source.revision), datatype=XSD_INTEGER)
            yield Triple(cs, LCS_SOURCE_REVISION, revision)
        if record.source.retrieved:
            retrieved = Literal(record.source.retrieved.isoformat(), datatype=XSD_DATE)
            yield Triple(cs, LCS_RETRIEVED, retrieved)
        yield from _source_work_triples(cs, record)
    yield Triple(cs, DCTERMS_LICENSE, _iri(f"{SPDX}{record.license}"))
    if record.item:
        item = _iri(f"{WD}{record.item}")
        yield Triple(cs, OWL_SAME_AS, item)
        yield Triple(cs, SCHEMA_SAME_AS, item)
    if record.create:
        yield Triple(cs, LCS_WIKIDATA_CREATE, _text(record.create.create))
        for lang, name in sorted((record.create.name or {}).items()):
            yield Triple(cs, LCS_PROJECT_NAME, Literal(name, language=lang))


def _source_work_triples(cs: NamedNode, record: CaseStudy) -> Iterator[Triple]:
    """The source as a published work (title in its own language, date, authors, DOI)."""
    source = record.source
    if source is None:
        return
    if source.title:
        title = (Literal(source.title, language=source.language) if source.language
                 else _text(source.title))
        yield Triple(cs, LCS_SOURCE_TITLE, title)
    if source.language:
        yield Triple(cs, LCS_SOURCE_LANGUAGE, _text(source.language))
    if source.published:
        published = Literal(source.published, datatype=_DATE_TYPES[len(source.published)])
        yield Triple(cs, LCS_SOURCE_PUBLISHED, published)
    for author in source.authors:
        yield Triple(cs, LCS_SOURCE_AUTHOR, _text(author))
    if source.doi:
        yield Triple(cs, LCS_SOURCE_DOI, _text(source.doi))
