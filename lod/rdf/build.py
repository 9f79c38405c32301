"""Case-study records to N-Triples lines: the one mapping from the contract to the graph.

The mapping is the one documented in ``docs/model.md``; it is pure (records
in, lines out) so that a single record can be rebuilt and validated alone.

Each record's triples are written straight as N-Triples lines (without the
final `` .``), the form the pipeline sorts and every dump is made from: the
build makes some 45 of them per record, and f-strings are several times
faster than building pyoxigraph terms only to print them. The lines are the
very text pyoxigraph prints for the same terms: every IRI goes through
pyoxigraph's own parser and printer (an invalid one raises ``ValueError`` as
``NamedNode`` does), every language tag through pyoxigraph's (which checks
and lower-cases it), and literals are escaped by :func:`quoted`, which
``tests/test_fast_paths.py`` holds to pyoxigraph's printer on every character
and on hostile text. :func:`case_study_triples` reads the lines back as
pyoxigraph triples for callers that want terms.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

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


def _iri(value: str) -> str:
    """An IRI as its N-Triples token, ``<value>``, checked and printed by pyoxigraph."""
    return str(NamedNode(value))


def _concept(scheme: str, term: str) -> str:
    return _iri(concept_iri(scheme, term))


#: Characters N-Triples writes escaped in a literal, as pyoxigraph prints them: the short
#: escapes where the grammar has one (ECHAR), ``\uXXXX`` for the other controls, DEL and
#: the two noncharacters U+FFFE and U+FFFF.
_ESCAPES: dict[int, str] = {
    **{code: f"\\u{code:04X}" for code in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)},
    0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\",
}
_NEEDS_ESCAPE = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_ESCAPES)) + "]")


def _escape(match: re.Match[str]) -> str:
    return _ESCAPES[ord(match.group())]


def quoted(value: str) -> str:
    """``value`` as an N-Triples string literal (quotes included), escaped as pyoxigraph does."""
    if _NEEDS_ESCAPE.search(value) is None:
        return f'"{value}"'
    return f'"{_NEEDS_ESCAPE.sub(_escape, value)}"'


def _language(tag: str) -> str:
    """``@tag`` as pyoxigraph prints it (checked, lower case)."""
    return "@" + str(Literal("", language=tag).language)


def _text(value: str, lang: str | None = None) -> str:
    """A plain literal token, or a language-tagged one when ``lang`` is given."""
    return quoted(value) + _language(lang) if lang else quoted(value)


def _typed(value: str, datatype: str) -> str:
    """A typed literal token (``datatype`` is an IRI token; never xsd:string, printed bare)."""
    return f"{quoted(value)}^^{datatype}"


A = _iri(f"{RDF}type")
XSD_INTEGER = _iri(f"{XSD}integer")
XSD_DATE = _iri(f"{XSD}date")
_DATE_TYPES = {4: _iri(f"{XSD}gYear"), 7: _iri(f"{XSD}gYearMonth"), 10: XSD_DATE}
DCTERMS_ABSTRACT = _iri(f"{DCTERMS}abstract")
DCTERMS_IDENTIFIER = _iri(f"{DCTERMS}identifier")
DCTERMS_LICENSE = _iri(f"{DCTERMS}license")
DCTERMS_SOURCE = _iri(f"{DCTERMS}source")
DCTERMS_TITLE = _iri(f"{DCTERMS}title")
LCS_ACTIVITY = _iri(f"{LCS}activity")
LCS_CASE_STUDY = _iri(f"{LCS}CaseStudy")
LCS_COUNTRY = _iri(f"{LCS}country")
LCS_IFLA_UNIT = _iri(f"{LCS}iflaUnit")
LCS_INSTITUTION = _iri(f"{LCS}Institution")
LCS_INVOLVES = _iri(f"{LCS}involves")
LCS_ISIL = _iri(f"{LCS}isil")
LCS_LIBRARY_TYPE = _iri(f"{LCS}libraryType")
LCS_LINK = _iri(f"{LCS}link")
LCS_LINK_KIND = _iri(f"{LCS}linkKind")
LCS_START_FIRST_DAY = _iri(f"{LCS}startFirstDay")
LCS_START_LAST_DAY = _iri(f"{LCS}startLastDay")
LCS_START_YEAR = _iri(f"{LCS}startYear")
LCS_END_FIRST_DAY = _iri(f"{LCS}endFirstDay")
LCS_END_LAST_DAY = _iri(f"{LCS}endLastDay")
LCS_END_YEAR = _iri(f"{LCS}endYear")
LCS_PROJECT = _iri(f"{LCS}project")
LCS_RETRIEVED = _iri(f"{LCS}retrieved")
LCS_SOURCE_REVISION = _iri(f"{LCS}sourceRevision")
LCS_SOURCE_TITLE = _iri(f"{LCS}sourceTitle")
LCS_SOURCE_LANGUAGE = _iri(f"{LCS}sourceLanguage")
LCS_SOURCE_PUBLISHED = _iri(f"{LCS}sourcePublished")
LCS_SOURCE_AUTHOR = _iri(f"{LCS}sourceAuthor")
LCS_SOURCE_DOI = _iri(f"{LCS}sourceDoi")
LCS_WIKIDATA_CREATE = _iri(f"{LCS}wikidataCreate")
LCS_PROJECT_NAME = _iri(f"{LCS}projectName")
LCS_SUBMITTED_BY = _iri(f"{LCS}submittedBy")
LCS_SUBMITTER = _iri(f"{LCS}Submitter")
LCS_SUBMITTER_KIND = _iri(f"{LCS}submitterKind")
LCS_WIKI_LANGUAGE = _iri(f"{LCS}wikiLanguage")
OWL_SAME_AS = _iri(f"{OWL}sameAs")
PROV_AGENT = _iri(f"{PROV}agent")
PROV_ASSOCIATION = _iri(f"{PROV}Association")
PROV_HAD_ROLE = _iri(f"{PROV}hadRole")
PROV_QUALIFIED_ASSOCIATION = _iri(f"{PROV}qualifiedAssociation")
RDFS_SEE_ALSO = _iri(f"{RDFS}seeAlso")
SCHEMA_ADDRESS_COUNTRY = _iri(f"{SCHEMA}addressCountry")
SCHEMA_CONTACT_POINT_CLASS = _iri(f"{SCHEMA}ContactPoint")
SCHEMA_CONTACT_POINT = _iri(f"{SCHEMA}contactPoint")
SCHEMA_CREATIVE_WORK = _iri(f"{SCHEMA}CreativeWork")
SCHEMA_CREATIVE_WORK_STATUS = _iri(f"{SCHEMA}creativeWorkStatus")
SCHEMA_EMAIL = _iri(f"{SCHEMA}email")
SCHEMA_END_DATE = _iri(f"{SCHEMA}endDate")
SCHEMA_IN_LANGUAGE = _iri(f"{SCHEMA}inLanguage")
SCHEMA_NAME = _iri(f"{SCHEMA}name")
SCHEMA_ORGANIZATION = _iri(f"{SCHEMA}Organization")
SCHEMA_SAME_AS = _iri(f"{SCHEMA}sameAs")
SCHEMA_START_DATE = _iri(f"{SCHEMA}startDate")
SCHEMA_URL = _iri(f"{SCHEMA}url")
SCHEMA_WEB_PAGE = _iri(f"{SCHEMA}WebPage")
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


def _date_lines(cs: str, value: str, typed: str, first: str, last: str, year: str
                ) -> Iterator[str]:
    """The typed value as given, plus forms that compare: first and last day, and the year."""
    yield f"{cs} {typed} {_typed(value, _DATE_TYPES[len(value)])}"
    first_day, last_day = day_range(value)
    yield f"{cs} {first} {_typed(first_day, XSD_DATE)}"
    yield f"{cs} {last} {_typed(last_day, XSD_DATE)}"
    yield f"{cs} {year} {_typed(value[:4], XSD_INTEGER)}"


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


def institution_lines(base: str, institution: Institution) -> Iterator[str]:
    """The facts about one institution (shared by every record that names it)."""
    node = _iri(institution_iri(base, institution))
    yield f"{node} {A} {LCS_INSTITUTION}"
    yield f"{node} {A} {SCHEMA_ORGANIZATION}"
    yield f"{node} {SCHEMA_NAME} {_text(institution.name)}"
    yield f"{node} {LCS_COUNTRY} {_concept(SCHEME_COUNTRY, institution.country)}"
    yield f"{node} {SCHEMA_ADDRESS_COUNTRY} {_text(institution.country)}"
    yield f"{node} {LCS_LIBRARY_TYPE} {_concept(SCHEME_LIBRARY_TYPE, institution.type)}"
    if institution.isil:
        yield f"{node} {LCS_ISIL} {_text(institution.isil)}"
    if institution.wikidata:
        item = _iri(f"{WD}{institution.wikidata}")
        yield f"{node} {OWL_SAME_AS} {item}"
        yield f"{node} {SCHEMA_SAME_AS} {item}"
    if institution.website:
        yield f"{node} {SCHEMA_URL} {_iri(institution.website)}"


def case_study_lines(base: str, record: CaseStudy) -> Iterator[str]:
    """Every triple one record contributes (institutions included, notes and private contacts
    not), as N-Triples lines without the final `` .``, in the order of ``docs/model.md``."""
    iri = case_study_iri(base, record.id)
    cs = _iri(iri)
    lang = record.lang
    yield f"{cs} {A} {LCS_CASE_STUDY}"
    yield f"{cs} {A} {SCHEMA_CREATIVE_WORK}"
    yield f"{cs} {DCTERMS_IDENTIFIER} {_text(record.id)}"
    yield f"{cs} {SCHEMA_CREATIVE_WORK_STATUS} {_text(record.status)}"
    yield f"{cs} {SCHEMA_IN_LANGUAGE} {_text(lang)}"
    for tag, title in record.title.items():
        yield f"{cs} {DCTERMS_TITLE} {_text(title, tag)}"
    for tag, summary in record.summary.items():
        yield f"{cs} {DCTERMS_ABSTRACT} {_text(summary, tag)}"
    if record.sections:
        in_lang = _language(lang)
        for key, text in record.sections.items():
            yield f"{cs} {_SECTION_PREDICATES[key]} {quoted(text)}{in_lang}"
    if record.submitted_by:
        submitter = _iri(fragment_iri(iri, "submitter"))
        yield f"{cs} {LCS_SUBMITTED_BY} {submitter}"
        yield f"{submitter} {A} {LCS_SUBMITTER}"
        kind = _concept(SCHEME_SUBMITTER_KIND, record.submitted_by.kind)
        yield f"{submitter} {LCS_SUBMITTER_KIND} {kind}"
        if record.submitted_by.unit:
            unit = _concept(SCHEME_IFLA_UNIT, record.submitted_by.unit)
            yield f"{submitter} {LCS_IFLA_UNIT} {unit}"
        if record.submitted_by.name:
            yield f"{submitter} {SCHEMA_NAME} {_text(record.submitted_by.name)}"
    for unit_id in record.ifla_units:
        yield f"{cs} {LCS_IFLA_UNIT} {_concept(SCHEME_IFLA_UNIT, unit_id)}"
    for number, institution in enumerate(record.institutions, start=1):
        node = _iri(institution_iri(base, institution))
        association = _iri(fragment_iri(iri, "institution", number))
        yield f"{cs} {LCS_INVOLVES} {node}"
        yield f"{cs} {PROV_QUALIFIED_ASSOCIATION} {association}"
        yield f"{association} {A} {PROV_ASSOCIATION}"
        yield f"{association} {PROV_AGENT} {node}"
        if institution.role:  # absent is absent: no default role is stated for the record
            yield f"{association} {PROV_HAD_ROLE} {_concept(SCHEME_ROLE, institution.role)}"
        yield from institution_lines(base, institution)
    for project in record.wikimedia_projects:
        yield f"{cs} {LCS_PROJECT} {_concept(SCHEME_PROJECT, project)}"
    for activity in record.activities:
        yield f"{cs} {LCS_ACTIVITY} {_concept(SCHEME_ACTIVITY, activity)}"
    for language in record.languages:
        yield f"{cs} {LCS_WIKI_LANGUAGE} {_text(language)}"
    if record.period:
        if record.period.start:
            yield from _date_lines(cs, record.period.start, SCHEMA_START_DATE,
                                   LCS_START_FIRST_DAY, LCS_START_LAST_DAY, LCS_START_YEAR)
        if record.period.end:
            yield from _date_lines(cs, record.period.end, SCHEMA_END_DATE,
                                   LCS_END_FIRST_DAY, LCS_END_LAST_DAY, LCS_END_YEAR)
    for number, link in enumerate(record.links, start=1):
        page = _iri(fragment_iri(iri, "link", number))
        url = _iri(link.url)
        yield f"{cs} {LCS_LINK} {page}"
        yield f"{cs} {RDFS_SEE_ALSO} {url}"
        yield f"{page} {A} {SCHEMA_WEB_PAGE}"
        yield f"{page} {SCHEMA_URL} {url}"
        if link.title:
            yield f"{page} {SCHEMA_NAME} {_text(link.title)}"
        if link.kind:
            yield f"{page} {LCS_LINK_KIND} {_concept(SCHEME_LINK_KIND, link.kind)}"
    published = (contact for contact in record.contacts if contact.publish)
    for number, contact in enumerate(published, start=1):
        point = _iri(fragment_iri(iri, "contact", number))
        yield f"{cs} {SCHEMA_CONTACT_POINT} {point}"
        yield f"{point} {A} {SCHEMA_CONTACT_POINT_CLASS}"
        if contact.name:
            yield f"{point} {SCHEMA_NAME} {_text(contact.name)}"
        if contact.email:
            yield f"{point} {SCHEMA_EMAIL} {_text(contact.email)}"
    if record.source:
        if record.source.url:
            yield f"{cs} {DCTERMS_SOURCE} {_iri(record.source.url)}"
        if record.source.revision is not None:
            yield f"{cs} {LCS_SOURCE_REVISION} {_typed(str(record.source.revision), XSD_INTEGER)}"
        if record.source.retrieved:
            yield f"{cs} {LCS_RETRIEVED} {_typed(record.source.retrieved.isoformat(), XSD_DATE)}"
        yield from _source_work_lines(cs, record)
    yield f"{cs} {DCTERMS_LICENSE} {_iri(f'{SPDX}{record.license}')}"
    if record.item:
        item = _iri(f"{WD}{record.item}")
        yield f"{cs} {OWL_SAME_AS} {item}"
        yield f"{cs} {SCHEMA_SAME_AS} {item}"
    if record.create:
        yield f"{cs} {LCS_WIKIDATA_CREATE} {_text(record.create.create)}"
        for tag, name in sorted((record.create.name or {}).items()):
            yield f"{cs} {LCS_PROJECT_NAME} {quoted(name)}{_language(tag)}"


def _source_work_lines(cs: str, record: CaseStudy) -> Iterator[str]:
    """The source as a published work (title in its own language, date, authors, DOI)."""
    source = record.source
    if source is None:
        return
    if source.title:
        yield f"{cs} {LCS_SOURCE_TITLE} {_text(source.title, source.language)}"
    if source.language:
        yield f"{cs} {LCS_SOURCE_LANGUAGE} {_text(source.language)}"
    if source.published:
        published = _typed(source.published, _DATE_TYPES[len(source.published)])
        yield f"{cs} {LCS_SOURCE_PUBLISHED} {published}"
    for author in source.authors:
        yield f"{cs} {LCS_SOURCE_AUTHOR} {_text(author)}"
    if source.doi:
        yield f"{cs} {LCS_SOURCE_DOI} {_text(source.doi)}"


def case_study_triples(base: str, record: CaseStudy) -> Iterator[Triple]:
    """:func:`case_study_lines` as pyoxigraph triples, in the same order."""
    text = " .\n".join(case_study_lines(base, record)) + " .\n"
    for quad in parse(text.encode("utf-8"), format=RdfFormat.N_TRIPLES):
        yield quad.triple
