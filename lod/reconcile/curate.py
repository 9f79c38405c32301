"""``lod reconcile`` and ``lod mappings``: the curator's side of the ledgers, as commands say it.

:mod:`lod.reconcile.run` reads and writes the files; this module asks the
curator (who decides, which proposals), prints what changed, and turns each
failure into the one line a curator reads: a decision that cannot be made is a
usage error (exit 2), an unreadable ledger or an unreachable endpoint exit 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lod.problems import Failure, Say
from lod.settings import Settings

CURATOR_QUESTION = "Curator (wdu:<Wikidata user> or orcid:<ORCID iD>)"


@contextmanager
def _curating(command: str) -> Iterator[None]:
    """A refused decision (exit 2) or an unreadable ledger (exit 1) as one line."""
    from lod.ledgers import MappingFileError
    from lod.reconcile.review import ReviewError

    try:
        yield
    except ReviewError as error:
        raise Failure(f"lod mappings {command}: {error}", usage=True) from None
    except MappingFileError as error:
        raise Failure(str(error)) from None


def propose(settings: Settings, *, endpoint: str, out: Path, cache_dir: Path | None,
            units: bool, refresh: bool) -> str:
    """``lod reconcile``: write the proposals file; the summary a curator reads."""
    from lod.reconcile.run import ReconcileError, run_reconcile

    try:
        outcome = run_reconcile(settings, endpoint=endpoint, out=out, cache_dir=cache_dir,
                                mappings_dir=settings.mappings_dir, units=units, refresh=refresh)
    except (ReconcileError, ValueError) as error:
        raise Failure(f"lod reconcile: {error}") from None
    return outcome.summary()


def review_proposals(settings: Settings, *, proposals: Path, accept: list[str], reject: list[str],
           withdraw: list[str], change: bool, confident: bool, curator: str | None,
           list_only: bool, say: Say, warn: Say, ask: Callable[..., str],
           confirm: Callable[[str], bool]) -> None:
    """``lod mappings review``: show the open proposals, ask or take the decisions, write them."""
    from lod.reconcile.review import confident as confident_ids
    from lod.reconcile.review import pending as open_proposals
    from lod.reconcile.review import prompt_decisions, ruled_out, table
    from lod.reconcile.run import apply_review, read_ledgers, read_proposals

    mappings = settings.mappings_dir
    accepted, rejected = list(accept), list(reject)
    withdrawn = list(withdraw)
    with _curating("review"):
        proposed = read_proposals(proposals, missing_ok=not (accepted or list_only or confident)
                                  and bool(rejected or withdrawn))
        open_rows = open_proposals(proposed, read_ledgers(mappings))
    if confident:
        accepted += confident_ids(proposed.with_rows(open_rows))
    if list_only or not (accepted or rejected or withdrawn):
        say(table(open_rows) if open_rows else "no proposals to review")
        if list_only or not open_rows:
            return
        accepted, rejected = prompt_decisions(open_rows, ask=ask, say=say, confirm=confirm)
    if not (accepted or rejected or withdrawn):
        return
    with _curating("review"):
        who = curator or ask(CURATOR_QUESTION)
        outcome = apply_review(proposals_path=proposals, mappings_dir=mappings, accept=accepted,
                               reject=rejected, withdraw=withdrawn, change=change, curator=who)
    for row in outcome.accepted:
        reasons = ruled_out(row)
        if reasons:
            warn(f"warning: {row.record_id} ({row.subject_label} -> {row.qid} {row.object_label}) "
                 f"was ruled out by the matcher: {'; '.join(reasons)}; accepted as asked (undo: "
                 f"lod mappings review --withdraw {row.record_id})")
    for row in outcome.set_aside:
        say(f"set aside: {row.record_id} ({row.subject_label} -> {row.qid}), another "
            "candidate of an institution that now has its item (to switch to it: "
            f"--accept {row.record_id} --change)")
    for line in outcome.history:
        if line.action == "withdraw":
            say(f"withdrawn: {line.record_id} {line.subject_label}: {line.replaced}; "
                "back among the proposals")
        elif line.replaced:
            say(f"{line.action}ed {line.record_id} ({line.subject_label} -> "
                f"{line.object_id}), replacing: {line.replaced}")
    say(f"{len(outcome.accepted)} accepted, {len(outcome.rejected)} rejected, "
        f"{len(outcome.withdrawn)} withdrawn; {len(outcome.proposals.rows)} proposals left")


def relink_renamed(settings: Settings, *, curator: str | None, ask: Callable[[str], str],
                   say: Say) -> None:
    """``lod mappings relink``: move the ledger rows of renamed institutions, say which."""
    from lod.reconcile.run import relink

    with _curating("relink"):
        moved = relink(settings.data_dir, settings.mappings_dir,
                       curator=curator or ask(CURATOR_QUESTION))
    for line in moved:
        say(f"relinked: {line}")
    say(f"{len(moved)} ledger row{'s' if len(moved) != 1 else ''} moved")


def lint_ledgers(settings: Settings, *, check: bool, warn: Say) -> None:
    """``lod mappings lint``: rewrite (or, with ``check``, only name) the ledgers not canonical."""
    from lod.reconcile.run import lint

    with _curating("lint"):
        differing = lint(settings.mappings_dir, check=check)
    for path in differing:
        warn(f"{path}: not in canonical form" if check else f"{path}: rewritten")
    if check and differing:
        raise Failure()
