"""The pure parts of the live publish: the journal's reading, the QIDs written back, the
User-Agent and credentials rules (no wiki needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, VALID_RECORD, write_record
from lod.publish.wikidata.client import Credentials, CredentialsError, user_agent
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
    with pytest.raises(CredentialsError, match="LOD_CONTACT"):
        user_agent("lod/0.1", {}, api)
    assert user_agent("lod/0.1", {"LOD_CONTACT": "curator@example.org"}, api) == \
        "lod/0.1 operator curator@example.org"
    assert user_agent("lod/0.1", {}, "http://127.0.0.1:8181/api.php") == "lod/0.1"
    with pytest.raises(CredentialsError):
        user_agent("lod/0.1", {"LOD_CONTACT": "nobody"}, api)


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
