"""The build's per-record blocks: same dumps as the whole graph, cached, incremental."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import Triple

from conftest import CASESTUDIES
from lod.ingest import load_case_studies
from lod.publish import blocks as blocks_module
from lod.publish.blocks import BlockCache, make_block, render_blocks
from lod.publish.dumps import DUMP_FILES, BuildResult, build
from lod.publish.report import build_report, report_predicates
from lod.query.run import load_store
from lod.rdf.serialize import sorted_lines
from lod.reconcile.links import ledger_triples
from lod.settings import Settings
from lod.validate import Validated, validate_paths


def _copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(CASESTUDIES, data)
    return data


def _settings(data: Path, out: Path) -> Settings:
    return Settings(data_dir=data, out_dir=out)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult, Validated]:
    """A build of the bundled case studies, and their validation with the whole graph."""
    out = tmp_path_factory.mktemp("blocks") / "dist"
    result = build(_settings(CASESTUDIES, out))
    return out, result, validate_paths([CASESTUDIES], Settings(), include_drafts=False)


def _whole_graph(validated: Validated) -> set[Triple]:
    records = [loaded.record for loaded in validated.unique]
    return validated.triples | ledger_triples(Settings().base, records)


def test_blocks_hold_exactly_the_whole_graph(bundled: tuple[Path, BuildResult, Validated]) -> None:
    """Each record's own nodes, then the shared nodes once: the graph and nothing else."""
    out, result, validated = bundled
    expected = sorted_lines(_whole_graph(validated))
    written = [line.removesuffix(" .") for line in
               (out / "casestudies.nt").read_text("utf-8").splitlines()]
    assert sorted(written) == expected
    assert len(written) == len(set(written)) == result.triples
    # Every record's nodes come together, records in id order.
    owners = [line.split(">", 1)[0].split("/casestudy/", 1) for line in written]
    record_ids = [parts[1].split("#", 1)[0] for parts in owners if len(parts) == 2]
    runs = [rid for i, rid in enumerate(record_ids) if i == 0 or record_ids[i - 1] != rid]
    assert runs == sorted(loaded.id for loaded in validated.unique)


def test_report_from_the_facts_store_equals_the_whole_graph_report(
    bundled: tuple[Path, BuildResult, Validated]
) -> None:
    out, result, validated = bundled
    whole = load_store(_whole_graph(validated))
    assert result.report == build_report(whole, records=len(validated.unique))
    assert (out / "report.md").read_text("utf-8") == result.report


def test_rebuild_after_one_edit_renders_one_block_and_matches_a_fresh_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _copy_data(tmp_path)
    out = tmp_path / "dist"
    build(_settings(data, out))
    target = data / "catalonia-bibliowikis.yaml"
    target.write_text(target.read_text("utf-8").replace("status: reviewed", "status: published")
                      .replace("status: draft", "status: published"), encoding="utf-8")

    rendered: list[str] = []
    real = blocks_module.block_of_lines

    def counting(lines: list[str], iri: str, predicates: frozenset[str]) -> object:
        rendered.append(iri.rsplit("/", 1)[1])
        return real(lines, iri, predicates)

    monkeypatch.setattr(blocks_module, "block_of_lines", counting)
    result = build(_settings(data, out))
    assert rendered == ["catalonia-bibliowikis"]
    assert result.rendered == 1

    fresh = tmp_path / "fresh"
    build(_settings(data, fresh))
    for name in (*DUMP_FILES, "context.jsonld"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    assert b'"published"' in (out / "casestudies.nt").read_bytes()


def test_unchanged_records_are_not_validated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild with nothing changed reads ids and keys from the caches, never the models."""
    from lod import ingest

    out = tmp_path / "dist"
    build(_settings(CASESTUDIES, out))
    calls: list[str] = []
    real = ingest.record_from_json

    def counting(text: str) -> object:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(ingest, "record_from_json", counting)
    monkeypatch.setattr(ingest, "parse_yaml", lambda *a, **k: pytest.fail("file parsed again"))
    result = build(_settings(CASESTUDIES, out))
    assert result.records == len(list(CASESTUDIES.glob("*.yaml")))
    assert calls == []


def test_parallel_rendering_gives_the_serial_blocks() -> None:
    records = load_case_studies([CASESTUDIES]).records
    base, predicates = Settings().base, report_predicates()
    serial = [make_block(base, loaded.record, predicates) for loaded in records]
    assert list(render_blocks(base, records, predicates, workers=2, parallel_from=1)) == serial


def test_damaged_or_foreign_cache_files_only_cost_a_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    first = build(_settings(CASESTUDIES, out))
    (out / ".cache" / "blocks.sqlite").write_bytes(b"not a database at all" * 100)
    (out / ".cache" / "records.sqlite").write_bytes(b"\x00garbage")
    again = build(_settings(CASESTUDIES, out))
    assert again.triples == first.triples
    assert again.report == first.report


def test_block_cache_forgets_blocks_no_record_uses(tmp_path: Path) -> None:
    records = [loaded.record for loaded in load_case_studies([CASESTUDIES]).records][:3]
    base, predicates = Settings().base, report_predicates()
    path = tmp_path / "blocks.sqlite"
    cache = BlockCache(path)
    cache.put_facts((f"k{i}", make_block(base, r, predicates).merge) for i, r in enumerate(records))
    cache.close()
    cache = BlockCache(path)
    assert set(cache.facts_of(["k1"])) == {"k1"}
    cache.prune()
    cache.close()
    cache = BlockCache(path)
    assert set(cache.facts_of(["k0", "k1", "k2"])) == {"k1"}  # read by the session that pruned
    cache.close()


def test_dumps_edited_by_hand_are_not_copied_from(tmp_path: Path) -> None:
    """Blocks are copied only from the very files the last build wrote."""
    out = tmp_path / "dist"
    first = build(_settings(CASESTUDIES, out))
    assert first.rendered == first.records
    untouched = build(_settings(CASESTUDIES, out))
    assert untouched.rendered == 0
    expected = {name: (out / name).read_bytes() for name in DUMP_FILES}
    nt = out / "casestudies.nt"
    nt.write_bytes(b"# edited\n" + nt.read_bytes())
    again = build(_settings(CASESTUDIES, out))
    assert again.rendered == again.records
    for name in DUMP_FILES:
        assert (out / name).read_bytes() == expected[name], name


def test_a_failed_swap_leaves_the_next_build_correct(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    out = tmp_path / "dist"
    build(_settings(data, out))
    before = (out / "casestudies.ttl").read_bytes()
    (data / "nls-wir.yaml").unlink()

    def fail(_: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        build(_settings(data, out), before_swap=fail)
    assert (out / "casestudies.ttl").read_bytes() == before
    build(_settings(data, out))
    fresh = tmp_path / "fresh"
    build(_settings(data, fresh))
    for name in DUMP_FILES:
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    assert b"nls-wir" not in (out / "casestudies.nt").read_bytes()


def test_report_is_asked_again_only_when_its_facts_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lod.publish import dumps

    data = _copy_data(tmp_path)
    out = tmp_path / "dist"
    first = build(_settings(data, out))
    target = data / "catalonia-bibliowikis.yaml"
    text = target.read_text("utf-8")
    target.write_text(text.replace("Bibliowikis", "Bibliowikis (revised)", 1), encoding="utf-8")
    asked: list[int] = []
    real = dumps.report_data

    def counting(store: object, *, records: int) -> object:
        asked.append(records)
        return real(store, records=records)  # type: ignore[arg-type]

    monkeypatch.setattr(dumps, "report_data", counting)
    titled = build(_settings(data, out))
    assert asked == [] and titled.report == first.report  # a title is not a fact of the report

    (data / "nls-wir.yaml").unlink()
    fewer = build(_settings(data, out))
    assert asked == [first.records - 1]
    assert fewer.report != first.report
    assert fewer.report == build(_settings(data, tmp_path / "fresh")).report


def test_a_build_in_worker_processes_equals_a_build_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enough records to use every pool (parse, SHACL with spilled blocks): same bytes as serial,
    and a rebuild after one edit that copies from the spill-built dumps is still the same."""
    import importlib.util
    import os
    import sys

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate
    spec.loader.exec_module(generate)
    data = tmp_path / "data"
    generate.generate(450, data, seed=11)

    parallel = build(_settings(data, tmp_path / "parallel"))
    assert parallel.rendered == 450
    with monkeypatch.context() as patch:
        patch.setattr(os, "cpu_count", lambda: 1)
        serial = build(_settings(data, tmp_path / "serial"))
    for name in (*DUMP_FILES, "context.jsonld"):
        assert (tmp_path / "parallel" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes()
    assert parallel.report == serial.report

    edited = sorted(data.glob("*.yaml"))[123]
    head, mark, rest = edited.read_text("utf-8").partition("title:\n")
    line, newline, tail = rest.partition("\n")
    edited.write_text(f"{head}{mark}{line} (revised){newline}{tail}", encoding="utf-8")
    again = build(_settings(data, tmp_path / "parallel"))
    assert again.rendered == 1
    fresh = build(_settings(data, tmp_path / "fresh"))
    for name in DUMP_FILES:
        assert (tmp_path / "parallel" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()
    assert fresh.rendered == 450
