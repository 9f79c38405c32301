"""The SSSOM ledgers and the field-to-property table: canonical form and per-row integrity.

Every Wikidata id the reconciliation code or ``mappings/wikidata-properties.tsv``
names must be a verified row of ``mappings/wikidata-ids.tsv`` with the same
label (and datatype, for properties); the ledgers must be in the one canonical
form ``lod mappings lint`` writes.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT
from lod.files import write_atomic
from lod.ledgers import (
    COLUMNS,
    LEDGERS,
    MappingFileError,
    MappingRow,
    empty_set,
    ledger_problems,
    parse_sssom,
    read_sssom,
    record_id,
    render_sssom,
    row_problems,
    write_sssom,
)
from lod.model.case_study import CaseStudy, Institution, Link, Period, Source
from lod.propertytable import PropertyRow, read_property_table
from lod.reconcile import wikidata

MAPPINGS = ROOT / "mappings"


def verified_table() -> dict[str, dict[str, str]]:
    with (MAPPINGS / "wikidata-ids.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle, delimiter="\t")}


def row(subject: str = "lcsinst:gb-ashcombe-library", qid: str = "Q900000003", *, negated: bool = False,
        curator: str = "wdu:Test_Curator", confidence: float | None = 0.9) -> MappingRow:
    return MappingRow(
        record_id=record_id(subject, f"wd:{qid}"),
        subject_id=subject,
        subject_label="Ashcombe Library",
        predicate_modifier="Not" if negated else "",
        object_id=f"wd:{qid}",
        object_label="Ashcombe Library",
        mapping_justification="semapv:LexicalMatching",
        confidence=confidence,
        author_id=curator,
        reviewer_id=curator,
        mapping_tool="lod reconcile",
        mapping_date="2026-11-26",
        comment="evidence: label@en",
    )


# --- the shipped ledgers -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_ledger_is_in_canonical_form(name: str) -> None:
    path = MAPPINGS / name
    text = path.read_text(encoding="utf-8")
    assert text == render_sssom(read_sssom(path)), (
        f"{path} is not in canonical form: run `lod mappings lint` and commit the result"
    )
    assert "\r" not in text and text.endswith("\n")
    assert all(line == line.rstrip() for line in text.split("\n")), "trailing whitespace"


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_ledger_metadata_and_cross_row_rules(name: str) -> None:
    mapping_set = read_sssom(MAPPINGS / name)
    assert mapping_set.mapping_set_id.endswith(f"/mappings/{name}")
    assert mapping_set.license == "https://creativecommons.org/publicdomain/zero/1.0/"
    for prefix in ("wd", "semapv", "skos", LEDGERS[name]):
        assert prefix in mapping_set.curie_map, f"{name}: curie_map lacks {prefix}"
    assert ledger_problems(mapping_set, subject_prefix=LEDGERS[name]) == []


def test_every_ledger_row_is_well_formed() -> None:
    """One failure line per bad row (a loop, not a parametrization: the ledgers may be empty)."""
    failures = []
    for name in sorted(LEDGERS):
        mapping_set = read_sssom(MAPPINGS / name)
        for item in mapping_set.rows:
            problems = row_problems(item, mapping_set.curie_map)
            if problems:
                failures.append(f"{name}: {item.subject_id}: {problems}")
    assert not failures, "fix the rows or run `lod mappings review`:\n" + "\n".join(failures)


def test_ledgers_hold_only_curator_decisions() -> None:
    """Rows reach the ledgers through review; an empty ledger is still a valid SSSOM file."""
    for name in LEDGERS:
        for item in read_sssom(MAPPINGS / name).rows:
            assert item.reviewer_id, f"{name}: {item.subject_id} was never reviewed"


# --- canonical form ----------------------------------------------------------------------


def test_rendering_sorts_rows_and_fixes_the_column_order() -> None:
    rows = [
        row("lcsinst:us-b", "Q900000016"),
        row("lcsinst:gb-a", "Q900000003", negated=True),
        row("lcsinst:gb-a", "Q900000004"),
        row("unit:public-libraries", "Q900000101", confidence=None),
    ]
    shuffled = rows[:]
    random.Random(5).shuffle(shuffled)  # noqa: S311 - a fixed shuffle, not a secret
    text = render_sssom(empty_set("institutions.sssom.tsv").with_rows(shuffled))
    table = [line.split("\t") for line in text.split("\n") if line and not line.startswith("#")]
    assert tuple(table[0]) == COLUMNS
    body = [(cells[1], cells[4], cells[5]) for cells in table[1:]]
    assert body == [
        ("lcsinst:gb-a", "", "wd:Q900000004"),
        ("lcsinst:gb-a", "Not", "wd:Q900000003"),
        ("lcsinst:us-b", "", "wd:Q900000016"),
        ("unit:public-libraries", "", "wd:Q900000101"),
    ]
    assert table[1][COLUMNS.index("confidence")] == "0.90"
    assert table[4][COLUMNS.index("confidence")] == ""
    assert text.splitlines()[0] == "# curie_map:"


def test_round_trip_is_exact(tmp_path: Path) -> None:
    mapping_set = empty_set("institutions.sssom.tsv", title="t", comment="c: with colon").with_rows(
        [row(), row("unit:cataloguing", "Q900000104", negated=True)]
    )
    path = tmp_path / "x.sssom.tsv"
    write_sssom(path, mapping_set)
    again = read_sssom(path)
    assert again == mapping_set
    assert render_sssom(again) == path.read_text(encoding="utf-8")


def test_cells_are_kept_on_one_line() -> None:
    item = row().model_copy(update={"comment": "a\tb\nc"})
    assert MappingRow.model_validate(item.model_dump()).comment == "a b c"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("object_id\t", "objectid\t"), "columns must be exactly"),
        (lambda t: t.replace("wd:Q900000003", "Q900000003"), "object_id"),
        (lambda t: t.replace("semapv:LexicalMatching", "semapv:Guessing"), "mapping_justification"),
        (lambda t: t.replace("2026-11-26", "26/11/2026"), "mapping_date"),
        (lambda t: t.replace("\t0.90\t", "\t1.5\t"), "confidence"),
        (lambda t: t.replace("# mapping_set_id", "# mapping_set_idx"), "unknown keys"),
    ],
)
def test_parse_errors_name_file_and_line(change: Callable[[str], str], message: str) -> None:
    text = render_sssom(empty_set("i.sssom.tsv").with_rows([row()]))
    with pytest.raises(MappingFileError, match=message) as raised:
        parse_sssom(change(text), source="i.sssom.tsv")
    assert re.match(r"i\.sssom\.tsv:\d+: ", str(raised.value))


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "ledger.tsv"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "new \ud800 text")  # a lone surrogate cannot be encoded half-way through
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.tsv"], "temporary file left behind"


# --- integrity rules ---------------------------------------------------------------------


def test_integrity_accepts_a_decided_row() -> None:
    mapping_set = empty_set("institutions.sssom.tsv").with_rows([row(), row(qid="Q900000004", negated=True)])
    assert ledger_problems(mapping_set, subject_prefix="lcsinst") == []


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([row(curator="")], "author_id"),
        ([row(curator="someone:Jane")], "not a CURIE with a declared prefix"),
        ([row(), row(qid="Q900000004")], "already mapped"),
        ([row(), row(negated=True)], "listed twice"),
        ([row().model_copy(update={"record_id": "lcsmap:0000000000"})], "record_id"),
        ([row(subject="unit:cataloguing")], "must start with lcsinst:"),
        ([row().model_copy(update={"mapping_date": ""})], "mapping_date"),
    ],
)
def test_integrity_finds_problems(rows: list[MappingRow], problem: str) -> None:
    found = ledger_problems(empty_set("institutions.sssom.tsv").with_rows(rows), subject_prefix="lcsinst")
    assert any(problem in text for text in found), found


# --- verified ids ------------------------------------------------------------------------


@pytest.mark.parametrize(("wid", "label"), sorted(wikidata.verified_ids().items()))
def test_every_id_the_matcher_uses_is_verified(wid: str, label: str) -> None:
    table = verified_table()
    assert wid in table, f"{wid} ({label}) is not in mappings/wikidata-ids.tsv"
    assert table[wid]["label"] == label, f"{wid}: label {table[wid]['label']!r}, code says {label!r}"


def test_country_items_are_the_countries_they_claim() -> None:
    import pycountry

    for code, qid in wikidata.country_items().items():
        country = pycountry.countries.get(alpha_2=code)
        names = {getattr(country, a, None) for a in ("name", "official_name", "common_name")}
        assert wikidata.country_labels()[qid] in names, (code, qid)
        assert verified_table()[qid]["note"].startswith("country"), qid


# --- the field-to-property table ---------------------------------------------------------

PROPERTY_ROWS = read_property_table(MAPPINGS / "wikidata-properties.tsv")


@pytest.mark.parametrize("prop", PROPERTY_ROWS, ids=lambda r: f"{r.field}->{r.property}")
def test_property_row_is_verified(prop: PropertyRow) -> None:
    table = verified_table()
    for pid in prop.pids():
        assert pid in table, f"{prop.field}: {pid} is not in mappings/wikidata-ids.tsv"
        assert table[pid]["kind"] == "property", pid
    verified = table[prop.property]
    assert prop.label == verified["label"], f"{prop.property}: label should be {verified['label']!r}"
    assert prop.datatype == verified["datatype"], f"{prop.property}: datatype should be {verified['datatype']!r}"


_MODELS = {"institutions": Institution, "period": Period, "links": Link, "source": Source}


@pytest.mark.parametrize("prop", PROPERTY_ROWS, ids=lambda r: f"{r.field}->{r.property}")
def test_property_row_names_a_contract_field(prop: PropertyRow) -> None:
    fields = [prop.field, *re.findall(r"P\d+=([^;]+)", f"{prop.qualifiers};{prop.reference}")]
    for text in fields:
        text = text.strip()
        if text == "(record)":
            continue
        parts = [re.sub(r"\[.*?\]$", "", part) for part in text.split(".")]
        assert parts[0] in CaseStudy.model_fields, f"{text}: no field {parts[0]!r} in the contract"
        if len(parts) > 1 and not parts[1].startswith("<"):
            model = _MODELS[parts[0]]
            assert parts[1] in model.model_fields, f"{text}: no field {parts[1]!r} in {model.__name__}"


def test_property_table_is_sorted_and_unique() -> None:
    keys = [(p.field, p.property) for p in PROPERTY_ROWS]
    assert keys == sorted(keys), "sort mappings/wikidata-properties.tsv by field, then property"
    assert len(keys) == len(set(keys))
    isil = next(p for p in PROPERTY_ROWS if p.property == "P791")
    assert isil.datatype == "external-id"  # not string: changed on Wikidata, see the research notes
