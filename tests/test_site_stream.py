"""``lod site`` in bounded memory (issue 26): the pieces it reads from the build's files on disk."""

from __future__ import annotations

from pathlib import Path

from conftest import CASESTUDIES
from lod.ingest.load import LoadedRecord
from lod.pipeline import assemble
from lod.settings import Settings
from lod.spool import Spool, SpooledRecords, record_at


def test_another_process_reads_the_spooled_records_from_the_file() -> None:
    graph = assemble([CASESTUDIES], Settings(), include_drafts=False)
    assert isinstance(graph.records, SpooledRecords)
    path, slots = graph.records.on_disk()
    assert [record_at(path, slot).record for slot in slots] == [r.record for r in graph.records]


def test_the_spool_file_holds_a_blob_written_after_the_last_read(tmp_path: Path) -> None:
    import pickle

    spool = Spool(tmp_path / "spool.bin")
    first = assemble([CASESTUDIES], Settings()).records[0]
    assert isinstance(first, LoadedRecord)
    slots = [spool.add(pickle.dumps(first))]
    spool.read(slots[0])
    slots.append(spool.add(pickle.dumps(first)))  # still in the file object's buffer
    path, on_disk = SpooledRecords(spool, slots).on_disk()
    assert record_at(path, on_disk[1]).record == first.record
    spool.close()
