"""``lod site`` in bounded memory (issue 26): the pieces it reads from the build's files on disk."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CASESTUDIES
from lod.ingest.load import LoadedRecord
from lod.pipeline import assemble
from lod.settings import Settings
from lod.site.linked import GraphIndex, lines_at, lines_by_resource
from lod.spool import GraphFile, Spool, SpooledRecords, record_at
from lod.text import FORBIDDEN, visible


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


def _shown_by_rule(text: str, *, lines: bool, tabs: bool | None) -> str:
    """The rule of :func:`lod.text.visible`, one character at a time."""
    kept = {0x09, 0x0A} if lines and tabs is not False else {0x0A} if lines else set()
    out = []
    for character in text:
        code = ord(character)
        if (code in FORBIDDEN or 0xD800 <= code < 0xE000) and code not in kept:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(character)
    return "".join(out)


@settings(max_examples=300)
@given(text=st.text(st.one_of(st.characters(), st.sampled_from(
    [chr(c) for c in (0x09, 0x0A, 0x1B, 0x7F, 0x85, 0x202E, 0x2066, 0xD800, 0xDFFF, 0x2028)]))),
    lines=st.booleans(), tabs=st.sampled_from([None, True, False]))
def test_visible_rewrites_exactly_the_forbidden_characters(text: str, lines: bool,
                                                           tabs: bool | None) -> None:
    # the site runs every value of every page through it, so it skips texts holding none
    assert visible(text, lines=lines, tabs=tabs) == _shown_by_rule(text, lines=lines, tabs=tabs)


#: Resource names where one is the start of another: their lines interleave in the sorted file.
_NAMES = ("a", "a-b", "a1", "ab", "b", "b#", "é")


@settings(max_examples=80, deadline=None)
@given(triples=st.lists(st.tuples(
    st.sampled_from(_NAMES), st.sampled_from(("", "#x", "#x-1", "#y")),
    st.text(st.characters(codec="utf-8", exclude_characters="\n\"\\"), max_size=6),
    st.booleans()), max_size=40),
    asked=st.lists(st.sampled_from(_NAMES), max_size=4))
def test_a_resources_lines_read_by_the_index_are_those_grouped_in_memory(
        triples: list[tuple[str, str, str, bool]], asked: list[str]) -> None:
    base = "https://example.org/casestudy/"
    lines = sorted({f'_:b{name} <p> "{text}"' if blank else f'<{base}{name}{fragment}> <p> "{text}"'
                    for name, fragment, text, blank in triples})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "graph.nt"
        path.write_bytes("".join(f"{line} .\n" for line in lines).encode("utf-8"))
        index = GraphIndex.of(GraphFile(path, len(lines)))
        groups = lines_by_resource(lines)
        keys = [f"{base}{name}" for name in asked]
        handle = os.open(path, os.O_RDONLY)
        try:
            found = lines_at(handle, index.spans(keys))
        finally:
            os.close(handle)
    assert found == sorted({line for key in keys for line in groups.get(key, ())})
