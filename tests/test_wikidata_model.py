"""The Wikidata data model (docs/wikidata-model.md) as pure code: facts and a given wiki state in.

Each test states a rule of the issue (18, points 1-5; 27, point 6) and what a
patroller would check on the planned item. The 17 records of
``tests/data/wikidata/independent`` were written from the research facts,
independently of the bundled records, without ``source.retrieved``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyshex import ShExEvaluator

from lod import resources
from lod.pipeline import assemble
from lod.publish.wikidata.decisions import (
    CreateDecision,
    InstitutionClass,
    Options,
    read_institution_classes,
)
from lod.publish.wikidata.facts import (
    Participant,
    RecordFacts,
    Work,
    project_labels,
    read_values,
    record_facts,
)
from lod.publish.wikidata.model import (
    Candidate,
    ItemState,
    Plan,
    PlannedItem,
    Statement,
    Value,
    item,
)
from lod.publish.wikidata.plan import Evidence, build_plan
from lod.publish.wikidata.shex import item_ntriples, schema
from lod.publish.wikidata.sources import normalise, read_blocklist, url_key
from lod.publish.wikidata.terms import fits, words
from lod.settings import Settings
from tests.conftest import CASESTUDIES, ROOT

VALUES = read_values(resources.mappings_dir() / "wikidata-values.tsv")
PROJECTS = {"wikipedia": "Wikipedia", "commons": "Wikimedia Commons"}
INDEPENDENT = ROOT / "tests" / "data" / "wikidata" / "independent"
SUBJECT = "http://www.wikidata.org/entity/Q1"
BL = "Q23308"


def participant(name: str = "Ashcombe Library", role: str | None = "lead",
                qid: str | None = BL) -> Participant:
    return Participant(f"gb-{name.lower().replace(' ', '-')}", name, "GB", "public", role, qid,
                       "Q28564")


def work(record_id: str = "a", *, url: str = "https://example.org/article", language: str = "fr",
         title: str = "Une bibliothèque et Wikipédia", authors: tuple[str, ...] = ("Marie Dupont",),
         doi: str | None = None, retrieved: dt.date | None = dt.date(2026, 1, 15),
         participants: tuple[Participant, ...] = (participant(),)) -> RecordFacts:
    return RecordFacts(
        id=record_id, lang="en", titles={"en": "The catalogue's own title"}, qid=None,
        source_url=url, retrieved=retrieved, start="2019-03", end=None,
        participants=participants, units=(), projects=(("wikipedia", "Q52"),), reports=(),
        decision="work",
        work=Work(title=title, language=language, published="2020-05", authors=authors, doi=doi))


def project(record_id: str = "p", *, url: str = "https://example.org/project",
            participants: tuple[Participant, ...] = (participant(),),
            names: dict[str, str] | None = None, start: str = "2012", end: str | None = None,
            retrieved: dt.date | None = dt.date(2026, 1, 15)) -> RecordFacts:
    return RecordFacts(
        id=record_id, lang="en", titles={"en": "Catalogue title of a project"}, qid=None,
        source_url=url, retrieved=retrieved, start=start, end=end, participants=participants,
        units=(), projects=(("wikipedia", "Q52"), ("commons", "Q565")), reports=(),
        decision="project", project_names=names or {"ca": "Bibliowikis"})


STATE = {BL: ItemState(BL, claims={"P31": (item("Q22806"),)})}


def plan_of(*records: RecordFacts, state: dict[str, ItemState] | None = None,
            candidates: tuple[Candidate, ...] = (), evidence: Evidence | None = None) -> Plan:
    return build_plan(list(records), PROJECTS, VALUES, state if state is not None else STATE,
                      candidates, evidence=evidence or Evidence())


def planned(plan: Plan, record_id: str) -> PlannedItem:
    return next(i for i in plan.items if i.key == f"casestudy:{record_id}")


def statements(planned_item: PlannedItem, pid: str) -> list[Statement]:
    return [s for s in planned_item.statements if s.property == pid]


# --- point 3: statements that mean what they say ------------------------------------------------


def test_p407_and_the_title_are_the_works_own_not_the_records() -> None:
    created = planned(plan_of(work()), "a")
    assert created.kind == "work" and created.action == "create"
    assert [s.value.value for s in statements(created, "P407")] == ["Q150"]  # French, not English
    [title] = statements(created, "P1476")
    assert (title.value.value, title.value.lang) == ("Une bibliothèque et Wikipédia", "fr")
    assert created.labels == {"fr": "Une bibliothèque et Wikipédia"}
    assert "The catalogue's own title" not in str(created.to_json())


def test_authors_keep_their_order_and_no_participant_is_put_on_a_work() -> None:
    created = planned(plan_of(work(authors=("B. Second", "A. First"))), "a")
    authors = statements(created, "P2093")
    assert [(s.value.value, s.qualifiers) for s in authors] == [
        ("B. Second", (("P1545", Value("string", "1")),)),
        ("A. First", (("P1545", Value("string", "2")),))]
    assert not statements(created, "P710")
    assert [s.value.value for s in statements(created, "P921")] == [BL]


def test_a_lead_institution_is_the_organiser_and_no_period_is_copied_onto_participants() -> None:
    people = (participant("Ashcombe Library", "lead", BL),
              participant("Other Library", "partner", "Q666063"),
              participant("Quiet Library", None, "Q193563"),
              participant("Money Council", "funder", "Q131454"))
    state = {q: ItemState(q) for q in ("Q666063", "Q193563", "Q131454")} | STATE
    created = planned(plan_of(project(participants=people, start="2012-05", end="2013"),
                              state=state), "p")
    assert [s.value.value for s in statements(created, "P664")] == [BL]
    assert sorted(s.value.value for s in statements(created, "P710")) == ["Q193563", "Q666063"]
    assert [s.value.value for s in statements(created, "P8324")] == ["Q131454"]
    for statement in created.statements:
        assert statement.qualifiers == (), statement  # no period copied onto anyone
    assert statements(created, "P580")[0].value == Value("time", "+2012-05-00T00:00:00Z",
                                                         precision=10)
    assert statements(created, "P582")[0].value.precision == 9


def test_project_labels_are_its_name_without_bracketed_disambiguation() -> None:
    plan = plan_of(project(names={"en": "Bibliowikis (Catalonia)", "ca": "Bibliowikis"}))
    created = planned(plan, "p")
    assert created.labels == {"ca": "Bibliowikis", "en": "Bibliowikis"}
    assert any(w.code == "label-disambiguation" for w in plan.warnings)


@settings(max_examples=60, deadline=None)
@given(authors=st.lists(st.text(alphabet="abcdefghij ", min_size=1, max_size=40)
                        .map(lambda t: " ".join(t.split()) or "X"), max_size=4),
       year=st.integers(1990, 2030),
       names=st.lists(st.text(alphabet="abc ", min_size=1, max_size=60)
                      .map(lambda t: " ".join(t.split()) or "Y"), min_size=1, max_size=3))
def test_descriptions_are_2_to_12_words_and_unique(authors: list[str], year: int,
                                                   names: list[str]) -> None:
    people = tuple(participant(n, "lead", BL) for n in names)
    records = [
        dataclasses.replace(work("a", participants=people), work=Work(
            "T", "en", str(year), tuple(authors))),
        dataclasses.replace(work("b", url="https://example.org/b", participants=people),
                            work=Work("T2", "en", str(year), tuple(authors))),
        project("p", participants=people, start=str(year)),
    ]
    plan = plan_of(*records)
    seen: set[tuple[str, str]] = set()
    for planned_item in plan.items:
        for lang, text in planned_item.descriptions.items():
            assert fits(text), text
            assert 2 <= words(text) <= 12
            assert not text[0].isupper() or lang == "de"
            assert (lang, text) not in seen
            seen.add((lang, text))


# --- point 4: sources ---------------------------------------------------------------------------


def test_mobile_scheme_encoding_and_language_less_urls_are_normalised() -> None:
    assert normalise("https://en.m.wikipedia.org/wiki/Wikipedia:GLAM/SLIC").url == \
        "https://en.wikipedia.org/wiki/Wikipedia:GLAM/SLIC"
    assert normalise("http://outreach.m.wikimedia.org/wiki/GLAM/Case studies/Catalonia's").url == \
        "https://outreach.wikimedia.org/wiki/GLAM/Case_studies/Catalonia%27s"
    assert normalise("https://outreach.wikimedia.org/wiki/GLAM/Case_studies/Catalonia%27s").url == \
        "https://outreach.wikimedia.org/wiki/GLAM/Case_studies/Catalonia%27s"
    assert normalise("https://m.wikidata.org/wiki/Q42").url == "https://www.wikidata.org/wiki/Q42"
    assert normalise("https://wikipedia.org/wiki/1Lib1Ref", "fr").url == \
        "https://fr.wikipedia.org/wiki/1Lib1Ref"
    assert normalise("HTTP://Example.ORG:80/a%2fb%7e").url == "http://example.org/a%2Fb~"
    assert url_key("http://www.dlib.org/dlib/x.html") == url_key("https://dlib.org/dlib/x.html/")


def test_a_mobile_source_is_planned_under_its_desktop_url() -> None:
    record = project(url="https://en.m.wikipedia.org/wiki/Wikipedia:GLAM/SLIC")
    created = planned(plan_of(record), "p")
    [described] = statements(created, "P973")
    assert described.value.value == "https://en.wikipedia.org/wiki/Wikipedia:GLAM/SLIC"


def test_a_wikipedia_source_is_imported_from_not_cited_and_self_values_carry_no_reference() -> None:
    record = project(url="https://en.wikipedia.org/wiki/Wikipedia:GLAM/NLS")
    created = planned(plan_of(record), "p")
    for statement in created.statements:
        properties = [pid for pid, _ in statement.reference]
        assert "P854" not in properties
        if statement.property == "P973":
            assert statement.reference == ()  # its value is the source itself
        else:
            assert statement.reference[:2] == (
                ("P143", item("Q328")),
                ("P4656", Value("url", "https://en.wikipedia.org/wiki/Wikipedia:GLAM/NLS")))


def test_a_work_gets_no_reference_on_its_own_url_or_its_doi() -> None:
    created = planned(plan_of(work(doi="10.1045/march2013-example")), "a")
    [url] = statements(created, "P953")
    [doi] = statements(created, "P356")
    assert url.reference == () and doi.reference == ()
    assert doi.value.value == "10.1045/MARCH2013-EXAMPLE"
    for statement in created.statements:
        if statement.property not in {"P953", "P356"}:
            assert ("P854", Value("url", "https://example.org/article")) in statement.reference


def test_a_mirror_is_never_cited_and_the_record_says_how_to_fix_it() -> None:
    mirror = "http://zims-en.kiwix.campusafrica.gos.orange.com/wikipedia_en_all_nopic/A/1Lib1Ref"
    plan = plan_of(project(url=mirror))
    assert planned(plan, "p").action == "blocked"
    [error] = [w for w in plan.warnings if w.code == "blocked-source"]
    assert error.severity == "error" and "mirror" in error.message
    assert "replace source.url with the original page" in error.message
    assert mirror not in str(plan.to_json()["items"])


def test_every_blocklist_entry_says_why() -> None:
    entries = read_blocklist()
    assert entries
    for entry in entries:
        assert entry.kind in {"mirror", "copy"} and len(entry.reason.split()) >= 5, entry


def test_a_missing_retrieved_date_never_blocks() -> None:
    plan = plan_of(work(retrieved=None), project(retrieved=None))
    for key in ("a", "p"):
        created = planned(plan, key)
        assert created.action == "create"
        for statement in created.statements:
            assert "P813" not in [pid for pid, _ in statement.reference]
    notes = [w for w in plan.warnings if w.code == "no-retrieved-date"]
    assert len(notes) == 2 and all(w.severity == "info" for w in notes)
    assert not plan.blocked


# --- point 2 and issue 27 point 6: decisions ----------------------------------------------------


def test_a_record_without_a_decision_gets_no_item_and_is_listed_with_what_to_add() -> None:
    undecided = dataclasses.replace(work("u"), decision=None, work=Work())
    plan = plan_of(undecided)
    assert [i for i in plan.items if i.record == "u"] == []
    [entry] = plan.undecided
    assert entry.record == "u"
    assert any("create: work" in c and "source.title" in c for c in entry.choices)
    assert plan.to_json()["undecided"] == [entry.to_json()]


def test_a_record_qid_pointing_at_a_library_is_refused() -> None:
    record = dataclasses.replace(work("lib"), decision="item", qid=BL)
    plan = plan_of(record)
    refused = planned(plan, "lib")
    assert refused.action == "blocked" and refused.statements == []
    [error] = [w for w in plan.warnings if w.code == "not-a-case-study"]
    assert error.severity == "error" and "lib" in error.message and BL in error.message
    assert "Q22806 (national library)" in error.message or "Q22806" in error.message


def test_a_record_qid_of_a_work_is_updated_with_what_it_lacks() -> None:
    state = {"Q7": ItemState("Q7", claims={"P31": (item("Q13442814"),),
                                           "P407": (item("Q150"),)})} | STATE
    record = dataclasses.replace(work("w"), decision="item", qid="Q7")
    updated = planned(plan_of(record, state=state), "w")
    assert updated.action == "update" and updated.item == "Q7"
    assert not statements(updated, "P407") and statements(updated, "P1476")


# --- point 5: duplicates --------------------------------------------------------------------------


def test_a_url_variant_of_an_existing_item_is_found_not_created() -> None:
    existing = ItemState("Q9", labels={"en": "Another name"}, claims={
        "P31": (item("Q155207"),),
        "P953": (Value("url", "https://www.dlib.org/dlib/march13/x/03x.html/"),)})
    record = work(url="http://dlib.org/dlib/march13/x/03x.html")
    plan = plan_of(record, state={"Q9": existing} | STATE,
                   candidates=(Candidate("casestudy:a", "Q9", "url"),))
    updated = planned(plan, "a")
    assert updated.action == "update" and updated.item == "Q9"
    assert not statements(updated, "P953")  # the same page: not added again


def test_a_doi_of_an_existing_item_is_found_whatever_its_case() -> None:
    existing = ItemState("Q10", claims={"P356": (Value("external-id", "10.1045/MARCH2013-X"),)})
    plan = plan_of(work(doi="10.1045/march2013-x"), state={"Q10": existing} | STATE,
                   candidates=(Candidate("casestudy:a", "Q10", "doi"),))
    assert planned(plan, "a").item == "Q10"


def test_a_near_title_is_a_warning_an_equal_one_an_update() -> None:
    near = ItemState("Q11", labels={"fr": "Une bibliothèque et Wikipédia !!"},
                     claims={"P31": (item("Q155207"),)})
    plan = plan_of(work(), state={"Q11": near} | STATE,
                   candidates=(Candidate("casestudy:a", "Q11", "search"),))
    assert planned(plan, "a").item == "Q11"  # punctuation and case ignored: the same title
    other = ItemState("Q12", labels={"fr": "Une bibliothèque et Wikipédia 2"},
                      claims={"P31": (item("Q155207"),)})
    plan = plan_of(work(), state={"Q12": other} | STATE,
                   candidates=(Candidate("casestudy:a", "Q12", "search"),))
    assert planned(plan, "a").action == "create"
    assert any(w.code == "near-duplicate" and "Q12" in w.message for w in plan.warnings)


def test_the_journal_of_a_live_run_is_evidence_whatever_the_query_service_says() -> None:
    made = ItemState("Q13", labels={"ca": "Bibliowikis"}, claims={"P31": (item("Q170584"),)})
    plan = plan_of(project(), state={"Q13": made} | STATE,
                   evidence=Evidence({"casestudy:p": "Q13"}))
    again = planned(plan, "p")
    assert again.action == "update" and again.item == "Q13"


# --- the 17 independent records, and the EntitySchema ---------------------------------------------


def _facts(folder: Path) -> tuple[list[RecordFacts], dict[str, str]]:
    settings_ = Settings(data_dir=folder)
    assembled = assemble([folder], settings_, include_drafts=False)
    assert assembled.problems == []
    facts = [record_facts(r.record, assembled.store, settings_.base) for r in assembled.records]
    return facts, project_labels(assembled.store)


@pytest.fixture(scope="module")
def independent() -> tuple[list[RecordFacts], Plan]:
    facts, projects = _facts(INDEPENDENT)
    return facts, build_plan(facts, projects, VALUES, {BL: ItemState(BL)}, [])


def test_every_independent_record_with_a_decision_is_planned(
        independent: tuple[list[RecordFacts], Plan]) -> None:
    facts, plan = independent
    assert len(facts) == 17
    decided = {f.id for f in facts if f.decision}
    own = {i.record: i for i in plan.items if i.key.startswith("casestudy:")}
    assert set(own) == decided
    assert all(i.action == "create" for i in own.values()), {
        k: i.action for k, i in own.items() if i.action != "create"}
    assert {u.record for u in plan.undecided} == {f.id for f in facts if not f.decision}
    assert not plan.blocked, [w for w in plan.warnings if w.severity == "error"]
    assert all(f.retrieved is None for f in facts)


def _conforms(planned_item: PlannedItem) -> tuple[bool, str]:
    results = ShExEvaluator(rdf=item_ntriples(planned_item, SUBJECT), schema=schema(),
                            focus=SUBJECT, start=planned_item.kind,
                            rdf_format="nt").evaluate()
    return results[0].result, str(results[0].reason)


def _bundled_plan() -> Plan:
    facts, projects = _facts(CASESTUDIES)
    return build_plan(facts, projects, VALUES, {}, [])


def test_every_planned_item_conforms_to_the_entity_schema(
        independent: tuple[list[RecordFacts], Plan]) -> None:
    creates = [i for plan in (independent[1], _bundled_plan()) for i in plan.items
               if i.action == "create"]
    assert {i.kind for i in creates} == {"work", "project"}
    for planned_item in creates:
        ok, reason = _conforms(planned_item)
        assert ok, (planned_item.key, reason)


def test_the_schema_refuses_what_the_model_does_not_allow() -> None:
    created = planned(plan_of(work()), "a")
    with_participant = dataclasses.replace(created, statements=[
        *created.statements, Statement("P710", item(BL), reference=created.statements[0].reference)])
    assert not _conforms(with_participant)[0]
    self_cited = dataclasses.replace(created, statements=[
        dataclasses.replace(s, reference=(("P854", s.value),)) if s.property == "P953" else s
        for s in created.statements])
    assert not _conforms(self_cited)[0]
    unsourced = dataclasses.replace(created, statements=[
        dataclasses.replace(s, reference=()) if s.property == "P1476" else s
        for s in created.statements])
    assert not _conforms(unsourced)[0]


def test_the_documented_schema_is_the_generated_one() -> None:
    assert (ROOT / "docs" / "casestudy-item.shex").read_text(encoding="utf-8") == schema()


# --- institutions: created only on a recorded decision, with the class of its kind ----------------


def _classes() -> dict[str, InstitutionClass]:
    return read_institution_classes(resources.mappings_dir() / "wikidata-institution-classes.tsv")


def test_a_university_is_created_as_a_university_and_only_on_a_decision() -> None:
    uni = Participant("gb-uni", "University of Ashcombe (UK)", "GB", "academic", "lead", None, None)
    library = Participant("gb-lib", "Ashcombe Library", "GB", "public", "partner", None, None)
    record = project(participants=(uni, library))
    options = Options(create_institutions=True, classes=_classes(),
                      decisions={"gb-uni": CreateDecision("gb-uni", "university")})
    plan = build_plan([record], PROJECTS, VALUES, {}, [], options)
    created = {i.key: i for i in plan.items if i.kind == "institution"}
    assert set(created) == {"institution:gb-uni"}  # the library has no decision: not created
    uni_item = created["institution:gb-uni"]
    assert [s.value.value for s in statements(uni_item, "P31")] == ["Q3918"]  # not Q856234
    assert uni_item.labels == {"en": "University of Ashcombe"}
    assert uni_item.descriptions == {"en": "university in United Kingdom"}
    assert any(w.code == "needs-reconciliation" and "Ashcombe Library" in w.message
               for w in plan.warnings)


def test_the_class_table_holds_only_verified_ids_with_their_labels() -> None:
    verified = {}
    for line in (resources.mappings_dir() / "wikidata-ids.tsv").read_text(
            encoding="utf-8").splitlines()[1:]:
        cells = line.split("\t")
        verified[cells[0]] = cells[1]
    for kind, row in _classes().items():
        if row.qid is None:
            assert row.note, kind  # why there is no class
            continue
        assert verified.get(row.qid) == row.label, (kind, row.qid)
    assert _classes()["archive"].qid != _classes()["library"].qid
    for qid, label in VALUES.labels.items():
        assert verified.get(qid) == label, qid
