"""The reconciliation rules of docs/reconciliation.md, case by case, on a real ``oxigraph serve``.

``tests/data/reconcile-rules/wikidata.ttl`` was written from the rules, not
from the matcher's output: per rule, subjects whose true item must be the top
proposal at 0.9 or more, and decoys that must stay below 0.9 (or not be
proposed at all). The expected answers below are the rules applied by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from conftest import ROOT
from lod.model.case_study import Institution
from lod.reconcile.match import Result, reconcile
from lod.reconcile.score import AUTO_ACCEPT
from lod.reconcile.sparql import SparqlClient
from lod.reconcile.subjects import Subject, subjects_of_institutions
from servers import Oxigraph, oxigraph_server

FIXTURE = ROOT / "tests" / "data" / "reconcile-rules" / "wikidata.ttl"
UA = "lod-tests/0 (reconciliation rules; 127.0.0.1 only)"


@dataclass(frozen=True)
class Case:
    """One subject, its true item (None when Wikidata has none) and the decoys it must not get."""

    rule: str
    institution: Institution
    true: str | None = None
    decoys: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    viaf: str | None = None


def inst(name: str, country: str, kind: str, **extra: str) -> Institution:
    return Institution(name=name, country=country, type=kind, **extra)  # type: ignore[arg-type]


CASES = [
    # 1 class against the record's type
    Case("class agrees; museum and person namesakes are not rivals",
         inst("Harrowgate University Library", "GB", "academic"), "Q9100000101", ("Q9100000102", "Q9100000103")),
    Case("museum item for an academic library", inst("Kingsmere Library", "GB", "academic"), None,
         ("Q9100000111",)),
    Case("public library item for an academic library", inst("Ashby Library", "GB", "academic"), None,
         ("Q9100000121",)),
    Case("a building and an event", inst("Old Mill Library", "DE", "public"), None,
         ("Q9100000131", "Q9100000132")),
    Case("museum record, museum item", inst("Ravensworth Museum", "GB", "museum"), "Q9100000141"),
    Case("type other: any organisation", inst("Westbrook Heritage Trust", "GB", "other"), "Q9100000151"),
    Case("type without a class: a library", inst("Hillcrest School Library", "US", "school"), "Q9100000161"),
    Case("health library, medical library item", inst("Bramble Hospital Library", "GB", "health"),
         "Q9100000171"),
    # 2 ambiguity counts only live rivals
    Case("namesakes abroad and of a conflicting class are ruled out",
         inst("Northbrook Public Library", "GB", "public"), "Q9100000201", ("Q9100000202", "Q9100000203")),
    Case("alias-only namesake ranks below and does not block", inst("Eastfield Library", "NL", "public"),
         "Q9100000211", ("Q9100000212",)),
    Case("two live namesakes", inst("Millford Library", "US", "public"), None, ("Q9100000221", "Q9100000222")),
    # 3 identifiers decide
    Case("ISIL on a renamed item", inst("Stadtbücherei Altenau", "DE", "public", isil="DE-Al123"),
         "Q9100000301", ("Q9100000302",), languages=("en", "de")),
    Case("website on an item with another label",
         inst("Riverside Research Library", "US", "research", website="https://riverside-research.example.org/"),
         "Q9100000311"),
    Case("one ISIL on two items", inst("Lindenfeld Library", "DE", "public", isil="DE-Lf7"), None,
         ("Q9100000321", "Q9100000322"), languages=("en", "de")),
    Case("ISIL on an item abroad", inst("Portmere Library", "GB", "public", isil="GB-PmL"), None,
         ("Q9100000331",)),
    Case("ISIL on an item of a conflicting class", inst("Kestrel Medical Library", "GB", "health", isil="GB-KmL"),
         None, ("Q9100000341",)),
    Case("VIAF on an item with another label and no country", inst("Lakemoor Research Library", "US", "research"),
         "Q9100000351", viaf="910000000000351"),
    # 4 generic names need a second agreement
    Case("generic name, country and class agree", inst("Central Library", "GB", "public"), "Q9100000401",
         ("Q9100000402", "Q9100000403")),
    Case("generic name, class cannot agree", inst("City Library", "FR", "law"), None, ("Q9100000411",)),
    Case("generic name, class not confirmed", inst("Law Library", "US", "law"), None, ("Q9100000421",)),
    Case("generic name with the ISIL, beside a live namesake", inst("Law Library", "CA", "law", isil="CA-LL9"),
         "Q9100000431", ("Q9100000432",)),
    Case("generic name, library of no confirmed type", inst("Main Library", "NL", "academic"), None,
         ("Q9100000441",)),
]


def subject_of(case: Case) -> Subject:
    [subject] = subjects_of_institutions([(case.institution, case.languages)])
    return replace(subject, viaf=case.viaf) if case.viaf else subject


@pytest.fixture(scope="module")
def result() -> Iterator[Result]:
    """One batched run over every case (as ``lod reconcile`` does)."""
    with oxigraph_server(files=[FIXTURE]) as server:
        yield reconcile([subject_of(c) for c in CASES], client=client(server), today=dt.date(2026, 12, 7))


def client(server: Oxigraph) -> SparqlClient:
    return SparqlClient(server.query_url, user_agent=UA, timeout=30)


def test_the_cases_are_distinct_subjects() -> None:
    assert len({subject_of(c).subject_id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [c for c in CASES if c.true], ids=lambda c: c.rule)
def test_every_true_match_is_the_top_proposal_at_0_9_or_more(result: Result, case: Case) -> None:
    ranked = result.ranked[subject_of(case).subject_id]
    assert ranked, "nothing proposed"
    top = ranked[0]
    assert top.qid == case.true, [(s.qid, s.confidence, s.comment()) for s in ranked]
    assert top.confidence >= AUTO_ACCEPT, top.comment()
    assert all(other.confidence < AUTO_ACCEPT for other in ranked[1:])


@pytest.mark.parametrize("case", [c for c in CASES if c.decoys], ids=lambda c: c.rule)
def test_no_decoy_reaches_0_9(result: Result, case: Case) -> None:
    ranked = result.ranked[subject_of(case).subject_id]
    for scored in ranked:
        if scored.qid in case.decoys:
            assert scored.confidence < AUTO_ACCEPT, scored.comment()
    if case.true is None:
        assert all(s.confidence < AUTO_ACCEPT for s in ranked)


def test_the_whole_fixture_at_once(result: Result) -> None:
    """The acceptance figure: 0 decoys at >= 0.9, every true match on top at >= 0.9."""
    decoys_high = [(c.rule, s.qid) for c in CASES for s in result.ranked[subject_of(c).subject_id]
                   if s.qid in c.decoys and s.confidence >= AUTO_ACCEPT]
    missed = [c.rule for c in CASES if c.true and not (
        result.ranked[subject_of(c).subject_id]
        and result.ranked[subject_of(c).subject_id][0].qid == c.true
        and result.ranked[subject_of(c).subject_id][0].confidence >= AUTO_ACCEPT)]
    assert decoys_high == [] and missed == []


def test_people_buildings_and_events_are_not_proposed(result: Result) -> None:
    proposed = {row.qid for row in result.proposals.rows}
    assert not proposed & {"Q9100000103", "Q9100000131", "Q9100000132"}


def test_one_identifier_on_two_items_is_named_in_both_proposals(result: Result) -> None:
    rows = [r for r in result.proposals.rows if r.subject_id == "lcsinst:isil-DE-Lf7"]
    assert {r.qid for r in rows} == {"Q9100000321", "Q9100000322"}
    for row in rows:
        other = ({"Q9100000321", "Q9100000322"} - {row.qid}).pop()
        assert other in row.comment and "resolve on Wikidata" in row.comment


def test_every_proposal_lists_what_agreed_and_what_conflicted(result: Result) -> None:
    by_pair = {(r.subject_id, r.qid): r.comment for r in result.proposals.rows}
    museum = by_pair[("lcsinst:gb-kingsmere-library", "Q9100000111")]
    assert "conflicts: class conflicts" in museum and "instance of: museum" in museum
    abroad = by_pair[("lcsinst:gb-northbrook-public-library", "Q9100000202")]
    assert "another country" in abroad
    renamed = by_pair[("lcsinst:isil-DE-Al123", "Q9100000301")]
    assert "agrees: isil" in renamed and "conflicts: none" in renamed
    for comment in by_pair.values():
        assert comment.startswith("evidence: agrees: ") and "; score: " in comment


def test_the_batched_run_sends_three_requests(result: Result) -> None:
    """Names, identifiers, details (classes included): one request each for these 22 subjects."""
    assert result.stats.requests == 3


def test_the_cache_key_covers_the_endpoint_and_the_whole_query(tmp_path: Path) -> None:
    """A cached answer is reused only for the same endpoint and the very same query text."""
    from lod.reconcile.queries import details_query
    from lod.reconcile.sparql import cache_key

    with oxigraph_server(files=[FIXTURE]) as server:
        first = SparqlClient(server.query_url, user_agent=UA, timeout=30, cache_dir=tmp_path)
        query = details_query(["Q9100000101"], ["en"], ["Q856234"])
        other_roots = details_query(["Q9100000101"], ["en"], ["Q856234", "Q28564"])
        assert query != other_roots
        first.select(query)
        first.select(query)
        first.select(other_roots)  # a different class list: asked again, not served stale
        assert (first.stats.requests, first.stats.cache_hits) == (2, 1)
        elsewhere = SparqlClient(server.url + "/query?", user_agent=UA, timeout=30, cache_dir=tmp_path)
        elsewhere.select(query)
        assert elsewhere.stats.requests == 1
    assert cache_key("http://a/sparql", query) != cache_key("http://a/sparql", query + " ")
    assert cache_key("http://a/sparql", query) != cache_key("http://b/sparql", query)
    assert len(list(tmp_path.rglob("*.json"))) == 3
