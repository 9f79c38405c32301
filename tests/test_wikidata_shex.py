"""The case-study EntitySchema (ShExC, generated from the property table) and the planned items."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pyshex import ShExEvaluator

from conftest import CASESTUDIES, ROOT
from lod import resources
from lod.pipeline import assemble
from lod.publish.wikidata.facts import project_labels, read_values, record_facts
from lod.publish.wikidata.model import Plan, PlannedItem
from lod.publish.wikidata.plan import build_plan
from lod.publish.wikidata.shex import item_ntriples, schema
from lod.settings import Settings

SUBJECT = "http://www.wikidata.org/entity/Q1"


@pytest.fixture(scope="module")
def plan() -> Plan:
    """Every bundled record planned against an empty wiki (all creates); pure code, no server."""
    settings = Settings(data_dir=CASESTUDIES)
    assembled = assemble([CASESTUDIES], settings, include_drafts=False)
    facts = [record_facts(r.record, assembled.store, settings.base) for r in assembled.records]
    values = read_values(resources.mappings_dir() / "wikidata-values.tsv")
    return build_plan(facts, project_labels(assembled.store), values, {}, [])


def _conforms(item: PlannedItem) -> tuple[bool, str]:
    results = ShExEvaluator(rdf=item_ntriples(item, SUBJECT), schema=schema(), focus=SUBJECT,
                            rdf_format="nt").evaluate()
    return results[0].result, str(results[0].reason)


def test_the_documented_schema_is_the_generated_one() -> None:
    assert (ROOT / "docs" / "casestudy-item.shex").read_text(encoding="utf-8") == schema()


def test_every_planned_case_study_conforms(plan: Plan) -> None:
    creates = [i for i in plan.items if i.kind == "case-study" and i.action == "create"]
    assert len(creates) == len(list(Path(CASESTUDIES).glob("*.yaml")))
    for item in creates:
        ok, reason = _conforms(item)
        assert ok, (item.key, reason)


def test_a_statement_without_a_reference_does_not_conform(plan: Plan) -> None:
    item = next(i for i in plan.items if i.action == "create" and i.kind == "case-study")
    bare = dataclasses.replace(item, statements=[
        dataclasses.replace(item.statements[0], reference=()), *item.statements[1:]])
    assert not _conforms(bare)[0]


def test_an_item_that_is_not_a_case_study_does_not_conform(plan: Plan) -> None:
    item = next(i for i in plan.items if i.action == "create" and i.kind == "case-study")
    other = dataclasses.replace(item, statements=[s for s in item.statements if s.property != "P31"])
    assert not _conforms(other)[0]
