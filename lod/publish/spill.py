"""Blocks rendered where records are checked, written to per-process spill files.

The SHACL workers already build each record's N-Triples; rendering its block
there too, and appending the bytes to a file of the worker's own, saves
building the triples twice and sending megabytes back through pipes. The
build then copies the blocks from the spill files into the dumps.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lod.ingest import LoadedRecord
from lod.publish import blocks
from lod.publish.blocks import Block
from lod.rdf.build import case_study_iri


@dataclass(frozen=True)
class Spilled:
    """A block rendered where its record was checked, written to that process's spill files."""

    merge_json: bytes  # BlockFacts.to_json(): compact while thousands wait to be written
    stem: str  # the spill files are <stem>.nt, <stem>.ttl, <stem>.jsonld
    span: tuple[int, int, int, int, int, int]


#: Open spill files of this process, by directory (a forked worker opens its own).
_SPILLS: dict[tuple[Path, int], tuple[list[BinaryIO], list[int]]] = {}
SPILL_SUFFIXES = (".nt", ".ttl", ".jsonld")


def spill_files(directory: Path, stem: str) -> tuple[Path, Path, Path]:
    """The N-Triples, Turtle and JSON-LD spill files of one process."""
    nt, ttl, jsonld = (directory / f"{stem}{suffix}" for suffix in SPILL_SUFFIXES)
    return nt, ttl, jsonld


def spill(directory: Path, block: Block) -> Spilled:
    """Append a block to this process's spill files; say where it went."""
    pid = os.getpid()
    slot = _SPILLS.get((directory, pid))
    if slot is None:
        handles: list[BinaryIO] = [
            path.open("ab", buffering=0) for path in spill_files(directory, str(pid))
        ]
        slot = _SPILLS[(directory, pid)] = (handles, [h.seek(0, os.SEEK_END) for h in handles])
    handles, sizes = slot
    span: list[int] = []
    for index, data in enumerate((block.ntriples, block.turtle, block.jsonld)):
        view = memoryview(data)
        while view:
            view = view[handles[index].write(view) or 0 :]
        span += [sizes[index], len(data)]
        sizes[index] += len(data)
    a, b, c, d, e, f = span
    return Spilled(block.merge.to_json(), str(pid), (a, b, c, d, e, f))


def close_spills(directory: Path) -> None:
    """Close this process's spill files in ``directory`` (the data is already written)."""
    for slot in [key for key in _SPILLS if key[0] == directory]:
        for handle in _SPILLS.pop(slot)[0]:
            handle.close()


def spill_hook(base: str, facts_predicates: frozenset[str], directory: Path
               ) -> Callable[[LoadedRecord, str], Spilled]:
    """A hook for :func:`lod.validate.validate_paths`: render each checked record's block
    from the N-Triples the check already built, and spill it."""

    def render(loaded: LoadedRecord, ntriples: str) -> Spilled:
        lines = [line[:-2] for line in ntriples.split("\n") if line]  # drop each " ."
        return spill(directory, blocks.block_of_lines(lines, case_study_iri(base, loaded.id),
                                               facts_predicates))

    return render
