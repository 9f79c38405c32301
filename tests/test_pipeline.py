"""The pipeline: one graph, the same however the per-file work is spread over processes."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CASESTUDIES, VALID_RECORD, write_record
from lod.pipeline import Assembled, assemble
from lod.publish.dumps import as_bytes, render_dumps
from lod.settings import Settings


def test_parallel_and_serial_give_the_same_graph_problems_and_bytes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(CASESTUDIES, data)
    write_record(data, "broken", VALID_RECORD.format(id="broken").replace("type: public", "type: pubic"))
    (data / "syntax.yaml").write_text("id: syntax\ntitle: [unclosed\n", encoding="utf-8")
    write_record(data, "twin", VALID_RECORD.format(id="catalonia-bibliowikis"))
    serial = assemble([data], Settings(), parallel_from=10_000)
    parallel = assemble([data], Settings(), parallel_from=1)
    assert parallel.lines == serial.lines
    assert parallel.problems == serial.problems
    assert {p.field for p in parallel.problems} >= {"institutions[0].type", "(yaml)", "id"}
    assert [r.record for r in parallel.records] == [r.record for r in serial.records]


def test_a_clean_collection_builds_the_same_bytes_in_parallel(tmp_path: Path) -> None:
    serial = assemble([CASESTUDIES], Settings(), include_drafts=False, parallel_from=10_000)
    parallel = assemble([CASESTUDIES], Settings(), include_drafts=False, parallel_from=1)
    assert not serial.problems and not parallel.problems
    def files(graph: Assembled) -> dict[str, bytes]:
        return {name: as_bytes(content) for name, content in render_dumps(graph)[0].items()}

    assert files(parallel) == files(serial)


def test_the_graph_holds_records_vocabularies_and_nothing_twice() -> None:
    graph = assemble([CASESTUDIES], Settings(), include_drafts=False)
    assert graph.lines == sorted(set(graph.lines))
    assert any("/casestudy/nls-wir>" in line for line in graph.lines)
    assert any("/vocab/country/FR>" in line for line in graph.lines)
    assert len(graph.store) == len(graph.lines)
