"""Curator decisions on proposals and on the ledger: accept, reject, change, withdraw.

Accepted rows move to the ledger, rejected pairs are kept as ``Not`` rows.
Every decision can be undone: ``--reject`` of an accepted ledger row turns it
into a rejection, ``--accept`` of a rejected one into an acceptance,
``--change`` lets an accepted proposal replace the item a subject had, and
``--withdraw`` removes a decision from the ledger and puts the pair back among
the proposals. The replaced decision is named in the new row's ``comment`` and
every decision is a line of ``mappings/decision-history.tsv`` (who, when,
what, and what it replaced), so the ledger's history is never lost.

Pure: proposals and ledgers in, new proposals, ledgers and history lines out.
The command line reads and writes the files (each atomically) around :func:`decide`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from lod.ledgers import (
    CURIE_MAP,
    LEDGERS,
    NOT,
    RECORD_PREFIX,
    MappingRow,
    MappingSet,
)
from lod.reconcile.history import HistoryLine, decision_text
from lod.reconcile.score import AUTO_ACCEPT

_RULED_OUT = re.compile(r"ruled out: ([^;]+)")


class ReviewError(ValueError):
    """A decision that cannot be applied (unknown id, subject already mapped, bad curator id)."""


@dataclass(frozen=True)
class Outcome:
    """Proposals and ledgers after the decisions, and what was decided."""

    proposals: MappingSet
    ledgers: dict[str, MappingSet]
    accepted: tuple[MappingRow, ...]
    rejected: tuple[MappingRow, ...]
    withdrawn: tuple[MappingRow, ...] = ()
    #: Other candidates of subjects that got an item: kept in the file, no longer asked about.
    set_aside: tuple[MappingRow, ...] = ()
    history: tuple[HistoryLine, ...] = field(default_factory=tuple)


def ledger_for(subject_id: str) -> str:
    """The ledger file that holds a subject's rows."""
    prefix = subject_id.split(":", 1)[0]
    for name, owner in LEDGERS.items():
        if owner == prefix:
            return name
    raise ReviewError(f"{subject_id}: no ledger holds subjects with prefix {prefix!r}")


def check_curator(curator: str) -> str:
    """A curator is named by a CURIE with a declared prefix, e.g. ``wdu:Jane_Doe`` or ``orcid:…``."""
    prefix, colon, local = curator.partition(":")
    if not colon or not local or prefix not in CURIE_MAP or prefix in ("wd", "lcsinst", "unit"):
        raise ReviewError(
            f"curator {curator!r} must be a CURIE such as wdu:<Wikidata user name> or orcid:<ORCID iD>"
        )
    return curator


def _full(wanted: str) -> str:
    return wanted if ":" in wanted else f"{RECORD_PREFIX}:{wanted}"


def _ledger_rows(ledgers: Mapping[str, MappingSet]) -> list[MappingRow]:
    return [row for ledger in ledgers.values() for row in ledger.rows]


def find_any(proposals: MappingSet, ledgers: Mapping[str, MappingSet], wanted: str) -> MappingRow:
    """A proposal or a decided ledger row, by its record id (``lcsmap:`` may be left out)."""
    full = _full(wanted)
    for row in (*proposals.rows, *_ledger_rows(ledgers)):
        if row.record_id == full:
            return row
    raise ReviewError(f"no proposal with id {wanted!r}, and no ledger row either; run `lod mappings "
                      "review --list` for the proposals (decisions are in mappings/*.sssom.tsv)")


def ruled_out(row: MappingRow) -> list[str]:
    """The hard rules the matcher found this candidate breaking ("another country", ...)."""
    return [reason.strip() for reason in _RULED_OUT.findall(row.comment)]


def confident(proposals: MappingSet) -> list[str]:
    """Ids of proposals that may be accepted in bulk: >= AUTO_ACCEPT and alone at that level."""
    high: dict[str, list[MappingRow]] = {}
    for row in proposals.rows:
        if (row.confidence or 0.0) >= AUTO_ACCEPT:
            high.setdefault(row.subject_id, []).append(row)
    return [rows[0].record_id for rows in high.values() if len(rows) == 1]


def describe(row: MappingRow) -> str:
    """A decision in words: ``accepted wd:Q1 (label) by wdu:X on 2026-01-01``."""
    return decision_text(row)


def _as_proposal(row: MappingRow) -> MappingRow:
    comment = re.sub(r"\s*replaces: [^;]*;?", "", row.comment).strip()
    return row.model_copy(update={"predicate_modifier": "", "author_id": "", "reviewer_id": "",
                                  "mapping_date": "", "comment": comment})


def decide(proposals: MappingSet, ledgers: Mapping[str, MappingSet], *, accept: Sequence[str] = (),
           reject: Sequence[str] = (), withdraw: Sequence[str] = (), change: bool = False,
           curator: str, today: dt.date | None = None) -> Outcome:
    """Apply the decisions; raise ReviewError before changing anything if one is invalid."""
    check_curator(curator)
    date = (today or dt.date.today()).isoformat()
    accepted_rows = [find_any(proposals, ledgers, wanted) for wanted in accept]
    rejected_rows = [find_any(proposals, ledgers, wanted) for wanted in reject]
    withdrawn_rows = [find_any(proposals, ledgers, wanted) for wanted in withdraw]
    ids = [{row.record_id for row in rows} for rows in (accepted_rows, rejected_rows, withdrawn_rows)]
    both = (ids[0] & ids[1]) | (ids[0] & ids[2]) | (ids[1] & ids[2])
    if both:
        raise ReviewError(f"{', '.join(sorted(both))}: given two decisions at once")
    in_ledger = {row.record_id: row for row in _ledger_rows(ledgers)}
    for row in withdrawn_rows:
        if row.record_id not in in_ledger:
            raise ReviewError(f"{row.record_id} is a proposal, not a decision: nothing to withdraw")
    for row in accepted_rows:
        if row.record_id in in_ledger and not in_ledger[row.record_id].negated:
            raise ReviewError(f"{row.record_id} ({row.subject_label} -> {row.qid}) is already accepted")
    for row in rejected_rows:
        if row.record_id in in_ledger and in_ledger[row.record_id].negated:
            raise ReviewError(f"{row.record_id} ({row.subject_label} -> {row.qid}) is already rejected")
    leaving = {row.record_id for row in (*withdrawn_rows, *rejected_rows)}
    mapped = {row.subject_id: row for row in in_ledger.values()
              if not row.negated and row.record_id not in leaving}
    chosen: dict[str, str] = {}
    replaced: dict[str, MappingRow] = {}  # record id of the new decision -> the one it replaces
    for row in accepted_rows:
        if chosen.setdefault(row.subject_id, row.object_id) != row.object_id:
            raise ReviewError(f"{row.subject_id}: two different items accepted")
        old = mapped.get(row.subject_id)
        if old is not None and old.object_id != row.object_id:
            if not change:
                raise ReviewError(
                    f"{row.subject_id} is already mapped to {old.qid} ({describe(old)}); add --change "
                    f"to replace it with {row.qid}, or --withdraw {old.record_id} first")
            replaced[row.record_id] = old
    for row in (*accepted_rows, *rejected_rows):
        if row.record_id in in_ledger:
            replaced[row.record_id] = in_ledger[row.record_id]
    decided = {"author_id": curator, "reviewer_id": curator, "mapping_date": date}

    def made(row: MappingRow, negated: bool) -> MappingRow:
        update: dict[str, object] = {**decided, "predicate_modifier": NOT if negated else ""}
        old = replaced.get(row.record_id)
        if old is not None:
            comment = re.sub(r"\s*replaces: [^;]*;?", "", row.comment).strip()
            update["comment"] = f"replaces: {describe(old)}; {comment}".strip().rstrip(";")
        return row.model_copy(update=update)

    accepted = tuple(made(row, False) for row in accepted_rows)
    rejected = tuple(made(row, True) for row in rejected_rows)
    gone = {row.record_id for row in withdrawn_rows} | {
        old.record_id for old in replaced.values()}
    new_ledgers: dict[str, MappingSet] = {}
    for name, ledger in ledgers.items():
        kept = [old for old in ledger.rows if old.record_id not in gone]
        new_ledgers[name] = ledger.with_rows(kept)
    for row in (*accepted, *rejected):
        name = ledger_for(row.subject_id)
        current = new_ledgers[name]
        kept = [old for old in current.rows if old.pair != row.pair]
        new_ledgers[name] = current.with_rows([*kept, row])
    history = [HistoryLine.of(date, curator, "accept", row, replaced.get(row.record_id))
               for row in accepted]
    history += [HistoryLine.of(date, curator, "reject", row, replaced.get(row.record_id))
                for row in rejected]
    history += [HistoryLine.of(date, curator, "withdraw", row, row) for row in withdrawn_rows]
    # Replaced items come back as proposals too, so the curator can undo a change at once.
    returned = [_as_proposal(row) for row in withdrawn_rows]
    returned += [_as_proposal(old) for key, old in replaced.items()
                 if not old.negated and old.record_id != key]
    decided_ids = {row.record_id for row in (*accepted, *rejected)}
    set_aside = tuple(row for row in proposals.rows
                      if row.record_id not in decided_ids and row.subject_id in chosen)
    # Set-aside candidates stay in the file (not in the prompt): `--accept ID --change` switches.
    remaining = [row for row in proposals.rows if row.record_id not in decided_ids]
    present = {row.record_id for row in remaining}
    remaining += [row for row in returned if row.record_id not in present]
    return Outcome(proposals.with_rows(remaining), new_ledgers, accepted, rejected,
                   tuple(withdrawn_rows), set_aside, tuple(history))


def pending(proposals: MappingSet, ledgers: Mapping[str, MappingSet]) -> list[MappingRow]:
    """Proposals still to decide: those of subjects without an accepted item in the ledger."""
    linked = {row.subject_id for row in _ledger_rows(ledgers) if not row.negated}
    return [row for row in proposals.rows if row.subject_id not in linked]


def table(rows: Iterable[MappingRow]) -> str:
    """Proposals as a numbered plain-text table (the numbers the prompt uses too)."""
    lines = [f"{'#':>3}  {'id':<10}  {'conf':>4}  {'subject':<34}  {'item':<12}  {'item label':<30}  evidence"]
    for number, row in enumerate(rows, start=1):
        conf = "" if row.confidence is None else f"{row.confidence:.2f}"
        lines.append(
            f"{number:>3}  {row.record_id.split(':', 1)[1]:<10}  {conf:>4}  {_cut(row.subject_label, 34):<34}  "
            f"{row.qid:<12}  {_cut(row.object_label, 30):<30}  {row.comment.removeprefix('evidence: ')}"
        )
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def prompt_decisions(rows: Sequence[MappingRow], *, ask: Callable[..., str],
                     say: Callable[[str], None], confirm: Callable[[str], bool] | None = None,
                     ) -> tuple[list[str], list[str]]:
    """Ask about each proposal in turn, by its number; returns (accepted ids, rejected ids).

    Every proposal is asked about exactly once and in the table's order, so
    an answer always lands on the proposal named in the question. A subject
    with an accepted item may still have its other candidates rejected (or
    skipped); accepting a candidate the matcher ruled out needs a confirmation.
    """
    accepted: list[str] = []
    rejected: list[str] = []
    settled: dict[str, int] = {}
    total = len(rows)
    for number, row in enumerate(rows, start=1):
        evidence = "\n  ".join(row.comment.removeprefix("evidence: ").split("; "))
        say(f"\nproposal {number} of {total}: {row.subject_label} ({row.subject_id})  ->  "
            f"{row.qid} {row.object_label} [{row.confidence if row.confidence is not None else '?'}]"
            f"\n  {evidence}")
        while True:
            if row.subject_id in settled:
                say(f"  {row.subject_label} already has proposal {settled[row.subject_id]} accepted")
            answer = ask(f"proposal {number} ({row.qid} {row.object_label}): "
                         "[a]ccept, [r]eject, [s]kip, [q]uit", default="s").strip().lower()[:1]
            if answer == "a" and row.subject_id in settled:
                say(f"  only one item per institution: answer r or s for proposal {number}")
                continue
            reasons = ruled_out(row)
            if answer == "a" and reasons and not (confirm and confirm(
                    f"  proposal {number} was ruled out ({'; '.join(reasons)}); accept it anyway?")):
                say(f"  proposal {number} not accepted")
                continue
            break
        if answer == "q":
            break
        if answer == "a":
            accepted.append(row.record_id)
            settled[row.subject_id] = number
        elif answer == "r":
            rejected.append(row.record_id)
    return accepted, rejected
