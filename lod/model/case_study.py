"""The case-study file format (the contract) as strict pydantic models.

Every rule of the contract that can be checked on one record lives here, so
that the YAML files, harvested drafts and CSV imports all pass the same gate.
Rules that need several records (duplicate ids, id equals the file stem) are
in :mod:`lod.ingest`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lod.model import terms, vocab

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
QID_RE = re.compile(r"Q[1-9][0-9]*")
# ISO 15511: a prefix (country code or 1/3/4 letters), a hyphen, then up to 11
# characters of letters, digits, '-', '/' and ':'; 16 characters at most.
ISIL_RE = re.compile(r"[A-Za-z]{1,4}-[A-Za-z0-9:/\-]{1,11}")
URL_RE = re.compile(r"https?://[^\s/?#<>\"{}|\\^`]+(?:[/?#][^\s<>\"{}|\\^`]*)?")
PARTIAL_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A DOI as Crossref and DataCite print it, without the resolver: "10." registrant "/" suffix.
DOI_RE = re.compile(r"10\.[0-9]{4,9}(?:\.[0-9]+)*/\S+")
MAX_ID = 80
MAX_SUMMARY = 1500
MAX_ISIL = 16


def _frozen() -> ConfigDict:
    return ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _matching(pattern: re.Pattern[str], what: str, expected: str, *,
              longest: int | None = None) -> Callable[[str], str]:
    """A check that ``pattern`` matches a value whole (at most ``longest`` characters long)."""
    def check(value: str) -> str:
        if (longest is not None and len(value) > longest) or not pattern.fullmatch(value):
            raise ValueError(f"invalid {what} {value!r}; expected {expected}")
        return value

    return check


_check_id = _matching(ID_RE, "id", "lower-case letters and digits in words joined by single "
                      f"hyphens (e.g. 'catalonia-bibliowikis'), at most {MAX_ID} characters",
                      longest=MAX_ID)
_check_qid = _matching(QID_RE, "Wikidata item id",
                       "'Q' and the item's number, as at the end of its Wikidata URL")
_check_isil = _matching(ISIL_RE, "ISIL", "ISO 15511 'prefix-identifier' (e.g. 'US-DLC'), "
                        f"at most {MAX_ISIL} characters", longest=MAX_ISIL)
_url_shape = _matching(URL_RE, "URL", "an absolute http:// or https:// URL")


def _check_url(value: str) -> str:
    """An http(s) URL that is also an IRI the graph can hold.

    Why: a link becomes an IRI in the graph (``schema:url``), and the pattern alone lets
    through what RFC 3987 refuses (``%zz``, a port that is not a number), which then
    stopped ``lod build`` with a traceback instead of naming the field.
    """
    from pyoxigraph import NamedNode

    _url_shape(value)
    try:
        NamedNode(value)
    except ValueError as error:
        raise ValueError(f"invalid URL {value!r}: {error}; expected an absolute http:// or "
                         "https:// URL (a % starts a two-digit escape such as %20)") from None
    return value


def _no_problem(problem_of: Callable[[str], str | None]) -> AfterValidator:
    """A value the model's terms find no problem with (their problem text is the message)."""
    def check(value: str) -> str:
        problem = problem_of(value)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


def _vocabulary(name: str, allowed: tuple[str, ...]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(terms.unknown_term_message(name, value, allowed))
        return value

    return AfterValidator(check)


def _ifla_unit(value: str) -> str:
    units = terms.ifla_unit_ids()
    if value not in units:
        raise ValueError(terms.unknown_term_message("IFLA unit id", value, units))
    return value


def _partial_date(value: Any) -> Any:
    """YAML reads ``2012`` as an int and ``2012-05-01`` as a date: accept both."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _check_partial_date(value: str) -> str:
    match = PARTIAL_DATE_RE.fullmatch(value)
    problem = f"invalid date {value!r}; expected ISO 8601 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'"
    if not match:
        raise ValueError(problem)
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(problem + " (no such month or day)") from None
    return value


def _check_doi(value: str) -> str:
    bare = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", value, flags=re.IGNORECASE)
    if bare != value:
        raise ValueError(f"write the DOI without its resolver or prefix: {bare!r}, not {value!r}")
    if not DOI_RE.fullmatch(value):
        raise ValueError(f"invalid DOI {value!r}; expected '10.' a registrant code, '/' and a "
                         "suffix, e.g. '10.1000/xyz123'")
    return value


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


def _scalar_text(value: Any) -> Any:
    """YAML reads ``1234`` or ``1.5`` as numbers; where text is expected, check them as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


AsText = BeforeValidator(_scalar_text)
RecordId = Annotated[str, AsText, AfterValidator(_check_id)]
QID = Annotated[str, AsText, AfterValidator(_check_qid)]
ISIL = Annotated[str, AsText, AfterValidator(_check_isil)]
HttpUrl = Annotated[str, AfterValidator(_check_url)]
LanguageTag = Annotated[str, AsText, _no_problem(terms.language_tag_problem)]
CountryCode = Annotated[str, AsText, _no_problem(terms.country_problem)]
PartialDate = Annotated[str, BeforeValidator(_partial_date), AfterValidator(_check_partial_date)]
Text = Annotated[str, AsText, AfterValidator(_not_blank)]
DOI = Annotated[str, AsText, AfterValidator(_check_doi)]
LibraryType = Annotated[str, _vocabulary("library type", vocab.LIBRARY_TYPES)]
Project = Annotated[str, _vocabulary("Wikimedia project", vocab.PROJECTS)]
Activity = Annotated[str, _vocabulary("activity", vocab.ACTIVITIES)]
Role = Annotated[str, _vocabulary("role", vocab.ROLES)]
LinkKind = Annotated[str, _vocabulary("link kind", vocab.LINK_KINDS)]
SubmitterKind = Annotated[str, _vocabulary("submitter kind", vocab.SUBMITTER_KINDS)]
Status = Annotated[str, _vocabulary("status", vocab.STATUSES)]
IflaUnit = Annotated[str, AfterValidator(_ifla_unit)]
LanguageMap = dict[LanguageTag, Text]


def _summary_length(value: str) -> str:
    if len(value) > MAX_SUMMARY:
        raise ValueError(f"{len(value)} characters; a summary has at most {MAX_SUMMARY}")
    return value


SummaryMap = dict[LanguageTag, Annotated[Text, AfterValidator(_summary_length)]]


class Sections(BaseModel):
    """The Outreach form's narrative headings, markdown in the record's language."""

    model_config = _frozen()

    context: Text | None = Field(None, description="Context/Background")
    goals: Text | None = Field(None, description="Goals")
    implementation: Text | None = Field(None, description="Implementation/Steps")
    outcomes: Text | None = Field(None, description="Outcomes")
    lessons: Text | None = Field(None, description="Reflection and lessons learned")
    resources: Text | None = Field(None, description="Resources/Links/Additional context")

    def items(self) -> list[tuple[str, str]]:
        """The filled-in sections in the form's order."""
        found = ((key, getattr(self, key)) for key in vocab.SECTION_KEYS)
        return [(key, text) for key, text in found if text]


class SubmittedBy(BaseModel):
    """Who sent the case study in."""

    model_config = _frozen()

    kind: SubmitterKind = Field(description="ifla-unit | individual | library | wikimedia-affiliate | other")
    unit: IflaUnit | None = Field(None, description="IFLA unit id; required when kind is ifla-unit")
    name: Text | None = Field(None, description="free-text name of the submitter")

    @model_validator(mode="after")
    def _unit_for_ifla(self) -> Self:
        if self.kind == "ifla-unit" and self.unit is None:
            raise ValueError("'unit' is required when kind is 'ifla-unit' (an IFLA unit id)")
        return self


class Institution(BaseModel):
    """A library or partner organisation involved in the case study."""

    model_config = _frozen()

    name: Text = Field(description="name as written in the source")
    country: CountryCode = Field(description="ISO 3166-1 alpha-2 code, upper case")
    type: LibraryType = Field(description="library-type vocabulary term")
    role: Role | None = Field(None, description="lead | partner | funder | host; absent: not stated")
    isil: ISIL | None = Field(None, description="ISIL (ISO 15511)")
    wikidata: QID | None = Field(None, description="the institution's Wikidata item")
    website: HttpUrl | None = Field(None, description="official website")


class Period(BaseModel):
    """When the work happened; an absent end means ongoing or unknown."""

    model_config = _frozen()

    start: PartialDate | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD")
    end: PartialDate | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD")

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("start")
        if start and end:
            # Compare on the shared precision: 2012-05 ends no earlier than 2012.
            width = min(len(start), len(end))
            if end[:width] < start[:width]:
                raise ValueError(f"end {end!r} precedes start {start!r}; end must not precede start")
        return end


class Link(BaseModel):
    """A web page about the case study."""

    model_config = _frozen()

    url: HttpUrl = Field(description="http(s) URL")
    title: Text | None = Field(None, description="short title")
    kind: LinkKind | None = Field(None, description="project-page | report | dataset | media | article | other")


class Contact(BaseModel):
    """A person to ask; published only when ``publish`` is true."""

    model_config = _frozen()

    name: Text | None = Field(None, description="name")
    email: str | None = Field(None, description="e-mail address")
    publish: bool = Field(False, description="may this contact be published?")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL_RE.fullmatch(value):
            raise ValueError(f"invalid e-mail address {value!r}; expected name@host.domain")
        return value


class Source(BaseModel):
    """Where the record came from; the bibliographic fields describe the source as a published
    work, which is what a new Wikidata item for it (``wikidata: {create: work}``) is made of."""

    model_config = _frozen()

    url: HttpUrl | None = Field(None, description="page the record was taken from")
    revision: int | None = Field(None, ge=1, description="MediaWiki revision id")
    retrieved: dt.date | None = Field(None, description="date the source was read")
    title: Text | None = Field(None, description="the source work's own title, as published")
    language: LanguageTag | None = Field(None, description="the source work's language (BCP 47)")
    published: PartialDate | None = Field(None, description="publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    authors: list[Text] = Field(default_factory=list, description="authors' names as printed")
    doi: DOI | None = Field(None, description="the work's DOI, without resolver (10.xxxx/...)")


#: What ``wikidata: {create: ...}`` may ask for.
CREATE_KINDS: tuple[str, ...] = ("work", "project")
#: What a create needs from the record, per kind (field -> what it is, for the message).
WORK_NEEDS: tuple[tuple[str, str], ...] = (
    ("url", "the work's URL"),
    ("title", "the work's own title as published"),
    ("language", "the work's language"),
    ("published", "its publication date"),
)


class WikidataCreate(BaseModel):
    """A curator's decision that the record needs a new Wikidata item, and of which kind.

    Nothing is created without one (OpenRefine's rule: a new item is a choice a
    person makes): ``work`` is the published work in ``source``, ``project`` the
    project or event itself, by its own ``name``.
    """

    model_config = _frozen()

    create: Annotated[str, _vocabulary("Wikidata create kind", CREATE_KINDS)] = Field(
        description="work | project")
    name: LanguageMap | None = Field(
        None, description="project only: the project's own name by language, e.g. {ca: Bibliowikis}")

    @model_validator(mode="after")
    def _name_for_project(self) -> Self:
        if self.create == "project" and not self.name:
            raise ValueError("create: project needs 'name', the project's own name by language "
                             "(e.g. name: {ca: Bibliowikis})")
        if self.create == "work" and self.name:
            raise ValueError("create: work takes no 'name'; the work's title is source.title")
        return self


def _decision_tag(value: Any) -> str:
    """A mapping is a create decision; anything else is checked as an item id."""
    if isinstance(value, dict | WikidataCreate):
        return "create"
    return "item"


#: The record's own Wikidata decision: an existing item, or a create of a work or a project.
WikidataDecision = Annotated[
    Annotated[QID, Tag("item")] | Annotated[WikidataCreate, Tag("create")],
    Discriminator(_decision_tag),
]
#: Tags of :data:`WikidataDecision`: pydantic puts them into error locations; the loader drops them.
DECISION_TAGS: tuple[str, ...] = ("item", "create")


class CaseStudy(BaseModel):
    """One case study: the canonical record every step reads."""

    model_config = _frozen()

    id: RecordId = Field(description="stable slug, equal to the file stem")
    status: Status = Field(description="draft | reviewed | published")
    lang: LanguageTag = Field(description="BCP 47 tag of the language the sections are in")
    title: LanguageMap = Field(description="title by language; must contain `lang`")
    summary: SummaryMap = Field(description="summary by language; must contain `lang`")
    sections: Sections | None = Field(None, description="the Outreach form's headings")
    submitted_by: SubmittedBy | None = Field(None, description="who sent it in")
    ifla_units: list[IflaUnit] = Field(default_factory=list, description="IFLA units involved")
    institutions: list[Institution] = Field(min_length=1, description="at least one institution")
    wikimedia_projects: list[Project] = Field(min_length=1, description="Wikimedia projects")
    activities: list[Activity] = Field(default_factory=list, description="activity terms")
    languages: list[LanguageTag] = Field(default_factory=list, description="wiki editions")
    period: Period | None = Field(None, description="start and end")
    links: list[Link] = Field(default_factory=list, description="web pages")
    contacts: list[Contact] = Field(default_factory=list, description="never published by default")
    source: Source | None = Field(None, description="provenance")
    license: Annotated[str, AfterValidator(terms.check_spdx)] = Field(
        vocab.DEFAULT_LICENSE, description="SPDX id of the narrative text"
    )
    wikidata: WikidataDecision | None = Field(
        None, description="the curator's Wikidata decision: an existing item (Q...), {create: work} "
        "or {create: project, name: {lang: ...}}; absent = undecided, no item is made")
    notes: str | None = Field(None, description="curator notes; never published")

    @field_validator("title", "summary")
    @classmethod
    def _map_contains_lang(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        seen: dict[str, str] = {}
        for tag in value:
            other = seen.setdefault(tag.lower(), tag)
            if other != tag:
                raise ValueError(
                    f"two entries for one language: {other!r} and {tag!r} "
                    "(language tags are case-insensitive); keep one"
                )
        lang = info.data.get("lang")
        if lang is not None and lang not in value:
            raise ValueError(
                f"no entry for the record's language '{lang}' (the `lang` field); "
                f"found {', '.join(sorted(value)) or 'none'}"
            )
        return value

    @field_validator("wikidata")
    @classmethod
    def _create_needs(cls, value: str | WikidataCreate | None,
                      info: ValidationInfo) -> str | WikidataCreate | None:
        if not isinstance(value, WikidataCreate):
            return value
        if value.create == "work":
            source = info.data.get("source")
            missing = [f"source.{key} ({what})" for key, what in WORK_NEEDS
                       if source is None or getattr(source, key) in (None, "")]
            if missing:
                raise ValueError("create: work needs " + ", ".join(missing) +
                                 "; add them, or decide another way (a QID, or create: project)")
        else:
            institutions = info.data.get("institutions") or []
            if not any("role" in institution.model_fields_set for institution in institutions):
                raise ValueError("create: project needs at least one institution with its role "
                                 "(lead, partner, funder or host) stated: the organiser of a "
                                 "project item is taken from it")
        return value

    @property
    def item(self) -> str | None:
        """The existing Wikidata item the curator named, if that was the decision."""
        return self.wikidata if isinstance(self.wikidata, str) else None

    @property
    def create(self) -> WikidataCreate | None:
        """The curator's create decision, if that was the decision."""
        return self.wikidata if isinstance(self.wikidata, WikidataCreate) else None

    def title_in_lang(self) -> str:
        """The title in the record's own language."""
        return self.title[self.lang]

    @property
    def units(self) -> list[str]:
        """All IFLA units the record names, submitter's unit included, without repeats."""
        found = list(self.ifla_units)
        if self.submitted_by and self.submitted_by.unit:
            found.append(self.submitted_by.unit)
        return list(dict.fromkeys(found))
