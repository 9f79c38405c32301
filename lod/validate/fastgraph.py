"""Chunk graphs for pySHACL, built straight from our own N-Triples lines.

rdflib's N-Triples parser is general (comments, any whitespace, validation of
every token) and pays for it: it was half the CPU time of a chunk's SHACL run.
Our chunk text is not general: every line is pyoxigraph's ``str(Triple)`` plus
`` .``, so a line splits on its first two spaces, a literal ends at its last
quote, and the terms repeat so often that each distinct token is turned into an
rdflib term once.

rdflib's ``Memory`` store keeps, for every triple, the graphs it belongs to, and
answers every lookup with a generator of them that nobody here reads: a third
of pySHACL's time went there, on the data graph and on the shapes graph alike.
:class:`IndexStore` keeps the same three indexes and nothing else.

And most of a chunk is never looked at by the record shapes: narrative sections,
contact points, ``rdfs:seeAlso``. :func:`read_predicates` works out, from the
shapes graph itself, which predicates the chosen shapes can reach; lines with any
other predicate are skipped before their literals are even unescaped. When the
shapes use a feature whose reach cannot be read that way (``sh:closed``, SPARQL
constraints, anything unknown), it answers ``None`` and nothing is dropped: a
slower run, never a different one.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator
from typing import Any, NoReturn

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

_Triple = tuple[Any, Any, Any]
_NO_CONTEXTS: tuple[()] = ()

_ESCAPE = re.compile(r"""\\(?:([tbnrf"'\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))""")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape_match(match: re.Match[str]) -> str:
    simple, short, long = match.groups()
    if simple is not None:
        return _SIMPLE[simple]
    return chr(int(short or long, 16))


def unescape(text: str) -> str:
    """An N-Triples string or IRI body with its escapes resolved (as rdflib reads them)."""
    return _ESCAPE.sub(_unescape_match, text) if "\\" in text else text


class IndexStore(Memory):
    """One graph's triples, indexed three ways; no contexts, no events, no removal.

    It is a ``Memory`` store for everything but the triples (namespace bindings
    behave exactly as rdflib's, so report messages read the same), and claims
    to be context aware only because pySHACL wraps every data graph in an
    rdflib ``Dataset``, which insists on it.
    """

    context_aware = True

    def __init__(self) -> None:
        super().__init__()
        self._spo: dict[Any, dict[Any, dict[Any, None]]] = {}
        self._pos: dict[Any, dict[Any, dict[Any, None]]] = {}
        self._osp: dict[Any, dict[Any, dict[Any, None]]] = {}
        self._size = 0

    def add(self, triple: _Triple, context: Any, quoted: bool = False) -> None:
        subject, predicate, value = triple
        values = self._spo.setdefault(subject, {}).setdefault(predicate, {})
        if value in values:
            return
        values[value] = None
        self._pos.setdefault(predicate, {}).setdefault(value, {})[subject] = None
        self._osp.setdefault(value, {}).setdefault(subject, {})[predicate] = None
        self._size += 1

    def remove(self, triple: Any, context: Any = None) -> NoReturn:
        raise NotImplementedError("an IndexStore only grows")

    def add_graph(self, graph: Any) -> NoReturn:
        raise NotImplementedError("an IndexStore holds one graph")

    def remove_graph(self, graph: Any) -> NoReturn:
        raise NotImplementedError("an IndexStore holds one graph")

    def __len__(self, context: Any = None) -> int:
        return self._size

    def contexts(self, triple: Any = None) -> Generator[Any, None, None]:
        yield from ()

    def triples(  # type: ignore[override]
        self, triple_pattern: _Triple, context: Any = None
    ) -> Iterator[tuple[_Triple, Iterator[Any]]]:
        """The matching triples (each with no contexts: rdflib's graphs ignore them)."""
        subject, predicate, value = triple_pattern
        # Lists are copied before yielding: a caller may add while it iterates.
        if subject is not None:
            by_predicate = self._spo.get(subject)
            if by_predicate is None:
                return
            steps = (
                list(by_predicate.items()) if predicate is None
                else [(predicate, by_predicate[predicate])] if predicate in by_predicate
                else []
            )
            for step, values in steps:
                if value is None:
                    for found in list(values):
                        yield (subject, step, found), iter(_NO_CONTEXTS)
                elif value in values:
                    yield (subject, step, value), iter(_NO_CONTEXTS)
        elif predicate is not None:
            by_value = self._pos.get(predicate)
            if by_value is None:
                return
            pairs = (
                list(by_value.items()) if value is None
                else [(value, by_value[value])] if value in by_value
                else []
            )
            for found_value, subjects in pairs:
                for found in list(subjects):
                    yield (found, predicate, found_value), iter(_NO_CONTEXTS)
        elif value is not None:
            for found, predicates in list(self._osp.get(value, {}).items()):
                for step in list(predicates):
                    yield (found, step, value), iter(_NO_CONTEXTS)
        else:
            for found, by_predicate in list(self._spo.items()):
                for step, values in list(by_predicate.items()):
                    for found_value in list(values):
                        yield (found, step, found_value), iter(_NO_CONTEXTS)


def indexed_graph() -> rdflib.Graph:
    """An empty graph on an :class:`IndexStore`."""
    return rdflib.Graph(store=IndexStore())


def graph_from_ntriples(text: str, keep: frozenset[str] | None = None) -> rdflib.Graph:
    """The rdflib graph of canonical N-Triples ``text``, only predicates in ``keep``.

    ``keep`` holds predicate IRIs (without angle brackets); ``None`` keeps all.
    Blank node labels are scoped to this one text, as rdflib's parser scopes them.
    """
    wanted = None if keep is None else {f"<{iri}>" for iri in keep}
    iris: dict[str, URIRef] = {}
    blanks: dict[str, BNode] = {}
    literals: dict[str, Literal] = {}

    def resource(token: str) -> URIRef | BNode:
        if token[0] == "<":
            iri = iris.get(token)
            if iri is None:
                iri = iris[token] = URIRef(unescape(token[1:-1]))
            return iri
        blank = blanks.get(token)
        if blank is None:
            blank = blanks[token] = BNode()
        return blank

    graph = indexed_graph()
    store = graph.store
    # Not splitlines(): it also breaks at U+2028, U+0085 and others, which literals hold raw.
    for line in text.split("\n"):
        if not line:
            continue
        s_end = line.index(" ")
        p_end = line.index(" ", s_end + 1)
        predicate = line[s_end + 1 : p_end]
        if wanted is not None and predicate not in wanted:
            continue
        token = line[p_end + 1 : -2] if line.endswith(" .") else line[p_end + 1 :]
        value: Node
        if token[0] == '"':
            literal = literals.get(token)
            if literal is None:
                close = token.rindex('"')
                suffix = token[close + 1 :]
                lang = suffix[1:] if suffix.startswith("@") else None
                datatype = resource(suffix[2:]) if suffix.startswith("^^") else None
                literal = literals[token] = Literal(unescape(token[1:close]), lang, datatype)
            value = literal
        else:
            value = resource(token)
        store.add((resource(line[:s_end]), resource(predicate), value), graph)
    return graph


#: Parameters that look only at the value nodes the shape's own path reaches.
_LOCAL = frozenset(
    SH[name]
    for name in (
        "name", "description", "message", "severity", "deactivated", "order", "group",
        "datatype", "nodeKind", "minCount", "maxCount", "minLength", "maxLength",
        "pattern", "flags", "languageIn", "uniqueLang", "in", "hasValue",
        "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
        "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint",
        "targetNode", "defaultValue",
    )
)
#: Parameters whose value is another shape (or a list of shapes) to follow.
_NESTED = frozenset((SH.property, SH.node, SH["not"], SH.qualifiedValueShape))
_NESTED_LISTS = frozenset((SH["or"], SH["and"], SH.xone))
#: Parameters whose value is a predicate the constraint reads.
_PREDICATE_VALUED = frozenset(
    (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals,
     SH.targetSubjectsOf, SH.targetObjectsOf)
)
#: Parameters that need each node's types (and the class hierarchy).
_TYPED = frozenset((SH["class"], SH.targetClass, RDF.type))
_PATH_OPERATORS = frozenset(
    (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)
)


def read_predicates(shapes: rdflib.Graph, shape_iris: Iterable[str]) -> frozenset[str] | None:
    """Every predicate the data triples must keep for ``shape_iris`` to give the same results.

    ``None`` when a shape uses something whose reach is not known here (then
    every triple must stay).
    """
    found: set[str] = set()
    seen: set[Node] = set()
    todo: list[Node] = [URIRef(iri) for iri in shape_iris]
    while todo:
        shape = todo.pop()
        if shape in seen:
            continue
        seen.add(shape)
        for parameter, value in shapes.predicate_objects(shape):
            if parameter == SH.closed:
                if value != Literal(False):
                    return None
            elif parameter == SH.path:
                path = _path_predicates(shapes, value)
                if path is None:
                    return None
                found.update(path)
            elif parameter in _NESTED:
                todo.append(value)
            elif parameter in _NESTED_LISTS:
                todo.extend(Collection(shapes, value))
            elif parameter in _PREDICATE_VALUED:
                found.add(str(value))
            elif parameter in _TYPED:
                found.update((str(RDF.type), str(RDFS.subClassOf)))
            elif parameter not in _LOCAL:
                return None
    return frozenset(found)


def _path_predicates(shapes: rdflib.Graph, path: Node) -> set[str] | None:
    """The predicates a SHACL property path steps along (``None``: not a path read here)."""
    if isinstance(path, URIRef):
        return {str(path)}
    if not isinstance(path, BNode):
        return None
    if shapes.value(path, RDF.first) is not None:  # a sequence path
        steps: set[str] = set()
        for step in Collection(shapes, path):
            inner = _path_predicates(shapes, step)
            if inner is None:
                return None
            steps.update(inner)
        return steps
    pairs = list(shapes.predicate_objects(path))
    if len(pairs) != 1 or pairs[0][0] not in _PATH_OPERATORS:
        return None
    # An alternative path's operand is a list, which reads like a sequence.
    return _path_predicates(shapes, pairs[0][1])


class _MemberList(list[Any]):
    """A list whose ``in`` is a set lookup (pySHACL asks it once per shape and focus node)."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def speed_up_pyshacl() -> None:
    """Make pySHACL's constraint-parameter lookup a set lookup instead of a list scan.

    For every shape and every focus node pySHACL filters the shape's predicates
    with ``p in <list of some 40 parameters>``: rdflib term comparisons were a
    fifth of a chunk's validation time. The list is the same, only membership is
    faster, so no result can change. pySHACL caches the list on its ``shape``
    module; if that cache is not where this version of pySHACL keeps it, nothing
    is touched.
    """
    from pyshacl import shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    cached = getattr(shape, "CONSTRAINT_PARAMS", None)
    if isinstance(cached, tuple) and isinstance(cached[0], _MemberList):
        return
    if cached is not None and cached != (ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP):
        return
    if not isinstance(ALL_CONSTRAINT_PARAMETERS, list):
        return
    shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
        _MemberList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP
    )
