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


def test_a_predicate_missing_from_the_ontology_is_reported(bundled_terms: set[str]) -> None:
    ontology = _without_block(ONTOLOGY, "lcs:startYear")
    missing = unaccounted(bundled_terms, ontology=ontology, shapes=SHAPES, doc=MODEL_DOC)
    assert missing == {"not declared in mappings/ontology.ttl": [f"{LCS}startYear"]}


def test_a_predicate_no_shape_constrains_is_reported(bundled_terms: set[str]) -> None:
    shapes = _without_lines(SHAPES, "sh:path lcs:startYear")
    missing = unaccounted(bundled_terms, ontology=ONTOLOGY, shapes=shapes, doc=MODEL_DOC)
    assert missing == {"not constrained by a shape nor listed as free": [f"{LCS}startYear"]}


def test_a_class_no_shape_targets_is_reported(bundled_terms: set[str]) -> None:
    shapes = _without_lines(SHAPES, "lcs:Region")
    missing = unaccounted(bundled_terms, ontology=ONTOLOGY, shapes=shapes, doc=MODEL_DOC)
    assert missing == {"not constrained by a shape nor listed as free": [f"{LCS}Region"]}


def test_a_term_missing_from_the_model_document_is_reported(bundled_terms: set[str]) -> None:
    doc = _without_lines(MODEL_DOC, "lcs:unitKind")
    missing = unaccounted(bundled_terms, ontology=ONTOLOGY, shapes=SHAPES, doc=doc)
    assert missing == {"not named in docs/model.md": [f"{LCS}unitKind"]}


def test_an_undeclared_predicate_from_the_builder_is_reported(bundled_terms: set[str]) -> None:
    """The issue's example: one new field and one triple, nothing else changed."""
    doi = f"{LCS}grantNumber"
    missing = unaccounted(bundled_terms | {doi}, ontology=ONTOLOGY, shapes=SHAPES, doc=MODEL_DOC)
    assert missing == {source: [doi] for source in (
        "not declared in mappings/ontology.ttl",
        "not constrained by a shape nor listed as free",
        "not named in docs/model.md")}


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


# ---- the Wikidata side: properties come from mappings/wikidata-properties.tsv


def _property_table(text: str) -> set[str]:
    """Every property id the table names: a row's property, its qualifiers and references."""
    import csv
    import io

    found: set[str] = set()
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        for column in ("property", "qualifiers", "reference"):
            found.update(re.findall(r"\bP[1-9][0-9]*\b", row.get(column) or ""))
    return found


#: The modules that decide which statements a plan makes (edit summaries and the bot's
#: checks read other items' statements and are not part of the plan).
PLANNER = ("plan.py", "builder.py", "institutions.py", "statements.py", "references.py",
           "duplicates.py", "facts.py", "model.py", "terms.py", "shex.py", "probes.py")


def _planner_properties() -> dict[str, set[str]]:
    """Property ids the planner's modules write as string literals, by module."""
    found = {}
    folder = ROOT / "lod" / "publish" / "wikidata"
    for path in sorted(folder / name for name in PLANNER if (folder / name).is_file()):
        used = set(re.findall(r"""["'](P[1-9][0-9]*)["']""", path.read_text(encoding="utf-8")))
        if used:
            found[path.name] = used
    return found


PROPERTY_TABLE = (ROOT / "mappings" / "wikidata-properties.tsv").read_text(encoding="utf-8")


def test_every_property_the_planner_uses_is_a_row_of_the_property_table() -> None:
    table = _property_table(PROPERTY_TABLE)
    used = _planner_properties()
    assert used, "the planner names its properties"
    missing = {name: sorted(ids - table) for name, ids in used.items() if ids - table}
    assert missing == {}


def test_a_property_row_removed_from_the_table_is_reported() -> None:
    used = set().union(*_planner_properties().values())
    assert "P973" in used
    without = "".join(line for line in PROPERTY_TABLE.splitlines(keepends=True)
                      if "\tP973\t" not in line)
    assert "P973" not in _property_table(without)
    missing = used - _property_table(without)
    assert missing == {"P973"}


#: Where Wikidata ids may be written in code: the matcher's verified table (compared with
#: mappings/wikidata-ids.tsv by tests/test_reconcile_*) and the planner, whose properties are
#: rows of mappings/wikidata-properties.tsv (above). Everything else names them through these.
ID_HOLDERS = ("lod/reconcile/wikidata.py", "lod/publish/wikidata/")


def test_wikidata_ids_are_written_only_where_they_are_checked() -> None:
    literal = re.compile(r'"([PQ][1-9][0-9]*)"')
    offenders = {}
    for path in sorted((ROOT / "lod").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name.startswith(ID_HOLDERS):
            continue
        found = literal.findall(path.read_text(encoding="utf-8"))
        if found:
            offenders[name] = sorted(set(found))
    assert offenders == {}
