"""``lod reconcile`` and ``lod mappings`` as a curator runs them, against a real Oxigraph.

Requests go through tests/faultproxy.py on 127.0.0.1, so the tests see
what reached the "endpoint": how many requests, with which User-Agent, and
how the command behaves when the endpoint refuses (429 + Retry-After), hangs
(timeout) or is not there at all. Nothing leaves the machine.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Triple

from conftest import ROOT, Clock, Run, run_lod, write_record
from faultproxy import FaultProxy
from lod.ingest.load import load_case_studies
from lod.ledgers import (
    LEDGERS,
    MappingRow,
    empty_set,
    read_sssom,
    record_id,
    render_sssom,
    write_sssom,
)
from lod.namespaces import DEFAULT_BASE, OWL, SCHEMA, SKOS
from lod.reconcile.links import ledger_links, ledger_triples, unit_links
from lod.retry_after import retry_after_seconds
from lod.settings import DEFAULT_USER_AGENT
from servers import Oxigraph, oxigraph_server
from tests.ports import unused_port

DATA = ROOT / "tests" / "data" / "reconcile"
RECORDS = DATA / "casestudies"
CURATOR = "wdu:Test_Curator"


@pytest.fixture(scope="module")
def wikidata() -> Iterator[Oxigraph]:
    with oxigraph_server(files=[DATA / "wikidata.ttl"]) as server:
        yield server


@pytest.fixture
def ledgers(tmp_path: Path) -> Path:
    """A copy of the shipped (empty) ledgers, so that tests never touch mappings/."""
    folder = tmp_path / "mappings"
    folder.mkdir()
    for name in LEDGERS:
        shutil.copy(ROOT / "mappings" / name, folder / name)
    return folder


def reconcile(endpoint: str, out: Path, ledgers: Path, *extra: str) -> Run:
    return run_lod("reconcile", "--data", RECORDS, "--endpoint", endpoint, "--out", out,
                   "--mappings", ledgers, *extra)


def review(proposals: Path, ledgers: Path, *extra: str) -> Run:
    return run_lod("mappings", "review", "--proposals", proposals, "--mappings", ledgers, *extra)


def snapshot(*folders: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for folder in folders for p in sorted(folder.rglob("*.tsv"))}


def test_reconcile_review_and_rerun(wikidata: Oxigraph, tmp_path: Path, ledgers: Path) -> None:
    out = tmp_path / "out" / "proposals.sssom.tsv"
    with FaultProxy(wikidata.url) as proxy:
        first = reconcile(proxy.query_url, out, ledgers)
        assert first.code == 0, first.stderr
        assert proxy.requests == 3
        assert set(proxy.user_agents) == {DEFAULT_USER_AGENT}
        assert "3 HTTP requests" in first.stdout and "8 at confidence >= 0.9" in first.stdout
        text = out.read_text(encoding="utf-8")
        assert text == render_sssom(read_sssom(out))
        assert (out.parent / "reconcile-cache").is_dir()

        again = reconcile(proxy.query_url, out, ledgers)
        assert again.code == 0 and proxy.requests == 3, "a re-run must send zero requests"
        assert out.read_text(encoding="utf-8") == text

        rows = read_sssom(out).rows
        decoy = next(r for r in rows if r.qid == "Q900000002")
        right = next(r for r in rows if r.qid == "Q900000001")
        decided = review(out, ledgers, "--reject", decoy.record_id, "--accept", right.record_id.split(":")[1],
                         "--curator", CURATOR)
        assert decided.code == 0, decided.stderr
        assert "1 accepted, 1 rejected" in decided.stdout
        ledger = read_sssom(ledgers / "institutions.sssom.tsv")
        assert {(r.qid, r.predicate_modifier, r.reviewer_id) for r in ledger.rows} == {
            ("Q900000001", "", CURATOR), ("Q900000002", "Not", CURATOR)}
        assert (ledgers / "institutions.sssom.tsv").read_text(encoding="utf-8") == render_sssom(ledger)
        assert not {r.subject_id for r in read_sssom(out).rows} & {right.subject_id}

        third = reconcile(proxy.query_url, out, ledgers)
        assert third.code == 0 and proxy.requests == 3
        assert "1 already in the ledger" in third.stdout
        assert all(r.subject_id != right.subject_id for r in read_sssom(out).rows)
        assert all(r.qid != "Q900000002" for r in read_sssom(out).rows)


def test_unreachable_endpoint_fails_cleanly(tmp_path: Path, ledgers: Path) -> None:
    out = tmp_path / "proposals.sssom.tsv"
    out.write_text(render_sssom(empty_set("p.sssom.tsv")), encoding="utf-8")
    before = snapshot(ledgers, tmp_path)
    result = reconcile(f"http://127.0.0.1:{unused_port()}/query", out, ledgers)
    assert result.code == 1
    assert "cannot reach SPARQL endpoint" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(ledgers, tmp_path) == before


def test_timeout_fails_cleanly(tmp_path: Path, ledgers: Path) -> None:
    out = tmp_path / "proposals.sssom.tsv"
    before = snapshot(ledgers)
    with FaultProxy(None) as proxy:
        proxy.arm("slow", action="*", times=1000, delay=20)  # never answers: the client times out
        result = reconcile(proxy.query_url, out, ledgers, "--timeout", "1")
    assert result.code == 1, result.stderr
    assert "timeout" in result.stderr and "Traceback" not in result.stderr
    assert proxy.requests == 1  # given up after the one silent answer, not asked again
    assert not out.exists()
    assert snapshot(ledgers) == before


def test_429_retry_after_is_honoured(wikidata: Oxigraph, tmp_path: Path, ledgers: Path,
                                     clock: Clock) -> None:
    with FaultProxy(wikidata.url) as proxy:
        proxy.arm("answer", action="*", status=429, headers={"Retry-After": "7"})
        result = reconcile(proxy.query_url, tmp_path / "p.sssom.tsv", ledgers, "--no-units")
    assert result.code == 0, result.stderr
    assert proxy.requests == 4  # one refused, then the three queries
    assert clock.waits == [7.0]  # as long as Retry-After said, once


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 26 Nov 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_interactive_review(wikidata: Oxigraph, tmp_path: Path, ledgers: Path) -> None:
    out = tmp_path / "p.sssom.tsv"
    assert reconcile(wikidata.query_url, out, ledgers, "--no-units").code == 0
    first, second = read_sssom(out).rows[:2]
    done = subprocess.run(
        [sys.executable, "-m", "lod", "mappings", "review", "--proposals", str(out), "--mappings",
         str(ledgers), "--curator", CURATOR],
        input="a\nr\nq\n", capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "[a]ccept, [r]eject" in done.stdout and "1 accepted, 1 rejected" in done.stdout
    # each prompt shows the evidence, one point a line: what agreed, what conflicted, the score
    assert "\n  agrees: " in done.stdout and "\n  conflicts: " in done.stdout and "\n  score: " in done.stdout
    ledger = read_sssom(ledgers / "institutions.sssom.tsv")
    assert {(r.record_id, r.negated) for r in ledger.rows} == {(first.record_id, False), (second.record_id, True)}


def test_review_list_shows_the_evidence(wikidata: Oxigraph, tmp_path: Path, ledgers: Path) -> None:
    out = tmp_path / "p.sssom.tsv"
    assert reconcile(wikidata.query_url, out, ledgers, "--no-units").code == 0
    listed = review(out, ledgers, "--list")
    assert listed.code == 0
    line = next(x for x in listed.stdout.splitlines() if "Q900000002" in x)  # Northfield's namesake abroad
    assert "agrees: label@en" in line and "conflicts: another country" in line and "capped at 0.5" in line


def test_review_errors(wikidata: Oxigraph, tmp_path: Path, ledgers: Path) -> None:
    out = tmp_path / "p.sssom.tsv"
    missing = review(out, ledgers, "--accept", "x", "--curator", CURATOR)
    assert missing.code == 1 and "run `lod reconcile" in missing.stderr
    assert reconcile(wikidata.query_url, out, ledgers, "--no-units").code == 0
    before = snapshot(ledgers, tmp_path)
    unknown = review(out, ledgers, "--accept", "lcsmap:0000000000", "--curator", CURATOR)
    assert unknown.code == 2 and "no proposal with id" in unknown.stderr
    some = read_sssom(out).rows[0].record_id
    anonymous = review(out, ledgers, "--accept", some, "--curator", "Jane")
    assert anonymous.code == 2 and "curator" in anonymous.stderr
    assert snapshot(ledgers, tmp_path) == before
    listed = review(out, ledgers, "--list")
    assert listed.code == 0 and some.split(":")[1] in listed.stdout
    assert snapshot(ledgers, tmp_path) == before
    twins = [r.record_id for r in read_sssom(out).rows if r.subject_id == "lcsinst:us-millbrook-library"]
    both = review(out, ledgers, *[f"--accept={t}" for t in twins], "--curator", CURATOR)
    assert both.code == 2 and "two different items" in both.stderr


def test_accept_confident_takes_only_what_the_rules_allow(wikidata: Oxigraph, tmp_path: Path,
                                                          ledgers: Path) -> None:
    out = tmp_path / "p.sssom.tsv"
    assert reconcile(wikidata.query_url, out, ledgers).code == 0
    result = review(out, ledgers, "--accept-confident", "--curator", CURATOR)
    assert result.code == 0, result.stderr
    accepted = {r.qid for name in LEDGERS for r in read_sssom(ledgers / name).rows}
    # the true items of expected.tsv that the rules of docs/reconciliation.md put at >= 0.9
    assert accepted == {"Q900000001", "Q900000003", "Q900000005", "Q900000010", "Q900000011", "Q900000018",
                        "Q900000019", "Q900000101"}


def test_lint_rewrites_a_hand_edited_ledger(tmp_path: Path, ledgers: Path) -> None:
    path = ledgers / "institutions.sssom.tsv"
    path.write_text(path.read_text(encoding="utf-8").replace("# license", "#   \n# license"), encoding="utf-8")
    checked = run_lod("mappings", "lint", "--mappings", ledgers, "--check")
    assert checked.code == 1 and "not in canonical form" in checked.stderr
    assert run_lod("mappings", "lint", "--mappings", ledgers).code == 0
    assert run_lod("mappings", "lint", "--mappings", ledgers, "--check").code == 0
    assert path.read_bytes() == (ROOT / "mappings" / "institutions.sssom.tsv").read_bytes()


def test_invalid_records_stop_reconcile(tmp_path: Path, ledgers: Path) -> None:
    write_record(tmp_path / "cs", text="id: broken\n")
    result = run_lod("reconcile", "--data", tmp_path / "cs", "--endpoint", "http://127.0.0.1:1/q",
                     "--out", tmp_path / "p.tsv", "--mappings", ledgers)
    assert result.code == 1 and "broken.yaml" in result.stderr
    assert not (tmp_path / "p.tsv").exists()


# --- the ledger in the build -------------------------------------------------------------


def decided(subject: str, qid: str, *, negated: bool = False) -> MappingRow:
    return MappingRow(record_id=record_id(subject, f"wd:{qid}"), subject_id=subject, subject_label="x",
                      predicate_modifier="Not" if negated else "", object_id=f"wd:{qid}",
                      mapping_justification="semapv:LexicalMatching", author_id=CURATOR,
                      reviewer_id=CURATOR, mapping_date="2026-11-26")


def test_ledger_links_for_the_build(tmp_path: Path) -> None:
    records = [r.record for r in load_case_studies([RECORDS]).records]
    ledger = empty_set("institutions.sssom.tsv").with_rows([
        decided("lcsinst:gb-ashcombe-library", "Q900000003"),
        decided("lcsinst:gb-northfield-public-library", "Q900000002", negated=True),
        decided("lcsinst:Q23308", "Q900000099"),  # a record's own QID is never overridden
        decided("unit:public-libraries", "Q900000101"),
    ])
    base = "https://example.org/lcs/"
    node = NamedNode(f"{base}institution/gb-ashcombe-library")
    item = NamedNode("http://www.wikidata.org/entity/Q900000003")
    assert ledger_links(base, records, ledger) == sorted(
        [Triple(node, NamedNode(f"{OWL}sameAs"), item), Triple(node, NamedNode(f"{SCHEMA}sameAs"), item)],
        key=str)
    [unit] = unit_links(ledger)
    assert unit.predicate == NamedNode(f"{SKOS}exactMatch")
    assert unit.subject.value.endswith("/vocab/ifla-unit/public-libraries")
    folder = tmp_path / "m"
    folder.mkdir()
    write_sssom(folder / "institutions.sssom.tsv", ledger.with_rows(ledger.rows[:3]))
    write_sssom(folder / "ifla-units.sssom.tsv", ledger.with_rows(ledger.rows[3:]))
    assert ledger_triples(DEFAULT_BASE, records, folder) == {
        *ledger_links(DEFAULT_BASE, records, ledger), unit}
    assert ledger_triples(DEFAULT_BASE, records, ROOT / "mappings") == set()


def test_help_texts() -> None:
    for args in (["reconcile", "--help"], ["mappings", "review", "--help"], ["mappings", "lint", "--help"]):
        result = run_lod(*args)
        assert result.code == 0 and "Usage" in result.stdout
    assert "query.wikidata.org" in run_lod("reconcile", "--help").stdout  # the default endpoint
