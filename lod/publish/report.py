"""``report.md``: what the collection covers and, above all, what it misses.

The counts come from the catalogue queries themselves, so the report and a
researcher's own query can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import Store

from lod.query.catalog import get_query
from lod.query.display import (
    COLUMN_SCHEMES,
    LABELS_QUERY,
    LabelsByLanguage,
    label_for,
    read_labels_by_language,
)
from lod.query.run import run_local
from lod.text import visible

_SECTIONS = (
    ("Library types", "by-library-type"),
    ("Countries", "by-country"),
    ("IFLA units", "by-ifla-unit"),
    ("Wikimedia projects", "by-project"),
    ("Activities", "by-activity"),
    ("Start years", "by-year"),
)


#: Queries run on the graph for the report (and for ``lod build``'s summary).
REPORT_QUERIES = ("institutions", "by-country", "gaps-library-types", "gaps-ifla-units",
                  *(name for _, name in _SECTIONS))


#: One query's answer as plain strings ("" where a variable is unbound).
Table = tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]


@dataclass(frozen=True)
class ReportData:
    """The answers the report is made of (also read by the build's summary)."""

    records: int
    tables: dict[str, Table]
    #: The vocabularies' labels, for showing terms as words (``lod query``'s table does too).
    labels: LabelsByLanguage = field(default_factory=dict)

    def shown(self, column: str, term: str) -> str:
        """``academic library (academic)``: the label, with the id people can query by."""
        scheme = COLUMN_SCHEMES.get(column)
        label = label_for(self.labels, scheme, term) if scheme else term
        return term if label == term else f"{label} ({term})"

    def rows(self, name: str) -> tuple[tuple[str, ...], ...]:
        """The rows one of :data:`REPORT_QUERIES` gave."""
        return self.tables[name][1]

    def gaps(self) -> dict[str, list[str]]:
        """Library types and IFLA units with no case study (only for a dimension in use)."""
        return {what: [row[0] for row in self.rows(gap_query)]
                for what, (count_query, gap_query) in _GAP_DIMENSIONS.items()
                if self.rows(count_query)}

    def unused(self) -> list[str]:
        """A sentence for each dimension no record names a term of (not a list of gaps)."""
        return [unused_sentence(what) for what, (count_query, _) in _GAP_DIMENSIONS.items()
                if not self.rows(count_query)]


#: Gap lists of the report: what -> (the query counting its use, the gap query).
_GAP_DIMENSIONS = {
    "library types": ("by-library-type", "gaps-library-types"),
    "IFLA units": ("by-ifla-unit", "gaps-ifla-units"),
}
_SINGULAR = {"library types": "a library type", "IFLA units": "an IFLA unit",
             "Wikimedia projects": "a Wikimedia project", "activities": "an activity"}


def unused_sentence(what: str) -> str:
    """Why a dimension has no gap list: no record names any of its terms yet."""
    one = _SINGULAR.get(what, what)
    return (f"no case study names {one} yet (the submission form asks for it): "
            f"this field is empty in every record, not a list of {what} checked and found missing")


def report_query_texts() -> list[str]:
    """Every query :func:`report_data` runs (a store for the report need hold only what they read)."""
    return [*(get_query(name).text for name in REPORT_QUERIES), LABELS_QUERY]


def report_data(store: Store, *, records: int) -> ReportData:
    """Run the report's queries on the graph in ``store``."""
    tables: dict[str, Table] = {}
    for name in REPORT_QUERIES:
        result = run_local(store, get_query(name).text)
        tables[name] = (result.columns,
                        tuple(tuple(v or "" for v in row) for row in result.values()))
    return ReportData(records, tables, read_labels_by_language(store))


def _table(table: Table, data: ReportData) -> list[str]:
    columns, rows = table
    if not rows:
        return ["_none_", ""]
    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(data.shown(c, v) for c, v in zip(columns, row, strict=True)) + " |"
            for row in rows]
    return [head, rule, *body, ""]


def render_report(data: ReportData) -> str:
    """The Markdown report of a build."""
    institutions = len(data.rows("institutions"))
    countries = len(data.rows("by-country"))
    lines = [
        "# Case studies: coverage report",
        "",
        f"{data.records} case studies, {institutions} institutions, {countries} countries.",
        "",
        "## Gaps",
        "",
    ]
    for what, terms in data.gaps().items():
        column = _GAP_DIMENSIONS[what][1]
        column = data.tables[column][0][0]
        lines.append(f"- **{what} with no case study** ({len(terms)}): "
                     + (", ".join(data.shown(column, t) for t in terms) if terms else "none"))
    lines += [f"- {sentence[0].upper()}{sentence[1:]}." for sentence in data.unused()]
    lines.append("")
    for title, query in _SECTIONS:
        lines += [f"## {title}", "", *_table(data.tables[query], data)]
    return visible("\n".join(lines).rstrip("\n") + "\n")  # values from the graph, shown to people
