"""The format contract as a curator meets it: one test per kind of error, via ``lod validate``.

Each case breaks one rule in an otherwise valid file and checks that the
command exits 1 and names the file, the line of the offending field and the
field path, with a message that says what is expected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CASESTUDIES, VALID_RECORD, run_lod, write_record
from lod.ingest.load import load_case_studies

BASE = VALID_RECORD.format(id="lyon-editathon")


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


# (case name, old text, new text, field path reported, line marker in new text, words in message)
CASES = [
    ("unknown-key", "status: reviewed", "status: reviewed\nstatsu: draft", "statsu",
     "statsu:", ["unknown key", "did you mean 'status'"]),
    ("missing-field", "lang: en\n", "", "lang", "id:", ["required", "lang"]),
    ("bad-id", "id: lyon-editathon", "id: Lyon_Editathon", "id", "id:", ["invalid id"]),
    ("bad-country", "country: FR\n    type: public", "country: France\n    type: public",
     "institutions[0].country", "country: France", ["ISO 3166-1", "did you mean 'FR'"]),
    ("unknown-term", "type: public", "type: pubic", "institutions[0].type", "type: pubic",
     ["unknown library type", "did you mean 'public'"]),
    ("unknown-project", "[wikipedia, commons]", "[wikipedia, wikicommons]",
     "wikimedia_projects[1]", "wikimedia_projects:", ["did you mean 'commons'"]),
    ("bad-qid", "wikidata: Q1234567", "wikidata: 1234567", "institutions[0].wikidata",
     "wikidata: 1234567", ["Wikidata item id", "'Q'"]),
    ("bad-isil", "role: lead", "role: lead\n    isil: not valid isil", "institutions[0].isil",
     "isil:", ["ISIL", "ISO 15511"]),
    ("bad-date", 'start: "2019-03"', 'start: "2019-14"', "period.start", "start:",
     ["invalid date", "YYYY-MM"]),
    ("bad-url", "url: https://example.org/report", "url: example.org/report", "links[0].url",
     "url: example.org", ["invalid URL", "http"]),
    ("bad-language-tag", "languages: [fr]", "languages: [french]", "languages[0]",
     "languages:", ["language tag", "BCP 47"]),
    ("end-before-start", 'end: "2019"', 'end: "2018-12"', "period.end", "end:",
     ["precedes start"]),
    ("unknown-ifla-unit", "ifla_units: [public-libraries]", "ifla_units: [public-library]",
     "ifla_units[0]", "ifla_units:", ["IFLA unit", "did you mean 'public-libraries'"]),
    ("lang-missing-in-title", "lang: en", "lang: de", "title", "title:", ["'de'"]),
    ("bad-status", "status: reviewed", "status: done", "status", "status:",
     ["unknown status", "draft, reviewed, published"]),
    ("repeated-key", "status: reviewed", "status: reviewed\nstatus: draft", "status",
     "status: draft", [": status: key given twice"]),
    ("no-institutions", "institutions:\n", "institutions: []\nold_institutions:\n",
     "institutions", "institutions: []", ["at least one"]),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "marker", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_contract_error_names_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, marker: str, words: list[str]
) -> None:
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = write_record(tmp_path, "lyon-editathon", text)
    result = run_lod("validate", path)
    assert result.code == 1, result.stderr
    expected = f"{path}:{line_of(text, marker)}: {field}: "
    lines = [line for line in result.stderr.splitlines() if line.startswith(expected)]
    assert lines, f"no line starting {expected!r} in:\n{result.stderr}"
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in result.stderr


def test_yaml_syntax_error_gives_line(tmp_path: Path) -> None:
    text = BASE.replace("summary:\n", "summary: [unclosed\n", 1)
    path = write_record(tmp_path, "lyon-editathon", text)
    result = run_lod("validate", path)
    assert result.code == 1
    assert f"{path}:" in result.stderr
    assert "YAML syntax error" in result.stderr
    reported = int(result.stderr.split(f"{path}:")[1].split(":")[0])
    assert abs(reported - line_of(text, "summary: [unclosed")) <= 2
    assert "Traceback" not in result.stderr


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = write_record(tmp_path, "other-name", BASE)
    result = run_lod("validate", path)
    assert result.code == 1
    assert f"{path}:{line_of(BASE, 'id:')}: id: " in result.stderr
    assert "'other-name'" in result.stderr


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write_record(tmp_path / "a", "lyon-editathon")
    second = write_record(tmp_path / "b", "lyon-editathon")
    result = run_lod("validate", tmp_path / "a", tmp_path / "b")
    assert result.code == 1
    assert f"{second}:1: id: duplicate id 'lyon-editathon'" in result.stderr
    assert str(tmp_path / "a" / "lyon-editathon.yaml") in result.stderr


def test_all_problems_of_all_files_in_one_run(tmp_path: Path) -> None:
    write_record(tmp_path, "one", BASE.replace("lyon-editathon", "one").replace("FR", "XX", 1))
    write_record(tmp_path, "two", BASE.replace("lyon-editathon", "two").replace("pubic", "x")
                 .replace("type: public", "type: pubic").replace("[fr]", "[zz-]"))
    result = run_lod("validate", tmp_path)
    assert result.code == 1
    problems = [line for line in result.stderr.splitlines() if ".yaml:" in line]
    assert any("one.yaml" in p and "institutions[0].country" in p for p in problems)
    assert any("two.yaml" in p and "institutions[0].type" in p for p in problems)
    assert any("two.yaml" in p and "languages[0]" in p for p in problems)
    assert result.stderr.rstrip().endswith("3 problems found")


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    result = run_lod("validate", tmp_path)
    assert result.code == 1
    assert "empty.yaml:1: (record): expected a mapping of fields, got an empty file" in result.stderr
    assert "list.yaml:1: (record): expected a mapping of fields, got list" in result.stderr


def test_non_utf8_file(tmp_path: Path) -> None:
    (tmp_path / "latin.yaml").write_bytes("id: caf\xe9\n".encode("latin-1"))
    result = run_lod("validate", tmp_path)
    assert result.code == 1
    assert "latin.yaml:1: (yaml): file is not UTF-8" in result.stderr


def test_missing_path_is_reported(tmp_path: Path) -> None:
    result = run_lod("validate", tmp_path / "nope")
    assert result.code == 1
    assert "nope:1: (file): no such file or directory" in result.stderr


def test_valid_record_passes(tmp_path: Path) -> None:
    write_record(tmp_path)
    result = run_lod("validate", tmp_path)
    assert result.code == 0, result.stderr
    assert "1 files checked: all valid" in result.stdout


def test_bundled_case_studies_validate() -> None:
    result = run_lod("validate", CASESTUDIES)
    assert result.code == 0, result.stderr
    loaded = load_case_studies([CASESTUDIES])
    assert len(loaded.records) == len(list(CASESTUDIES.glob("*.yaml"))) >= 30


def test_unquoted_year_and_date_are_read_as_dates(tmp_path: Path) -> None:
    text = BASE.replace('start: "2019-03"', "start: 2019-03-05").replace('end: "2019"', "end: 2020")
    write_record(tmp_path, "lyon-editathon", text)
    loaded = load_case_studies([tmp_path])
    assert not loaded.problems
    period = loaded.records[0].record.period
    assert period is not None
    assert (period.start, period.end) == ("2019-03-05", "2020")
