"""Deterministic N-Triples, Turtle and JSON-LD.

Every writer takes the triples in one order, that of their N-Triples lines
(``str(triple)``, sorted), so the same graph always gives the same bytes.
N-Triples is those lines; Turtle is written by pyoxigraph (Rust) from the
triples in that order, with the project's prefixes.

JSON-LD is written here rather than by a library so that it is compact, its
``@context`` is inline (the file parses offline), and the very same context
can be published on its own as ``context.jsonld``; it works on the lines,
since string slicing is faster than reading terms back from pyoxigraph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from pyoxigraph import Literal, RdfFormat, Triple, parse, serialize

from lod.namespaces import PREFIXES, RDF, XSD

_XSD_STRING = f"{XSD}string"
_RDF_TYPE_TOKEN = f"<{RDF}type>"
#: JSON-LD compact IRIs accept any of these local names.
_LOCAL_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
#: Turtle's PN_LOCAL (ASCII subset): no leading '-' or '.', no trailing '.'.
_ORDERED_PREFIXES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


#: A line's three tokens: subject, predicate, object.
Split = tuple[str, str, str]


def split_line(line: str) -> Split:
    """``<s> <p> o`` -> its three tokens (subjects and predicates never hold spaces)."""
    s, p, o = line.split(" ", 2)
    return s, p, o


def split_lines(lines: Iterable[str]) -> list[Split]:
    """Every line's tokens (split once, shared by all the writers of a block)."""
    return [split_line(line) for line in lines]


# --- N-Triples --------------------------------------------------------------------------


def ntriples_text(lines: Iterable[str]) -> str:
    """N-Triples document text for already ordered lines.

    One join with the separator (and the last line's end added after) rather than a
    formatted string per line: every line of the graph goes through here three times
    (the dump, the store, the SHACL chunks).
    """
    items = lines if isinstance(lines, list) else list(lines)
    return " .\n".join(items) + " .\n" if items else ""


# --- Turtle -----------------------------------------------------------------------------

#: The project's prefixes, in the order the Turtle files declare them.
TURTLE_PREFIXES = dict(sorted(PREFIXES.items()))


def _turtle(triples: Iterable[Triple]) -> bytes:
    """Turtle for triples in the order given: subjects grouped, ``;`` and ``,`` lists."""
    turtle = serialize(triples, format=RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES)
    return turtle if turtle is not None else b""


def turtle_of_ntriples(text: str) -> bytes:
    """Turtle for an N-Triples document, its triples kept in the document's order."""
    return _turtle(quad.triple for quad in parse(text.encode("utf-8"), format=RdfFormat.N_TRIPLES))


def to_turtle(triples: Iterable[Triple]) -> bytes:
    """Turtle with the project's prefixes, subjects grouped, in line order, duplicates dropped."""
    return _turtle(triple for _, triple in sorted({str(t): t for t in triples}.items()))


# --- JSON-LD ----------------------------------------------------------------------------


def jsonld_context() -> dict[str, Any]:
    """The context used by the JSON-LD dump: the project's prefix map."""
    return {"@context": dict(sorted(PREFIXES.items()))}


def _compact(iri: str, local_name: re.Pattern[str]) -> str | None:
    """``prefix:local`` for ``iri`` when a project prefix fits and ``local`` is allowed."""
    for prefix, namespace in _ORDERED_PREFIXES:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if local_name.fullmatch(local):
                return f"{prefix}:{local}"
    return None


@lru_cache(maxsize=1 << 18)
def compact_iri(iri: str) -> str:
    """``https://schema.org/name`` -> ``schema:name`` where a prefix fits, else the IRI."""
    return _compact(iri, _LOCAL_RE) or iri


def _parsed_literal(line: str) -> Literal:
    """The object of one line, read by pyoxigraph (for escapes JSON does not share)."""
    quad = next(iter(parse(f"{line} .\n".encode(), format=RdfFormat.N_TRIPLES)))
    term = quad.object
    if not isinstance(term, Literal):
        raise TypeError(f"not a literal object: {line}")
    return term


def _literal_value(text: str, subject: str, predicate: str) -> Any:
    """A JSON-LD value from an N-Triples literal token."""
    if text[-1] == '"':
        body, language, datatype = text[1:-1], None, None
    elif '"@' in text and text.rfind('"@') > text.rfind('"^^<'):
        body, _, language = text[1:].rpartition('"@')
        datatype = None
    else:
        body, _, tail = text[1:].rpartition('"^^<')
        language, datatype = None, tail[:-1]
    if "\\" in body:
        if "\\U" in body or "\\'" in body:  # escapes JSON does not share with N-Triples
            term = _parsed_literal(f"{subject} {predicate} {text}")
            body, language = term.value, term.language
            datatype = None if language else term.datatype.value
        else:
            body = json.loads(f'"{body}"')
    if language:
        return {"@value": body, "@language": language}
    if datatype is None or datatype == _XSD_STRING:
        return body
    return {"@value": body, "@type": compact_iri(datatype)}


def _jsonld_node_dicts(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Each subject's node object, from its sorted lines (split here, once each).

    Every line of a block passes through this loop, so the compact form of each
    predicate token and each IRI object is worked out once per block and looked up after.
    """
    iri_values: dict[str, dict[str, str]] = {}
    predicates: dict[str, str] = {}
    types: dict[str, str] = {}
    last_subject = ""
    node: dict[str, Any] = {}
    for line in lines:
        subject, predicate_token, obj = line.split(" ", 2)
        if subject != last_subject:
            if node:
                yield node
            last_subject = subject
            identifier = compact_iri(subject[1:-1]) if subject[0] == "<" else subject
            node = {"@id": identifier}
        first = obj[0]
        if first == '"':
            value: Any = _literal_value(obj, subject, predicate_token)
        elif first == "<":
            if predicate_token == _RDF_TYPE_TOKEN:
                kind = types.get(obj)
                if kind is None:
                    kind = types[obj] = compact_iri(obj[1:-1])
                if "@type" in node:
                    node["@type"].append(kind)
                else:
                    node["@type"] = [kind]
                continue
            value = iri_values.get(obj)
            if value is None:
                value = iri_values[obj] = {"@id": compact_iri(obj[1:-1])}
        else:
            value = {"@id": obj}
        key = predicates.get(predicate_token)
        if key is None:
            key = predicates[predicate_token] = compact_iri(predicate_token[1:-1])
        found = node.get(key)
        if found is None:
            node[key] = [value]
        else:
            found.append(value)
    if node:
        yield node


#: A node object holds no cycle (its values are new dicts or strings), so the encoder's
#: cycle check is left out.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def jsonld_nodes(lines: Iterable[str]) -> list[str]:
    """One encoded JSON-LD node object per subject of the sorted ``lines``."""
    return [_ENCODE(node) for node in _jsonld_node_dicts(lines)]


def jsonld_head() -> str:
    """Everything a JSON-LD dump holds before its first node object."""
    context = json.dumps(jsonld_context()["@context"], ensure_ascii=False, indent=1)
    return f'{{"@context": {context},\n"@graph": [\n'


JSONLD_TAIL = "\n]}\n"
JSONLD_SEPARATOR = ",\n"


def jsonld_document(lines: Sequence[str]) -> bytes:
    """Compact JSON-LD of sorted lines: one node object per subject (one per line), context inline."""
    return (jsonld_head() + JSONLD_SEPARATOR.join(jsonld_nodes(lines)) + JSONLD_TAIL).encode("utf-8")
