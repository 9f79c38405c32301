"""The file side of ``lod reconcile`` and ``lod mappings``: read inputs, call the pure steps, write atomically.

Nothing is written until everything has been computed, and every file is
replaced by a rename, so an unreachable endpoint or a bad decision leaves the
proposals file and the ledgers exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lod import resources
from lod.ingest.load import load_case_studies
from lod.inputs import CACHE_MAX_AGE_DAYS, read_sssom_text
from lod.ledgers import (
    LEDGERS,
    MappingFileError,
    MappingSet,
    empty_set,
    read_sssom,
    record_id,
    render_sssom,
    write_sssom,
)
from lod.problems import InputError
from lod.reconcile.history import HistoryLine, append_history
from lod.reconcile.match import Result, reconcile
from lod.reconcile.renames import unlinked_rows
from lod.reconcile.review import Outcome, check_curator, decide, ledger_for
from lod.reconcile.sparql import EndpointError, SparqlClient
from lod.reconcile.subjects import institution_subjects, unit_subjects
from lod.settings import Settings

CACHE_NAME = "reconcile-cache"


class ReconcileError(RuntimeError):
    """The run could not finish; nothing was written."""


@dataclass(frozen=True)
class ReconcileOutcome:
    """What ``lod reconcile`` did, for the summary line."""

    result: Result
    out: Path
    cache_dir: Path

    def summary(self) -> str:
        """Counts a curator can read at a glance."""
        r = self.result
        kinds = [s.kind for s in r.subjects]
        subjects = len({row.subject_id for row in r.proposals.rows})
        lines = [
            (f"{len(kinds)} subjects ({kinds.count('institution')} institutions, "
             f"{kinds.count('ifla-unit')} IFLA units); {r.skipped_decided} already in the ledger"),
            (f"{len(r.proposals.rows)} proposals for {subjects} subjects, {r.confident} at "
             f"confidence >= 0.9; {r.suppressed_rejected} rejected pairs left out"),
            f"{r.stats.requests} HTTP requests, {r.stats.cache_hits} answers from the cache ({self.cache_dir})",
            f"wrote {self.out}; review with `lod mappings review --proposals {self.out}`",
        ]
        return "\n".join(lines)


def ledger_dir(mappings_dir: Path | None) -> Path:
    """Where the ledgers live: ``--mappings`` or the project's ``mappings/``."""
    return mappings_dir or resources.mappings_dir()


def read_ledgers(mappings_dir: Path | None) -> dict[str, MappingSet]:
    """Every ledger by file name; a missing file is an empty ledger."""
    folder = ledger_dir(mappings_dir)
    return {
        name: read_sssom(folder / name) if os.path.lexists(folder / name) else empty_set(name)
        for name in LEDGERS
    }


def merged(ledgers: dict[str, MappingSet]) -> MappingSet:
    """All ledgers as one set (for the matcher, which only needs the decisions)."""
    return empty_set("ledger").with_rows(row for ledger in ledgers.values() for row in ledger.rows)


def run_reconcile(settings: Settings, *, endpoint: str, out: Path, cache_dir: Path | None = None,
                  mappings_dir: Path | None = None, units: bool = True,
                  today: dt.date | None = None, refresh: bool = False) -> ReconcileOutcome:
    """Load the records, ask the endpoint, write the proposals file; raise before writing on failure.

    ``refresh`` asks every question again (and replaces the cached answers).
    """
    loaded = load_case_studies([settings.data_dir], include_drafts=False)
    if loaded.problems:
        raise InputError(loaded.problems)
    try:
        ledger = merged(read_ledgers(mappings_dir))
    except MappingFileError as error:
        raise ReconcileError(str(error)) from None
    subjects = institution_subjects(item.record for item in loaded.records)
    if units:
        subjects += unit_subjects()
    cache = cache_dir or out.parent / CACHE_NAME
    client = SparqlClient(endpoint, user_agent=settings.agent, timeout=settings.timeout, cache_dir=cache,
                          max_age_days=0 if refresh else CACHE_MAX_AGE_DAYS)
    try:
        result = reconcile(subjects, client=client, ledger=ledger, today=today)
    except EndpointError as error:
        raise ReconcileError(f"{error}; nothing was written") from None
    write_sssom(out, result.proposals)
    return ReconcileOutcome(result, out, cache)


def read_proposals(path: Path, *, missing_ok: bool = False) -> MappingSet:
    """The proposals file, or a clear error when ``lod reconcile`` has not been run.

    ``missing_ok``: an absent file is an empty set (undoing a decision needs no proposals).
    """
    if not os.path.lexists(path):
        if missing_ok:
            return empty_set(path.name)
        raise MappingFileError(f"{path}: no proposals file; run `lod reconcile --out {path}` first")
    return read_sssom(path)


def apply_review(*, proposals_path: Path, mappings_dir: Path | None, accept: Sequence[str],
                 reject: Sequence[str], curator: str, withdraw: Sequence[str] = (),
                 change: bool = False, today: dt.date | None = None) -> Outcome:
    """Decide, then write the ledgers, the history and the proposals file (ledgers first)."""
    proposals = read_proposals(proposals_path, missing_ok=not accept)
    ledgers = read_ledgers(mappings_dir)
    outcome = decide(proposals, ledgers, accept=accept, reject=reject, withdraw=withdraw,
                     change=change, curator=curator, today=today)
    folder = ledger_dir(mappings_dir)
    for name, ledger in outcome.ledgers.items():
        if ledger != ledgers[name] or not (folder / name).exists():
            write_sssom(folder / name, ledger)
    append_history(folder, outcome.history)
    if proposals_path.exists() or outcome.proposals.rows:
        write_sssom(proposals_path, outcome.proposals)
    return outcome


def relink(data: Path, mappings_dir: Path | None, *, curator: str,
           today: dt.date | None = None) -> list[str]:
    """Move each ledger row of a renamed institution to its new subject; the lines moved.

    The renames are the ones :func:`lod.reconcile.renames.unlinked_rows` detects (and
    the build already applies); writing them keeps the ledger true on its own.
    """
    check_curator(curator)
    loaded = load_case_studies([data], include_drafts=False)
    if loaded.problems:
        raise InputError(loaded.problems)
    ledgers = read_ledgers(mappings_dir)
    found = [item for item in unlinked_rows((r.record for r in loaded.records), merged(ledgers))
             if item.renamed_to]
    if not found:
        return []
    date = (today or dt.date.today()).isoformat()
    history: list[HistoryLine] = []
    moved: list[str] = []
    new_ledgers = dict(ledgers)
    for item in found:
        old = item.row
        new_subject = str(item.renamed_to)
        row = old.model_copy(update={
            "record_id": record_id(new_subject, old.object_id), "subject_id": new_subject,
            "subject_label": item.new_label, "author_id": curator, "reviewer_id": curator,
            "mapping_date": date,
            "comment": f"renamed from {old.subject_id} ({old.subject_label}); {old.comment}".strip(" ;"),
        })
        name = ledger_for(new_subject)
        kept = [r for r in new_ledgers[name].rows if r.record_id != old.record_id]
        new_ledgers[name] = new_ledgers[name].with_rows([*kept, row])
        history.append(HistoryLine.of(date, curator, "relink", row, old))
        moved.append(f"{old.subject_id} ({old.subject_label}) -> {new_subject} "
                     f"({item.new_label}): {old.qid}")
    folder = ledger_dir(mappings_dir)
    for name, ledger in new_ledgers.items():
        if ledger != ledgers[name]:
            write_sssom(folder / name, ledger)
    append_history(folder, history)
    return moved


def lint(mappings_dir: Path | None, *, check: bool) -> list[Path]:
    """Rewrite the ledgers in canonical form (or only report, with ``check``); the files that differ."""
    folder = ledger_dir(mappings_dir)
    differing = []
    for name in LEDGERS:
        path = folder / name
        if not os.path.lexists(path):
            continue
        canonical = render_sssom(read_sssom(path))
        if read_sssom_text(path) != canonical:
            differing.append(path)
            if not check:
                write_sssom(path, read_sssom(path))
    return differing
