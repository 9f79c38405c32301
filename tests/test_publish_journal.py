"""The pure parts of the live publish: the journal's reading, the QIDs written back, the
User-Agent and credentials rules (no wiki needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, VALID_RECORD, run_lod, write_record
from lod.http import ContactError, user_agent
from lod.publish.wikidata.client import Credentials, CredentialsError
from lod.publish.wikidata.journal import Journal, read, replay, status_lines
from lod.publish.wikidata.writeback import write_back


def test_a_torn_last_line_is_ignored_and_an_intended_edit_stays_in_doubt(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.write("batch", batch="abc", api="http://127.0.0.1/api.php", ids={}, plan="p")
    journal.write("intended", key="casestudy:a", action="create", item=None)
    journal.write("done", key="casestudy:a", action="create", item="Q5", revision=7)
    journal.write("intended", key="casestudy:b", action="create", item=None)
    journal.close()
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"event": "done", "key": "casestud')  # killed mid-write
    state = replay(read(path))
    assert state.done == {"casestudy:a": "Q5"}
    assert set(state.uncertain) == {"casestudy:b"}
    assert not state.finished
    lines = status_lines(path)
    assert "NOT finished" in lines[1] and "1 in doubt" in lines[1]
    assert any(line.startswith("in doubt: casestudy:b") for line in lines)


def test_exists_and_failed_are_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.write("batch", batch="abc", api="x", ids={}, plan="p")
    for key in ("a", "b"):
        journal.write("intended", key=key, action="create", item=None)
    journal.write("exists", key="a", item="Q9")
    journal.write("failed", key="b", error="invalid-claim: no")
    journal.write("finished", batch="abc", edits=0)
    journal.close()
    state = replay(read(path))
    assert state.uncertain == {} and state.exists == {"a": "Q9"}
    assert state.failed == {"b": "invalid-claim: no"} and state.finished


def test_no_journal_is_said_plainly(tmp_path: Path) -> None:
    assert "nothing was published" in status_lines(tmp_path / "journal.jsonl")[0]


def test_the_new_qid_goes_after_the_id_line_and_nothing_else_changes(tmp_path: Path) -> None:
    path = write_record(tmp_path, "lyon-editathon")
    other = write_record(tmp_path, "has-one", VALID_RECORD.format(id="has-one") +
                         "wikidata: Q42\n")
    before, before_other = path.read_text(encoding="utf-8"), other.read_text(encoding="utf-8")
    written = write_back(tmp_path, {"lyon-editathon": "Q123", "has-one": "Q7",
                                    "missing": "Q8"})
    assert written == [path]
    assert path.read_text(encoding="utf-8") == before.replace(
        "id: lyon-editathon\n", "id: lyon-editathon\nwikidata: Q123\n", 1)
    assert other.read_text(encoding="utf-8") == before_other
    assert write_back(tmp_path, {"lyon-editathon": "local:Q5"}) == []


def test_a_wikimedia_wiki_needs_a_contact_in_the_user_agent() -> None:
    api = "https://www.wikidata.org/w/api.php"
    with pytest.raises(ContactError, match="LOD_CONTACT"):
        user_agent("lod/0.1", "", required_for=api)
    assert user_agent("lod/0.1", "curator@example.org", required_for=api) == \
        "lod/0.1 (curator@example.org)"
    assert user_agent("lod/0.1 (about)", "curator@example.org", required_for=api) == \
        "lod/0.1 (about; curator@example.org)"
    assert user_agent("lod/0.1", "", required_for="http://127.0.0.1:8181/api.php") == "lod/0.1"
    with pytest.raises(ContactError):
        user_agent("lod/0.1", "nobody", required_for=api)


def test_credentials_come_from_the_environment_and_never_show() -> None:
    secret = "s3cret-bot-password-of-32-characters"
    found = Credentials.from_environment({"LOD_WIKIBASE_USER": "Bot@lod",
                                          "LOD_WIKIBASE_PASSWORD": secret})
    assert secret not in repr(found) and secret not in str(found)
    oauth = Credentials.from_environment(dict.fromkeys((
        "LOD_OAUTH_CONSUMER_TOKEN", "LOD_OAUTH_CONSUMER_SECRET", "LOD_OAUTH_ACCESS_TOKEN",
        "LOD_OAUTH_ACCESS_SECRET"), "t"))
    assert oauth.oauth == ("t", "t", "t", "t")
    with pytest.raises(CredentialsError, match="LOD_WIKIBASE_USER"):
        Credentials.from_environment({"LOD_WIKIBASE_USER": "Bot@lod"})


def test_created_institutions_become_accepted_ledger_rows(tmp_path: Path) -> None:
    from lod.ledgers import ledger_problems, read_sssom
    from lod.publish.wikidata.writeback import ledger_back

    ledger = tmp_path / "institutions.sssom.tsv"
    shutil.copyfile(ROOT / "mappings" / "institutions.sssom.tsv", ledger)
    before = read_sssom(ledger).rows
    assert ledger_back(ledger, {"fr-bibliotheque-x": ("Q123", "Bibliothèque X"),
                                "fr-y": ("local:Q5", "Y")}, "2026-12-07", "Jane Curator")
    rows = read_sssom(ledger).rows
    added = [row for row in rows if row not in before]
    assert [(r.subject_id, r.object_id, r.negated) for r in added] == [
        ("lcsinst:fr-bibliotheque-x", "wd:Q123", False)]
    assert added[0].author_id == "wdu:Jane_Curator"
    assert ledger_problems(read_sssom(ledger)) == []
    assert not ledger_back(ledger, {"fr-bibliotheque-x": ("Q124", "Bibliothèque X")},
                           "2026-12-08", "Jane Curator")  # an accepted subject keeps its row


def _journal_with(path: Path, damaged: bytes, *, at: int) -> None:
    """A journal of two creates, with line ``at`` (1-based) replaced by ``damaged``."""
    path.unlink(missing_ok=True)
    journal = Journal(path)
    journal.write("batch", batch="abc", api="http://127.0.0.1/api.php", ids={}, plan="p")
    journal.write("intended", key="casestudy:a", action="create", item=None)
    journal.write("done", key="casestudy:a", action="create", item="Q5", revision=7)
    journal.write("intended", key="casestudy:b", action="create", item=None)
    journal.write("done", key="casestudy:b", action="create", item="Q6", revision=8)
    journal.close()
    lines = path.read_bytes().split(b"\n")
    lines[at - 1] = damaged
    path.write_bytes(b"\n".join(lines))


def test_a_line_that_is_not_utf8_is_named_and_stops_the_run(tmp_path: Path) -> None:
    from lod.publish.wikidata.journal import read_journal

    path = tmp_path / "journal.jsonl"
    _journal_with(path, b'{"event": "intended", "key": "casestudy:b", "x": "\xff"}', at=4)
    reading = read_journal(path)
    [damage] = reading.damage
    assert (damage.line, damage.keys, damage.tail) == (4, ("casestudy:b",), False)
    assert damage.reason.startswith("not UTF-8")
    assert reading.unsettled() == [damage]
    result = run_lod("publish", "status", "--out", tmp_path)
    assert result.code == 0 and "Traceback" not in result.stderr
    assert f"{path}: line 4: not UTF-8" in result.stdout
    assert "uncertain: casestudy:b (line 4 of the journal is damaged)" in result.stdout
    assert "--live --settle" in result.stdout  # how to settle it: ask the wiki


def test_a_damaged_line_without_a_key_names_the_items_around_it(tmp_path: Path) -> None:
    from lod.publish.wikidata.journal import read_journal

    path = tmp_path / "journal.jsonl"
    _journal_with(path, b'{"event": "done", "ke', at=3)  # cut in the middle: not the tail
    [damage] = read_journal(path).damage
    assert damage.reason == "not JSON" and not damage.tail
    assert damage.keys == ("casestudy:a", "casestudy:b")
    state = replay(read(path))
    assert set(state.uncertain) == {"casestudy:a"}  # its outcome is unknown: in doubt


def test_a_line_of_the_wrong_shape_is_reported_not_trusted(tmp_path: Path) -> None:
    from lod.publish.wikidata.journal import read_journal

    path = tmp_path / "journal.jsonl"
    for bad in (b'{"event": "done", "key": "casestudy:b", "time": "2026-12-07T10:00:00Z"}',
                b'["done"]', b'{"event": "delete", "key": "casestudy:b", "time": "x"}',
                b'{"event": "done", "key": "casestudy:b", "item": 6, "time": "2026"}',
                b'{"event": "done", "key": "casestudy:b", "item": "Q6", "time": "soon"}'):
        _journal_with(path, bad, at=5)
        [damage] = read_journal(path).damage
        assert damage.line == 5 and damage.reason.startswith("wrong shape"), bad
        assert replay(read(path)).uncertain.keys() == {"casestudy:b"}  # asked, never assumed


def test_a_cut_off_last_line_is_reported_but_does_not_stop(tmp_path: Path) -> None:
    from lod.publish.wikidata.journal import read_journal

    path = tmp_path / "journal.jsonl"
    _journal_with(path, b"", at=6)
    with path.open("ab") as handle:
        handle.write(b'{"event": "intended", "key": "casest')
    reading = read_journal(path)
    [damage] = reading.damage
    assert damage.tail and damage.line == 6 and damage.reason.startswith("cut off")
    assert reading.unsettled() == []
    lines = status_lines(path)
    assert any(line.startswith(f"{path}: line 6: cut off") for line in lines)


def test_status_and_verify_never_show_a_traceback_whatever_the_journal_holds(
        tmp_path: Path) -> None:
    import json as _json

    from test_planfile import VALID

    (tmp_path / "plan.json").write_text(_json.dumps(VALID), encoding="utf-8")
    for content in (b"\xff\xfe\x00garbage", b"\n\n\n", b"null\n", b'{"event": "batch"}\n',
                    b"[1, 2]\n{}\n", b'{"event": "batch", "batch": 1, "time": "2026"}\n'):
        (tmp_path / "journal.jsonl").write_bytes(content)
        result = run_lod("publish", "status", "--out", tmp_path)
        assert result.code == 0, content
        verified = run_lod("publish", "verify", "--out", tmp_path)
        assert verified.code == 1 and verified.stderr.startswith("lod publish verify: "), content
        if content.strip() not in {b"", b"null"}:
            assert "journal.jsonl: line " in verified.stderr, content


def test_the_damaged_journal_stops_live_before_any_request(tmp_path: Path) -> None:
    """--live with a journal that may hide an edit: exit 1, the line named, nothing sent."""
    from test_planfile import _listener, live_on, planned_state

    data, out = planned_state(tmp_path)
    _journal_with(out / "journal.jsonl", b"\xff\xff", at=3)
    with _listener() as (url, seen):
        result = live_on(url, data, out)
        assert seen == []
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "journal.jsonl: line 3: not UTF-8" in result.stderr
    assert "casestudy:a, casestudy:b" in result.stderr and "--settle" in result.stderr
