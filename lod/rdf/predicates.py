"""Which predicates a set of SPARQL queries can read: the part of a graph their answers depend on.

The build's report runs a few catalogue queries on an on-disk store of the
graph. Most of the graph's bytes are narrative text (sections, summaries,
titles) that none of them reads, and loading a store costs by the triple and
the byte. A query's answers depend only on the triples its patterns can
match; when every pattern names its predicate (an IRI, or a property path
of IRIs that never matches a path of length zero), no triple with another
predicate can match, so a store holding only the triples of the predicates
named gives the same answers.

Anything that could read a triple whatever its predicate (a variable in the
predicate's place, a negated property set ``!p``) or any node of the graph
(``p*`` and ``p?`` match every node to itself) makes :func:`read_predicates`
answer None: load everything. The queries are parsed with rdflib's SPARQL
parser, so the answer follows the query's algebra, not its text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import URIRef


class _AnyPredicateError(Exception):
    """A pattern may match a triple of any predicate (or a node through no triple)."""


def read_predicates(queries: Iterable[str]) -> frozenset[str] | None:
    """The predicate IRIs the queries' patterns can match; None when that is not bounded."""
    found: set[str] = set()
    try:
        for text in queries:
            _walk(prepareQuery(text).algebra, found)
    except _AnyPredicateError:
        return None
    return frozenset(found)


def _walk(node: Any, found: set[str]) -> None:
    """Every triple pattern under an algebra node (sub-queries and EXISTS included)."""
    if isinstance(node, dict):  # rdflib's algebra nodes (CompValue) are dicts
        for key, value in node.items():
            if key == "triples":
                for triple in value:
                    _predicate(triple[1], found)
            else:
                _walk(value, found)
    elif isinstance(node, list | tuple):
        for item in node:
            _walk(item, found)


def _predicate(term: Any, found: set[str]) -> None:
    if isinstance(term, URIRef):
        found.add(str(term))
    elif isinstance(term, SequencePath | AlternativePath):
        for step in term.args:
            _predicate(step, found)
    elif isinstance(term, InvPath):
        _predicate(term.arg, found)
    elif isinstance(term, MulPath) and not term.zero:
        _predicate(term.path, found)
    else:  # a variable, a negated property set, p* or p?
        raise _AnyPredicateError
