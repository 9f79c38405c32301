"""Mapping decisions that can be undone, and a prompt that never shifts (issue 27 points 4-5).

The rows are built the way ``lod reconcile`` writes proposals (its comment
carries "ruled out: ..." for candidates breaking a hard rule); the decisions
are the ones a curator makes in ``lod mappings review``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from lod.ledgers import LEDGERS, MappingRow, MappingSet, empty_set, record_id
from lod.model.case_study import CaseStudy
from lod.reconcile.renames import unlinked_rows
from lod.reconcile.review import ReviewError, decide, pending, prompt_decisions

CURATOR = "wdu:Test_Curator"
OTHER = "wdu:Other_Curator"
DAY = dt.date(2026, 12, 1)


def proposal(subject: str, label: str, qid: str, comment: str = "evidence: agrees: label@en",
             confidence: float = 0.9) -> MappingRow:
    return MappingRow(record_id=record_id(subject, f"wd:{qid}"), subject_id=subject,
                      subject_label=label, object_id=f"wd:{qid}", object_label=label,
                      mapping_justification="semapv:LexicalMatching", confidence=confidence,
                      mapping_tool="lod reconcile", comment=comment)


A1 = proposal("lcsinst:es-biblioteca-de-lleida", "Biblioteca de Lleida", "Q900000701")
A2 = proposal("lcsinst:es-biblioteca-de-lleida", "Biblioteca de Lleida", "Q900000702",
              "evidence: conflicts: another country; capped at 0.5: ruled out: another country", 0.5)
B1 = proposal("lcsinst:fr-bibliotheque-de-lyon", "Bibliothèque de Lyon", "Q900000703")


def start() -> tuple[MappingSet, dict[str, MappingSet]]:
    return (empty_set("proposals").with_rows([A1, A2, B1]),
            {name: empty_set(name) for name in LEDGERS})


def rows(ledgers: dict[str, MappingSet]) -> set[tuple[str, str, bool, str]]:
    return {(r.subject_id, r.qid, r.negated, r.reviewer_id) for r in ledgers["institutions.sssom.tsv"].rows}


def test_an_acceptance_is_turned_into_a_rejection_and_the_ledger_says_what_it_replaced() -> None:
    proposals, ledgers = start()
    first = decide(proposals, ledgers, accept=[A2.record_id], curator=OTHER, today=DAY)
    assert [row.record_id for row in first.set_aside] == [A1.record_id]  # said, not silent
    assert A1 in first.proposals.rows  # kept: `--accept A1 --change` can switch to it
    second = decide(first.proposals, first.ledgers, reject=[A2.record_id], curator=CURATOR,
                    today=DAY)
    [row] = second.ledgers["institutions.sssom.tsv"].rows
    assert row.negated and row.reviewer_id == CURATOR
    assert row.comment.startswith(f"replaces: accepted wd:Q900000702 (Biblioteca de Lleida) by "
                                  f"{OTHER} on 2026-12-01")
    [line] = second.history
    assert (line.action, line.curator, line.replaced) == (
        "reject", CURATOR, f"accepted wd:Q900000702 (Biblioteca de Lleida) by {OTHER} on 2026-12-01")
    # and back again: a rejected row accepted
    third = decide(second.proposals, second.ledgers, accept=[A2.record_id], curator=CURATOR,
                   today=DAY)
    assert rows(third.ledgers) == {("lcsinst:es-biblioteca-de-lleida", "Q900000702", False, CURATOR)}


def test_change_replaces_the_item_and_withdraw_returns_it_to_the_proposals() -> None:
    proposals, ledgers = start()
    wrong = decide(proposals, ledgers, accept=[A2.record_id], curator=CURATOR, today=DAY)
    with pytest.raises(ReviewError, match="add --change"):
        decide(wrong.proposals, wrong.ledgers, accept=[A1.record_id], curator=CURATOR, today=DAY)
    changed = decide(wrong.proposals, wrong.ledgers, accept=[A1.record_id], change=True,
                     curator=CURATOR, today=DAY)
    assert rows(changed.ledgers) == {("lcsinst:es-biblioteca-de-lleida", "Q900000701", False, CURATOR)}
    assert [line.replaced for line in changed.history] == [
        f"accepted wd:Q900000702 (Biblioteca de Lleida) by {CURATOR} on 2026-12-01"]
    assert A2.record_id in {row.record_id for row in changed.proposals.rows}
    withdrawn = decide(changed.proposals, changed.ledgers, withdraw=[A1.record_id],
                       curator=CURATOR, today=DAY)
    assert rows(withdrawn.ledgers) == set()
    back = {row.record_id: row for row in withdrawn.proposals.rows}
    assert back[A1.record_id].reviewer_id == "" and not back[A1.record_id].negated
    assert [(line.action, line.record_id) for line in withdrawn.history] == [
        ("withdraw", A1.record_id)]
    assert {row.record_id for row in pending(withdrawn.proposals, withdrawn.ledgers)} == {
        A1.record_id, A2.record_id, B1.record_id}
    with pytest.raises(ReviewError, match="nothing to withdraw"):
        decide(withdrawn.proposals, withdrawn.ledgers, withdraw=[B1.record_id], curator=CURATOR)


class Prompt:
    """Scripted answers and everything said, as a terminal would show it."""

    def __init__(self, answers: list[str], confirms: list[bool] | None = None) -> None:
        self.answers = answers
        self.confirms = confirms or []
        self.said: list[str] = []

    def ask(self, question: str, default: str = "s") -> str:
        self.said.append(question)
        return self.answers.pop(0) if self.answers else "q"

    def say(self, text: str) -> None:
        self.said.append(text)

    def confirm(self, question: str) -> bool:
        self.said.append(question)
        return self.confirms.pop(0)


def test_each_answer_lands_on_the_proposal_it_names() -> None:
    prompt = Prompt(["a", "r", "a"])
    accepted, rejected = prompt_decisions([A1, A2, B1], ask=prompt.ask, say=prompt.say,
                                          confirm=prompt.confirm)
    # A2 is asked about although A1 was accepted: answer 2 goes to proposal 2, answer 3 to 3
    assert (accepted, rejected) == ([A1.record_id, B1.record_id], [A2.record_id])
    questions = [line for line in prompt.said if "[a]ccept" in line]
    assert [q.split(":")[0] for q in questions] == [
        "proposal 1 (Q900000701 Biblioteca de Lleida)", "proposal 2 (Q900000702 Biblioteca de Lleida)",
        "proposal 3 (Q900000703 Bibliothèque de Lyon)"]
    assert any(line.startswith("\nproposal 2 of 3: Biblioteca de Lleida") for line in prompt.said)


def test_a_ruled_out_candidate_needs_a_confirmation() -> None:
    prompt = Prompt(["a", "s"], confirms=[False])
    accepted, _ = prompt_decisions([A2], ask=prompt.ask, say=prompt.say, confirm=prompt.confirm)
    assert accepted == []  # refused at the confirmation, then skipped
    assert "  proposal 1 was ruled out (another country); accept it anyway?" in prompt.said
    prompt = Prompt(["a"], confirms=[True])
    accepted, _ = prompt_decisions([A2], ask=prompt.ask, say=prompt.say, confirm=prompt.confirm)
    assert accepted == [A2.record_id]


RECORD = {
    "id": "lleida", "status": "reviewed", "lang": "en", "title": {"en": "Lleida"},
    "summary": {"en": "A library in Lleida edited Wikipedia."}, "wikimedia_projects": ["wikipedia"],
}


def test_a_renamed_institution_keeps_its_row_and_a_removed_one_is_an_orphan() -> None:
    ledger = empty_set("ledger").with_rows([
        A1.model_copy(update={"reviewer_id": CURATOR, "author_id": CURATOR, "mapping_date": "2026-12-01"}),
        B1.model_copy(update={"reviewer_id": CURATOR, "author_id": CURATOR, "mapping_date": "2026-12-01"}),
    ])
    renamed = CaseStudy.model_validate({**RECORD, "institutions": [
        {"name": "Biblioteca Pública de Lleida", "country": "ES", "type": "public"}]})
    found = {item.row.subject_id: item for item in unlinked_rows([renamed], ledger)}
    assert found[A1.subject_id].renamed_to == "lcsinst:es-biblioteca-publica-de-lleida"
    assert found[B1.subject_id].renamed_to is None  # Lyon is in no record: an orphan
    assert "is an orphaned ledger row" in found[B1.subject_id].message()
    # two new names that could both be the old one: neither is guessed
    both = CaseStudy.model_validate({**RECORD, "institutions": [
        {"name": "Biblioteca Pública de Lleida", "country": "ES", "type": "public"},
        {"name": "Biblioteca Municipal de Lleida", "country": "ES", "type": "public"}]})
    assert unlinked_rows([both], ledger)[0].renamed_to is None
