"""The matcher against a real Oxigraph loaded with a Wikidata-shaped fixture graph.

``tests/data/reconcile/wikidata.ttl`` holds true matches and decoys (fictional
items, Q9000000xx); ``expected.tsv`` says, independently of the code, which
item each subject really is. Precision and recall are printed on every run;
every proposal at confidence >= 0.9 must be right.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT
from lod.ingest.load import load_case_studies
from lod.ledgers import empty_set
from lod.model.case_study import Institution
from lod.reconcile.match import Result, reconcile
from lod.reconcile.review import confident, decide
from lod.reconcile.score import AUTO_ACCEPT
from lod.reconcile.sparql import SparqlClient
from lod.reconcile.subjects import (
    Subject,
    institution_subjects,
    subjects_of_institutions,
    unit_subjects,
)
from servers import Oxigraph, oxigraph_server

DATA = ROOT / "tests" / "data" / "reconcile"
TODAY = dt.date(2026, 11, 26)
UA = "lod-tests/0 (reconciliation fixture; 127.0.0.1 only)"


def expected() -> dict[str, str]:
    with (DATA / "expected.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["subject_id"]: row["qid"] for row in csv.DictReader(handle, delimiter="\t")}


def fixture_subjects() -> list[Subject]:
    loaded = load_case_studies([DATA / "casestudies"])
    assert not loaded.problems, loaded.problems
    return institution_subjects(r.record for r in loaded.records) + unit_subjects()


@pytest.fixture(scope="module")
def wikidata() -> Iterator[Oxigraph]:
    with oxigraph_server(files=[DATA / "wikidata.ttl"]) as server:
        yield server


def client(server: Oxigraph, cache: Path | None) -> SparqlClient:
    return SparqlClient(server.query_url, user_agent=UA, timeout=30, cache_dir=cache)


def run(server: Oxigraph, cache: Path | None, **options: object) -> Result:
    return reconcile(fixture_subjects(), client=client(server, cache), today=TODAY, **options)  # type: ignore[arg-type]


def test_precision_and_recall_on_the_fixture(wikidata: Oxigraph, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    truth = expected()
    result = run(wikidata, tmp_path)
    rows = result.proposals.rows
    confident_rows = [r for r in rows if (r.confidence or 0) >= AUTO_ACCEPT]
    right_confident = [r for r in confident_rows if truth.get(r.subject_id) == r.qid]
    top = {}
    for row in rows:
        if row.subject_id not in top or (row.confidence or 0) > (top[row.subject_id].confidence or 0):
            top[row.subject_id] = row
    right_top = [r for r in top.values() if truth.get(r.subject_id) == r.qid]
    matches = {s: q for s, q in truth.items() if q}
    found = {s for s, q in matches.items() if any(r.subject_id == s and r.qid == q for r in rows)}
    found_confident = {r.subject_id for r in right_confident}
    with capsys.disabled():
        print(
            f"\n[reconcile fixture] {len(matches)} true matches, {len(truth) - len(matches)} subjects "
            f"with only decoys, {len(rows)} proposals, {result.stats.requests} requests\n"
            f"[reconcile fixture] confidence >= {AUTO_ACCEPT}: precision "
            f"{len(right_confident)}/{len(confident_rows)} = {len(right_confident) / len(confident_rows):.2f}, "
            f"recall {len(found_confident)}/{len(matches)} = {len(found_confident) / len(matches):.2f}\n"
            f"[reconcile fixture] top proposal per subject: precision {len(right_top)}/{len(top)} = "
            f"{len(right_top) / len(top):.2f}; any proposal: recall {len(found)}/{len(matches)} = "
            f"{len(found) / len(matches):.2f}"
        )
    assert confident_rows, "nothing proposed with confidence >= 0.9"
    wrong = [(r.subject_id, r.qid, r.confidence) for r in confident_rows if r not in right_confident]
    assert not wrong, f"wrong proposals at >= 0.9: {wrong}"
    assert found == set(matches), f"true matches not proposed: {sorted(set(matches) - found)}"


@pytest.mark.parametrize(
    ("subject_id", "decoy"),
    [
        ("lcsinst:gb-northfield-public-library", "Q900000002"),  # same name, another country
        ("lcsinst:gb-ashcombe-library", "Q900000004"),  # a person with the library's name
        ("lcsinst:isil-GB-EbCL", "Q900000009"),  # the ISIL is on a differently named item
        ("lcsinst:isil-US-WmUL", "Q900000012"),  # namesake without the ISIL
        ("lcsinst:gb-kingsbridge-library", "Q900000014"),  # alias-only, another country
        ("lcsinst:us-millbrook-library", "Q900000015"),  # two libraries with one name
        ("lcsinst:us-millbrook-library", "Q900000016"),
        ("lcsinst:fr-harbourside-library", "Q900000017"),  # name and website, another country
        ("lcsinst:de-old-town-library", "Q900000020"),  # a building
        ("lcsinst:mx-biblioteca-central-universidad-de-ejemplo", "Q900000007"),  # another parent
        ("unit:public-libraries", "Q900000102"),  # another association's section
        ("unit:cataloguing", "Q900000105"),  # an activity
    ],
)
def test_no_decoy_reaches_the_threshold(wikidata: Oxigraph, subject_id: str, decoy: str) -> None:
    rows = [r for r in run(wikidata, None).proposals.rows if r.subject_id == subject_id and r.qid == decoy]
    assert all((r.confidence or 0) < AUTO_ACCEPT for r in rows), rows


def test_humans_and_buildings_are_never_proposed(wikidata: Oxigraph) -> None:
    proposed = {r.qid for r in run(wikidata, None).proposals.rows}
    assert not proposed & {"Q900000004", "Q900000020", "Q900000105"}


def test_every_proposal_explains_itself(wikidata: Oxigraph) -> None:
    for row in run(wikidata, None).proposals.rows:
        assert row.comment.startswith("evidence: "), row
        assert row.mapping_justification.startswith("semapv:")
        assert row.object_id.startswith("wd:Q") and row.object_label


def test_requests_are_batched_and_a_rerun_is_served_from_the_cache(wikidata: Oxigraph, tmp_path: Path) -> None:
    subjects = fixture_subjects()
    first = run(wikidata, tmp_path)
    # names, identifiers, details: three requests for 71 subjects
    assert first.stats.requests == 3 == first.stats.queries
    second = run(wikidata, tmp_path)
    assert second.stats.requests == 0 and second.stats.cache_hits == 3
    assert second.proposals == first.proposals
    one_by_one = run(wikidata, None, batch_size=1, details_batch_size=1)
    assert one_by_one.proposals == first.proposals
    assert one_by_one.stats.requests > 10 * first.stats.requests, one_by_one.stats
    assert len(subjects) == 71


def test_rejected_pairs_are_never_proposed_again_and_decided_subjects_are_skipped(
    wikidata: Oxigraph, tmp_path: Path
) -> None:
    first = run(wikidata, tmp_path)
    ledgers = {name: empty_set(name) for name in ("institutions.sssom.tsv", "ifla-units.sssom.tsv")}
    reject = [r.record_id for r in first.proposals.rows if r.qid in ("Q900000014", "Q900000016")]
    outcome = decide(first.proposals, ledgers, accept=confident(first.proposals), reject=reject,
                     curator="wdu:Test_Curator", today=TODAY)
    ledger = empty_set("ledger").with_rows(r for s in outcome.ledgers.values() for r in s.rows)
    again = reconcile(fixture_subjects(), client=client(wikidata, tmp_path), ledger=ledger, today=TODAY)
    assert again.stats.requests == 0, "deciding must not invalidate the cache"
    pairs = {(r.subject_id, r.qid) for r in again.proposals.rows}
    assert ("lcsinst:gb-kingsbridge-library", "Q900000014") not in pairs
    assert ("lcsinst:us-millbrook-library", "Q900000016") not in pairs
    assert ("lcsinst:us-millbrook-library", "Q900000015") in pairs
    accepted = {r.subject_id for r in outcome.accepted}
    assert accepted and not accepted & {r.subject_id for r in again.proposals.rows}
    assert again.skipped_decided == len(accepted)
    assert again.suppressed_rejected == 2


def test_viaf_is_evidence_too(wikidata: Oxigraph) -> None:
    lakeside = Subject("lcsinst:us-lakeside", "Lakeside Research Library", "institution",
                       ("Lakeside Research Library",), ("en",), country="US", viaf="900000000000000001")
    result = reconcile([lakeside], client=client(wikidata, None), today=TODAY)
    [row] = result.proposals.rows
    assert row.qid == "Q900000022" and "viaf" in row.comment and (row.confidence or 0) >= AUTO_ACCEPT


def test_bare_institutions_are_asked_for_in_batches(wikidata: Oxigraph, tmp_path: Path) -> None:
    """Institutions without a record (what benchmarks/reconcile_requests.py reconciles)."""
    institutions = [Institution(name=f"Library number {n}", country="GB", type="public") for n in range(250)]
    institutions.append(Institution(name="Ashcombe Library", country="GB", type="public"))

    def reconcile_bare(chosen: list[Institution], cache: Path | None, batch_size: int) -> Result:
        subjects = subjects_of_institutions((institution, ("en",)) for institution in chosen)
        return reconcile(subjects, client=client(wikidata, cache), batch_size=batch_size)

    batched = reconcile_bare(institutions, tmp_path / "c", 100)
    assert batched.requests == math.ceil(251 / 100) + 1  # name lookups, then one details request
    assert [r.qid for r in batched.proposals.rows] == ["Q900000003"]
    single = reconcile_bare(institutions[:20], None, 1)
    assert single.requests == 20
