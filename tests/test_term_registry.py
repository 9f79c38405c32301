"""One registry of terms (issue 21 point 4; issue 24 point 7).

Every predicate and class in a build (of the bundled records and of generated
ones) is declared in mappings/ontology.ttl or a named external vocabulary,
constrained by a shape or listed as free with a reason, and named in
docs/model.md. Each check is also shown failing: a copy of the ontology, the
shapes or the document with one term's lines removed makes it report that term.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Triple

from conftest import CASESTUDIES, ROOT, VALID_RECORD
from lod import resources
from lod.ingest.load import load_case_studies
from lod.pipeline import assemble
from lod.rdf.build import case_study_iri, case_study_triples
from lod.rdf.registry import FREE, documented_terms, prefixed, unaccounted, used_terms
from lod.settings import Settings
from lod.validate.shacl import node_origins, shapes_text

ONTOLOGY = (resources.mappings_dir() / "ontology.ttl").read_text(encoding="utf-8")
SHAPES = shapes_text(resources.shapes_dir())
MODEL_DOC = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
LCS = "https://w3id.org/libcasestudies/ns#"


def graph_terms(folder: Path) -> set[str]:
    built = assemble([folder], Settings(data_dir=folder), include_drafts=True)
    assert not built.problems, built.problems[:3]
    return used_terms(Triple(q.subject, q.predicate, q.object) for q in built.store)


def generated(folder: Path, count: int) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate_registry",
                                                  ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.generate(count, folder, seed=11)
    return folder


@pytest.fixture(scope="module")
def bundled_terms() -> set[str]:
    return graph_terms(CASESTUDIES)


def test_every_term_of_the_bundled_build_is_accounted_for(bundled_terms: set[str]) -> None:
    assert f"{LCS}startYear" in bundled_terms
    assert unaccounted(bundled_terms, ontology=ONTOLOGY, shapes=SHAPES, doc=MODEL_DOC) == {}


def test_every_term_of_generated_records_is_accounted_for(tmp_path: Path) -> None:
    terms = graph_terms(generated(tmp_path / "cs", 150))
    # The generator fills the fields the bundled records leave empty.
    assert {f"{LCS}submittedBy", f"{LCS}context", "https://schema.org/email"} <= terms
    assert unaccounted(terms, ontology=ONTOLOGY, shapes=SHAPES, doc=MODEL_DOC) == {}


def _without_lines(text: str, needle: str) -> str:
    kept = [line for line in text.splitlines(keepends=True) if needle not in line]
    assert len(kept) < len(text.splitlines()), f"{needle} is not in the text"
    return "".join(kept)


def _without_block(turtle: str, subject: str) -> str:
    """The Turtle with the statement about ``subject`` (up to its closing ' .') removed."""
    start = turtle.index(f"\n{subject}\n")
    end = turtle.index(" .\n", start) + 3
    return turtle[:start] + "\n" + turtle[end:]


NOT_DECLARED = "not declared in mappings/ontology.ttl"
NOT_SHAPED = "not constrained by a shape nor listed as free"
NOT_DOCUMENTED = "not named in docs/model.md"
#: One declaration taken away: (the source, its text without it, what is reported, for which term).
_TAKEN_AWAY = [
    ("ontology", _without_block(ONTOLOGY, "lcs:startYear"), NOT_DECLARED, "startYear"),
    ("shapes", _without_lines(SHAPES, "sh:path lcs:startYear"), NOT_SHAPED, "startYear"),
    ("shapes", _without_lines(SHAPES, "lcs:Region"), NOT_SHAPED, "Region"),
    ("doc", _without_lines(MODEL_DOC, "lcs:unitKind"), NOT_DOCUMENTED, "unitKind"),
]


@pytest.mark.parametrize(("source", "text", "reason", "local"), _TAKEN_AWAY,
                         ids=[f"{case[0]}-{case[3]}" for case in _TAKEN_AWAY])
def test_a_missing_declaration_is_reported(source: str, text: str, reason: str, local: str,
                                           bundled_terms: set[str]) -> None:
    sources = {"ontology": ONTOLOGY, "shapes": SHAPES, "doc": MODEL_DOC, source: text}
    assert unaccounted(bundled_terms, **sources) == {reason: [f"{LCS}{local}"]}


def test_an_undeclared_predicate_from_the_builder_is_reported(bundled_terms: set[str]) -> None:
    """The issue's example: one new field and one triple, nothing else changed."""
    doi = f"{LCS}grantNumber"
    missing = unaccounted(bundled_terms | {doi}, ontology=ONTOLOGY, shapes=SHAPES, doc=MODEL_DOC)
    assert missing == {reason: [doi] for reason in (NOT_DECLARED, NOT_SHAPED, NOT_DOCUMENTED)}


def test_every_free_term_says_why_and_is_not_also_shaped() -> None:
    shaped = {term for term in FREE if term in SHAPES or prefixed(term) in SHAPES}
    assert not shaped, f"listed as free but constrained by a shape: {sorted(shaped)}"
    assert all(len(reason) > 20 for reason in FREE.values())


def test_the_documented_prefix_block_is_the_predefined_one() -> None:
    from lod.query.prefixes import prefix_block

    assert prefix_block() in MODEL_DOC
    assert "region:" in documented_terms(MODEL_DOC) or "region:" in MODEL_DOC


def test_validation_traces_every_node_the_builder_mints(tmp_path: Path) -> None:
    """Builder and validation name a record's own nodes with one function (fragment_iri)."""
    record = VALID_RECORD.format(id="lyon-editathon") + (
        "submitted_by:\n  kind: individual\n  name: A. Librarian\n")
    (tmp_path / "lyon-editathon.yaml").write_text(record, encoding="utf-8")
    loaded = load_case_studies([tmp_path])
    assert not loaded.problems, loaded.problems
    base = Settings().base
    iri = case_study_iri(base, "lyon-editathon")
    minted = {t.subject.value for t in case_study_triples(base, loaded.records[0].record)
              if t.subject.value.startswith(f"{iri}#")}
    assert {"#contact-1", "#submitter", "#institution-2", "#link-1"} <= {
        node[len(iri):] for node in minted}
    traced = {node for node in node_origins(base, loaded.records) if node.startswith(f"{iri}#")}
    assert minted == traced


def test_no_fragment_is_spelt_outside_the_one_function() -> None:
    spelt = re.compile(r"""f["'][^"']*\{[a-z_]*\}#(?:submitter|institution|link|contact)""")
    offenders = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "lod").rglob("*.py"))
                 if spelt.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def _fields(model: type, prefix: str = "") -> list[str]:
    """Every field path of the contract (``period.start``, ``institutions.role``)."""
    from typing import get_args

    from pydantic import BaseModel

    found = []
    for name, info in model.model_fields.items():  # type: ignore[attr-defined]
        found.append(prefix + name)
        inner = [info.annotation, *get_args(info.annotation)]
        inner += [arg for t in list(inner) for arg in get_args(t)]
        for candidate in inner:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found += _fields(candidate, f"{prefix}{name}.")
                break
    return found


def test_every_field_is_documented() -> None:
    """Each field of the contract is on the format page and in this page's field table."""
    from lod.model.case_study import CaseStudy

    fmt = (ROOT / "docs" / "casestudy-format.md").read_text(encoding="utf-8")
    fields_section = MODEL_DOC.split("## Field by field", 1)[1].split("\n## ", 1)[0]
    fields = _fields(CaseStudy)
    assert "period.start" in fields and "institutions.role" in fields

    def named(field: str, text: str) -> bool:
        leaf = re.escape(field.rsplit(".", 1)[-1])
        return re.search(rf"`[^`\n]*(?<![\w:-]){leaf}(?![\w-])[^`\n]*`", text) is not None

    missing_fmt = [f for f in fields if not named(f, fmt)]
    missing_model = [f for f in fields if not named(f, fields_section)]
    assert missing_fmt == [], f"not on docs/casestudy-format.md: {missing_fmt}"
    assert missing_model == [], f"not in the field table of docs/model.md: {missing_model}"


# ---- the Wikidata side: properties come from mappings/wikidata-properties.tsv, no id in lod/


def _property_table(text: str) -> set[str]:
    """Every property id the table names: a row's property, its qualifiers and references."""
    import csv
    import io

    found: set[str] = set()
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        for column in ("property", "qualifiers", "reference"):
            found.update(re.findall(r"\bP[1-9][0-9]*\b", row.get(column) or ""))
    return found


PROPERTY_TABLE = (ROOT / "mappings" / "wikidata-properties.tsv").read_text(encoding="utf-8")


def _decided(record_id: str, decision: str, **work: object) -> Any:
    """Facts of a record decided ``decision`` (work or project), every field a plan maps filled."""
    import datetime as dt

    from lod.publish.wikidata.facts import Participant, RecordFacts, Work

    return RecordFacts(
        id=record_id, lang="en", titles={"en": "Editing at Ashcombe"}, qid=None,
        source_url=f"https://en.wikipedia.org/wiki/{record_id}", retrieved=dt.date(2026, 1, 15),
        start="2019-03", end="2019-05",
        participants=(Participant("gb-a", "Ashcombe Library", "GB", "public", "lead", "Q23308",
                                  "Q28564", isil="GB-Ash", website="https://ashcombe.example"),
                      Participant("gb-b", "Bexley Trust", "GB", "other", "funder", "Q180", None),
                      Participant("gb-c", "Crane Archive", "GB", "archive", None, "Q7075", None)),
        units=(("cataloguing", "Q2467461"),), projects=(("wikipedia", "Q52"),), reports=(),
        decision=decision, project_names={"en": "Editing at Ashcombe"},
        work=Work(**work))


def _plan_everything(mappings: Path) -> Any:
    """The plan of a work and a project that use every property of the model, with the tables
    of ``mappings``; the institutions' items hold nothing yet, so they get every statement."""
    from lod.publish.wikidata.facts import read_values
    from lod.publish.wikidata.model import ItemState
    from lod.publish.wikidata.plan import build_plan

    records = [_decided("work-a", "work", title="Editing at Ashcombe", language="en",
                        published="2020-02", authors=("A. Writer",), doi="10.1234/ash"),
               _decided("project-b", "project")]
    state = {qid: ItemState(qid) for qid in ("Q23308", "Q180", "Q7075")}
    return build_plan(records, {"wikipedia": "Wikipedia"},
                      read_values(mappings / "wikidata-values.tsv"), state, [])


def test_every_property_the_planner_uses_is_a_row_of_the_property_table() -> None:
    plan = _plan_everything(resources.mappings_dir())
    used = {pid for planned in plan.items for statement in planned.statements
            for pid in (statement.property,
                        *(snak[0] for snak in (*statement.qualifiers, *statement.reference)))}
    table = _property_table(PROPERTY_TABLE)
    # the model's every property: statements, the author's ordinal, both kinds of reference
    assert {"P31", "P17", "P791", "P856", "P1476", "P407", "P577", "P2093", "P1545", "P356",
            "P953", "P921", "P4510", "P664", "P8324", "P710", "P580", "P582", "P2283", "P973",
            "P143", "P4656", "P813"} <= used
    assert used <= table, sorted(used - table)


def test_a_property_row_removed_from_the_table_stops_the_planner_with_file_and_label(
        tmp_path: Path) -> None:
    import shutil

    from lod.publish.wikidata.pids import PropertyTableError
    from lod.publish.wikidata.shex import schema

    mappings = tmp_path / "mappings"
    shutil.copytree(resources.mappings_dir(), mappings)
    table = mappings / "wikidata-properties.tsv"
    table.write_text("".join(line for line in PROPERTY_TABLE.splitlines(keepends=True)
                             if "\tP973\t" not in line), encoding="utf-8")
    assert _plan_everything(resources.mappings_dir()).items  # the package's table plans
    for uses_the_table in (lambda: _plan_everything(mappings), lambda: schema(mappings)):
        with pytest.raises(PropertyTableError) as raised:
            uses_the_table()
        assert not isinstance(raised.value, KeyError)
        assert str(raised.value).startswith(f"{table}:1: property: ")
        assert "'described at URL'" in str(raised.value)  # P973's label: what is missing


#: String constants in lod/ that may hold a Wikidata id, each with its reason (none today:
#: ids live in mappings/ and in the catalogue's .rq files, which are data).
ID_ALLOWED: dict[str, str] = {}
_WIKIDATA_ID = re.compile(r"(?<![A-Za-z0-9_])[PQ][1-9][0-9]*(?![A-Za-z0-9_])")


def id_constants(source: str) -> list[tuple[int, str]]:
    """(line, id) of every Wikidata id in a string constant of ``source`` that is not a
    docstring: literals, the parts of f-strings, keys of dicts alike (an AST walk)."""
    import ast

    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(node.lineno, found) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings for found in _WIKIDATA_ID.findall(node.value)]


def test_the_id_walk_finds_ids_in_every_kind_of_string_but_docstrings() -> None:
    source = ('"""The module, about P31."""\n'
              'INSTANCE_OF = "P31"\n'
              'TEXT = f"no reference ({pid}), no P813"\n'
              'QUERY = "?item wdt:P17 wd:Q145 ."\n'
              'def f() -> None:\n    """Uses P580."""\n    return {"Q5": "human"}\n'
              'NOT_IDS = ("P", "Q0", "XP31", "local:Q", "GB-Ash", "P31x")\n')
    assert sorted(found for _, found in id_constants(source)) == [
        "P17", "P31", "P813", "Q145", "Q5"]


def test_no_wikidata_id_is_written_in_lod() -> None:
    offenders = {}
    for path in sorted((ROOT / "lod").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        found = id_constants(path.read_text(encoding="utf-8"))
        if found and name not in ID_ALLOWED:
            offenders[name] = found
    assert offenders == {}, "name the id by its label from mappings/ (docs/model.md, Adding a field)"
    assert all(len(reason) > 20 for reason in ID_ALLOWED.values())
