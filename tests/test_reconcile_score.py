"""The scorer's rules and the query texts, without a network.

The rules that protect Wikidata are checked on hand-made facts and, with
Hypothesis, on any combination of evidence: another country, a shared name
or a section without IFLA as parent never reaches the bulk-accept threshold,
and humans and non-organisations are never candidates.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rdflib.plugins.sparql import prepareQuery

from lod.reconcile.normalise import website_key, website_variants
from lod.reconcile.queries import details_query, identifier_query, label_query, string_literal
from lod.reconcile.score import AUTO_ACCEPT, ItemFacts, country_match, evidence_for, score
from lod.reconcile.subjects import Subject

LIBRARY = "Q7075"
ORGANISATION = "Q43229"
UK, US = "Q145", "Q30"


def subject(**changes: object) -> Subject:
    values: dict[str, object] = {
        "subject_id": "lcsinst:gb-ashcombe-library",
        "label": "Ashcombe Library",
        "kind": "institution",
        "names": ("Ashcombe Library",),
        "languages": ("en",),
        "country": "GB",
    }
    values.update(changes)
    return Subject(**values)  # type: ignore[arg-type]


def facts(qid: str = "Q900000003", *, label: str = "Ashcombe Library", lang: str = "en",
          **changes: object) -> ItemFacts:
    values: dict[str, object] = {
        "qid": qid,
        "labels": frozenset({(label, lang)}),
        "countries": frozenset({UK}),
        "classes": frozenset({LIBRARY}),
    }
    values.update(changes)
    return ItemFacts(**values)  # type: ignore[arg-type]


def test_a_unique_label_in_the_right_country_and_class_is_confident() -> None:
    [best] = score(subject(), [facts()])
    assert best.confidence == AUTO_ACCEPT
    assert best.evidence.agreeing() == ["label@en", "country"]  # no library type: class says nothing
    assert best.justification == "semapv:LexicalMatching"


def test_humans_and_non_organisations_are_never_candidates() -> None:
    person = facts("Q900000004", classes=frozenset({"Q5", ORGANISATION}))
    building = facts("Q900000020", classes=frozenset({"Q900000990"}))
    building = facts("Q900000020", classes=frozenset(), instances=frozenset({"Q900000990"}))
    unknown = facts("Q900000021", classes=frozenset())
    [kept] = score(subject(), [person, building, unknown])
    assert evidence_for(subject(), person).excluded == "human"
    assert evidence_for(subject(), building).excluded == "not an organisation"
    # an item that states no class at all is not ruled out, but a name alone does not confirm it
    assert kept.qid == "Q900000021" and kept.confidence < AUTO_ACCEPT


def test_other_country_stays_low_even_with_identifier_and_name() -> None:
    item = facts(countries=frozenset({US}), isils=frozenset({"GB-AsL"}))
    [best] = score(subject(isil="GB-AsL"), [item])
    assert best.evidence.country == "mismatch"
    assert best.confidence < AUTO_ACCEPT


def test_shared_label_is_not_confident_but_a_discriminator_is() -> None:
    twins = [facts("Q900000015"), facts("Q900000016")]
    assert all(s.confidence < AUTO_ACCEPT for s in score(subject(), twins))
    with_site = facts("Q900000016", websites=frozenset({"http://www.ashcombe.example"}))
    ranked = score(subject(website="https://ashcombe.example/"), [facts("Q900000015"), with_site])
    assert ranked[0].qid == "Q900000016" and ranked[0].confidence >= AUTO_ACCEPT
    assert ranked[1].confidence < AUTO_ACCEPT


def test_a_unique_identifier_decides_even_under_another_name() -> None:
    misnamed = facts("Q900000009", label="Eastbrook Heritage Museum", isils=frozenset({"gb-ebcl"}))
    namesake = facts("Q900000010", label="Eastbrook County Library")
    record = subject(names=("Eastbrook County Library",), label="Eastbrook County Library", isil="GB-EbCL")
    ranked = score(record, [namesake, misnamed])
    assert [s.qid for s in ranked] == ["Q900000009", "Q900000010"]
    assert ranked[0].confidence >= AUTO_ACCEPT > ranked[1].confidence
    assert "agrees: isil" in ranked[0].comment()
    assert "identifier or website is on Q900000009" in ranked[1].comment()


def test_identifier_and_name_win_over_a_namesake() -> None:
    right = facts("Q900000011", isils=frozenset({"US-WmUL"}), countries=frozenset({US}))
    namesake = facts("Q900000012", countries=frozenset({US}))
    record = subject(country="US", isil="US-WmUL")
    ranked = score(record, [namesake, right])
    assert ranked[0].qid == "Q900000011" and ranked[0].confidence >= AUTO_ACCEPT
    assert ranked[0].justification == "semapv:CompositeMatching"
    assert ranked[1].confidence <= 0.5


def test_alias_only_is_not_confident() -> None:
    item = facts(label="Ashcombe Town Library", aliases=frozenset({("Ashcombe Library", "en")}))
    [best] = score(subject(), [item])
    assert best.evidence.agreeing()[0] == "alias@en"
    assert best.confidence < AUTO_ACCEPT


def test_labels_count_only_in_the_record_languages_and_mul() -> None:
    assert score(subject(), [facts(lang="de")]) == []
    [best] = score(subject(), [facts(lang="mul")])
    assert best.evidence.label_languages == ("mul",)


def test_a_name_head_counts_only_with_its_parent() -> None:
    record = subject(names=("Biblioteca Central, Universidad de Ejemplo",),
                     qualified_names=(("Biblioteca Central", "Universidad de Ejemplo"),),
                     parent_names=("Universidad de Ejemplo",), country="MX", languages=("es",))
    mexico = {"countries": frozenset({"Q900000901"}), "country_labels": frozenset({"Mexico"})}
    right = facts("Q900000005", label="Biblioteca Central", lang="es",
                  parent_labels=frozenset({"Universidad de Ejemplo"}), **mexico)
    other = facts("Q900000007", label="Biblioteca Central", lang="es",
                  parent_labels=frozenset({"Universidad de Otro Lugar"}), **mexico)
    ranked = score(record, [other, right])
    assert [s.qid for s in ranked] == ["Q900000005"]
    assert ranked[0].confidence >= AUTO_ACCEPT
    assert "name-with-parent" in ranked[0].evidence.agreeing()


def test_country_by_verified_item_else_by_label() -> None:
    assert country_match(subject(), facts()) == "match"
    assert country_match(subject(country="MX"), facts(countries=frozenset({"Q9"}),
                                                       country_labels=frozenset({"Mexico"}))) == "match"
    assert country_match(subject(country="MX"), facts(countries=frozenset({"Q9"}),
                                                       country_labels=frozenset({"Peru"}))) == "mismatch"
    assert country_match(subject(country="MX"), facts(countries=frozenset({"Q9"}))) == "unknown"
    assert country_match(subject(), facts(countries=frozenset())) == "unknown"


def test_an_ifla_unit_needs_ifla_as_parent() -> None:
    unit = subject(subject_id="unit:public-libraries", kind="ifla-unit", names=("Public Libraries Section",),
                   country=None, parent_names=("IFLA",), parent_hosts=("ifla.org",), expects_library=False)
    ifla_child = facts("Q900000101", label="Public Libraries Section", classes=frozenset({ORGANISATION}),
                       countries=frozenset(), parent_websites=frozenset({"https://www.ifla.org/"}))
    other_child = facts("Q900000102", label="Public Libraries Section", classes=frozenset({ORGANISATION}),
                        countries=frozenset(), parent_labels=frozenset({"Library Association"}))
    ranked = score(unit, [other_child, ifla_child])
    assert ranked[0].qid == "Q900000101" and ranked[0].confidence >= AUTO_ACCEPT
    assert ranked[1].confidence < AUTO_ACCEPT
    assert "not IFLA" in ranked[1].comment()


names = st.sampled_from(["Ashcombe Library", "Other Name"])
evidence_facts = st.builds(
    facts,
    qid=st.sampled_from([f"Q90000{n:04d}" for n in range(1, 9)]),
    label=names,
    lang=st.sampled_from(["en", "de", "mul"]),
    aliases=st.sets(st.tuples(names, st.just("en")), max_size=1).map(frozenset),
    countries=st.sets(st.sampled_from([UK, US, "Q183"]), max_size=2).map(frozenset),
    isils=st.sets(st.sampled_from(["GB-AsL", "GB-XX"]), max_size=1).map(frozenset),
    websites=st.sets(st.sampled_from(["http://ashcombe.example", "http://x.example"]), max_size=1).map(frozenset),
    classes=st.sets(st.sampled_from([LIBRARY, ORGANISATION, "Q5", "Q900000990"]), max_size=2).map(frozenset),
)


@given(st.lists(evidence_facts, max_size=4, unique_by=lambda f: f.qid),
       st.sampled_from([None, "GB-AsL"]), st.sampled_from([None, "https://ashcombe.example/"]))
def test_the_protective_rules_hold_for_any_evidence(items: list[ItemFacts], isil: str | None,
                                                   website: str | None) -> None:
    record = subject(isil=isil, website=website)
    ranked = score(record, items)
    labelled = [s for s in ranked if s.evidence.label and not s.evidence.ruled_out()]
    for s in ranked:
        assert "Q5" not in s.facts.classes
        assert s.facts.classes & {LIBRARY, ORGANISATION} or not s.facts.typed
        assert 0 <= s.confidence <= 1
        if s.confidence >= AUTO_ACCEPT:
            assert s.evidence.country == "match" or (s.evidence.country == "unknown" and s.evidence.decisive)
            assert s.evidence.named or s.evidence.decisive
            assert s.evidence.decisive or labelled == [s]  # alias-only namesakes do not block
    live_decisive = [s for s in ranked if s.evidence.decisive and not s.evidence.ruled_out()]
    if live_decisive:
        assert ranked[0].evidence.decisive  # an identifier or website match always ranks first
    assert [s.confidence for s in ranked] == sorted((s.confidence for s in ranked), reverse=True)


# --- normalisation and query texts -------------------------------------------------------


def test_websites_compare_without_scheme_www_or_trailing_slash() -> None:
    assert website_key("https://www.Example.org/") == website_key("http://example.org")
    assert website_key("https://example.org/a/") != website_key("https://example.org/b")
    variants = website_variants("https://example.org/lib/")
    assert "http://www.example.org/lib" in variants and "https://example.org/lib/" in variants
    assert len(variants) == 8


def test_queries_are_standard_sparql_without_engine_extensions() -> None:
    texts = [
        label_query([("Ashcombe Library", "en"), ('Odd "quoted" \\ name', "pt-BR")]),
        identifier_query(isils=["GB-EbCL"], viafs=["1"], websites=["https://x.example/", "bad iri>"]) or "",
        details_query(["Q900000001", "Q5"], ["en", "es"]),
    ]
    for text in texts:
        prepareQuery(text)  # rdflib's SPARQL 1.1 parser
        for extension in ("SERVICE", "wikibase:label", "mwapi", "bd:"):
            assert extension not in text
    assert '"Ashcombe Library"@en' in texts[0] and "@pt-br" in texts[0]
    assert "bad iri" not in texts[1]
    assert identifier_query() is None


def test_string_literals_escape_everything() -> None:
    assert string_literal('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
