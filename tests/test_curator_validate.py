"""What ``lod validate`` tells a curator beyond the contract (issue 27 points 5 and 8).

YAML slips are explained in plain words with their line; ledger rows whose
institution no record names are reported, renamed ones as carried over.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import VALID_RECORD, run_lod, write_record
from lod.ledgers import MappingRow, empty_set, record_id, write_sssom
from lod.rdf.build import iri_segment

ROOT = Path(__file__).resolve().parents[1]

# (the slip, as a curator makes it; the words the message must use)
SLIPS = [
    ("title:\n  en: Lyon\n    de: Lyon\n", "indented more than the key above it"),
    ("title:\n  en: Wikidata: a start\n", "needs quotes"),
    ("title:\n\ten: Lyon\n", "YAML indents with spaces only"),
    ('title:\n  en: "Lyon\n', 'a quote (") opened on line 5 and never closed'),
]


@pytest.mark.parametrize(("slip", "words"), SLIPS)
def test_yaml_slips_are_explained_with_their_line(tmp_path: Path, slip: str, words: str) -> None:
    text = VALID_RECORD.format(id="lyon-editathon")
    head, _, tail = text.partition("title:")
    tail = tail.split("\n", 3)[3]  # drop the record's own title (two lines)
    path = write_record(tmp_path, "lyon-editathon", head + slip + tail)
    done = run_lod("validate", path)
    assert done.code == 1 and "Traceback" not in done.stderr
    [line] = [x for x in done.stderr.splitlines() if "(yaml)" in x]
    assert line.startswith(f"{path}:") and words in line and "the parser said:" in line


def _row(subject: str, label: str, qid: str) -> MappingRow:
    return MappingRow(record_id=record_id(subject, f"wd:{qid}"), subject_id=subject,
                      subject_label=label, object_id=f"wd:{qid}", object_label=label,
                      mapping_justification="semapv:ManualMappingCuration",
                      author_id="wdu:Test_Curator", reviewer_id="wdu:Test_Curator",
                      mapping_date="2026-12-01")


def test_orphaned_and_renamed_ledger_rows_are_reported(tmp_path: Path) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    data = tmp_path / "cs"
    write_record(data, "lyon-editathon")
    text = (data / "lyon-editathon.yaml").read_text(encoding="utf-8")
    name = "Wikimédia France"  # the institution without a QID: keyed by country and name
    renamed = f"{name} Central"
    (data / "lyon-editathon.yaml").write_text(text.replace(name, renamed, 1), encoding="utf-8")
    ledger = empty_set("institutions.sssom.tsv").with_rows([
        _row(f"lcsinst:fr-{iri_segment(name)}", name, "Q900000801"),
        _row("lcsinst:fr-bibliotheque-disparue", "Bibliothèque disparue", "Q900000802"),
    ])
    write_sssom(mappings / "institutions.sssom.tsv", ledger)
    done = run_lod("validate", data, "--mappings", mappings)
    assert done.code == 0, done.stderr
    assert (f"lcsinst:fr-{iri_segment(name)} ({name!r} -> Q900000801) looks renamed to {renamed!r}"
            in done.stderr)
    assert ("lcsinst:fr-bibliotheque-disparue ('Bibliothèque disparue' -> Q900000802) is an "
            "orphaned ledger row") in done.stderr
