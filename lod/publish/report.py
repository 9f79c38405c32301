"""``report.md``: what the collection covers and, above all, what it misses.

The counts come from the catalogue queries themselves, so the report and a
researcher's own query can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import Store

from lod.query.catalog import get_query
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

    def rows(self, name: str) -> tuple[tuple[str, ...], ...]:
        """The rows one of :data:`REPORT_QUERIES` gave."""
        return self.tables[name][1]

    def gaps(self) -> dict[str, list[str]]:
        """Library types and IFLA units with no case study."""
        return {
            "library types": [row[0] for row in self.rows("gaps-library-types")],
            "IFLA units": [row[0] for row in self.rows("gaps-ifla-units")],
        }


def report_data(store: Store, *, records: int) -> ReportData:
    """Run the report's queries on the graph in ``store``."""
    tables: dict[str, Table] = {}
    for name in REPORT_QUERIES:
        result = run_local(store, get_query(name).text)
        tables[name] = (result.columns,
                        tuple(tuple(v or "" for v in row) for row in result.values()))
    return ReportData(records, tables)


def _table(table: Table) -> list[str]:
    columns, rows = table
    if not rows:
        return ["_none_", ""]
    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(row) + " |" for row in rows]
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
        lines.append(f"- **{what} with no case study** ({len(terms)}): "
                     + (", ".join(terms) if terms else "none"))
    lines.append("")
    for title, query in _SECTIONS:
        lines += [f"## {title}", "", *_table(data.tables[query])]
    return visible("\n".join(lines).rstrip("\n") + "\n")  # values from the graph, shown to people


def build_report(store: Store, *, records: int) -> str:
    """The Markdown report of the graph in ``store``."""
    return render_report(report_data(store, records=records))
