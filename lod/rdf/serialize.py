"""Deterministic Turtle, N-Triples and JSON-LD.

Triples are sorted before writing, so the same input always gives the same
bytes. JSON-LD is written here rather than by a library so that its
``@context`` is inline (the file parses offline) and the very same context can
be published on its own as ``context.jsonld``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from lod.namespaces import PREFIXES, RDF, XSD

_XSD_STRING = f"{XSD}string"
_RDF_TYPE = f"{RDF}type"
_LOCAL_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_ORDERED_PREFIXES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


@dataclass(frozen=True)
class Canonical:
    """Triples in their one fixed order: sorted by their N-Triples form.

    Sorting once and sharing the order between the three writers is what makes
    the dumps reproducible byte for byte, at the cost of one sort.
    """

    lines: tuple[str, ...]
    triples: tuple[Triple, ...]


def canonical(triples: Iterable[Triple] | Canonical) -> Canonical:
    """The triples (duplicates dropped) in N-Triples order."""
    if isinstance(triples, Canonical):
        return triples
    pairs = sorted({(str(t), t) for t in triples}, key=lambda pair: pair[0])
    return Canonical(tuple(line for line, _ in pairs), tuple(t for _, t in pairs))


def to_turtle(triples: Iterable[Triple] | Canonical) -> bytes:
    """Turtle with the project's prefixes, subjects grouped."""
    ordered = canonical(triples).triples
    text = serialize(ordered, format=RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    # The serialiser's prefix order is an implementation detail: fix it ourselves.
    lines = text.split(b"\n")
    cut = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix")), len(lines))
    return b"\n".join(sorted(lines[:cut]) + lines[cut:])


def to_ntriples(triples: Iterable[Triple] | Canonical) -> bytes:
    """N-Triples, one sorted line per triple."""
    lines = canonical(triples).lines
    return ("".join(f"{line} .\n" for line in lines)).encode("utf-8")


def jsonld_context() -> dict[str, Any]:
    """The context used by the JSON-LD dump: the project's prefix map."""
    return {"@context": dict(sorted(PREFIXES.items()))}


@lru_cache(maxsize=1 << 18)
def compact_iri(iri: str) -> str:
    """``https://schema.org/name`` -> ``schema:name`` where a prefix fits, else the IRI."""
    for prefix, namespace in _ORDERED_PREFIXES:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if _LOCAL_RE.fullmatch(local):
                return f"{prefix}:{local}"
    return iri


def _node_id(term: NamedNode | BlankNode | Triple) -> str:
    if isinstance(term, Triple):
        raise TypeError("RDF-star triples are not part of the model")
    return compact_iri(term.value) if isinstance(term, NamedNode) else f"_:{term.value}"


def _value(term: Any) -> Any:
    if isinstance(term, Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == _XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": compact_iri(term.datatype.value)}
    return {"@id": _node_id(term)}


def _literal_value(text: str, term: Any) -> Any:
    """A JSON-LD value from an N-Triples literal; the pyoxigraph term only for rare escapes."""
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
            return _value(term)
        body = json.loads(f'"{body}"')
    if language:
        return {"@value": body, "@language": language}
    if datatype is None or datatype == _XSD_STRING:
        return body
    return {"@value": body, "@type": compact_iri(datatype)}


def to_jsonld(triples: Iterable[Triple] | Canonical) -> bytes:
    """Compact JSON-LD: one node object per subject (one per line), context inline.

    Works on the canonical N-Triples lines (plain string slicing), which is
    several times faster than reading the terms back from pyoxigraph, and
    encodes node by node with the C JSON encoder.
    """
    ordered = canonical(triples)
    nodes: list[dict[str, Any]] = []
    iri_values: dict[str, dict[str, str]] = {}
    last_subject = ""
    node: dict[str, Any] = {}
    for line, triple in zip(ordered.lines, ordered.triples, strict=True):
        s_end = line.index(" ")
        p_end = line.index(" ", s_end + 1)
        subject = line[:s_end]
        if subject != last_subject:
            last_subject = subject
            identifier = compact_iri(subject[1:-1]) if subject[0] == "<" else subject
            node = {"@id": identifier}
            nodes.append(node)
        predicate = line[s_end + 2 : p_end - 1]
        obj = line[p_end + 1 :]
        if obj[0] == "<":
            if predicate == _RDF_TYPE:
                node.setdefault("@type", []).append(compact_iri(obj[1:-1]))
                continue
            value: Any = iri_values.get(obj)
            if value is None:
                value = iri_values[obj] = {"@id": compact_iri(obj[1:-1])}
        elif obj[0] == "_":
            value = {"@id": obj}
        else:
            value = _literal_value(obj, triple.object)
        node.setdefault(compact_iri(predicate), []).append(value)
    context = json.dumps(jsonld_context()["@context"], ensure_ascii=False, indent=1)
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    graph = ",\n".join(encode(item) for item in nodes)
    return f'{{"@context": {context},\n"@graph": [\n{graph}\n]}}\n'.encode()
