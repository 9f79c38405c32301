"""The institutions' side of validation: their lines, merged over records, in parts.

An institution is shared by every record that names it, so its triples are
checked once, on everything the records say of it together. These helpers
produce those lines where files are parsed, and split the merged lines into
parts that hold whole institutions.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence

from pyoxigraph import Triple

from lod.ingest import LoadedRecord
from lod.model.case_study import CaseStudy, Institution
from lod.rdf.build import institution_iri, institution_triples

#: Institution lines per part of the cross-record check (a part is at least one institution).
_PART_LINES = 20_000


def partition(lines: Sequence[str]) -> list[list[str]]:
    """Sorted institution lines split into parts by institution, each part sorted.

    The number of parts follows the number of lines, and an institution's part
    follows from its IRI alone, so the same institutions fall in the same parts
    from one build to the next (and their cached results stay valid).
    """
    count = max(1, min(64, len(lines) // _PART_LINES))
    parts: list[list[str]] = [[] for _ in range(count)]
    for line in lines:
        subject = line[: line.index(" ")]
        parts[zlib.crc32(subject.encode("utf-8")) % count].append(line)
    return [part for part in parts if part]


def institution_lines(base: str, record: CaseStudy) -> list[str]:
    """The N-Triples lines (with their end) a record states about its institutions.

    Given to the loader as ``derive``, it runs where each file is parsed, so the
    institution check needs nothing more of the records.
    """
    return _lines_of(base, record.institutions)


def _lines_of(base: str, institutions: Iterable[Institution]) -> list[str]:
    lines = {str(t) for inst in institutions for t in institution_triples(base, inst)}
    return [f"{line} .\n" for line in sorted(lines)]


def loaded_institution_lines(base: str, loaded: LoadedRecord) -> list[str]:
    """:func:`institution_lines` of a loaded record: the loader's if it made them."""
    if isinstance(loaded.derived, list):
        lines, loaded.derived = loaded.derived, None  # kept by the cache from here
        return lines
    # Read from the record's institutions alone: a record still held as JSON is
    # not turned into a whole model here (its chunk's worker does that).
    return _lines_of(base, loaded.institutions)


def institution_nodes(
    records: Sequence[LoadedRecord],
    base: str,
    make: Callable[[CaseStudy], Iterable[Triple]] | None,
) -> set[Triple]:
    """The triples of every institution, merged over all the records that name it.

    Used when ``triples_of`` replaces the builder; otherwise the lines kept in
    the cache beside each record's results serve.
    """
    by_node: dict[str, list[frozenset[Triple]]] = {}
    for loaded in records:
        nodes = {institution_iri(base, inst): inst for inst in loaded.record.institutions}
        if make is None:
            for iri, inst in nodes.items():
                by_node.setdefault(iri, []).append(frozenset(institution_triples(base, inst)))
        else:
            own = [t for t in make(loaded.record) if t.subject.value in nodes]  # type: ignore[union-attr]
            for iri in nodes:
                by_node.setdefault(iri, []).append(
                    frozenset(t for t in own if t.subject.value == iri)  # type: ignore[union-attr]
                )
    merged: set[Triple] = set()
    for views in by_node.values():
        merged.update(*views)
    return merged
