"""The graph in chunks of whole records, each holding every node its shapes can reach.

Validating the whole graph at once makes the SHACL engine hold a copy of all
of it (about 1 KB per triple): the memory grows with the collection. The
graph is validated in chunks instead, and the chunks are cut so that every
result is the one the whole graph gives:

* a record's nodes (``<base>casestudy/<id>`` and its ``#fragment`` nodes) are
  described only by that record: a chunk holds whole records;
* an institution (``<base>institution/<key>``) is described by every record
  naming it, so a chunk holds *every* triple of every institution its records
  reach, gathered from the whole graph beforehand (two records in different
  chunks giving one institution two ISILs still make it break ``sh:maxCount``
  in each chunk reaching it);
* everything else (the vocabularies, the ledgers' links of their concepts)
  is in every chunk.

So every node a chunk's records reach by a forward path is held whole, and
every triple of a predicate only the vocabularies use is in every chunk. The
shapes may follow forward paths from any node and inverse paths only over
those vocabulary predicates; :func:`reach_problems` reads the shapes and says
where a shape breaks that (the test suite runs it on the shipped shapes).
A node validated in several chunks gives the same results in each; they are
merged as a set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
import rdflib.collection
from rdflib.namespace import RDF, SH

from lod.namespaces import DCTERMS, LCS, OWL, RDFS, SCHEMA, SKOS
from lod.spool import LineBuckets

#: Records per chunk: about 70 triples each, so a chunk is some 35,000 triples and the
#: engine's copy some 40 MB whatever the collection's size.
RECORDS_PER_CHUNK = 500

#: Predicates whose object is an IRI a curator wrote (a web page, a licence, a Wikidata
#: item): it may name anything, even another record's node, which a chunk need not hold.
#: Every other IRI object is minted by the builder (a record's fragment, an institution)
#: or is a vocabulary term, and a chunk holds it whole. A shape may read a value node's
#: own triples (``sh:class``, ``sh:node`` ...) through any predicate but these.
FREE_IRIS = frozenset({
    f"{RDFS}seeAlso", f"{SCHEMA}url", f"{DCTERMS}source", f"{DCTERMS}license",
    f"{OWL}sameAs", f"{SCHEMA}sameAs", f"{SKOS}exactMatch",
})
#: Predicates only the vocabularies state (never a record or an institution): every chunk
#: holds all of their triples, so a shape may also follow them backwards.
VOCABULARY_ONLY = frozenset({
    f"{SKOS}inScheme", f"{SKOS}topConceptOf", f"{SKOS}hasTopConcept", f"{SKOS}broader",
    f"{SKOS}narrower", f"{LCS}unitKind", f"{LCS}inRegion",
})
#: Constraint parameters that read the value nodes' own triples, not just the terms.
_READS_VALUE_NODES = (SH["class"], SH.node, SH.property, SH.qualifiedValueShape, SH.closed)
#: Logical constraints: they read the value nodes' triples when one of their shapes does.
_LOGICAL_LISTS = (SH["or"], SH["and"], SH.xone)
_UNCHECKABLE = (SH.sparql, SH.target, SH.rule)


def subject_of(line: str) -> str:
    """The subject token of an N-Triples line."""
    return line[: line.index(" ")]


@dataclass
class Partition:
    """A graph's lines sorted out by who describes their subject."""

    base: str
    #: Record IRI token -> the lines of the record's own nodes.
    records: dict[str, list[str]] = field(default_factory=dict)
    #: Institution token -> every line about it, from every record naming it.
    shared: dict[str, list[str]] = field(default_factory=dict)
    #: Lines every chunk holds (vocabularies and anything that is neither of the above).
    common: list[str] = field(default_factory=list)
    #: The subject prefixes of records' own nodes and of the shared institution nodes,
    #: made once from the base: add() runs for every line of the graph.
    _records_prefix: str = field(init=False, repr=False)
    _shared_prefix: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._records_prefix = f"<{self.base}casestudy/"
        self._shared_prefix = f"<{self.base}institution/"

    def add(self, line: str) -> None:
        """Put one N-Triples line (without its final `` .``) where it belongs."""
        subject = subject_of(line)
        if subject.startswith(self._records_prefix):
            cut = subject.find("#")
            self._record_line(subject if cut < 0 else subject[:cut] + ">", line)
        elif subject.startswith(self._shared_prefix):
            self.shared.setdefault(subject, []).append(line)
        else:
            self.common.append(line)

    def _record_line(self, key: str, line: str) -> None:
        self.records.setdefault(key, []).append(line)

    def _record_chunks(self, records_per_chunk: int) -> Iterator[list[str]]:
        """The records' own lines, ``records_per_chunk`` whole records at a time."""
        keys = sorted(self.records)
        for start in range(0, len(keys), records_per_chunk):
            lines: list[str] = []
            for key in keys[start : start + records_per_chunk]:
                lines += self.records[key]
            yield lines

    def chunks(self, records_per_chunk: int = RECORDS_PER_CHUNK) -> Iterator[list[str]]:
        """Each chunk's lines: whole records, every shared node they reach, the common lines.

        Shared nodes no record reaches (a mutation in a test, a ledger link to an
        institution no record names) are validated in a last chunk of their own.
        """
        reached: set[str] = set()
        some = False
        for lines in self._record_chunks(records_per_chunk):
            some = True
            lines += self._closure(lines, reached)
            yield lines + self.common
        left = [line for subject, found in self.shared.items() if subject not in reached
                for line in found]
        if left or not some:
            yield left + self._closure(left, reached) + self.common

    def _closure(self, lines: list[str], reached: set[str]) -> list[str]:
        """Every line of every shared node reachable from ``lines`` by forward paths."""
        held: set[str] = set()
        todo = list(lines)
        out: list[str] = []
        while todo:
            line = todo.pop()
            obj = line[line.index(" ", line.index(" ") + 1) + 1 :]
            if obj in self.shared and obj not in held:
                held.add(obj)
                out += self.shared[obj]
                todo += self.shared[obj]
        for line in lines:  # a shared node's own lines make it held too
            subject = subject_of(line)
            if subject in self.shared:
                held.add(subject)
        reached |= held
        return out


class SpooledPartition(Partition):
    """A :class:`Partition` whose records' lines wait on disk, one file per chunk.

    The records (their IRI tokens, ``keys``) and the chunk size are known
    before the lines are read, so each record's line goes straight to its
    chunk's file; only the shared nodes and the common lines stay in memory.
    A record line whose record is not among ``keys`` is kept in memory and
    validated in chunks after the others (still whole records per chunk).
    """

    def __init__(self, base: str, folder: Path, keys: Iterable[str],
                 records_per_chunk: int = RECORDS_PER_CHUNK) -> None:
        super().__init__(base)
        self._per = records_per_chunk
        self._chunk_of = {key: rank // records_per_chunk
                          for rank, key in enumerate(sorted(set(keys)))}
        self._buckets = LineBuckets(folder, -(-len(self._chunk_of) // records_per_chunk))

    def _record_line(self, key: str, line: str) -> None:
        chunk = self._chunk_of.get(key)
        if chunk is None:
            super()._record_line(key, line)
        else:
            self._buckets.add(chunk, line)

    def _record_chunks(self, records_per_chunk: int) -> Iterator[list[str]]:
        if records_per_chunk != self._per:
            raise ValueError(f"this partition was cut {self._per} records a chunk")
        for index in range(len(self._buckets)):
            yield self._buckets.take(index)
        yield from super()._record_chunks(records_per_chunk)


def partition(lines: Iterable[str], base: str) -> Partition:
    """Sort N-Triples lines (no final `` .``) out by who describes their subject."""
    parts = Partition(base)
    for line in lines:
        parts.add(line)
    return parts


def reach_problems(shapes: rdflib.Graph) -> list[str]:
    """Where a shape could read a node that a chunk does not hold whole (empty: none).

    A shape may follow a forward path from any node; it may read a value node's
    own triples unless the value is reached through :data:`FREE_IRIS`; it
    may follow a path backwards only over :data:`VOCABULARY_ONLY`; SPARQL-based
    parts cannot be checked and are refused.
    """
    problems: list[str] = []
    for shape in set(shapes.subjects(SH.path, None)):
        name = shapes.value(shape, SH.name) or shape
        path = shapes.value(shape, SH.path)
        steps, inverse = _path_steps(shapes, path)
        for predicate in inverse:
            if predicate not in VOCABULARY_ONLY:
                problems.append(f"{name}: follows <{predicate}> backwards, which records and "
                                "institutions also state")
        if _reads_value_nodes(shapes, shape):
            for predicate in steps:
                if predicate in FREE_IRIS:
                    problems.append(f"{name}: reads the value nodes' own triples through "
                                    f"<{predicate}>, whose values a chunk may not hold whole")
    for parameter in _UNCHECKABLE:
        for shape in set(shapes.subjects(parameter, None)):
            problems.append(f"{shape}: {parameter} cannot be checked for what it reaches")
    return sorted(problems)


def _reads_value_nodes(shapes: rdflib.Graph, shape: rdflib.term.Node) -> bool:
    """True when checking ``shape`` on a value reads more than the value's own term."""
    if any(shapes.value(shape, parameter) is not None for parameter in _READS_VALUE_NODES):
        return True
    members = [member for logical in _LOGICAL_LISTS for items in shapes.objects(shape, logical)
               for member in rdflib.collection.Collection(shapes, items)]
    members += list(shapes.objects(shape, SH["not"]))
    return any(_reads_value_nodes(shapes, member) for member in members)


def _path_steps(shapes: rdflib.Graph, path: rdflib.term.Node | None) -> tuple[list[str], list[str]]:
    """(every predicate of the path, those followed backwards)."""
    if path is None:
        return [], []
    if isinstance(path, rdflib.URIRef):
        return [str(path)], []
    steps: list[str] = []
    inverse: list[str] = []
    inner = shapes.value(path, SH.inversePath)
    if inner is not None:
        found, _ = _path_steps(shapes, inner)
        return found, found
    children: list[rdflib.term.Node] = []
    if (path, RDF.first, None) in shapes:
        children = list(rdflib.collection.Collection(shapes, path))
    for predicate in (SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        value = shapes.value(path, predicate)
        if value is not None:
            children += (list(rdflib.collection.Collection(shapes, value))
                         if predicate == SH.alternativePath else [value])
    for child in children:
        found, back = _path_steps(shapes, child)
        steps += found
        inverse += back
    return steps, inverse
