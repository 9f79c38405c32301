"""Properties the score keeps for any evidence (Hypothesis), from the rules in docs/reconciliation.md.

* a rival that a hard rule rules out (another country, a conflicting class,
  a non-organisation, a human) never lowers a true match below 0.9;
* adding a candidate never raises another one: a decoy below 0.9 stays
  below 0.9 whatever else is found;
* the order candidates arrive in never changes a score.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from lod.model.case_study import Institution
from lod.reconcile.classes import read_library_types
from lod.reconcile.score import AUTO_ACCEPT, ItemFacts, evidence_for, score
from lod.reconcile.subjects import Subject, subjects_of_institutions

TYPES = read_library_types()
COUNTRY_ITEM = {"GB": "Q145", "US": "Q30", "DE": "Q183"}
#: A Wikidata class of each library type used here (the verified exactMatch of library-types.ttl),
#: or plain "library" for a type without one; "organization" for type other.
CLASS_OF = {"public": "Q28564", "academic": "Q856234", "health": "Q6150991", "museum": "Q33506",
            "school": "Q7075", "other": "Q43229"}
BUILDING = "Q9100000001"  # a fictional non-organisation class
HUMAN = "Q5"
NAME = "Ashcombe Library"


def make_subject(kind: str, country: str, isil: str | None, website: str | None) -> Subject:
    institution = Institution(name=NAME, country=country, type=kind, isil=isil,  # type: ignore[arg-type]
                              website=website)  # type: ignore[arg-type]
    [subject] = subjects_of_institutions([(institution, ("en",))], TYPES)
    return subject


def item(qid: str, *, label: str = NAME, country: str | None = None, classes: frozenset[str] = frozenset(),
         instances: frozenset[str] = frozenset(), isil: str | None = None, website: str | None = None,
         alias: str | None = None) -> ItemFacts:
    return ItemFacts(
        qid=qid,
        labels=frozenset({(label, "en")}),
        aliases=frozenset({(alias, "en")}) if alias else frozenset(),
        countries=frozenset({COUNTRY_ITEM[country]}) if country else frozenset(),
        classes=classes,
        instances=instances or classes,
        isils=frozenset({isil}) if isil else frozenset(),
        websites=frozenset({website}) if website else frozenset(),
    )


kinds = st.sampled_from(sorted(CLASS_OF))
countries = st.sampled_from(sorted(COUNTRY_ITEM))
#: Examples per property: the draws are from small sets (6 types, 3 countries, 3 ways to match,
#: 4 hard rules, 1-5 candidates), so 60 meet each type, way and rule several times (150 took
#: 2.5x the time: each score reads the verified ids afresh).
EXAMPLES = 60


@st.composite
def true_matches(draw: st.DrawFn) -> tuple[Subject, ItemFacts]:
    """A subject and its true item, by one of the ways the rules let a match reach 0.9."""
    kind, country = draw(kinds), draw(countries)
    way = draw(st.sampled_from(["label", "isil", "website"]))
    isil = "GB-AsL" if way == "isil" else draw(st.sampled_from([None, "GB-AsL"]))
    website = "https://ashcombe.example/" if way == "website" else None
    subject = make_subject(kind, country, isil, website)
    label = NAME if way == "label" else draw(st.sampled_from([NAME, "Ashcombe Town Library"]))
    classes = frozenset({CLASS_OF[kind], "Q7075"} if kind != "other" else {CLASS_OF[kind]})
    true = item("Q1", label=label, country=country if way == "label" or draw(st.booleans()) else None,
                classes=classes, isil=isil if way != "label" or isil else None,
                website="http://www.ashcombe.example" if website else None)
    return subject, true


@st.composite
def ruled_out_rivals(draw: st.DrawFn, subject: Subject, qid: str) -> ItemFacts:
    """A candidate that one hard rule rules out, carrying any of the subject's names and identifiers."""
    rule = draw(st.sampled_from(["country", "class", "non-organisation", "human"]))
    conflict = sorted(subject.types.conflict) or (["Q43229"] if subject.types.says_something else [])
    if rule == "class" and not conflict:
        rule = "country"
    own = next(code for code, q in COUNTRY_ITEM.items() if subject.country == code)
    country = draw(st.sampled_from([c for c in COUNTRY_ITEM if c != own])) if rule == "country" else own
    if rule == "country":
        classes = frozenset({"Q7075", CLASS_OF.get(subject.types.term or "other", "Q43229")})
    elif rule == "class":
        classes = frozenset({draw(st.sampled_from(conflict))})
    else:
        classes = frozenset({HUMAN}) if rule == "human" else frozenset()
    return item(qid, label=draw(st.sampled_from([NAME, "Other Name"])), country=country, classes=classes,
                instances=frozenset({BUILDING}) if rule == "non-organisation" else classes,
                isil=draw(st.sampled_from([None, subject.isil])),
                website=draw(st.sampled_from([None, "https://ashcombe.example"])) if subject.website else None,
                alias=draw(st.sampled_from([None, NAME])))


@given(st.data())
@settings(max_examples=EXAMPLES)
def test_a_ruled_out_rival_never_lowers_a_true_match(data: st.DataObject) -> None:
    subject, true = data.draw(true_matches())
    [alone] = score(subject, [true])
    assert alone.confidence >= AUTO_ACCEPT, alone.comment()
    rivals = [data.draw(ruled_out_rivals(subject, f"Q{n}")) for n in range(2, 2 + data.draw(st.integers(1, 4)))]
    for rival in rivals:
        evidence = evidence_for(subject, rival)
        assert evidence.excluded or evidence.ruled_out()
    ranked = score(subject, [*rivals, true])
    assert ranked[0].qid == "Q1" and ranked[0].confidence >= AUTO_ACCEPT, ranked[0].comment()


@st.composite
def any_items(draw: st.DrawFn, qid: str) -> ItemFacts:
    """Any candidate at all: names, identifiers, country and class drawn freely."""
    return item(qid, label=draw(st.sampled_from([NAME, "Other Name"])),
                country=draw(st.sampled_from([None, *COUNTRY_ITEM])),
                classes=draw(st.sets(st.sampled_from(["Q7075", "Q28564", "Q856234", "Q33506", "Q43229", HUMAN]),
                                     max_size=2).map(frozenset)),
                isil=draw(st.sampled_from([None, "GB-AsL"])),
                website=draw(st.sampled_from([None, "http://ashcombe.example/"])),
                alias=draw(st.sampled_from([None, NAME])))


subjects = st.builds(make_subject, kinds, countries, st.sampled_from([None, "GB-AsL"]),
                     st.sampled_from([None, "https://ashcombe.example"]))


@given(subjects, st.data())
@settings(max_examples=EXAMPLES)
def test_adding_a_candidate_never_raises_another(subject: Subject, data: st.DataObject) -> None:
    found = [data.draw(any_items(f"Q{n}")) for n in range(1, 1 + data.draw(st.integers(0, 4)))]
    decoy = data.draw(any_items("Q99"))
    before = {s.qid: s.confidence for s in score(subject, found)}
    alone = {s.qid: s.confidence for s in score(subject, [decoy])}
    after = {s.qid: s.confidence for s in score(subject, [*found, decoy])}
    for qid, confidence in before.items():
        assert after[qid] <= confidence
    if alone.get("Q99", 0.0) < AUTO_ACCEPT:  # a decoy below 0.9 on its own stays below among others
        assert after.get("Q99", 0.0) < AUTO_ACCEPT


@given(subjects, st.data())
@settings(max_examples=EXAMPLES)
def test_candidate_order_never_changes_a_score(subject: Subject, data: st.DataObject) -> None:
    found = [data.draw(any_items(f"Q{n}")) for n in range(1, 1 + data.draw(st.integers(1, 5)))]
    shuffled = data.draw(st.permutations(found))
    first = [(s.qid, s.confidence, s.comment()) for s in score(subject, found)]
    assert [(s.qid, s.confidence, s.comment()) for s in score(subject, shuffled)] == first


def test_viaf_is_compared_without_leading_zeros() -> None:
    subject = replace(make_subject("public", "GB", None, None), viaf="00123")
    [best] = score(subject, [replace(item("Q1", label="Another Name", country="GB",
                                           classes=frozenset({"Q28564", "Q7075"})), viafs=frozenset({"123"}))])
    assert best.evidence.viaf and best.confidence >= AUTO_ACCEPT
