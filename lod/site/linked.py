"""Each case study's own part of the dumps, as Turtle, JSON-LD and the page's embedded JSON-LD.

A record's part is every line of the pipeline's graph whose subject is the
case study, one of its own nodes (``…/casestudy/<id>#…``) or one of the
institutions it names (with the ledger links stated about them): the lines
the dumps hold about that record, written by the same serialisers, so the
page, its files and the dumps cannot say different things.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from lod.model.case_study import CaseStudy
from lod.rdf.build import case_study_iri, institution_iri
from lod.rdf.serialize import jsonld_document, ntriples_text, turtle_of_ntriples
from lod.spool import GraphFile, Slot, record_at

#: A run of whole lines of the graph file: (offset, length) in bytes.
Span = tuple[int, int]


def lines_by_resource(lines: Iterable[str]) -> dict[str, list[str]]:
    """Sorted lines grouped by their subject's IRI without its fragment (one pass)."""
    groups: dict[str, list[str]] = {}
    for line in lines:
        if line[0] != "<":
            continue
        subject = line[1 : line.index(">")]
        groups.setdefault(subject.split("#", 1)[0], []).append(line)
    return groups


def record_lines(base: str, record: CaseStudy, groups: dict[str, list[str]]) -> list[str]:
    """The record's part of the graph, sorted like the dumps."""
    keys = [case_study_iri(base, record.id)]
    keys += [institution_iri(base, item) for item in record.institutions]
    found: set[str] = set()
    for key in dict.fromkeys(keys):
        found.update(groups.get(key, ()))
    return sorted(found)



class GraphIndex:
    """Where each resource's lines lie in the graph file, so a record's part is read, not held.

    The graph file is sorted, so every line about one subject IRI lies in one
    run; the lines of a resource (its IRI without the fragment) lie in a few
    runs (``…/casestudy/a#x`` sorts before ``…/casestudy/a-b``, which sorts
    before ``…/casestudy/a``). One pass over the file notes each run's bytes
    under its resource: :meth:`lines` of a record's resources then gives what
    :func:`record_lines` gives from every line held in memory.
    """

    def __init__(self, path: Path, spans: dict[str, list[Span]]) -> None:
        self.path = path
        self._spans = spans

    @classmethod
    def of(cls, graph: GraphFile) -> GraphIndex:
        """Index ``graph`` in one pass (its lines are read as bytes, never kept)."""
        spans: dict[bytes, list[Span]] = {}
        current: bytes | None = None
        start = offset = 0
        with graph.path.open("rb", buffering=1 << 20) as handle:
            for line in handle:
                key = None
                if line[:1] == b"<":
                    subject = line[1:line.index(b">")]
                    cut = subject.find(b"#")
                    key = subject if cut < 0 else subject[:cut]
                if key != current:
                    if current is not None:
                        spans.setdefault(current, []).append((start, offset - start))
                    current, start = key, offset
                offset += len(line)
        if current is not None:
            spans.setdefault(current, []).append((start, offset - start))
        return cls(graph.path, {key.decode("utf-8"): found for key, found in spans.items()})

    def spans(self, keys: Iterable[str]) -> tuple[Span, ...]:
        """The runs of the resources ``keys`` (each named once)."""
        return tuple(span for key in dict.fromkeys(keys) for span in self._spans.get(key, ()))

    def record_spans(self, base: str, record: CaseStudy) -> tuple[Span, ...]:
        """The runs of a record's part: the case study, its own nodes, its institutions."""
        return self.spans([case_study_iri(base, record.id),
                           *(institution_iri(base, item) for item in record.institutions)])


def lines_at(handle: int, spans: Iterable[Span]) -> list[str]:
    """The lines (without their final `` .``) in ``spans`` of the open graph file, sorted."""
    found: list[str] = []
    for offset, length in spans:
        text = os.pread(handle, length, offset).decode("utf-8")
        found.extend(line[:-2] for line in text.split("\n")[:-1])
    return sorted(found)


Entry = tuple[Slot, tuple[Span, ...]]


class RecordSource(Sequence[tuple[CaseStudy, tuple[str, ...]]]):
    """Records with their parts of the graph, read from the spool and the graph file when used.

    What :func:`lod.site.casepages.render_records` takes: a slice of it is a
    few numbers and two paths, so the chunks sent to worker processes stay
    small and each worker reads its own records.
    """

    def __init__(self, spool: Path, graph: Path, entries: Sequence[Entry]) -> None:
        self._spool = spool
        self._graph = graph
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> tuple[CaseStudy, tuple[str, ...]]: ...

    @overload
    def __getitem__(self, index: slice) -> RecordSource: ...

    def __getitem__(self, index: int | slice) -> tuple[CaseStudy, tuple[str, ...]] | RecordSource:
        if isinstance(index, slice):
            return RecordSource(self._spool, self._graph, self._entries[index])
        return next(iter(RecordSource(self._spool, self._graph, [self._entries[index]])))

    def __iter__(self) -> Iterator[tuple[CaseStudy, tuple[str, ...]]]:
        handle = os.open(self._graph, os.O_RDONLY)
        try:
            for slot, spans in self._entries:
                yield record_at(self._spool, slot).record, tuple(lines_at(handle, spans))
        finally:
            os.close(handle)

@dataclass(frozen=True)
class RecordData:
    """The two renderings of one record's part (the page embeds the JSON-LD text)."""

    turtle: bytes
    jsonld: bytes


def record_data(lines: list[str]) -> RecordData:
    """Turtle and JSON-LD of one record's lines."""
    return RecordData(turtle=turtle_of_ntriples(ntriples_text(lines)),
                      jsonld=jsonld_document(lines))
