"""``report.md``: what the collection covers and, above all, what it misses.

The counts come from the catalogue queries themselves, so the report and a
researcher's own query can never disagree.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyoxigraph import Store

from lod.query.catalog import get_query
from lod.query.run import run_local

_SECTIONS = (
    ("Library types", "by-library-type"),
    ("Countries", "by-country"),
    ("IFLA units", "by-ifla-unit"),
    ("Wikimedia projects", "by-project"),
    ("Activities", "by-activity"),
    ("Start years", "by-year"),
)


_PREFIX_RE = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_PREFIXED_RE = re.compile(r"(?<![\w?$<])([A-Za-z][\w-]*)?:([A-Za-z0-9_][\w-]*)")
_IRI_RE = re.compile(r"<([^<>\s]+)>")
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#: Queries run on a build's report store (the report's and ``lod build``'s summary).
REPORT_QUERIES = ("institutions", "by-country", "gaps-library-types", "gaps-ifla-units",
                  *(name for _, name in _SECTIONS))


@cache
def report_predicates() -> frozenset[str]:
    """Every IRI the report's queries name, as ``<iri>`` tokens (``rdf:type`` included).

    The build loads only triples with these predicates into the report's store:
    at tens of thousands of records the whole graph would not fit the memory
    budget, and the report never reads the narrative text anyway. Naming too
    much is harmless; the tests compare the report with one made from the
    whole graph.
    """
    found = {_RDF_TYPE}
    for name in REPORT_QUERIES:
        text = get_query(name).text
        prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX_RE.finditer(text)}
        body = _PREFIX_RE.sub(" ", text)
        body = "\n".join(line.split("#", 1)[0] if "<" not in line else line
                         for line in body.splitlines())
        found.update(f"<{m.group(1)}>" for m in _IRI_RE.finditer(body))
        for match in _PREFIXED_RE.finditer(body):
            namespace = prefixes.get(match.group(1) or "")
            if namespace is not None:
                found.add(f"<{namespace}{match.group(2)}>")
    return frozenset(found)


#: One query's answer as plain strings ("" where a variable is unbound).
Table = tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]


@dataclass(frozen=True)
class ReportData:
    """The answers the report is made of: kept, so an unchanged build need not ask again."""

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

    def to_json(self) -> str:
        """The cache's form."""
        return json.dumps({"records": self.records, "tables": self.tables}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ReportData:
        """Read back :meth:`to_json`."""
        raw = json.loads(text)
        tables = {
            name: (tuple(columns), tuple(tuple(row) for row in rows))
            for name, (columns, rows) in raw["tables"].items()
        }
        return cls(int(raw["records"]), tables)


@cache
def report_salt() -> str:
    """What else the answers depend on: the queries, this code and the engine's version."""
    import pyoxigraph

    digest = hashlib.sha256(pyoxigraph.__version__.encode())
    digest.update(Path(__file__).read_bytes())
    for name in REPORT_QUERIES:
        digest.update(get_query(name).text.encode("utf-8"))
    return digest.hexdigest()


def report_data(store: Store, *, records: int) -> ReportData:
    """Run the report's queries on ``store`` (the whole graph, or the facts of a build)."""
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
    return "\n".join(lines).rstrip("\n") + "\n"


def build_report(store: Store, *, records: int) -> str:
    """The Markdown report of the graph in ``store``."""
    return render_report(report_data(store, records=records))
