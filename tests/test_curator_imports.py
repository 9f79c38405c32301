"""Imports that remember, and form answers read as a person meant them (issue 27 points 1-3, issue 20 points 4 and 6).

``tests/data/curator/messy-export.csv`` is written from the form's rules
(docs/curating.md, mappings/csv-columns.tsv): five submissions with the
answers people really give ("Yes - <unit>", "No", "N/A", "-", "none", two
institutions in one cell), one row exported twice, and one story sent twice
by two people (different timestamps, submitters and wording).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import yaml

from tests.conftest import ROOT, run_lod, write_record
from tests.test_harvest_dump import HEAD, page_xml

MESSY = ROOT / "tests" / "data" / "curator" / "messy-export.csv"
FIRST = "wikipedia-edit-a-thons-at-biblioteca-vasconcelos"
DUPLICATE = "wikipedia-edit-a-thons-at-the-biblioteca-vasconcelos"
GOOGLE_NAME = "IFLA case studies (Responses) - Form Responses 1.csv"


def load(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def todos(record: dict[str, object]) -> list[str]:
    return [line for line in str(record.get("notes", "")).splitlines() if line.startswith("TODO")]


def test_form_answers_are_read_as_meant(tmp_path: Path) -> None:
    done = run_lod("import-csv", MESSY, "--out", tmp_path)
    assert done.code == 0, done.stderr
    first = load(tmp_path / f"{FIRST}.yaml")
    # "Yes - Academic and Research Libraries Section": the unit, not an institution named "Yes - ..."
    assert first["submitted_by"] == {"kind": "ifla-unit", "unit": "academic-and-research-libraries",
                                     "name": "Academic and Research Libraries Section"}
    # two institutions in one cell, each naming an institution: split, with a TODO to check
    assert [i["name"] for i in first["institutions"]] == [  # type: ignore[attr-defined]
        "Biblioteca Vasconcelos", "Universidad Nacional Autónoma de México"]
    assert any("split at its commas" in line for line in todos(first))
    assert "ifla_units" not in first and first["period"] == {"start": "2022-03"}  # "No", "N/A"
    harbour = load(tmp_path / "photographs-of-the-harbour-on-commons.yaml")
    text = yaml.safe_dump(harbour)
    assert "No" not in [i["name"] for i in harbour["institutions"]]  # type: ignore[attr-defined]
    assert "submitted_by" not in harbour and "ifla_units" not in harbour  # "No", "-"
    assert "languages" not in harbour and "links" not in harbour  # "none"
    assert "name: 'No'" not in text and "none" not in text.split("notes")[0]
    ghana = load(tmp_path / "wikidata-for-ghanaian-authors.yaml")
    assert [i["name"] for i in ghana["institutions"]] == [  # type: ignore[attr-defined]
        "Balme Library", "George Padmore Research Library"]  # ';' is unambiguous: no TODO
    assert not any(line.startswith("TODO institutions") for line in todos(ghana))
    assert any("'Yes' says yes but names no IFLA unit" in line for line in todos(ghana))
    school = load(tmp_path / "school-library-articles-on-local-history.yaml")
    assert school["ifla_units"] == ["academic-and-research-libraries"]  # a unit in the wrong box
    assert all("Academic" not in i["name"] for i in school["institutions"])  # type: ignore[attr-defined]
    # form wording, not wiki-page wording
    notes = "\n".join(line for path in tmp_path.glob("*.yaml") for line in todos(load(path)))
    assert "bullet" not in notes and "the page" not in notes and "heading" not in notes
    assert "the institution question was not answered" in notes


def test_imports_under_two_names_three_times_write_nothing_new(tmp_path: Path) -> None:
    out = tmp_path / "casestudies"
    first = run_lod("import-csv", MESSY, "--out", out)
    assert "5 new" in first.stdout and "repeated row: 1" in first.stdout
    assert f"possible duplicate: row 4 ({DUPLICATE}) looks like the same story as {FIRST}" in first.stdout
    assert any("TODO duplicate" in line and FIRST in line
               for line in todos(load(out / f"{DUPLICATE}.yaml")))
    assert len(list(out.glob("*.yaml"))) == 5
    before = snapshot(out)
    renamed = tmp_path / GOOGLE_NAME
    renamed.write_bytes(MESSY.read_bytes())
    for export in (renamed, MESSY, renamed):
        done = run_lod("import-csv", export, "--out", out)
        assert done.code == 0, done.stderr
        assert "0 new, 0 changed, 5 unchanged" in done.stdout and "0 files written" in done.stdout
        assert snapshot(out) == before


def test_reordered_rows_and_curator_fixes_are_not_changes(tmp_path: Path) -> None:
    out = tmp_path / "casestudies"
    run_lod("import-csv", MESSY, "--out", out)
    fixed = out / "photographs-of-the-harbour-on-commons.yaml"
    fixed.write_text(fixed.read_text(encoding="utf-8").replace("status: draft", "status: reviewed"),
                     encoding="utf-8")
    lines = MESSY.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    reordered = tmp_path / "reordered.csv"
    reordered.write_text(lines[0] + "".join(reversed(lines[1:])), encoding="utf-8")
    before = snapshot(out)
    done = run_lod("import-csv", reordered, "--out", out)
    assert "5 unchanged" in done.stdout and snapshot(out) == before
    assert "draft.yaml" not in done.stdout


def test_a_changed_answer_updates_the_draft_and_says_what_changed(tmp_path: Path) -> None:
    out = tmp_path / "casestudies"
    run_lod("import-csv", MESSY, "--out", out)
    edited = tmp_path / "edited.csv"
    edited.write_text(MESSY.read_text(encoding="utf-8-sig").replace(
        "uploaded 2,000 harbour", "uploaded 2,500 harbour", 1), encoding="utf-8")
    done = run_lod("import-csv", edited, "--out", out)
    assert "0 new, 1 changed, 4 unchanged" in done.stdout
    assert ("row 3 (photographs-of-the-harbour-on-commons): changed in the export since the last "
            "import: summary") in done.stdout
    assert len(list(out.glob("*.yaml"))) == 5
    summary = load(out / "photographs-of-the-harbour-on-commons.yaml")["summary"]
    assert summary == {"en": "The city library uploaded 2,500 harbour photographs to Wikimedia Commons."}


def test_a_deleted_record_is_not_brought_back_until_asked(tmp_path: Path) -> None:
    out = tmp_path / "casestudies"
    run_lod("import-csv", MESSY, "--out", out)
    (out / f"{DUPLICATE}.yaml").unlink()  # the curator resolves the duplicate
    before = snapshot(out)
    for _ in range(2):
        done = run_lod("import-csv", MESSY, "--out", out)
        assert snapshot(out) == before
        assert (f"not brought back: row 4: {DUPLICATE}.yaml was deleted; not brought back "
                f"(to import it again: lod import-csv {MESSY} --out {out} --restore {DUPLICATE})"
                in done.stdout)
    done = run_lod("import-csv", MESSY, "--out", out, "--restore", DUPLICATE)
    assert (out / f"{DUPLICATE}.yaml").exists() and "1 new" in done.stdout


def _delimited(delimiter: str) -> str:
    rows = list(csv.reader(io.StringIO(MESSY.read_text(encoding="utf-8-sig"))))
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue()


def test_semicolon_and_tab_exports_are_read_like_comma_ones(tmp_path: Path) -> None:
    run_lod("import-csv", MESSY, "--out", tmp_path / "comma")
    expected = {name: data for name, data in snapshot(tmp_path / "comma").items()
                if name.endswith(".yaml")}
    for delimiter, name in ((";", "semicolons (';')"), ("\t", "tabs")):
        export = tmp_path / f"export-{len(name)}.csv"
        export.write_text(_delimited(delimiter), encoding="utf-8")
        out = tmp_path / f"out-{len(name)}"
        done = run_lod("import-csv", export, "--out", out)
        assert done.code == 0 and f"the export is separated by {name}; read as such" in done.stderr
        got = {n: d.replace(export.name.encode(), MESSY.name.encode())
               for n, d in snapshot(out).items() if n.endswith(".yaml")}
        assert got == expected


def test_an_export_no_separator_explains_is_refused_naming_its_separator(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("Horodatage;Courriel;Titre\n2024;a@example.org;Un titre\n", encoding="utf-8")
    done = run_lod("import-csv", export, "--out", tmp_path / "out")
    assert done.code == 1 and "Traceback" not in done.stderr
    assert "seems to be separated by semicolons (';')" in done.stderr
    assert not (tmp_path / "out").exists()


def test_reviewed_with_a_todo_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "casestudies"
    run_lod("import-csv", MESSY, "--out", out)
    path = out / f"{FIRST}.yaml"
    text = path.read_text(encoding="utf-8").replace("status: draft", "status: reviewed")
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.strip().startswith("TODO"))
    done = run_lod("validate", path)
    assert done.code == 1
    assert f"{path}:{line}: notes: status is 'reviewed' but notes still has 2 TODO lines" in done.stderr
    path.write_text("\n".join(t for t in text.splitlines() if "TODO" not in t) + "\n",
                    encoding="utf-8")
    assert run_lod("validate", path).code == 0
    write_record(out, "lyon-editathon")  # a record without TODO lines is not affected
    assert run_lod("validate", out / "lyon-editathon.yaml").code == 0


PAGE = """== Summary/Abstract ==
The county library held an edit-a-thon on local poets.

== Context/Background ==
* Institution: Dún Laoghaire Library – public library – Ireland
* Wikimedia projects: Wikipedia
"""


def test_a_deleted_harvested_record_is_not_brought_back(tmp_path: Path) -> None:
    dump = tmp_path / "export.xml"
    title = "GLAM/IFLA Case Studies/County poets"
    dump.write_text(HEAD + page_xml(title, 7, PAGE) + "</mediawiki>\n", encoding="utf-8")
    out = tmp_path / "casestudies"
    assert run_lod("harvest", "--dump", dump, "--out", out).code == 0
    (out / "county-poets.yaml").unlink()
    dump.write_text(HEAD + page_xml(title, 8, PAGE + "\nMore.\n") + "</mediawiki>\n",
                    encoding="utf-8")
    done = run_lod("harvest", "--dump", dump, "--out", out)
    assert not (out / "county-poets.yaml").exists()
    assert ("county-poets.yaml was deleted (the page changed since); not brought back "
            "(to harvest it again, add --restore county-poets)") in done.stdout
    run_lod("harvest", "--dump", dump, "--out", out, "--restore", "county-poets")
    assert (out / "county-poets.yaml").exists()


HARBOUR_PAGE = """== Summary/Abstract ==
The city library put its harbour photographs on Wikimedia Commons.

== Context/Background ==
* Institution: Stadsbibliotheek Rotterdam – public library – Netherlands
* Wikimedia projects: Wikimedia Commons
"""


def test_a_wiki_page_telling_a_form_submissions_story_is_flagged(tmp_path: Path) -> None:
    out = tmp_path / "casestudies"
    run_lod("import-csv", MESSY, "--out", out)
    dump = tmp_path / "export.xml"
    title = "GLAM/IFLA Case Studies/Harbour photographs on Commons"
    translation = "GLAM/IFLA Case Studies/Harbour photographs on Commons/nl"
    dump.write_text(HEAD + page_xml(title, 11, HARBOUR_PAGE) + page_xml(translation, 12, HARBOUR_PAGE)
                    + "</mediawiki>\n", encoding="utf-8")
    done = run_lod("harvest", "--dump", dump, "--out", out)
    assert done.code == 0, done.stderr
    assert (f"possible duplicate: {title} (harbour-photographs-on-commons) looks like the same "
            "story as photographs-of-the-harbour-on-commons (a title with the same words)"
            in done.stdout)
    page = load(out / "harbour-photographs-on-commons.yaml")
    assert any(line.startswith("TODO duplicate: this page looks like the same story as "
                               "photographs-of-the-harbour-on-commons") for line in todos(page))
    # its translation is the same page in another language, not a duplicate of it
    flagged = [line for line in done.stdout.splitlines() if line.startswith("possible duplicate")]
    assert all("harbour-photographs-on-commons-nl) looks like the same story as "
               "harbour-photographs-on-commons" not in line for line in flagged)


def test_a_folder_imported_before_imports_remembered_is_adopted(tmp_path: Path) -> None:
    out = tmp_path / "casestudies"
    run_lod("import-csv", MESSY, "--out", out)
    state_path = out / ".harvest-state.json"
    state = json.loads(state_path.read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO(MESSY.read_text(encoding="utf-8-sig"))))
    stamps = {row["Title of the case study"]: row["Timestamp"] for row in rows}
    # the state as the previous version wrote it: file name | timestamp | title -> id
    state["imports"] = {f"{MESSY.name}|{stamps[entry['answers']['title']]}|"
                        f"{entry['answers']['title']}": entry["id"]
                        for entry in state.pop("submissions").values()}
    state_path.write_text(json.dumps(state), encoding="utf-8")
    before = {name: data for name, data in snapshot(out).items() if name.endswith(".yaml")}
    done = run_lod("import-csv", MESSY, "--out", out)
    assert "0 new" in done.stdout and "5 unchanged" in done.stdout
    assert {n: d for n, d in snapshot(out).items() if n.endswith(".yaml")} == before
