"""The graph's records and lines on disk, so a build's memory does not grow with the collection.

Holding every record (as pydantic objects) and every N-Triples line (as
Python strings) made a 100,000-record build hold some 3 GB before any
output was written. Instead:

* each record, pickled by the worker that checked it, is appended to one
  spool file and read back one at a time (:class:`SpooledRecords`);
* each record's N-Triples lines go to the same spool, and the lines of the
  records the graph keeps are sorted by an external merge
  (:class:`LineSorter`: sorted runs of :data:`RUN_LINES` lines, merged with
  :func:`heapq.merge`, repeats dropped) into one N-Triples file, byte for
  byte the document the sorted, de-duplicated lines make
  (:class:`GraphFile`).

The order is Python's string order, the same as sorting the lines in
memory, so every output is the same as before. The folder holding these
files is the caller's (the build's staging folder, or a temporary folder);
nothing here is a cache: it is made anew on every run.
"""

from __future__ import annotations

import heapq
import os
import pickle
import shutil
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Generic, TypeVar, overload

from lod.ingest.load import LoadedRecord
from lod.model.case_study import CaseStudy

Key = TypeVar("Key")
Item = TypeVar("Item")

#: Lines sorted in memory at a time before they go to a run on disk (some 40 MB of strings).
RUN_LINES = 200_000
#: Bytes read or written at a time when streaming the graph file.
_BUFFER = 1 << 20
_ENDING = " .\n"


def work_texts(paths: Iterable[Path]) -> Iterator[str]:
    """The texts of work files this run wrote (SHACL's chunks), one file at a time."""
    for path in paths:
        yield path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Slot:
    """Where one blob lies in a spool file."""

    offset: int
    length: int


class Spool:
    """An append-only file of blobs, each read back by its :class:`Slot`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: BinaryIO = path.open("w+b")
        self._end = 0

    def add(self, blob: bytes) -> Slot:
        """Append ``blob``; where to find it again."""
        self._handle.write(blob)
        slot = Slot(self._end, len(blob))
        self._end += len(blob)
        return slot

    def read(self, slot: Slot) -> bytes:
        """The blob at ``slot`` (written blobs are flushed first)."""
        self._handle.flush()
        return os.pread(self._handle.fileno(), slot.length, slot.offset)

    def flush(self) -> None:
        """Hand every written blob to the OS, so another process can read the file."""
        self._handle.flush()

    def close(self) -> None:
        """Close the file (the caller removes the folder it is in)."""
        self._handle.close()


class OnDemand(Sequence[Item], Generic[Key, Item]):
    """A sequence whose items are made from their keys only when asked for.

    Why: the spool's records and the site's list entries are too many to
    hold at once, and their readers (the ledger's links, a page's template)
    walk them an item at a time. A slice is another such sequence: nothing
    is read for it. Subclasses say how a key becomes an item, and how a part
    of the keys becomes a sequence of the same kind.
    """

    def __init__(self, keys: Sequence[Key]) -> None:
        self._keys = keys

    def _item(self, key: Key) -> Item:
        raise NotImplementedError

    def _part(self, keys: Sequence[Key]) -> Sequence[Item]:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Item: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Item]: ...

    def __getitem__(self, index: int | slice) -> Item | Sequence[Item]:
        if isinstance(index, slice):
            return self._part(self._keys[index])
        return self._item(self._keys[index])


class SpooledRecords(OnDemand[Slot, LoadedRecord]):
    """The graph's records, in order, unpickled from the spool one at a time when asked for."""

    def __init__(self, spool: Spool, slots: Sequence[Slot]) -> None:
        super().__init__(list(slots))
        self._spool = spool

    def _item(self, key: Slot) -> LoadedRecord:
        return _unpickled(self._spool.read(key))

    def _part(self, keys: Sequence[Slot]) -> SpooledRecords:
        return SpooledRecords(self._spool, keys)

    def on_disk(self) -> tuple[Path, list[Slot]]:
        """The spool file (flushed) and each record's slot in it, in order.

        For worker processes (``lod site``): they read their records from the
        file with :func:`record_at`, so a chunk of work sent to them is a few
        numbers rather than the records themselves.
        """
        self._spool.flush()
        return self._spool.path, list(self._keys)


def record_at(path: Path, slot: Slot) -> LoadedRecord:
    """The record at ``slot`` of the spool file ``path`` (from any process)."""
    with path.open("rb") as handle:
        return _unpickled(os.pread(handle.fileno(), slot.length, slot.offset))


def _unpickled(data: bytes) -> LoadedRecord:
    record = pickle.loads(data)  # noqa: S301 - our own spool, written by this build
    assert isinstance(record, LoadedRecord)  # noqa: S101 - the spool holds only these
    return record


class SpooledCaseStudies(OnDemand[int, CaseStudy]):
    """The records of :class:`SpooledRecords` without their documents (read one at a time)."""

    def __init__(self, records: SpooledRecords, places: Sequence[int] | None = None) -> None:
        super().__init__(range(len(records)) if places is None else places)
        self._records = records

    def _item(self, key: int) -> CaseStudy:
        return self._records[key].record

    def _part(self, keys: Sequence[int]) -> SpooledCaseStudies:
        return SpooledCaseStudies(self._records, keys)


def lines_blob(lines: Iterable[str]) -> bytes:
    """Lines (without their final `` .``) as one UTF-8 blob, one per line."""
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def blob_lines(blob: bytes) -> list[str]:
    """The lines of a :func:`lines_blob` (split on newlines only: a literal may hold U+2028)."""
    text = blob.decode("utf-8")
    return text.split("\n")[:-1] if text else []


class LineSorter:
    """Lines sorted without repeats, in bounded memory: sorted runs on disk, then one merge."""

    def __init__(self, folder: Path, run_lines: int = RUN_LINES) -> None:
        self._folder = folder
        self._run_lines = run_lines
        self._buffer: list[str] = []
        self._runs: list[Path] = []

    def add(self, lines: Iterable[str]) -> None:
        """Take lines (in any order, repeats allowed)."""
        self._buffer.extend(lines)
        if len(self._buffer) >= self._run_lines:
            self._flush()

    def _flush(self) -> None:
        """Sort the buffer into a run on disk (repeats kept: the merge drops them).

        Sorted in place, not through a set: the lines come in sorted stretches
        (each record's), which the sort merges in a pass, where a set's order
        would make it sort from scratch (some 0.5 s per 200,000 lines).
        """
        run = self._folder / f"run-{len(self._runs):05d}.txt"
        self._buffer.sort()
        with run.open("w", encoding="utf-8", newline="\n", buffering=_BUFFER) as handle:
            handle.writelines(("\n".join(self._buffer), "\n") if self._buffer else ())
        self._runs.append(run)
        self._buffer = []

    def merge(self, target: Path) -> int:
        """Write the sorted lines, no repeats, as an N-Triples file; the number of lines."""
        if self._buffer or not self._runs:
            self._flush()
        handles = [run.open(encoding="utf-8", newline="\n", buffering=_BUFFER)
                   for run in self._runs]
        count = 0
        try:
            with target.open("w", encoding="utf-8", newline="\n", buffering=_BUFFER) as out:
                last = None
                # compared without their newline: a line that is the start of another sorts first
                for line in heapq.merge(*((line[:-1] for line in handle) for handle in handles)):
                    if line != last:
                        out.write(line + _ENDING)
                        last = line
                        count += 1
        finally:
            for handle in handles:
                handle.close()
            for run in self._runs:
                run.unlink()
        self._runs = []
        return count


class LineBuckets:
    """Lines sorted into numbered files, each read back whole once (a SHACL chunk's records)."""

    def __init__(self, folder: Path, count: int) -> None:
        self._files = [folder / f"bucket-{index:05d}.txt" for index in range(count)]
        self._handles = [path.open("w", encoding="utf-8", newline="\n") for path in self._files]

    def __len__(self) -> int:
        return len(self._files)

    def add(self, index: int, line: str) -> None:
        """Put ``line`` (no newline in it) into bucket ``index``."""
        self._handles[index].write(f"{line}\n")

    def take(self, index: int) -> list[str]:
        """Bucket ``index``'s lines, in the order put; its file is removed."""
        self._handles[index].close()
        with self._files[index].open(encoding="utf-8", newline="\n") as handle:
            lines = [line[:-1] for line in handle]
        self._files[index].unlink()
        return lines


def _of_predicates(lines: bytes, predicates: Collection[str] | None) -> bytes:
    """The N-Triples lines whose predicate is one of ``predicates`` (all when None)."""
    if predicates is None:
        return lines
    wanted = {f"<{iri}>".encode() for iri in predicates}
    kept = []
    for line in lines.splitlines(keepends=True):  # N-Triples escapes line breaks in literals
        start = line.index(b" ") + 1
        if line[start : line.index(b" ", start)] in wanted:
            kept.append(line)
    return b"".join(kept)


@dataclass(frozen=True)
class GraphFile:
    """The whole graph as one N-Triples file: sorted lines, no repeats, each ending `` .``."""

    path: Path
    #: Its number of lines (triples).
    count: int

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[str]:
        """Each line without its final `` .`` (read a buffer at a time)."""
        with self.path.open(encoding="utf-8", newline="\n", buffering=_BUFFER) as handle:
            for line in handle:
                yield line[:-3]

    def blocks(self, size: int) -> Iterator[list[str]]:
        """The lines, ``size`` at a time."""
        block: list[str] = []
        for line in self:
            block.append(line)
            if len(block) == size:
                yield block
                block = []
        if block:
            yield block

    def byte_blocks(self, size: int = 16 * _BUFFER, *,
                    predicates: Collection[str] | None = None) -> Iterator[bytes]:
        """The file as N-Triples documents of about ``size`` bytes, cut between lines.

        ``predicates``: only the lines whose predicate is one of these IRIs.
        """
        with self.path.open("rb") as handle:
            rest = b""
            while block := handle.read(size):
                block = rest + block
                cut = block.rfind(b"\n") + 1
                rest = block[cut:]
                if cut:
                    yield _of_predicates(block[:cut], predicates)
            if rest:
                yield _of_predicates(rest, predicates)

    def reversed_blocks(self, size: int = _BUFFER) -> Iterator[bytes]:
        """The file's N-Triples lines last to first, as documents of about ``size`` bytes."""
        with self.path.open("rb") as handle:
            end = handle.seek(0, os.SEEK_END)
            tail = b""  # the start of a line cut by the last read, completed by the next
            while end > 0:
                start = max(0, end - size)
                handle.seek(start)
                chunk = handle.read(end - start) + tail
                end = start
                cut = chunk.find(b"\n") + 1 if start > 0 else 0
                tail, chunk = chunk[:cut], chunk[cut:]
                if start > 0 and not cut:
                    tail, chunk = tail + chunk, b""
                lines = chunk.split(b"\n")[:-1]
                if lines:
                    yield b"".join(line + b"\n" for line in reversed(lines))

    def text(self) -> str:
        """The whole N-Triples document (for the commands that hand it on whole)."""
        return self.path.read_text(encoding="utf-8")

    def write_to(self, handle: BinaryIO) -> None:
        """Copy the file's bytes to an open file."""
        with self.path.open("rb") as source:
            shutil.copyfileobj(source, handle, _BUFFER)
