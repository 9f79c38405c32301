"""The live commands end to end: ``publish wikidata --live``, ``publish verify``, ``publish status``.

Each returns the lines to print; the CLI maps the exceptions to exit codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lod import clock as lod_clock
from lod import resources
from lod.files import write_atomic
from lod.http import ContactError, user_agent
from lod.publish.outdir import locked
from lod.publish.wikidata import journal as jr
from lod.publish.wikidata.applier import Applier, ApplyError, Outcome, new_reader, stop_message
from lod.publish.wikidata.botpolicy import (
    Pacer,
    PolicyRefusal,
    planned_edits,
    policy_applies,
    run_rules,
)
from lod.publish.wikidata.client import Credentials, CredentialsError, Policy
from lod.publish.wikidata.connection import Connection
from lod.publish.wikidata.dryrun import Target
from lod.publish.wikidata.model import Plan
from lod.publish.wikidata.planfile import PLAN, PlanError, digest, read_plan, removed_keys
from lod.publish.wikidata.reads import IdMap, WikiReader
from lod.publish.wikidata.verify import NAME, differences, render
from lod.publish.wikidata.writeback import ledger_back, write_back
from lod.settings import Settings

__all__ = ["ApplyError", "LiveResult", "PlanError", "PolicyRefusal", "publish_live", "status",
           "verify_later"]


@dataclass
class LiveResult:
    """What to print, and whether the run ended with an error."""

    lines: list[str]
    ok: bool


def publish_live(settings: Settings, target: Target, out: Path, environ: Mapping[str, str],
                 *, pause: Callable[[str], None] | None = None,
                 settle: bool = False, bot_policy: bool = False, task_page: str = "",
                 edit_pause: float | None = None, clock: Callable[[], float] = lod_clock.monotonic,
                 sleep: Callable[[float], None] = lod_clock.sleep) -> LiveResult:
    """Apply OUT/plan.json, then verify every touched item and write verify.md.

    One live run per OUT: OUT's lock is taken before anything else (the same
    lock a dry run or a build takes), so a second run is refused at once.
    The plan and the journal are checked whole before the first request.

    Before any edit, the account's rights are read and the bot policy decides
    how (or whether) this run edits (:mod:`lod.publish.wikidata.botpolicy`);
    :class:`PolicyRefusal` means nothing was sent. ``bot_policy`` switches the
    policy on for a wiki other than wikidata.org; ``edit_pause`` is
    ``--pause``; ``clock`` and ``sleep`` time the pauses between edits.
    ``pause`` is called with each item's key just before its edit (a test hook).
    """
    with locked(out.absolute()):
        return _publish_live(settings, target, out, environ, pause=pause, settle=settle,
                             bot_policy=bot_policy, task_page=task_page, edit_pause=edit_pause,
                             clock=clock, sleep=sleep)


def _publish_live(settings: Settings, target: Target, out: Path, environ: Mapping[str, str],
                  *, pause: Callable[[str], None] | None, settle: bool, bot_policy: bool,
                  task_page: str, edit_pause: float | None, clock: Callable[[], float],
                  sleep: Callable[[float], None]) -> LiveResult:
    plan = read_plan(out / PLAN)
    reading = jr.read_journal(out / jr.NAME)
    damaged = reading.unsettled()
    if damaged and not settle:
        return LiveResult([f"lod publish wikidata: {stop_message(out / jr.NAME, damaged)}"],
                          ok=False)
    notes = jr.damage_lines(out / jr.NAME, reading)
    removed = removed_keys(out, plan)
    credentials = Credentials.from_environment(environ)
    try:  # Wikimedia wikis are not edited without the operator's contact (lod.http)
        agent = user_agent(settings.user_agent, settings.contact, required_for=target.api_url)
    except ContactError as error:
        raise CredentialsError(str(error)) from None
    connection = Connection(target.api_url, agent, Policy(timeout=settings.timeout), credentials)
    account = connection.account()
    policy = policy_applies(target.api_url, bot_policy)
    rules = run_rules(account, planned_edits([item.action for item in plan.items]),
                      applies=policy, pause=edit_pause)
    connection.bot = rules.bot
    connection.pacer = Pacer(rules.pause, clock=clock, sleep=sleep)
    reader = new_reader(connection, target.sparql_url, target.ids)
    applier = Applier(plan, connection, reader, target.ids, out / jr.NAME, digest=digest(plan),
                      pause=pause, settle=settle, removed=removed, task_page=task_page)
    try:
        outcome = applier.run()
    except ApplyError as error:
        return LiveResult([f"lod publish wikidata: {error}; {_resume_hint(out)[0]}"], ok=False)
    lines = [f"{account.name}: {rules.describe()}"]
    if policy and not task_page:
        lines.append("no --task-page: the edit summaries link no approved task or trial "
                     "discussion (Wikidata:Bots: a bot account works on approved tasks only)")
    lines += [*notes, *_outcome_lines(outcome)]
    if removed:
        lines.append(f"not applied: {len(removed)} items a reviewer removed from the plan "
                     f"({', '.join(removed[:10])}{', …' if len(removed) > 10 else ''})")
    state = reader.entities(sorted(set(outcome.touched.values())))
    found = differences(plan, outcome.touched, state)
    write_atomic(out / NAME, render(found, len(state), outcome.batch, later=False))
    lines.append(f"verified {len(state)} items: {len(found)} differences (see {out / NAME})")
    lines += [f"difference: {d.key} ({d.item}): {d.what}" for d in found]
    if not target.ids.to_wiki:
        records = {key.split(":", 1)[1]: item for key, item in outcome.created.items()
                   if key.startswith("casestudy:")}
        for path in write_back(settings.data_dir, records):
            lines.append(f"wrote the new item's id into {path}")
        institutions = {key.split(":", 1)[1]: (item, _label(plan, key))
                        for key, item in outcome.created.items()
                        if key.startswith("institution:")}
        ledger = (settings.mappings_dir or resources.mappings_dir()) / "institutions.sssom.tsv"
        if institutions and ledger_back(
                ledger, institutions, dt.date.today().isoformat(), connection.user_name()):
            lines.append(f"accepted the new institution items in {ledger}")
    elif outcome.created:
        lines.append("a test Wikibase: its ids are not written into the records")
    if outcome.waits:
        lines.append("waited for: " + ", ".join(f"{reason} x{count}"
                                                for reason, count in sorted(outcome.waits.items())))
    ok = not outcome.failed
    if outcome.failed:
        lines += [f"failed: {key}: {error}" for key, error in sorted(outcome.failed.items())]
        lines += _resume_hint(out)
    return LiveResult(lines, ok)


def _label(plan: Plan, key: str) -> str:
    for item in plan.items:
        if item.key == key:
            return next(iter(sorted(item.labels.items())), ("", key))[1]
    return key


def _resume_hint(out: Path) -> list[str]:
    return [(f"the journal {out / jr.NAME} says where it stopped; run the same command again to "
            "continue (`lod publish status` summarises it)")]


def _outcome_lines(outcome: Outcome) -> list[str]:
    lines = [(f"batch {outcome.batch}: {outcome.edits} edits ({len(outcome.created)} new items); "
             f"EditGroups: https://editgroups.toolforge.org/b/CB/{outcome.batch}/")]
    lines += [f"exists: {key} exists as {item} (same label and description); not created, a "
              "curator decides" for key, item in sorted(outcome.exists.items())]
    return lines


def verify_later(settings: Settings, out: Path, sparql_url: str = "") -> LiveResult:
    """``lod publish verify``: read every published item back, report drift into verify.md."""
    plan = read_plan(out / PLAN)
    reading = jr.read_journal(out / jr.NAME)
    state = jr.replay(reading.events)
    if state.batch is None or state.api is None:
        if reading.damage:
            raise PlanError([*jr.damage_lines(out / jr.NAME, reading),
                             "the journal names no batch lod can read: nothing to verify"])
        raise PlanError([f"no publish journal in {out}: nothing was published from this folder"])
    ids = IdMap(state.ids)
    reader = WikiReader(state.api, sparql_url, ids, user_agent=settings.agent,
                        timeout=settings.timeout)
    current = reader.entities(sorted(set(state.done.values())))
    found = differences(plan, state.done, current)
    write_atomic(out / NAME, render(found, len(current), state.batch, later=True))
    lines = [(f"read {len(current)} published items back from {state.api}: {len(found)} "
             f"differences from the plan (see {out / NAME})")]
    lines += [f"{d.key} ({d.item}): {d.what}" for d in found]
    return LiveResult(lines, ok=True)


def status(out: Path) -> list[str]:
    """``lod publish status``."""
    return jr.status_lines(out / jr.NAME)
