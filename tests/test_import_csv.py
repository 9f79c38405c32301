"""`lod import-csv` on a form export written the way spreadsheet tools write them.

``tests/data/csv/form-export.csv`` has a UTF-8 byte-order mark, CRLF line ends,
cells over several lines, multi-choice answers joined by commas, empty rows, a
column the mapping does not know, and four rows that cannot be read: one cell
too many (row 5), no title (row 6), Latin-1 bytes (row 8) and a broken quote
(row 10). Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from lod.ingest.load import load_case_studies
from tests.conftest import ROOT, run_lod, write_record

EXPORT = ROOT / "tests" / "data" / "csv" / "form-export.csv"
DRAFTS = {
    "wikidata-for-the-municipal-archive",
    "reading-club-articles",
    "biblioteca-publica-de-medellin",
}


def load(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_readable_rows_become_valid_drafts(tmp_path: Path) -> None:
    done = run_lod("import-csv", EXPORT, "--out", tmp_path)
    assert {p.name for p in tmp_path.glob("*.yaml")} == {f"{name}.yaml" for name in DRAFTS}
    loaded = load_case_studies([tmp_path])
    assert loaded.problems == [] and len(loaded.records) == 3
    assert all(loaded_record.record.status == "draft" for loaded_record in loaded.records)
    assert "9 rows seen: 3 new" in done.stdout
    assert "empty row: 2" in done.stdout and "unreadable row: 4" in done.stdout


def test_bad_rows_are_reported_by_row_number_and_skipped(tmp_path: Path) -> None:
    done = run_lod("import-csv", EXPORT, "--out", tmp_path)
    assert done.code == 1
    assert f"{EXPORT}:9: row 5: 24 cells but the header has 23; skipped" in done.stderr
    assert f"{EXPORT}:10: row 6: no title; skipped" in done.stderr
    assert f"{EXPORT}:12: row 8: not UTF-8 text; skipped" in done.stderr
    assert "row 10: cannot read the row" in done.stderr
    assert (
        "column 'How did you hear about this call?' is not in mappings/csv-columns.tsv"
        in done.stderr
    )
    assert not (tmp_path / "broken-row.yaml").exists()


def test_cells_are_read_like_a_curator_would(tmp_path: Path) -> None:
    run_lod("import-csv", EXPORT, "--out", tmp_path)
    girona = load(tmp_path / "wikidata-for-the-municipal-archive.yaml")
    assert girona["summary"] == {
        "en": "The municipal archive of Girona described its photographers in "
        "Wikidata.\nVolunteers checked every item."
    }
    assert girona["institutions"] == [
        {"name": "Arxiu Municipal de Girona", "country": "ES", "type": "archive"}
    ]
    assert girona["ifla_units"] == [
        "local-history-and-genealogy",
        "rare-books-and-special-collections",
    ]
    assert girona["wikimedia_projects"] == ["wikidata", "commons"]
    assert girona["activities"] == ["data-upload", "training"]
    assert girona["languages"] == ["ca", "es"]
    assert girona["period"] == {"start": "2021-02-01", "end": "2022-06-30"}
    assert girona["submitted_by"] == {
        "kind": "ifla-unit",
        "unit": "local-history-and-genealogy",
        "name": "Local History and Genealogy Section",
    }
    assert [link["url"] for link in girona["links"]] == [
        "https://example.org/girona-wikidata",
        "https://example.org/girona-report.pdf",
    ]
    assert girona["contacts"] == [
        {"name": "Ana Pérez", "email": "ana@example.org", "publish": True}
    ]
    assert "row 2 (submitted 2024/03/05 10:12:44 AM GMT+1)" in str(
        girona["notes"]
    )  # BOM: header read
    assert "Column 'How did you hear about this call?': Mailing list" in str(girona["notes"])
    medellin = load(tmp_path / "biblioteca-publica-de-medellin.yaml")
    assert medellin["institutions"] == [  # one per line of a multi-line cell, types in order
        {"name": "Biblioteca Pública Piloto", "country": "CO", "type": "public"},
        {"name": "Wikimedia Colombia", "country": "CO", "type": "non-library"},
    ]
    assert medellin["period"] == {"start": "2018-05"}
    reading = load(tmp_path / "reading-club-articles.yaml")
    assert reading["contacts"] == [{"name": "Li Wei", "email": "li@example.org", "publish": False}]


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir() if p.is_file()}


def test_reimport_rewrites_nothing_and_keeps_curated_records(tmp_path: Path) -> None:
    run_lod("import-csv", EXPORT, "--out", tmp_path)
    before = snapshot(tmp_path)
    done = run_lod("import-csv", EXPORT, "--out", tmp_path)
    assert snapshot(tmp_path) == before  # the state file included
    assert "3 unchanged" in done.stdout and "0 files written" in done.stdout
    curated = write_record(tmp_path, "reading-club-articles")  # the curator's review
    before = snapshot(tmp_path)
    done = run_lod("import-csv", EXPORT, "--out", tmp_path)
    assert snapshot(tmp_path) == before  # the source did not change: nothing to say or write
    assert "3 unchanged" in done.stdout and "0 files written" in done.stdout
    changed = tmp_path.parent / f"{tmp_path.name}-changed.csv"  # an answer edited
    changed.write_bytes(EXPORT.read_bytes().replace(b"Reading club", b"Reading circle", 1))
    done = run_lod("import-csv", changed, "--out", tmp_path)
    after = snapshot(tmp_path)
    assert after.pop("reading-club-articles.draft.yaml")
    assert after.pop(".harvest-state.json") != before.pop(".harvest-state.json")
    assert after == before
    assert curated.read_text(encoding="utf-8").startswith(
        "id: reading-club-articles\nstatus: reviewed"
    )
    assert (
        "reading-club-articles.yaml is reviewed: wrote reading-club-articles.draft.yaml"
        in done.stdout
    )
    assert "2 unchanged" in done.stdout


def test_a_file_of_only_bad_rows_writes_nothing(tmp_path: Path) -> None:
    export = tmp_path / "bad.csv"
    export.write_bytes(b'Title of the case study,Country\r\n"A","Spain","extra"\r\n')
    out = tmp_path / "out"
    done = run_lod("import-csv", export, "--out", out)
    assert done.code == 1 and "row 2: 3 cells but the header has 2" in done.stderr
    assert not out.exists()
