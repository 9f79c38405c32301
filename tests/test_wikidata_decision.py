"""The record's Wikidata decision and the source as a published work (issue 18, point 2).

Written from docs/casestudy-format.md: ``wikidata`` takes a QID, ``{create: work}``
or ``{create: project, name: {...}}``; a work needs the source's URL, title,
language and publication date; a project needs its name and an institution
whose role is written out. Every refusal is a ``path:line: field: message``
line from ``lod validate``.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, VALID_RECORD, run_lod, write_record

WORK_SOURCE = """\
source:
  url: https://example.org/article
  title: Une bibliothèque et Wikipédia
  language: fr
  published: 2019-05
  authors: [Marie Curie, Jean Dupont]
  doi: 10.1234/abc.5678
"""


def _record(tail: str, *, source: str = WORK_SOURCE, record_id: str = "lyon-editathon") -> str:
    """The valid record with its source replaced and ``tail`` appended."""
    base = VALID_RECORD.format(id=record_id)
    head, _, _ = base.partition("source:\n")
    after = base.split("  retrieved: 2026-11-20\n", 1)[1]
    return head + source + after + tail


def _validate(tmp_path: Path, text: str) -> tuple[int, list[str], Path]:
    path = write_record(tmp_path / "casestudies", "lyon-editathon", text)
    done = run_lod("validate", path.parent)
    return done.code, [line for line in done.stderr.splitlines() if line.strip()], path


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(needle))


def test_each_kind_of_decision_is_accepted(tmp_path: Path) -> None:
    for tail in ("wikidata: Q42\n", "wikidata: {create: work}\n",
                 "wikidata:\n  create: project\n  name: {ca: Bibliowikis, en: Bibliowikis}\n"):
        code, errors, _ = _validate(tmp_path, _record(tail))
        assert code == 0, (tail, errors)


def test_no_decision_is_valid_and_means_undecided(tmp_path: Path) -> None:
    code, errors, _ = _validate(tmp_path, _record(""))
    assert code == 0, errors


def test_a_work_needs_the_works_own_title_language_and_date(tmp_path: Path) -> None:
    bare = "source:\n  url: https://example.org/article\n"
    code, errors, path = _validate(tmp_path, _record("wikidata: {create: work}\n", source=bare))
    assert code == 1
    line = _line_of(path, "wikidata:")
    [error] = [e for e in errors if ": wikidata:" in e]
    assert error.startswith(f"{path}:{line}: wikidata: create: work needs ")
    for field in ("source.title", "source.language", "source.published"):
        assert field in error
    assert "source.url" not in error


def test_a_work_without_any_source_is_refused(tmp_path: Path) -> None:
    code, errors, _ = _validate(tmp_path, _record("wikidata: {create: work}\n", source=""))
    assert code == 1
    assert any("source.url" in e and "source.title" in e for e in errors), errors


def test_a_project_needs_its_name(tmp_path: Path) -> None:
    code, errors, path = _validate(tmp_path, _record("wikidata: {create: project}\n"))
    assert code == 1
    assert any(e.startswith(f"{path}:{_line_of(path, 'wikidata:')}: wikidata: ") and "'name'" in e
               for e in errors), errors


def test_a_project_needs_an_institution_with_a_stated_role(tmp_path: Path) -> None:
    text = _record("wikidata:\n  create: project\n  name: {en: The project}\n")
    text = text.replace("    role: lead\n", "")
    code, errors, _ = _validate(tmp_path, text)
    assert code == 1
    assert any("wikidata: create: project needs at least one institution with its role" in e
               for e in errors), errors


def test_a_work_takes_no_name_and_unknown_kinds_are_named(tmp_path: Path) -> None:
    code, errors, path = _validate(tmp_path, _record("wikidata:\n  create: work\n  name: {en: X}\n"))
    assert code == 1 and any("create: work takes no 'name'" in e for e in errors), errors
    code, errors, path = _validate(tmp_path, _record("wikidata:\n  create: projet\n"))
    assert code == 1
    line = _line_of(path, "  create:")
    assert any(e.startswith(f"{path}:{line}: wikidata.create: ") and "'project'" in e
               for e in errors), errors
    code, errors, path = _validate(tmp_path, _record("wikidata:\n  create: work\n  qid: Q1\n"))
    assert code == 1 and any(": wikidata.qid: unknown key 'qid'" in e for e in errors), errors


def test_a_bad_qid_is_still_reported_on_the_field(tmp_path: Path) -> None:
    code, errors, path = _validate(tmp_path, _record("wikidata: q42\n"))
    assert code == 1
    assert f"{path}:{_line_of(path, 'wikidata:')}: wikidata: invalid Wikidata item id 'q42'" in \
        "\n".join(errors)


def test_source_fields_are_checked(tmp_path: Path) -> None:
    source = ("source:\n  url: https://example.org/a\n  language: french\n  published: 2019-13\n"
              "  doi: https://doi.org/10.1234/x\n  authors: []\n  title: ''\n")
    code, errors, path = _validate(tmp_path, _record("", source=source))
    assert code == 1
    fields = {e.split(": ")[1] for e in errors if e.startswith(f"{path}:")}
    assert {"source.language", "source.published", "source.doi", "source.title"} <= fields, errors
    assert any("10.1234/x" in e and "without its resolver" in e for e in errors)


def test_the_decision_and_the_work_reach_the_graph(tmp_path: Path) -> None:
    folder = tmp_path / "casestudies"
    write_record(folder, "lyon-editathon", _record(
        "wikidata:\n  create: project\n  name: {ca: Bibliowikis}\n"))
    out = tmp_path / "out"
    done = run_lod("build", "--data", folder, "--out", out)
    assert done.code == 0, done.stderr
    dump = next(out.rglob("*.nt")).read_text(encoding="utf-8")
    assert '"Une bibliothèque et Wikipédia"@fr' in dump
    assert '"2019-05"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>' in dump
    assert '"Bibliowikis"@ca' in dump and '"project"' in dump


def test_the_bundled_records_carry_only_valid_decisions() -> None:
    done = run_lod("validate", ROOT / "casestudies")
    assert done.code == 0, done.stderr


def test_harvest_and_import_leave_the_decision_to_the_curator(tmp_path: Path) -> None:
    export = ROOT / "tests" / "data" / "csv" / "form-export.csv"
    run_lod("import-csv", export, "--out", tmp_path)
    drafts = sorted(tmp_path.glob("*.yaml"))
    assert drafts
    for path in drafts:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "wikidata" not in data, path.name


REQUIRED = ("url", "title", "language", "published")


@settings(max_examples=15, deadline=None)
@given(st.sets(st.sampled_from(REQUIRED), min_size=1))
def test_any_missing_work_field_is_named(missing: set[str]) -> None:
    """Pure contract check (no CLI): whatever subset is missing is exactly what the error names."""
    from pydantic import ValidationError

    from lod.model.case_study import CaseStudy

    data = yaml.safe_load(_record("wikidata: {create: work}\n"))
    for key in missing:
        del data["source"][key]
    try:
        CaseStudy.model_validate(data)
    except ValidationError as error:
        text = str(error)
    else:
        raise AssertionError("accepted a work without " + ", ".join(sorted(missing)))
    for key in REQUIRED:
        assert (f"source.{key} (" in text) == (key in missing), (key, text)


def test_a_created_items_id_replaces_the_create_decision(tmp_path: Path) -> None:
    """On Wikidata, the new QID is written back in place of the decision, so the next plan
    updates that item instead of creating another."""
    from lod.ingest.load import load_case_studies
    from lod.publish.wikidata.writeback import write_back

    block = _record("wikidata:\n  create: project\n  name: {ca: Bibliowikis}\nlicense: CC0-1.0\n",
                    record_id="block-one")
    inline = _record("wikidata: {create: work}\n", record_id="inline-one")
    write_record(tmp_path, "block-one", block)
    write_record(tmp_path, "inline-one", inline)
    written = write_back(tmp_path, {"block-one": "Q123", "inline-one": "Q456"})
    assert len(written) == 2
    assert (tmp_path / "block-one.yaml").read_text(encoding="utf-8") == block.replace(
        "wikidata:\n  create: project\n  name: {ca: Bibliowikis}\n", "wikidata: Q123\n")
    assert (tmp_path / "inline-one.yaml").read_text(encoding="utf-8") == inline.replace(
        "wikidata: {create: work}\n", "wikidata: Q456\n")
    loaded = load_case_studies([tmp_path])
    assert loaded.problems == []
    assert sorted(r.record.item or "" for r in loaded.records) == ["Q123", "Q456"]
