"""The plan's rules as pure code: no server, the wiki's state given as values."""

from __future__ import annotations

import datetime as dt

from lod import resources
from lod.publish.wikidata.facts import Participant, RecordFacts, read_values
from lod.publish.wikidata.model import ItemState, Value, item, partial_date
from lod.publish.wikidata.plan import build_plan
from lod.publish.wikidata.terms import unique_descriptions

VALUES = read_values(resources.mappings_dir() / "wikidata-values.tsv")
PROJECTS = {"wikipedia": "Wikipedia"}


def facts(record_id: str = "a", *, names: tuple[str, ...] = ("Ashcombe Library",),
          qid: str | None = None, title: str = "Editing at Ashcombe") -> RecordFacts:
    return RecordFacts(
        id=record_id, lang="en", titles={"en": title}, qid=qid,
        source_url=f"https://example.org/{record_id}", retrieved=dt.date(2026, 1, 15),
        start="2019-03", end=None,
        participants=tuple(Participant(f"gb-{n}", n, "GB", "public", "lead", "Q23308", "Q28564")
                           for n in names),
        units=(), projects=(("wikipedia", "Q52"),), reports=(),
        decision="item" if qid else "project", project_names={"en": title})


def test_dates_keep_their_precision() -> None:
    assert partial_date("2019") == Value("time", "+2019-00-00T00:00:00Z", precision=9)
    assert partial_date("2019-03") == Value("time", "+2019-03-00T00:00:00Z", precision=10)
    assert partial_date("2019-03-07") == Value("time", "+2019-03-07T00:00:00Z", precision=11)
    # Wikibase may store a month as ...-03-01: the same value at month precision
    assert Value("time", "+2019-03-01T00:00:00Z", precision=10).key() == partial_date("2019-03").key()
    assert partial_date("2019").key() != partial_date("2019-03").key()


def test_a_long_name_gives_a_short_description() -> None:
    long_names = tuple(f"{'Very ' * 20}Long Library Number {n}" for n in range(4))
    plan = build_plan([facts(names=long_names)], PROJECTS, VALUES,
                      {"Q23308": ItemState("Q23308")}, [])
    created = next(i for i in plan.items if i.key == "casestudy:a")
    assert created.descriptions["en"] == "library project on Wikipedia from 2019"


def test_descriptions_are_unique_per_language_in_the_batch() -> None:
    same = {"casestudy:a": {"en": "case study published in 2019"},
            "casestudy:b": {"en": "case study published in 2019"},
            "casestudy:c": {"en": "case study published in 2020"}}
    unique, dropped = unique_descriptions(same, {"casestudy:a": ["Ashcombe Library"],
                                                 "casestudy:b": ["Ashcombe Library"]})
    assert unique["casestudy:a"]["en"] == "case study published in 2019 about Ashcombe Library"
    assert "en" not in unique["casestudy:b"] and dropped == [("casestudy:b", "en")]
    assert unique["casestudy:c"] == same["casestudy:c"]


def test_an_existing_item_keeps_its_statements_and_gets_only_the_missing_ones() -> None:
    current = ItemState("Q7", labels={"en": "Editing at Ashcombe"}, claims={
        "P31": (item("Q170584"),),
        "P664": (item("Q23308"),),  # without a reference: still the same statement
        "P2283": (item("Q565"),),  # another value: kept, Q52 added beside it
    })
    state = {"Q7": current, "Q23308": ItemState("Q23308")}
    plan = build_plan([facts(qid="Q7")], PROJECTS, VALUES, state, [])
    planned = next(i for i in plan.items if i.key == "casestudy:a")
    assert planned.action == "update"
    added = [(s.property, s.value.value) for s in planned.statements]
    assert ("P31", "Q170584") not in added
    assert ("P664", "Q23308") not in added
    assert ("P2283", "Q52") in added
    assert planned.labels == {}  # a QID decision names no labels


def test_nothing_to_add_is_planned_as_none() -> None:
    record = facts(qid="Q7")
    project = {"P31": (item("Q170584"),)}
    first = build_plan([record], PROJECTS, VALUES,
                       {"Q7": ItemState("Q7", claims=project), "Q23308": ItemState("Q23308")}, [])
    planned = next(i for i in first.items if i.key == "casestudy:a")
    claims: dict[str, tuple[Value, ...]] = dict(project)
    for statement in planned.statements:
        claims[statement.property] = (*claims.get(statement.property, ()), statement.value)
    after = ItemState("Q7", labels=dict(planned.labels), descriptions=dict(planned.descriptions),
                      claims=claims)
    again = build_plan([record], PROJECTS, VALUES, {"Q7": after, "Q23308": ItemState("Q23308")}, [])
    assert next(i for i in again.items if i.key == "casestudy:a").action == "none"


def test_a_project_without_a_source_url_is_blocked_and_says_how_to_fix_it() -> None:
    record = facts()
    bare = RecordFacts(**{**record.__dict__, "source_url": None})
    plan = build_plan([bare], PROJECTS, VALUES, {"Q23308": ItemState("Q23308")}, [])
    assert plan.blocked
    assert next(i for i in plan.items if i.key == "casestudy:a").action == "blocked"
    assert any(w.code == "no-source" and "add source.url" in w.message for w in plan.warnings)
