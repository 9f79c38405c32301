"""``lod publish wikidata``: a bad environment gives one clear line, exit 1, and OUT untouched.

Faults a real server cannot be asked to produce (a hang, garbage, a broken
``wbgetentities`` answer) come from tests/faultproxy.py in front of the real
test Wikibase.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from conftest import CASESTUDIES, ROOT, Run, run_installed, run_lod
from faultproxy import FaultProxy
from lod.model.case_study import CaseStudy
from lod.publish.wikidata.dryrun import Target, make_plan
from lod.publish.wikidata.plan import Options
from lod.publish.wikidata.reads import IdMap, ReadError
from lod.rdf.build import institution_key
from lod.settings import Settings
from tests.ports import unused_port

pytestmark = pytest.mark.usefixtures("only_localhost")


BROKEN_ENTITY = json.dumps({"entities": {"Q1": {"id": "Q1", "claims": {"P1": [
    {"mainsnak": {"snaktype": "value", "datatype": "time"}}]}}}}).encode()


@contextmanager
def fault_proxy(upstream: str, mode: str) -> Iterator[str]:
    """tests/faultproxy.py in front of ``upstream``, every request (or ``wbgetentities``) faulty."""
    with FaultProxy(upstream) as proxy:
        if mode == "hang":  # held until the test is over (the client gives up first)
            proxy.arm("slow", action="*", times=1000, delay=60)
        elif mode == "garbage":
            proxy.arm("answer", action="*", times=1000, body=b"<html>maintenance</html>",
                      content_type="text/html")
        elif mode == "http500":
            proxy.arm("answer", action="*", times=1000, status=500, body=b"{}")
        elif mode == "bad-entities":
            proxy.arm("answer", action="wbgetentities", times=1000, body=BROKEN_ENTITY)
        yield proxy.url


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An OUT that already holds an earlier plan (which a failed run must leave alone)."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "plan.json").write_text("earlier plan\n", encoding="utf-8")
    return folder


def _run(api: str, sparql: str, ids: Path, out: Path, *extra: str) -> Run:
    return run_lod("publish", "wikidata", "--data", CASESTUDIES, "--api", api, "--sparql", sparql,
                   "--ids", ids, "--out", out, *extra)


def _failed_cleanly(result: Run, out: Path, phrase: str) -> None:
    assert result.code == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert phrase in lines[0], lines
    assert "Traceback" not in result.stderr
    assert (out / "plan.json").read_text(encoding="utf-8") == "earlier plan\n"
    assert not (out / "quickstatements.txt").exists()


def test_unreachable_api(test_wikibase, out: Path) -> None:
    closed = f"http://127.0.0.1:{unused_port()}/api.php"
    result = _run(closed, test_wikibase.sparql_url, test_wikibase.ids_file, out)
    _failed_cleanly(result, out, "cannot reach the Wikibase API")


def test_unreachable_sparql_endpoint(test_wikibase, out: Path) -> None:
    closed = f"http://127.0.0.1:{unused_port()}/query"
    result = _run(test_wikibase.api_url, closed, test_wikibase.ids_file, out)
    _failed_cleanly(result, out, "cannot reach the SPARQL endpoint")


def test_an_answer_that_is_not_json(test_wikibase, out: Path) -> None:
    with fault_proxy(test_wikibase.url, "garbage") as proxy:
        result = _run(f"{proxy}/api.php", test_wikibase.sparql_url, test_wikibase.ids_file, out)
    _failed_cleanly(result, out, "malformed answer")


def test_a_server_error(test_wikibase, out: Path) -> None:
    with fault_proxy(test_wikibase.url, "http500") as proxy:
        result = _run(f"{proxy}/api.php", test_wikibase.sparql_url, test_wikibase.ids_file, out)
    _failed_cleanly(result, out, "answered HTTP 500")


def test_a_malformed_entity(test_wikibase, out: Path) -> None:
    with fault_proxy(test_wikibase.url, "bad-entities") as proxy:
        result = _run(f"{proxy}/api.php", test_wikibase.sparql_url, test_wikibase.ids_file, out)
    _failed_cleanly(result, out, "malformed entity")


def test_a_timeout(test_wikibase) -> None:
    """A wiki that never answers: each of the five tries gives up after the timeout asked for.

    The timeout is this test's input, so a short one (every answer hangs, whatever the
    machine's load): the test does not sit out seconds of it."""
    with fault_proxy(test_wikibase.url, "hang") as proxy:
        target = Target(f"{proxy}/api.php", test_wikibase.sparql_url,
                        IdMap.read(test_wikibase.ids_file))
        with pytest.raises(ReadError, match=r"^the Wikibase API at http://127\.0\.0\.1:\d+/api\.php "
                           r"did not answer within 0\.05 s \(5 tries\)$"):
            make_plan(Settings(data_dir=CASESTUDIES, timeout=0.05), target, Options())


def test_live_refuses_a_plan_it_cannot_read(test_wikibase, out: Path) -> None:
    result = _run(test_wikibase.api_url, test_wikibase.sparql_url, test_wikibase.ids_file, out,
                  "--live")
    assert result.code == 1
    assert "plan.json: line 1 column 1: not valid JSON" in result.stderr
    assert result.stderr.endswith("nothing was sent to the wiki\n") and "Traceback" not in result.stderr
    assert (out / "plan.json").read_text(encoding="utf-8") == "earlier plan\n"


def test_live_refuses_a_blocked_plan(test_wikibase, tmp_path: Path) -> None:
    """The session's wiki holds a label+description clash: the plan is blocked, nothing is sent."""
    out = tmp_path / "out"
    assert _run(test_wikibase.api_url, test_wikibase.sparql_url, test_wikibase.ids_file,
                out).code == 0
    before = test_wikibase.entity_ids()
    result = run_lod("publish", "wikidata", "--api", test_wikibase.api_url, "--sparql",
                     test_wikibase.sparql_url, "--ids", test_wikibase.ids_file, "--out", out,
                     "--live", env={"LOD_WIKIBASE_USER": test_wikibase.user,
                                    "LOD_WIKIBASE_PASSWORD": test_wikibase.password})
    assert result.code == 1
    assert "the plan is blocked" in result.stderr
    assert test_wikibase.entity_ids() == before


def test_a_broken_ids_file(test_wikibase, out: Path, tmp_path: Path) -> None:
    ids = tmp_path / "ids.tsv"
    ids.write_text("Q155207 Q7\n", encoding="utf-8")
    result = _run(test_wikibase.api_url, test_wikibase.sparql_url, ids, out)
    _failed_cleanly(result, out, f"{ids}:1:")


def _key(record_id: str, name: str) -> str:
    record = CaseStudy.model_validate(yaml.safe_load(
        (CASESTUDIES / f"{record_id}.yaml").read_text(encoding="utf-8")))
    return next(institution_key(i) for i in record.institutions if i.name == name)


def test_create_institutions(test_wikibase, tmp_path: Path) -> None:
    """With --create-institutions only the institutions a curator decided to create are planned,
    each with the class of the kind decided; the case studies name them once they exist."""
    data = tmp_path / "casestudies"
    shutil.copytree(CASESTUDIES, data)
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    decided = {("oclc-wikipedia-libraries-better-together", "OCLC"): "organization",
               ("oclc-wikipedia-libraries-better-together", "Knight Foundation"): "foundation",
               ("catalonia-bibliowikis", "Amical Wikimedia"): "wikimedia-chapter",
               ("ball-state-sheet-music-links", "Ball State University Libraries"):
                   "university-library"}
    with (mappings / "wikidata-creates.tsv").open("a", encoding="utf-8") as handle:
        for (record_id, name), kind in decided.items():
            handle.write(f"lcsinst:{_key(record_id, name)}\t{name}\t{kind}\twdu:Jane_Curator\t"
                         "2026-12-07\t\n")
    result = run_lod("publish", "wikidata", "--data", data, "--api", test_wikibase.api_url,
                     "--sparql", test_wikibase.sparql_url, "--ids", test_wikibase.ids_file,
                     "--out", tmp_path / "out", "--create-institutions", "--mappings", mappings)
    assert result.code == 0, result.stderr
    plan = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    institutions = {i["key"]: i for i in plan["items"] if i["kind"] == "institution"
                    and i["action"] in {"create", "blocked"}}
    key = {name: f"institution:{_key(record_id, name)}" for record_id, name in decided}
    assert set(institutions) == set(key.values())  # nothing without a decision
    oclc = institutions[key["OCLC"]]
    assert oclc["action"] == "create"
    assert oclc["labels"] == {"en": "OCLC"}
    assert oclc["descriptions"] == {"en": "organization in United States of America"}
    assert [(s["property"], s["value"]["value"]) for s in oclc["statements"]] == [
        ("P31", "Q43229"), ("P17", "Q30")]
    knight = institutions[key["Knight Foundation"]]["statements"][0]
    assert (knight["property"], knight["value"]["value"]) == ("P31", "Q157031")
    # a Wikimedia chapter has no verified class: not created as a generic organisation
    assert institutions[key["Amical Wikimedia"]]["action"] == "blocked"
    assert any(w["code"] == "no-institution-class" and "Amical Wikimedia" in w["message"]
               for w in plan["warnings"])
    assert any(w["code"] == "after-create" for w in plan["warnings"])
    # an item with the same name exists (seeded): no create until a curator decides
    namesake = key["Ball State University Libraries"]
    assert institutions[namesake]["action"] == "blocked"
    assert any(w["code"] == "possible-duplicate" and w["severity"] == "error"
               and namesake in w["message"] and f"local:{test_wikibase.seeded[3]}" in w["message"]
               for w in plan["warnings"])


def test_a_broken_decision_table_is_one_clear_line(test_wikibase, tmp_path: Path) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    with (mappings / "wikidata-creates.tsv").open("a", encoding="utf-8") as handle:
        handle.write("somebody\tX\tuniversity\twdu:Jane\t2026-12-07\t\n")
    result = run_lod("publish", "wikidata", "--data", CASESTUDIES, "--api", test_wikibase.api_url,
                     "--sparql", test_wikibase.sparql_url, "--ids", test_wikibase.ids_file,
                     "--out", tmp_path / "out", "--create-institutions", "--mappings", mappings)
    assert result.code == 1
    assert f"{mappings / 'wikidata-creates.tsv'}:2: " in result.stderr
    assert "lcsinst:<key>" in result.stderr and "Traceback" not in result.stderr


def test_the_guard_refuses_other_hosts() -> None:
    """The only_localhost guard these tests run under does refuse (TEST-NET, never reached)."""
    import socket

    with pytest.raises(AssertionError, match="tried to reach"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)


def test_the_installed_command_wants_a_reviewed_plan_before_live(tmp_path: Path) -> None:
    result = run_installed("publish", "wikidata", "--live", "--out", tmp_path / "out")
    assert result.code == 1
    assert "no plan at" in result.stderr and "without --live first" in result.stderr
    assert not (tmp_path / "out").exists()
