"""Every file of the site, by path, rendered with Jinja2 (autoescaping on for every template).

Pages link to each other with relative URLs only (``root`` is ``""`` or
``"../"``), so the site works opened from disk and under any path prefix.
Nothing here reads a clock or a random source: the same input gives the
same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources as package_files
from typing import Any, BinaryIO

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from lod.model.policy import PUBLIC_STATUSES
from lod.model.vocab import ACTIVITIES, LIBRARY_TYPES, PROJECTS
from lod.site.dashboard import Chart
from lod.site.labels import Labels
from lod.site.listing import Listing
from lod.text import visible

SITE_NAME = "Library and Wikimedia case studies"
#: No origin but the site's own: no CDN, no font service, no beacon, no inline script.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; "
       "object-src 'none'")
#: IFLA's own names for its kinds of unit (the unit table holds only their ids).
UNIT_KINDS = {"section": "Sections", "sig": "Special Interest Groups (SIG)",
              "working-group": "Working groups"}
#: Bundled files copied as they are (name in ``lod/site/static``).
STATIC_FILES = ("site.css", "site.js", "submit.js", "favicon.svg", "VENDORED.txt")
#: Third-party files kept unchanged under ``lod/site/vendor/`` (listed in VENDORED.txt), by
#: their name in the site's ``static/`` folder; vendor/ keeps them apart from the project's own.
VENDORED_FILES = {"minisearch.js": ("minisearch", "index.js"),
                  "minisearch.LICENSE.txt": ("minisearch", "LICENSE.txt")}
DUMP_DESCRIPTIONS = {
    "casestudies.ttl": "every case study, institution and vocabulary as Turtle",
    "casestudies.nt": "the same graph as N-Triples, one statement a line",
    "casestudies.jsonld": "the same graph as JSON-LD",
    "context.jsonld": "the JSON-LD context (prefixes) the JSON-LD files use",
    "void.ttl": "a VoID description of the dataset (size, dumps, vocabularies)",
    "report.md": "the coverage report of lod build, as Markdown",
}


def _shown(value: object) -> object:
    """Every value a template prints, with control and bidi characters made visible."""
    if isinstance(value, Markup):  # already HTML: made visible, still HTML
        return Markup(visible(str(value)))  # noqa: S704 - HTML already; only controls rewritten
    return visible(value) if isinstance(value, str) else value


@cache
def environment() -> Environment:
    """The template environment (templates ship inside the package)."""
    env = Environment(
        loader=PackageLoader("lod.site", "templates"),
        autoescape=True,
        finalize=_shown,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return env


def static_file(name: str) -> bytes:
    """A bundled static file's bytes."""
    return package_files.files("lod.site").joinpath("static", name).read_bytes()


def vendored_file(name: str) -> bytes:
    """A vendored third-party file's bytes, by its name in the site's ``static/`` folder."""
    return package_files.files("lod.site").joinpath("vendor", *VENDORED_FILES[name]).read_bytes()


@dataclass(frozen=True)
class Common:
    """What every page shows: counts in the footer, the labels."""

    total: int
    as_of: str | None
    labels: Labels
    #: The statuses the counted records have (the record policy's public ones).
    statuses: tuple[str, ...] = PUBLIC_STATUSES

    @property
    def statuses_words(self) -> str:
        """The statuses counted, in words: "reviewed or published"."""
        *head, last = self.statuses
        return f"{', '.join(head)} or {last}" if head else last

    def render(self, template: str, *, root: str, title: str, current: str = "",
               csp: str = CSP, **values: Any) -> bytes:
        """One page's bytes (``csp``: the site's policy, or a page's own stricter-by-one)."""
        page = environment().get_template(template).render(
            root=root, title=title, current=current, csp=csp, site_name=SITE_NAME,
            total=self.total, as_of=self.as_of, labels=self.labels,
            statuses_words=self.statuses_words, **values)
        return page.encode("utf-8")


def _options(terms: Iterable[str], label: Callable[[str], str]) -> list[tuple[str, str]]:
    return [(term, label(term)) for term in terms]


def index_page(common: Common, listing: Listing) -> bytes:
    """The list of every case study (their entries) with its search and filters."""
    labels = common.labels
    used = {key: set(terms) for key, terms in listing.by.items()}
    facets = [
        ("type", "Library type", _options([t for t in LIBRARY_TYPES if t in used["types"]],
                                          labels.library_type)),
        ("region", "World region", _options(sorted(used["regions"], key=labels.region),
                                            labels.region)),
        ("country", "Country", _options(sorted(used["countries"], key=labels.country),
                                        labels.country)),
        ("unit", "IFLA unit", _options(sorted(used["units"], key=labels.unit), labels.unit)),
        ("project", "Wikimedia project", _options([p for p in PROJECTS if p in used["projects"]],
                                                  labels.project)),
        ("activity", "Activity", _options([a for a in ACTIVITIES if a in used["activities"]],
                                          labels.activity)),
    ]
    return common.render("index.html", root="", title="Find a case study", current="index",
                         items=listing.items(), facets=facets, undated=len(listing.undated))


def search_data(listing: Listing) -> Callable[[BinaryIO], None]:
    """The records the index page's script searches and filters (a classic script: works on file://).

    Written a record at a time: the list's JSON is its rows' JSON joined by commas.
    """
    def write(handle: BinaryIO) -> None:
        handle.write(b"window.lodRecords = [")
        handle.writelines(f"{',' if number else ''}{row}".encode() for number, row in enumerate(listing.search_rows()))
        handle.write(b"];\n")
    return write


#: scheme, term -> (fact lines, links) saying what the term means (definition, exact match).
Describe = Callable[[str, str], tuple[list[str], list[tuple[str, str]]]]


def _nothing(scheme: str, term: str) -> tuple[list[str], list[tuple[str, str]]]:
    return [], []


def term_pages(common: Common, listing: Listing,
               describe: Describe = _nothing) -> Iterator[tuple[str, bytes]]:
    """One page per library type, country, IFLA unit, Wikimedia project and activity.

    Each lists its records' entries, read from ``listing`` as the page is
    rendered; ``describe`` gives each term's definition and Wikidata match
    where the data hold them. The pages come one at a time, by path.
    """
    from lod.site.querypage import term_query_href  # the query page's module imports this one

    labels = common.labels
    kinds: list[tuple[str, str, Iterable[str], str, Callable[[str], str],
                      Callable[[str], list[str]]]] = [
        ("type", "library type", LIBRARY_TYPES, "types", labels.library_type, lambda t: []),
        ("country", "country", labels.countries(), "countries", labels.country,
         lambda c: [f"Part of {labels.region(labels.continent[c])}."]
         if c in labels.continent else []),
        ("unit", "IFLA unit", list(labels.units), "units", labels.unit,
         lambda u: _unit_facts(labels, u)),
        ("project", "Wikimedia project", PROJECTS, "projects", labels.project, lambda p: []),
        ("activity", "activity", ACTIVITIES, "activities", labels.activity, lambda a: []),
    ]
    schemes = {"type": "library-type", "country": "country", "unit": "ifla-unit",
               "project": "project", "activity": "activity"}
    for folder, what, terms, facet, label, facts in kinds:
        chosen = listing.by[facet]
        # No record names any term of this kind: say so, not "no case study about X yet".
        unused = not chosen
        for term in terms:
            heading = label(term)
            meant, links = describe(schemes[folder], term)
            yield f"{folder}/{term}.html", common.render(
                "term.html", root="../", title=heading, heading=heading,
                facts=[*meant, *facts(term)], links=links,
                items=listing.items(chosen.get(term, ()), in_folder=True),
                what=f"the {what} {heading}",
                unused=f"No case study names {'an' if what[0] in 'aeiouIA' else 'a'} {what} yet"
                if unused else "", query=term_query_href(folder, term),
                prefill=f"{folder}={term}")


def _unit_facts(labels: Labels, unit_id: str) -> list[str]:
    unit = labels.units[unit_id]
    facts = [f"Kind of IFLA unit: {UNIT_KINDS.get(unit.kind, unit.kind)}."]
    if unit.divisions:
        facts.append("Division: " + "; ".join(unit.divisions) + ".")
    else:
        facts.append("Division: not stated by the sources used.")
    return facts


def browse_page(common: Common, listing: Listing) -> bytes:
    """Every term with its number of case studies, linking to its page."""
    labels = common.labels
    counts: dict[str, Counter[str]] = {
        key: Counter({term: len(numbers) for term, numbers in listing.by[key].items()})
        for key in ("types", "countries", "units", "projects", "activities")}
    years = {year: len(numbers) for year, numbers in listing.years.items()}
    undated = len(listing.undated)
    by_continent: dict[str, list[str]] = {}
    for code in labels.countries():
        by_continent.setdefault(labels.continent.get(code, ""), []).append(code)
    country_parts = [
        (labels.region(region) if region else "Not placed in a UN M49 region",
         [(f"country/{c}.html", labels.country(c), counts["countries"][c]) for c in codes])
        for region, codes in sorted(by_continent.items(),
                                    key=lambda item: (not item[0], labels.region(item[0])))
    ]
    unit_kinds: dict[str, list[str]] = {}
    for unit in labels.units.values():
        unit_kinds.setdefault(unit.kind, []).append(unit.id)
    groups = [
        {"key": "types", "title": "Library types", "parts": [("", [
            (f"type/{t}.html", labels.library_type(t), counts["types"][t]) for t in LIBRARY_TYPES])]},
        {"key": "projects", "title": "Wikimedia projects", "parts": [("", [
            (f"project/{p}.html", labels.project(p), counts["projects"][p]) for p in PROJECTS])]},
        {"key": "units", "title": "IFLA units", "parts": [
            (UNIT_KINDS.get(kind, kind), [(f"unit/{u}.html", labels.unit(u), counts["units"][u])
                                          for u in sorted(ids, key=labels.unit)])
            for kind, ids in sorted(unit_kinds.items())]},
        {"key": "activities", "title": "Activities", "parts": [("", [
            (f"activity/{a}.html", labels.activity(a), counts["activities"][a])
            for a in ACTIVITIES])]},
        {"key": "years", "title": "Start years", "parts": [("", [
            *((f"year/{y}.html", str(y), n) for y, n in sorted(years.items())),
            ("year/undated.html", "no start date", undated)])]},
        {"key": "countries", "title": "Countries, by continent", "parts": country_parts},
    ]
    return common.render("browse.html", root="", title="Browse by term", current="browse",
                         groups=groups)


def dashboard_page(common: Common, charts: Sequence[Chart]) -> bytes:
    """Charts, tables and gaps."""
    return common.render("dashboard.html", root="", title="Coverage and gaps",
                         current="dashboard", charts=charts)


def data_page(common: Common, sizes: Mapping[str, int]) -> bytes:
    """Links to the dumps published with the site (``sizes``: each dump's size in bytes)."""
    files = [(name, DUMP_DESCRIPTIONS.get(name, ""), _size(sizes[name]))
             for name in sorted(sizes)]
    return common.render("data.html", root="", title="Data", current="data", files=files)


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"
