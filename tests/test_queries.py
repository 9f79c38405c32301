"""The nine fixed catalogue queries on the bundled case studies.

Expected answers are computed here straight from the YAML files with plain
PyYAML, independently of lod's loader, RDF mapping and SPARQL; the query
results are read through ``lod query --format csv`` as a researcher would.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import CASESTUDIES, ROOT, run_lod

LIBRARY_TYPES = [
    "public", "academic", "research", "national", "school", "special", "government",
    "parliamentary", "health", "law", "art", "museum", "archive", "community",
    "non-library", "other",
]
BASE = "https://w3id.org/libcasestudies/"
WD = "http://www.wikidata.org/entity/"


@cache
def records() -> tuple[dict[str, Any], ...]:
    """The bundled records as plain PyYAML reads them, read once per module (they never change
    during a run; the tests only read them)."""
    return tuple(yaml.safe_load(p.read_text(encoding="utf-8"))
                 for p in sorted(CASESTUDIES.glob("*.yaml")))


def unit_ids() -> list[str]:
    with (ROOT / "mappings" / "ifla-unit-ids.tsv").open(encoding="utf-8") as handle:
        return [row["unit_id"] for row in csv.DictReader(handle, delimiter="\t")]


def query_rows(name: str) -> list[dict[str, str]]:
    result = run_lod("query", name, "--data", CASESTUDIES, "--format", "csv")
    assert result.code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def counts(key: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for record in records():
        if key == "type":
            terms = {i["type"] for i in record["institutions"]}
        elif key == "country":
            terms = {i["country"] for i in record["institutions"]}
        elif key == "unit":
            terms = set(record.get("ifla_units") or [])
            if (record.get("submitted_by") or {}).get("unit"):
                terms.add(record["submitted_by"]["unit"])
        else:
            terms = set(record.get(key) or [])
        found.update(terms)
    return found


def test_case_studies() -> None:
    rows = query_rows("case-studies")
    assert list(rows[0]) == ["casestudy", "id", "title", "start", "end"]
    expected = {
        (
            BASE + "casestudy/" + r["id"],
            r["id"],
            r["title"][r["lang"]],
            str((r.get("period") or {}).get("start") or ""),
            str((r.get("period") or {}).get("end") or ""),
        )
        for r in records()
    }
    got = {(r["casestudy"], r["id"], r["title"], r["start"], r["end"]) for r in rows}
    assert got == expected
    assert len(rows) == len(expected)


def test_institutions() -> None:
    rows = query_rows("institutions")
    assert list(rows[0]) == ["institution", "name", "country", "type", "wikidata", "case_studies"]
    groups: dict[Any, set[str]] = {}
    facts: dict[Any, tuple[str, str, str, str]] = {}
    for record in records():
        for inst in record["institutions"]:
            key = inst.get("wikidata") or (inst["country"], inst["name"])
            groups.setdefault(key, set()).add(record["id"])
            qid = WD + inst["wikidata"] if inst.get("wikidata") else ""
            facts.setdefault(key, (inst["name"], inst["country"], inst["type"], qid))
    expected = Counter((*facts[k], str(len(v))) for k, v in groups.items())
    got = Counter((r["name"], r["country"], r["type"], r["wikidata"], r["case_studies"]) for r in rows)
    assert got == expected
    assert len({r["institution"] for r in rows}) == len(rows)


@pytest.mark.parametrize(
    ("name", "column", "key"),
    [
        ("by-library-type", "type", "type"),
        ("by-country", "country", "country"),
        ("by-ifla-unit", "unit", "unit"),
        ("by-project", "project", "wikimedia_projects"),
        ("by-activity", "activity", "activities"),
    ],
)
def test_counts(name: str, column: str, key: str) -> None:
    rows = query_rows(name)
    expected = counts(key)
    got = {r[column]: int(r["case_studies"]) for r in rows}
    assert got == dict(expected)
    if rows:
        assert list(rows[0]) == [column, "case_studies"]
    ordered = [int(r["case_studies"]) for r in rows]
    assert ordered == sorted(ordered, reverse=True)


def test_gaps_library_types() -> None:
    rows = query_rows("gaps-library-types")
    used = set(counts("type"))
    expected = sorted(t for t in LIBRARY_TYPES if t not in used and t not in ("non-library", "other"))
    assert [r["type"] for r in rows] == expected


def test_gaps_ifla_units() -> None:
    rows = query_rows("gaps-ifla-units")
    used = set(counts("unit"))
    assert [r["unit"] for r in rows] == sorted(u for u in unit_ids() if u not in used)


def test_gap_queries_see_a_unit_once_it_is_used(tmp_path: Path) -> None:
    source = (CASESTUDIES / "catalonia-bibliowikis.yaml").read_text(encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    text = source.replace("\nlang:", "\nifla_units: [school-libraries]\nlang:", 1)
    (data / "catalonia-bibliowikis.yaml").write_text(text, encoding="utf-8")
    result = run_lod("query", "gaps-ifla-units", "--data", data, "--format", "csv")
    assert result.code == 0, result.stderr
    gaps = result.stdout.split()
    assert "school-libraries" not in gaps
    assert "public-libraries" in gaps


def test_json_format_is_sparql_results_json() -> None:
    result = run_lod("query", "by-project", "--format", "json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["head"]["vars"] == ["project", "case_studies"]
    first = document["results"]["bindings"][0]
    assert first["project"] == {"type": "literal", "value": "wikipedia"}
    assert first["case_studies"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_tsv_and_table_formats() -> None:
    tsv = run_lod("query", "by-country", "--format", "tsv")
    assert tsv.stdout.splitlines()[0] == "country\tcase_studies"
    table = run_lod("query", "by-country")
    assert table.stdout.splitlines()[0].split() == ["country", "case_studies"]
    assert table.stdout.rstrip().endswith("rows)")


def test_list_and_unknown_query() -> None:
    listed = run_lod("query", "--list")
    assert listed.code == 0
    names = {line.split()[0] for line in listed.stdout.splitlines()}
    assert {"case-studies", "institutions", "by-library-type", "by-country", "by-ifla-unit",
            "by-project", "by-activity", "gaps-library-types", "gaps-ifla-units"} <= names
    unknown = run_lod("query", "no-such-query")
    assert unknown.code == 2
    assert "no query named 'no-such-query'" in unknown.stderr
