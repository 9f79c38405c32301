"""Labels where people read: term ids in query results shown as the vocabularies' labels.

A column holding vocabulary term ids (``type``, ``project``, ``activity``,
``unit``, ``role``, ``country``, ``region``, ``kind``, ``era``, ``division``)
is read through the ``skos:prefLabel`` of the concept with that
``skos:notation`` in the column's scheme, in the language asked for, else in
English, else the id itself. The labels come from the graph the query ran on
(the dumps carry every concept), so a build and its labels never disagree.

``--pivot`` turns a three-column answer (row term, column term, value) into
a matrix, one row per first-column value and one column per second-column
value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from pyoxigraph import Literal, Store

from lod.namespaces import VOCAB
from lod.query.run import QueryResult, Term, run_local

#: Result column name -> the scheme whose notations it holds.
COLUMN_SCHEMES: Final[dict[str, str]] = {
    "type": "library-type", "project": "project", "activity": "activity", "unit": "ifla-unit",
    "role": "role", "country": "country", "region": "region", "kind": "submitter-kind",
    "era": "ifla-division", "division": "ifla-division", "other_activity": "activity",
    "other_project": "project",
}
#: What the catalogue shows where a record states no value (e.g. ``by-role``).
NOT_STATED: Final = "not stated"
_LABELS = f"""\
SELECT ?scheme ?notation ?label WHERE {{
  ?concept <http://www.w3.org/2004/02/skos/core#inScheme> ?scheme ;
           <http://www.w3.org/2004/02/skos/core#notation> ?notation ;
           <http://www.w3.org/2004/02/skos/core#prefLabel> ?label .
  FILTER(STRSTARTS(STR(?scheme), "{VOCAB}"))
}}"""
#: scheme -> notation -> language -> label
LabelsByLanguage = dict[str, dict[str, dict[str, str]]]


def read_labels_by_language(store: Store) -> LabelsByLanguage:
    """Every concept label of the graph, by scheme, notation and language."""
    return labels_from(run_local(store, _LABELS))


#: The labels query, for an endpoint holding the dumps (the same labels as in process).
LABELS_QUERY: Final = _LABELS


def labels_from(result: QueryResult) -> LabelsByLanguage:
    """The labels in the answer of :data:`LABELS_QUERY` (in process or from an endpoint)."""
    found: LabelsByLanguage = {}
    for scheme, notation, label in result.rows:
        if scheme is None or notation is None or not isinstance(label, Literal):
            continue
        name = scheme.value.removeprefix(VOCAB)
        found.setdefault(name, {}).setdefault(notation.value, {})[label.language or ""] = \
            label.value
    return found


def label_for(labels: LabelsByLanguage, scheme: str, term: str, lang: str = "en") -> str:
    """The label of ``term`` in ``lang``, else English, else the id itself."""
    by_lang = labels.get(scheme, {}).get(term, {})
    return by_lang.get(lang) or by_lang.get("en") or term


def term_columns(result: QueryResult, labels: LabelsByLanguage) -> dict[int, str]:
    """Index -> scheme of the columns whose every value is a term of that column's scheme."""
    found: dict[int, str] = {}
    for index, column in enumerate(result.columns):
        scheme = COLUMN_SCHEMES.get(column)
        if scheme is None or scheme not in labels:
            continue
        cells = [row[index] for row in result.rows]
        values = [v for v in cells if v is not None and v.value != NOT_STATED]
        if values and all(isinstance(v, Literal) and v.value in labels[scheme] for v in values):
            found[index] = scheme
    return found


def _relabel(term: Term | None, scheme: str, labels: LabelsByLanguage, lang: str) -> Term | None:
    if term is None or term.value == NOT_STATED:
        return term
    return Literal(label_for(labels, scheme, term.value, lang))


def with_labels(result: QueryResult, labels: LabelsByLanguage, lang: str, *, beside: bool) -> QueryResult:
    """Term columns shown as labels: in place (a table), or ``beside`` as ``<column>_label``."""
    schemes = term_columns(result, labels)
    if not schemes:
        return result
    columns: list[str] = []
    for index, column in enumerate(result.columns):
        columns.append(column)
        if beside and index in schemes:
            columns.append(f"{column}_label")
    rows = []
    for row in result.rows:
        cells: list[Term | None] = []
        for index, term in enumerate(row):
            scheme = schemes.get(index)
            if scheme is None:
                cells.append(term)
            elif beside:
                cells += [term, _relabel(term, scheme, labels, lang)]
            else:
                cells.append(_relabel(term, scheme, labels, lang))
        rows.append(tuple(cells))
    return QueryResult(tuple(columns), tuple(rows))


class PivotError(ValueError):
    """The answer cannot be pivoted (it needs exactly three columns)."""


def pivot(result: QueryResult, names: Mapping[str, str] | None = None) -> QueryResult:
    """Rows of (row term, column term, value) as a matrix; a pair with no row is 0 for counts.

    ``names`` may rename column headers (the label of a term id).
    """
    if len(result.columns) != 3:
        raise PivotError(f"--pivot needs an answer of three columns (row, column, value); "
                         f"this one has {len(result.columns)}: {', '.join(result.columns)}")
    across: list[str] = []
    cells: dict[tuple[str, str], Term | None] = {}
    down: list[str] = []
    for first, second, value in result.rows:
        row_key = "" if first is None else first.value
        col_key = "" if second is None else second.value
        if row_key not in down:
            down.append(row_key)
        if col_key not in across:
            across.append(col_key)
        cells[(row_key, col_key)] = value
    counts = all(isinstance(v, Literal) and v.value.lstrip("-").isdigit()
                 for v in cells.values() if v is not None)
    missing: Term | None = Literal("0") if counts and cells else None
    firsts = {("" if r[0] is None else r[0].value): r[0] for r in result.rows}
    header = (result.columns[0], *((names or {}).get(c, c) or "(none)" for c in across))
    rows = tuple(
        (firsts[row_key], *(cells.get((row_key, col_key), missing) for col_key in across))
        for row_key in down
    )
    return QueryResult(header, rows)
