"""``report.md``: what the collection covers and, above all, what it misses.

The counts come from the catalogue queries themselves, so the report and a
researcher's own query can never disagree.
"""

from __future__ import annotations

from pyoxigraph import Store

from lod.query.catalog import get_query
from lod.query.run import QueryResult, run_local

_SECTIONS = (
    ("Library types", "by-library-type"),
    ("Countries", "by-country"),
    ("IFLA units", "by-ifla-unit"),
    ("Wikimedia projects", "by-project"),
    ("Activities", "by-activity"),
    ("Start years", "by-year"),
)


def _run(store: Store, name: str) -> QueryResult:
    return run_local(store, get_query(name).text)


def _table(result: QueryResult) -> list[str]:
    if not result.rows:
        return ["_none_", ""]
    head = "| " + " | ".join(result.columns) + " |"
    rule = "|" + "|".join("---" for _ in result.columns) + "|"
    body = ["| " + " | ".join(v or "" for v in row) + " |" for row in result.values()]
    return [head, rule, *body, ""]


def gap_lists(store: Store) -> dict[str, list[str]]:
    """The two gap queries' answers: library types and IFLA units with no case study."""
    return {
        "library types": [row[0] or "" for row in _run(store, "gaps-library-types").values()],
        "IFLA units": [row[0] or "" for row in _run(store, "gaps-ifla-units").values()],
    }


def build_report(store: Store, *, records: int) -> str:
    """The Markdown report of a build."""
    institutions = len(_run(store, "institutions").rows)
    countries = len(_run(store, "by-country").rows)
    lines = [
        "# Case studies: coverage report",
        "",
        f"{records} case studies, {institutions} institutions, {countries} countries.",
        "",
        "## Gaps",
        "",
    ]
    for what, terms in gap_lists(store).items():
        lines.append(f"- **{what} with no case study** ({len(terms)}): "
                     + (", ".join(terms) if terms else "none"))
    lines.append("")
    for title, query in _SECTIONS:
        lines += [f"## {title}", "", *_table(_run(store, query))]
    return "\n".join(lines).rstrip("\n") + "\n"
