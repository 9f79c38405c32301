"""Write query results as a table, CSV, TSV or SPARQL JSON.

CSV and TSV follow the catalogue contract: a header row of variable names,
IRIs written in full, literals as their lexical form, nothing for unbound.
JSON is the W3C SPARQL 1.1 Query Results JSON format, so any tool reads it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any, NamedTuple

from pyoxigraph import BlankNode, Literal, NamedNode

from lod.query.run import GraphResult, QueryResult, Term
from lod.text import visible

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _plain(term: Term | None) -> str:
    return "" if term is None else term.value


def escape_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control and bidi character written visibly (:func:`lod.text.visible`)."""
    return visible(text, tabs=False) if keep_newlines else visible(text, lines=False)


def to_csv(result: QueryResult, *, delimiter: str = ",") -> str:
    """CSV (or TSV with ``delimiter='\\t'``) with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([_plain(term) for term in row])
    return buffer.getvalue()


def to_tsv(result: QueryResult) -> str:
    """Tab-separated values; tabs and newlines inside values become spaces."""
    lines = ["\t".join(result.columns)]
    for row in result.rows:
        cells = (escape_controls(_plain(t).replace("\t", " ").replace("\n", " ")) for t in row)
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    assert isinstance(term, Literal)  # noqa: S101 - narrowed by Term
    found: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        found["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        found["datatype"] = term.datatype.value
    return found


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [
        {col: _json_term(term) for col, term in zip(result.columns, row, strict=True) if term}
        for row in result.rows
    ]
    document = {"head": {"vars": list(result.columns)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def to_table(result: QueryResult) -> str:
    """An aligned plain-text table for reading in a terminal."""
    cells = [[escape_controls(_plain(t)) for t in row] for row in result.rows]
    widths = [len(c) for c in result.columns]
    for row in cells:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()
    out = [line(list(result.columns)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


class Writer(NamedTuple):
    """How one ``--format`` is written."""

    write: Callable[[QueryResult], str]
    #: The data is kept exact (control characters too), so it is made visible only when printed
    #: on a terminal; the other formats never carry control characters at all.
    exact: bool


#: Every ``--format``, by name: the one list the check, the help text and the writing share.
WRITERS: dict[str, Writer] = {
    "table": Writer(to_table, exact=False),
    "csv": Writer(to_csv, exact=True),
    "tsv": Writer(to_tsv, exact=False),
    "json": Writer(to_json, exact=True),
}
FORMATS = tuple(WRITERS)


def render(result: QueryResult, fmt: str, *, terminal: bool = False) -> str:
    """The result in one of :data:`FORMATS` (see :data:`WRITERS`)."""
    writer = WRITERS[fmt]
    text = writer.write(result)
    return escape_controls(text, keep_newlines=True) if terminal and writer.exact else text


def render_answer(answer: QueryResult | GraphResult | bool, fmt: str, *,
                  terminal: bool = False) -> str:
    """Any query form: rows in ``fmt``; CONSTRUCT/DESCRIBE triples as N-Triples; ASK as
    ``true``/``false`` (JSON: the SPARQL results document)."""
    if isinstance(answer, bool):
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": answer}) + "\n"
        return ("true" if answer else "false") + "\n"
    if isinstance(answer, GraphResult):
        text = answer.ntriples()
        return escape_controls(text, keep_newlines=True) if terminal else text
    return render(answer, fmt, terminal=terminal)
