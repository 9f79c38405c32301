"""plan.json is a reviewed input: checked whole, every problem named by its place, before any
request; what passes is applied exactly as it says (issue 19, point 1).

The valid plan every test starts from is the planner's own output for records
written from the contract (no hand-made plan), serialised as the dry run
writes it.
"""

from __future__ import annotations

import copy
import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_wikidata_plan_rules import PROJECTS, VALUES, facts

from conftest import VALID_RECORD, Run, run_lod, write_record
from lod.publish.wikidata.edits import edit_data
from lod.publish.wikidata.model import ItemState, Plan, item
from lod.publish.wikidata.plan import build_plan
from lod.publish.wikidata.planfile import PlanError, applied, canonical, check_plan, digest
from lod.publish.wikidata.render import plan_json

#: the shape of every refusal: the file, then the place in it
PLACE = re.compile(r"^\S*plan\.json: (\(the whole file\)|line \d+ column \d+|not UTF-8|"
                   r"the key .* appears twice|(format|blocked|items|warnings|undecided)(\[\d+\])?"
                   r"([.\[][\w\-\[\].:]*)?)(: |$)")


def _valid_plan() -> Plan:
    records = [facts("alpha", title="Editing at Ashcombe"),
               facts("beta", qid="Q7", title="Reading at Burford"),
               facts("gamma", names=("Ashcombe Library", "Burford Library"), title="Both"),
               facts("delta", title="Reading week at Ashcombe")]
    state = {"Q23308": ItemState("Q23308"),  # Q7 is a project: a record's QID must be one
             "Q7": ItemState("Q7", labels={"en": "Burford"}, claims={"P31": (item("Q170584"),)})}
    plan = build_plan(records, PROJECTS, VALUES, state, [])
    assert not plan.blocked and {i.action for i in plan.items} >= {"create", "update"}
    return plan


VALID = json.loads(plan_json(_valid_plan()))


def test_the_dry_runs_plan_reads_back_as_itself() -> None:
    plan = check_plan(copy.deepcopy(VALID))
    assert canonical(applied(plan.to_json())) == canonical(applied(VALID))
    assert digest(plan) == digest(_valid_plan())
    # records without a Wikidata decision are listed for the reviewer; nothing is applied for them
    listed = {**copy.deepcopy(VALID), "undecided": [{"record": "x", "choices": ["wikidata: Q…"]}]}
    assert digest(check_plan(listed)) == digest(plan)
    assert _refused({**copy.deepcopy(VALID), "undecided": [{"record": "x"}]}) == [
        "plan.json: undecided[0].choices: Field required"]


def _refused(data: Any) -> list[str]:
    try:
        check_plan(data)
    except PlanError as error:
        return error.lines
    raise AssertionError("accepted")


def _first(action: str) -> int:
    return next(n for n, i in enumerate(VALID["items"]) if i["action"] == action)


def test_each_hand_edit_of_the_issue_is_refused_with_its_place() -> None:
    create, update = _first("create"), _first("update")
    cases: list[tuple[str, Any]] = []
    edited = copy.deepcopy(VALID)
    edited["blocked"] = True
    cases.append(("plan.json: blocked:", edited))
    edited = copy.deepcopy(VALID)
    edited["items"][create]["statements"][1]["value"] = {"type": "bogus"}
    cases.append((f"plan.json: items[{create}].statements[1].value:", edited))
    edited = copy.deepcopy(VALID)
    edited["items"][create]["labels"] = {}
    edited["items"][create]["statements"] = []
    cases.append((f"plan.json: items[{create}]: a new item needs a label or a statement", edited))
    edited = copy.deepcopy(VALID)
    edited["items"][update]["action"] = "delete"
    cases.append((f"plan.json: items[{update}].action:", edited))
    edited = copy.deepcopy(VALID)
    edited["items"][create]["statements"][0]["property"] = "P31 "
    cases.append((f"plan.json: items[{create}].statements[0].property:", edited))
    edited = copy.deepcopy(VALID)
    edited["items"][update]["item"] = "Q007"
    cases.append((f"plan.json: items[{update}].item:", edited))
    edited = copy.deepcopy(VALID)
    edited["items"][create]["statements"][0]["value"]["value"] = "q5"
    cases.append((f"plan.json: items[{create}].statements[0].value.value:", edited))
    edited = copy.deepcopy(VALID)
    edited["items"][update]["statements"][0]["reference"] = []
    cases.append((f"plan.json: items[{update}].statements[0].reference:", edited))
    edited = copy.deepcopy(VALID)
    edited["items"][create]["action"] = "blocked"
    cases.append((f"plan.json: items[{create}].action: ", edited))
    edited = copy.deepcopy(VALID)
    edited["warnings"].append({"record": "alpha", "code": "x", "severity": "error",
                               "message": "m"})
    cases.append(("plan.json: warnings[", edited))
    for expected, data in cases:
        lines = _refused(data)
        assert any(line.startswith(expected) for line in lines), (expected, lines)


def test_every_problem_is_listed_not_only_the_first() -> None:
    edited = copy.deepcopy(VALID)
    edited["items"][0]["statements"][0]["value"] = {"type": "bogus"}
    edited["items"][1]["action"] = "delete"
    lines = _refused(edited)
    assert any(line.startswith("plan.json: items[0].statements[0].value") for line in lines)
    assert any(line.startswith("plan.json: items[1].action") for line in lines)


def test_the_batch_id_comes_from_the_content_not_the_bytes() -> None:
    reformatted = json.loads(json.dumps(VALID, indent=7, sort_keys=False))
    reformatted["items"] = list(reversed(reformatted["items"]))
    for entry in reformatted["items"]:
        for name in list(entry):  # same keys, another order
            entry[name] = entry.pop(name)
    assert digest(check_plan(reformatted)) == digest(check_plan(copy.deepcopy(VALID)))
    fewer = copy.deepcopy(VALID)
    del fewer["items"][0]
    assert digest(check_plan(fewer)) != digest(check_plan(copy.deepcopy(VALID)))


# --- the property: any edit is applied exactly as written, or refused with its place ------------

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 12), st.text(max_size=8),
                     st.sampled_from(["Q5", "P31", "local:Q9", "item", "time", "url", "create",
                                      "update", "none", "en", "+2019-00-00T00:00:00Z",
                                      "+2019-13-01T00:00:00Z", "https://x.org/<a>", "Q0", 10,
                                      "monolingualtext", "external-id", "zh-hant", "local:Q1"]),
                     st.just([]), st.just({}))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for name, value in node.items():
            yield from _paths(value, (*prefix, name))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _paths(value, (*prefix, n))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def edited_plans(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _parent(data, path), path[-1]
        edit = draw(st.sampled_from(["delete", "replace", "reorder", "duplicate"]))
        if edit == "delete":
            del parent[last]
        elif edit == "replace":
            parent[last] = draw(_SCALARS)
        elif edit == "reorder" and isinstance(parent, dict):
            order = draw(st.permutations(list(parent)))
            items = {name: parent.pop(name) for name in order}
            parent.update(items)
        elif edit == "reorder" and isinstance(parent, list):
            parent[:] = draw(st.permutations(parent))
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return data


def _applied_exactly(plan: Plan, data: Any) -> None:
    """What lod would send is what the edited file says: nothing dropped, nothing added."""
    assert canonical(applied(plan.to_json())) == canonical(applied(data))
    for planned, written in zip(plan.items, data["items"], strict=True):
        sent = edit_data(planned, lambda i: i.removeprefix("local:"))
        assert sum(len(v) for v in sent.get("claims", {}).values()) == len(written["statements"])
        assert {lang: t["value"] for lang, t in sent.get("labels", {}).items()} == written["labels"]
        assert {lang: t["value"] for lang, t in sent.get("descriptions", {}).items()} == \
            written["descriptions"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_plans())
def test_an_edited_plan_is_applied_as_written_or_refused_with_its_place(data: Any) -> None:
    try:
        plan = check_plan(copy.deepcopy(data))
    except PlanError as error:
        assert error.lines and all(PLACE.match(line) for line in error.lines), error.lines
        return
    _applied_exactly(plan, data)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, len(plan_json(_valid_plan())) - 1), st.integers(0, 255))
def test_a_cut_or_damaged_file_is_refused_with_its_line(cut: int, byte: int) -> None:
    whole = plan_json(_valid_plan())
    for damaged in (whole[:cut], whole[:cut] + bytes([byte]) + whole[cut + 1:]):
        try:
            plan = check_plan(json.loads(damaged.decode("utf-8")))
        except (ValueError, PlanError):
            pass  # not JSON (the file reader names the line; next test) or refused with its place
        else:
            _applied_exactly(plan, json.loads(damaged.decode("utf-8")))


@contextmanager
def _listener() -> Iterator[tuple[str, list[int]]]:
    """An address on 127.0.0.1 that counts the connections made to it (none may be)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.02)  # how long closing the listener waits for its thread (once a use)
    seen: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            seen.append(1)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    finally:
        stop.set()
        thread.join()
        server.close()


#: A bot account's login for a wiki that is never reached (every refusal comes first).
UNUSED_LOGIN = {"LOD_WIKIBASE_USER": "Bot@lod", "LOD_WIKIBASE_PASSWORD": "x" * 32}


def live_on(url: str, data: Path, out: Path) -> Run:
    """``lod publish wikidata --live`` with the API and SPARQL both at ``url`` (a listener)."""
    return run_lod("publish", "wikidata", "--data", data, "--out", out, "--live",
                   "--api", f"{url}/api.php", "--sparql", f"{url}/sparql", env=UNUSED_LOGIN)


def planned_state(tmp_path: Path) -> tuple[Path, Path]:
    """A data folder with one record, and a state folder holding the valid plan."""
    data = tmp_path / "casestudies"
    write_record(data)
    out = tmp_path / "state"
    out.mkdir()
    (out / "plan.json").write_text(json.dumps(VALID), encoding="utf-8")
    return data, out


def test_live_checks_the_whole_file_before_any_request(tmp_path: Path) -> None:
    data = tmp_path / "casestudies"
    write_record(data, "lyon-editathon", VALID_RECORD.format(id="lyon-editathon"))
    out = tmp_path / "state"
    out.mkdir()
    edited = copy.deepcopy(VALID)
    edited["items"][3]["statements"][2]["value"] = {"type": "bogus"}
    damaged = {
        "schema": json.dumps(edited).encode(),
        "cut": plan_json(_valid_plan())[:700],
        "encoding": plan_json(_valid_plan()).replace(b"Ashcombe", b"Ash\xffcombe"),
    }
    expected = {"schema": "plan.json: items[3].statements[2].value: ",
                "cut": "plan.json: line ", "encoding": "plan.json: not UTF-8"}
    with _listener() as (url, seen):
        for name, content in damaged.items():
            (out / "plan.json").write_bytes(content)
            result = live_on(url, data, out)
            assert result.code == 1, result
            assert expected[name] in result.stderr and "Traceback" not in result.stderr
            assert "nothing was sent" in result.stderr
        assert seen == []
    assert not (out / "journal.jsonl").exists()
