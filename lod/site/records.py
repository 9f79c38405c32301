"""One case study as its page shows it: labels instead of ids, markdown rendered, facets for search.

Only plain values leave this module; the templates escape every text (Jinja2
autoescaping). The one piece of markup made here is the sections' HTML,
which markdown-it-py writes with raw HTML switched off (a ``<script>`` in a
section comes out as text) and images switched off (an image would be a
request to another host).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from lod import resources
from lod.model.case_study import CaseStudy
from lod.rdf.build import institution_key
from lod.site.labels import Labels

#: The form's headings, as the Outreach form words them.
SECTION_TITLES = {
    "context": "Context and background",
    "goals": "Goals",
    "implementation": "Implementation",
    "outcomes": "Outcomes",
    "lessons": "Reflection and lessons learned",
    "resources": "Resources and further links",
}
#: Section text sits under an h2 (the section's title), so its own headings start at h3.
_HEADING_SHIFT = 2


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def _shift_headings(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + _HEADING_SHIFT)
            token.tag = f"h{level}"


def markdown_html(text: str) -> str:
    """Safe HTML for one section's markdown (raw HTML shown as text, headings shifted)."""
    parser = _markdown()
    tokens = parser.parse(text)
    _shift_headings(tokens)
    return str(parser.renderer.render(tokens, parser.options, {}))


@dataclass(frozen=True)
class InstitutionView:
    """An institution line of a case-study page."""

    name: str
    type: str
    type_label: str
    country: str
    country_label: str
    role: str
    wikidata: str | None
    website: str | None
    #: The institution's page, relative to the site root (one page per graph node).
    page: str = ""


@dataclass(frozen=True)
class RecordView:
    """Everything a page or the search index shows of one record."""

    id: str
    lang: str
    title: str
    #: The title in other languages: (tag, text).
    other_titles: tuple[tuple[str, str], ...]
    summary: str
    sections: tuple[tuple[str, str], ...]
    institutions: tuple[InstitutionView, ...]
    types: tuple[str, ...]
    countries: tuple[str, ...]
    regions: tuple[str, ...]
    units: tuple[str, ...]
    projects: tuple[str, ...]
    activities: tuple[str, ...]
    start: str | None
    end: str | None
    period: str
    links: tuple[tuple[str, str], ...]
    source_url: str | None
    retrieved: str | None
    license: str
    submitter: str | None
    wikidata: str | None
    #: Wiki language editions worked on: (tag, name), e.g. ("ca", "Catalan").
    languages: tuple[tuple[str, str], ...] = ()

    @property
    def start_year(self) -> int | None:
        """The year the work started, if known."""
        return int(self.start[:4]) if self.start else None

    @property
    def end_year(self) -> int | None:
        """The year it ended, if it has ended."""
        return int(self.end[:4]) if self.end else None


def _period(record: CaseStudy) -> str:
    period = record.period
    if period is None or (period.start is None and period.end is None):
        return "Dates not stated"
    if period.start and period.end:
        return f"{period.start} to {period.end}"
    if period.start:
        return f"Since {period.start} (no end date stated)"
    return f"Until {period.end} (no start date stated)"


def _submitter(record: CaseStudy, labels: Labels) -> str | None:
    submitted = record.submitted_by
    if submitted is None:
        return None
    parts = [labels.label("submitter-kind", submitted.kind)]
    if submitted.unit:
        parts.append(labels.unit(submitted.unit))
    if submitted.name:
        parts.append(submitted.name)
    return ", ".join(parts)


def record_view(record: CaseStudy, labels: Labels) -> RecordView:
    """The view of one record (pure: the same record and labels give the same view)."""
    institutions = tuple(
        InstitutionView(
            name=item.name,
            type=item.type,
            type_label=labels.library_type(item.type),
            country=item.country,
            country_label=labels.country(item.country),
            role=labels.label("role", item.role) if item.role else "not stated",
            wikidata=item.wikidata,
            website=item.website,
            page=f"institution/{quote(institution_key(item), safe='')}.html",
        )
        for item in record.institutions
    )
    countries = tuple(dict.fromkeys(item.country for item in record.institutions))
    regions = tuple(dict.fromkeys(
        labels.continent[code] for code in countries if code in labels.continent))
    sections = tuple(
        (SECTION_TITLES[key], markdown_html(text))
        for key, text in (record.sections.items() if record.sections else [])
    )
    links = tuple((link.url, link.title or link.url) for link in record.links)
    return RecordView(
        id=record.id,
        lang=record.lang,
        title=record.title_in_lang(),
        other_titles=tuple((tag, text) for tag, text in sorted(record.title.items())
                           if tag != record.lang),
        summary=record.summary[record.lang],
        sections=sections,
        institutions=institutions,
        types=tuple(dict.fromkeys(item.type for item in record.institutions)),
        countries=countries,
        regions=regions,
        units=tuple(record.units),
        projects=tuple(record.wikimedia_projects),
        activities=tuple(record.activities),
        start=record.period.start if record.period else None,
        end=record.period.end if record.period else None,
        period=_period(record),
        links=links,
        source_url=record.source.url if record.source else None,
        retrieved=record.source.retrieved.isoformat()
        if record.source and record.source.retrieved else None,
        license=record.license,
        submitter=_submitter(record, labels),
        wikidata=record.item,
        languages=tuple((tag, language_name(tag)) for tag in record.languages),
    )


def language_name(tag: str) -> str:
    """'Catalan' for 'ca': the name in ``mappings/languages.tsv`` (the list the submission form
    offers), else ISO 639 via pycountry; the tag itself when it names nothing known."""
    import pycountry

    listed = resources.language_names()
    primary = tag.split("-")[0].lower()
    if tag in listed or primary in listed:
        return listed.get(tag) or listed[primary]
    found = pycountry.languages.get(alpha_2=primary) if len(primary) == 2 else \
        pycountry.languages.get(alpha_3=primary)
    return str(found.name) if found is not None else tag


def cite_line(view: RecordView, identifier: str) -> str:
    """A plain-text citation: title, lead institutions, start year, licence, the record's IRI."""
    lead = ", ".join(f"{item.name}, {item.country_label}" for item in view.institutions[:2])
    when = view.start[:4] if view.start else "n.d."
    return (f"\u201c{view.title}\u201d. Library and Wikimedia case study ({lead}), {when}. "
            f"Licence {view.license}. Record {view.id}, {identifier}.")
