"""``report.md``: what the collection covers and, above all, what it misses.

The counts come from the catalogue queries themselves, so the report and a
researcher's own query can never disagree.
"""

from __future__ import annotations

import re
from functools import cache

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
