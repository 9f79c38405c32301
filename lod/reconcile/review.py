"""Curator decisions on proposals: accepted rows move to the ledger, rejected pairs are kept as ``Not``.

Pure: proposals and ledgers in, new proposals and ledgers out. The command
line reads and writes the files (each atomically) around :func:`decide`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from lod.ledgers import CURIE_MAP, LEDGERS, NOT, RECORD_PREFIX, MappingRow, MappingSet
from lod.reconcile.score import AUTO_ACCEPT


class ReviewError(ValueError):
    """A decision that cannot be applied (unknown id, subject already mapped, bad curator id)."""


@dataclass(frozen=True)
class Outcome:
    """Proposals and ledgers after the decisions, and what was decided."""

    proposals: MappingSet
    ledgers: dict[str, MappingSet]
    accepted: tuple[MappingRow, ...]
    rejected: tuple[MappingRow, ...]


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


def find(proposals: MappingSet, wanted: str) -> MappingRow:
    """The proposal with this record id (the ``lcsmap:`` prefix may be left out)."""
    full = wanted if ":" in wanted else f"{RECORD_PREFIX}:{wanted}"
    for row in proposals.rows:
        if row.record_id == full:
            return row
    raise ReviewError(f"no proposal with id {wanted!r}; run `lod mappings review --list` to see them")


def confident(proposals: MappingSet) -> list[str]:
    """Ids of proposals that may be accepted in bulk: >= AUTO_ACCEPT and alone at that level."""
    high: dict[str, list[MappingRow]] = {}
    for row in proposals.rows:
        if (row.confidence or 0.0) >= AUTO_ACCEPT:
            high.setdefault(row.subject_id, []).append(row)
    return [rows[0].record_id for rows in high.values() if len(rows) == 1]


def decide(proposals: MappingSet, ledgers: Mapping[str, MappingSet], *, accept: Sequence[str] = (),
           reject: Sequence[str] = (), curator: str, today: dt.date | None = None) -> Outcome:
    """Apply accept/reject decisions; raise ReviewError before changing anything if one is invalid."""
    check_curator(curator)
    date = (today or dt.date.today()).isoformat()
    accepted_rows = [find(proposals, wanted) for wanted in accept]
    rejected_rows = [find(proposals, wanted) for wanted in reject]
    both = {row.record_id for row in accepted_rows} & {row.record_id for row in rejected_rows}
    if both:
        raise ReviewError(f"{', '.join(sorted(both))}: both accepted and rejected")
    mapped = {row.subject_id: row.object_id for ledger in ledgers.values() for row in ledger.rows
              if not row.negated}
    chosen: dict[str, str] = {}
    for row in accepted_rows:
        if row.subject_id in mapped:
            raise ReviewError(f"{row.subject_id} is already mapped to {mapped[row.subject_id]} in the ledger")
        if chosen.setdefault(row.subject_id, row.object_id) != row.object_id:
            raise ReviewError(f"{row.subject_id}: two different items accepted")
    decided = {"author_id": curator, "reviewer_id": curator, "mapping_date": date}
    accepted = tuple(row.model_copy(update=decided) for row in accepted_rows)
    rejected = tuple(row.model_copy(update={**decided, "predicate_modifier": NOT}) for row in rejected_rows)
    new_ledgers = dict(ledgers)
    for row in (*accepted, *rejected):
        name = ledger_for(row.subject_id)
        current = new_ledgers[name]
        kept = [old for old in current.rows if old.pair != row.pair]
        new_ledgers[name] = current.with_rows([*kept, row])
    gone = {row.record_id for row in (*accepted, *rejected)}
    remaining = [row for row in proposals.rows if row.record_id not in gone and row.subject_id not in chosen]
    return Outcome(proposals.with_rows(remaining), new_ledgers, accepted, rejected)


def table(rows: Iterable[MappingRow]) -> str:
    """Proposals as a plain-text table for the terminal (id, confidence, subject, item, evidence)."""
    lines = [f"{'id':<10}  {'conf':>4}  {'subject':<34}  {'item':<12}  {'item label':<30}  evidence"]
    for row in rows:
        conf = "" if row.confidence is None else f"{row.confidence:.2f}"
        lines.append(
            f"{row.record_id.split(':', 1)[1]:<10}  {conf:>4}  {_cut(row.subject_label, 34):<34}  "
            f"{row.qid:<12}  {_cut(row.object_label, 30):<30}  {row.comment.removeprefix('evidence: ')}"
        )
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def prompt_decisions(rows: Sequence[MappingRow], *, ask: Callable[..., str],
                     say: Callable[[str], None]) -> tuple[list[str], list[str]]:
    """Ask about each proposal in turn; returns (accepted ids, rejected ids).

    Once a subject has an accepted item, its other proposals are not asked about.
    """
    accepted: list[str] = []
    rejected: list[str] = []
    settled: set[str] = set()
    for row in rows:
        if row.subject_id in settled:
            continue
        evidence = "\n  ".join(row.comment.removeprefix("evidence: ").split("; "))
        say(f"\n{row.subject_label} ({row.subject_id})  ->  {row.qid} {row.object_label} "
            f"[{row.confidence if row.confidence is not None else '?'}]\n  {evidence}")
        answer = ask("[a]ccept, [r]eject, [s]kip, [q]uit", default="s").strip().lower()[:1]
        if answer == "q":
            break
        if answer == "a":
            accepted.append(row.record_id)
            settled.add(row.subject_id)
        elif answer == "r":
            rejected.append(row.record_id)
    return accepted, rejected
