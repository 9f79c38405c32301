"""The graph on disk (issue 26): the external sort, the graph file read both ways, the spooled
records and chunks, and where the work files live and when they go."""

from __future__ import annotations

import gc
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import DefaultGraph, RdfFormat, Store

from conftest import CASESTUDIES, VALID_RECORD, write_record
from lod.ingest.load import load_case_studies
from lod.namespaces import DEFAULT_BASE
from lod.pipeline import assemble
from lod.problems import InputError
from lod.publish.dumps import build
from lod.rdf.serialize import TURTLE_PREFIXES, ntriples_text
from lod.settings import Settings
from lod.spool import GraphFile, LineSorter, Spool, SpooledRecords
from lod.validate.chunks import SpooledPartition, partition

#: Line text: anything but a newline, the line separators str.splitlines would also cut at
#: included (an N-Triples literal may hold U+2028 unescaped).
LINE = st.text(st.characters(codec="utf-8", exclude_characters="\n"), max_size=12)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(LINE, max_size=40), run_lines=st.integers(1, 7))
def test_the_external_sort_gives_the_sorted_lines_without_repeats(lines: list[str],
                                                                  run_lines: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sorter = LineSorter(Path(folder), run_lines=run_lines)
        for start in range(0, len(lines), 3):
            sorter.add(lines[start : start + 3])
        target = Path(folder) / "graph.nt"
        count = sorter.merge(target)
        expected = sorted(set(lines))
        assert target.read_bytes() == ntriples_text(expected).encode("utf-8")
        graph = GraphFile(target, count)
        assert list(graph) == expected and len(graph) == len(expected)
        assert [p.name for p in Path(folder).iterdir()] == ["graph.nt"]  # the runs are gone


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(LINE, max_size=40), size=st.integers(1, 50))
def test_the_graph_file_reads_backwards_line_by_line(lines: list[str], size: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "graph.nt"
        path.write_bytes(ntriples_text(lines).encode("utf-8"))
        backwards = b"".join(GraphFile(path, len(lines)).reversed_blocks(size))
        assert backwards == ntriples_text(reversed(lines)).encode("utf-8")


def test_the_built_turtle_is_what_a_store_of_the_sorted_lines_dumps(tmp_path: Path) -> None:
    """The Turtle dump is written from the graph file read backwards, without a store: the
    bytes must be the ones an in-memory store loaded with the sorted lines gives (the dump's
    bytes before issue 26)."""
    out = tmp_path / "dist"
    build(Settings(data_dir=CASESTUDIES, out_dir=out))
    store = Store()
    store.bulk_load(path=str(out / "casestudies.nt"), format=RdfFormat.N_TRIPLES)
    buffer = io.BytesIO()
    store.dump(buffer, format=RdfFormat.TURTLE, prefixes=TURTLE_PREFIXES, from_graph=DefaultGraph())
    assert (out / "casestudies.ttl").read_bytes() == buffer.getvalue()


def test_spooled_records_read_back_as_loaded(tmp_path: Path) -> None:
    graph = assemble([CASESTUDIES], Settings(), include_drafts=False)
    loaded = load_case_studies([CASESTUDIES], include_drafts=False)
    assert isinstance(graph.records, SpooledRecords)
    assert [r.record for r in graph.records] == sorted((r.record for r in loaded.records),
                                                       key=lambda record: record.id)
    assert graph.records[-1].record == graph.records[len(graph.records) - 1].record
    assert [r.id for r in graph.records[1:3]] == [r.id for r in list(graph.records)[1:3]]


def test_a_spool_gives_back_each_blob(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.bin")
    slots = [spool.add(blob) for blob in (b"one", b"", b"three\n")]
    assert [spool.read(slot) for slot in reversed(slots)] == [b"three\n", b"", b"one"]
    spool.close()


def test_chunks_read_from_disk_are_the_chunks_made_in_memory(tmp_path: Path) -> None:
    lines = assemble([CASESTUDIES], Settings(), include_drafts=False).lines
    in_memory = partition(lines, DEFAULT_BASE)
    spooled = SpooledPartition(DEFAULT_BASE, tmp_path, list(in_memory.records), records_per_chunk=7)
    for line in lines:
        spooled.add(line)
    assert [sorted(chunk) for chunk in spooled.chunks(7)] == \
        [sorted(chunk) for chunk in in_memory.chunks(7)]
    assert not list(tmp_path.iterdir())  # the chunk files are gone


def test_a_record_the_spooled_chunks_were_not_told_of_is_still_validated_whole(
        tmp_path: Path) -> None:
    lines = assemble([CASESTUDIES], Settings(), include_drafts=False).lines
    parts = partition(lines, DEFAULT_BASE)
    unknown = sorted(parts.records)[3]
    spooled = SpooledPartition(DEFAULT_BASE, tmp_path,
                               [key for key in parts.records if key != unknown], records_per_chunk=7)
    for line in lines:
        spooled.add(line)
    chunks = [set(chunk) for chunk in spooled.chunks(7)]
    assert set().union(*chunks) == set(lines)
    for key, own in parts.records.items():  # each record whole in exactly one chunk
        assert sum(set(own) <= chunk for chunk in chunks) == 1, key
        assert sum(bool(set(own) & chunk) for chunk in chunks) == 1, key
    for chunk in chunks:  # every institution a chunk names is there with all its lines
        for line in chunk:
            obj = line.split(" ", 2)[2]
            if obj in parts.shared:
                assert set(parts.shared[obj]) <= chunk


def test_an_assembled_graph_leaves_no_temporary_files(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    graph = assemble([CASESTUDIES], Settings(), include_drafts=False)
    assert graph.folder.parent == temp and (graph.folder / "graph.nt").is_file()
    assert len(graph.store) == len(graph.graph)
    del graph
    gc.collect()
    assert list(temp.iterdir()) == []


def test_a_build_works_beside_out_and_leaves_nothing(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    data = tmp_path / "data"
    write_record(data)
    out = tmp_path / "dist"
    seen: list[list[str]] = []
    build(Settings(data_dir=data, out_dir=out),
          before_swap=lambda stage: seen.append(sorted(p.name for p in stage.iterdir())))
    assert seen and ".work" not in seen[0]  # the work folder is gone before the swap
    write_record(data, "broken", VALID_RECORD.format(id="broken").replace("type: public",
                                                                          "type: pub"))
    with pytest.raises(InputError):
        build(Settings(data_dir=data, out_dir=out))
    beside = sorted(p.name for p in tmp_path.iterdir())
    assert beside == [".dist.lock", "data", "dist", "tmp"]  # no staging or work folder left
    assert list(temp.iterdir()) == []
