"""The coverage dashboard's numbers: the catalogue's own queries, run on the pipeline's graph.

Every count on the dashboard is a row of a catalogue query run in process
on ``assembled.store`` (what ``lod query NAME`` runs), and every gap is a row
of a ``gaps-*`` query, so the dashboard and ``lod query`` cannot disagree.
This module only joins those rows with labels and lays the bars out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pyoxigraph import Store

from lod.publish.report import unused_sentence
from lod.query.catalog import get_query
from lod.query.execute import run_in_process
from lod.site.labels import Labels

#: Drawing sizes of a bar chart (SVG user units).
CHART_WIDTH = 640
ROW_HEIGHT = 36
VALUE_ROOM = 120


@dataclass(frozen=True)
class Bar:
    """One row of a chart and of its table."""

    term: str
    label: str
    count: int
    #: Page of the term, relative to the site root (None where there is none).
    href: str | None
    #: Layout: top of the row and width of the bar.
    y: int = 0
    width: int = 0


@dataclass(frozen=True)
class Chart:
    """A bar chart with its words: title, description, table and gaps."""

    key: str
    title: str
    description: str
    column: str
    queries: tuple[str, ...]
    bars: tuple[Bar, ...]
    #: What has no case study, in words: (label, href).
    gaps: tuple[tuple[str, str | None], ...] = ()
    gap_words: str = ""
    #: Extra column of the table (e.g. an IFLA unit's division): term -> text.
    extra_column: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    #: Set when no record names a term of this dimension: said instead of a gap list.
    unused: str = ""

    @property
    def height(self) -> int:
        """Height of the drawing."""
        return max(1, len(self.bars)) * ROW_HEIGHT + 8

    @property
    def total_width(self) -> int:
        """Width of the drawing."""
        return CHART_WIDTH


def _rows(store: Store, name: str) -> list[tuple[str | None, ...]]:
    return run_in_process(get_query(name), store).values()


def _laid_out(bars: list[Bar]) -> tuple[Bar, ...]:
    most = max((bar.count for bar in bars), default=0) or 1
    room = CHART_WIDTH - VALUE_ROOM
    return tuple(
        Bar(bar.term, bar.label, bar.count, bar.href, y=index * ROW_HEIGHT,
            width=round(room * bar.count / most))
        for index, bar in enumerate(bars)
    )


def _describe(what: str, bars: list[Bar], gaps: list[str]) -> str:
    used = [bar for bar in bars if bar.count]
    if not used:
        return f"No case study names any {what} yet."
    top = max(used, key=lambda bar: bar.count)
    text = (f"{what[0].upper()}{what[1:]} with at least one case study: {len(used)}. "
            f"The most: {top.label} ({top.count}).")
    if gaps:
        text += f" With none yet: {len(gaps)}."
    return text


def _term_chart(store: Store, labels: Labels, *, key: str, title: str, what: str, column: str,
                count_query: str, gap_query: str, scheme: str,
                label: Callable[[str], str], href: str | None) -> Chart:
    counts = {row[0]: int(row[-1] or 0) for row in _rows(store, count_query) if row[0]}
    gaps = [row[0] for row in _rows(store, gap_query) if row[0]]
    order = {term: index for index, term in enumerate(labels.order(scheme))}
    ranked = sorted(counts, key=lambda term: (-counts[term], order.get(term, len(order)), term))
    missing = sorted(gaps, key=lambda term: (order.get(term, len(order)), term))

    def link(term: str) -> str | None:
        return f"{href}/{term}.html" if href else None

    if not counts:
        # Nobody names one yet: an empty field, not one gap per term of the vocabulary.
        return Chart(key=key, title=title, description=f"No case study names any {what} yet.",
                     column=column, queries=(count_query, gap_query), bars=(),
                     unused=unused_sentence(what))
    bars = [Bar(term, label(term), counts[term], link(term)) for term in ranked]
    bars += [Bar(term, label(term), 0, link(term)) for term in missing if term not in counts]
    return Chart(
        key=key, title=title, description=_describe(what, bars, missing), column=column,
        queries=(count_query, gap_query), bars=_laid_out(bars),
        gaps=tuple((label(term), link(term)) for term in missing),
        gap_words=f"{what[0].upper()}{what[1:]} with no case study yet",
    )


def _region_chart(store: Store, labels: Labels) -> Chart:
    counts = {row[0]: int(row[-1] or 0) for row in _rows(store, "by-region") if row[0]}
    continents = set(labels.continents())
    gaps = [row[0] for row in _rows(store, "gaps-regions") if row[0]]
    bars = [Bar(code, labels.region(code), counts[code], None)
            for code in sorted(counts, key=lambda c: (-counts[c], labels.region(c)))]
    bars += [Bar(code, labels.region(code), 0, None)
             for code in sorted(gaps, key=labels.region) if code in continents]
    sub_regions = sorted(labels.region(code) for code in gaps if code not in continents)
    return Chart(
        key="regions", title="Case studies by world region",
        description=_describe("continents", bars, [b.term for b in bars if not b.count]),
        column="Continent", queries=("by-region", "gaps-regions"), bars=_laid_out(bars),
        gaps=tuple((name, None) for name in sub_regions),
        gap_words="Parts of the world (UN M49 regions and sub-regions) with no case study yet",
    )


def _country_chart(store: Store, labels: Labels) -> Chart:
    counts = {row[0]: int(row[-1] or 0) for row in _rows(store, "by-country") if row[0]}
    gaps = [(row[0], row[1] or row[0]) for row in _rows(store, "gaps-countries") if row[0]]
    bars = [Bar(code, labels.country(code), counts[code], f"country/{code}.html")
            for code in sorted(counts, key=lambda c: (-counts[c], labels.country(c)))]
    return Chart(
        key="countries", title="Case studies by country",
        description=_describe("countries", bars, [code for code, _ in gaps]),
        column="Country", queries=("by-country", "gaps-countries"), bars=_laid_out(bars),
        gaps=tuple((name, f"country/{code}.html") for code, name in sorted(gaps, key=lambda g: g[1])),
        gap_words="Countries with no case study yet",
    )


def _year_chart(store: Store) -> Chart:
    counts = {row[0]: int(row[-1] or 0) for row in _rows(store, "by-year") if row[0]}
    years = sorted(counts)
    bars = [Bar(year, year, counts[year], None) for year in years]
    quiet: list[str] = []
    if years:
        quiet = [str(y) for y in range(int(years[0]), int(years[-1]) + 1) if str(y) not in counts]
    description = "No case study has a start date yet."
    if years:
        description = (f"Case studies started between {years[0]} and {years[-1]}; "
                       f"{sum(counts.values())} have a start date.")
    return Chart(
        key="years", title="Case studies by start year", description=description,
        column="Start year", queries=("by-year",), bars=_laid_out(bars),
        gaps=tuple((year, None) for year in quiet),
        gap_words="Years in that span in which no case study started",
    )


def dashboard_charts(store: Store, labels: Labels) -> list[Chart]:
    """Every chart of the dashboard, in page order."""
    units = _term_chart(
        store, labels, key="units", title="Case studies by IFLA unit", what="IFLA units",
        column="IFLA unit", count_query="by-ifla-unit", gap_query="gaps-ifla-units",
        scheme="ifla-unit", label=labels.unit, href="unit")
    divisions = {unit.id: "; ".join(unit.divisions) or "not stated by a source"
                 for unit in labels.units.values()}
    units = Chart(**{**units.__dict__, "extra_column": "Division", "extra": divisions})
    return [
        _term_chart(store, labels, key="types", title="Case studies by library type",
                    what="library types", column="Library type", count_query="by-library-type",
                    gap_query="gaps-library-types", scheme="library-type",
                    label=labels.library_type, href="type"),
        _region_chart(store, labels),
        _country_chart(store, labels),
        units,
        _term_chart(store, labels, key="projects", title="Case studies by Wikimedia project",
                    what="Wikimedia projects", column="Wikimedia project",
                    count_query="by-project", gap_query="gaps-projects", scheme="project",
                    label=labels.project, href="project"),
        _term_chart(store, labels, key="activities", title="Case studies by activity",
                    what="activities", column="Activity", count_query="by-activity",
                    gap_query="gaps-activities", scheme="activity", label=labels.activity,
                    href=None),
        _year_chart(store),
    ]
