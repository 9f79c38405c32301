"""``lod publish wikidata``, ``status`` and ``verify`` as invoked: options checked, the dry run
or the live run called, and each way they can fail said in the lines a user reads.

A malformed option is a usage error (exit 2) before anything is read; an
unreadable ``--ids`` file, a plan that cannot be read, a wiki that refuses or
cannot be reached exit 1 with what was (not) written or sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lod.problems import Failure, Say
from lod.settings import Settings

if TYPE_CHECKING:
    from lod.publish.wikidata.dryrun import Target

#: The longest --task-page: it goes into every edit summary.
TASK_PAGE_LIMIT = 200


def check_urls(*, api: str | None, sparql: str | None, task_page: str | None) -> None:
    """Every URL option is an http(s) URL (a usage Failure otherwise)."""
    for name, url in (("--api", api), ("--sparql", sparql), ("--task-page", task_page)):
        if url is not None and not url.startswith(("http://", "https://")):
            raise Failure(f"{name}: expected an http(s) URL, got {url!r}", usage=True)


def plan_or_apply(settings: Settings, *, api: str | None, sparql: str | None, ids: Path | None,
            create_institutions: bool, create_units: bool, live: bool, settle: bool,
            bot_policy: bool, task_page: str | None, pause: float | None,
            only: list[str], only_from: Path | None, say: Say, warn: Say) -> None:
    """Write the plan for review (a dry run), or with ``live`` apply the reviewed plan."""
    from lod.publish.wikidata.dryrun import BatchError, Target, read_batch, summary
    from lod.publish.wikidata.dryrun import publish_wikidata as run_publish
    from lod.publish.wikidata.plan import Options
    from lod.publish.wikidata.reads import IdMap, ReadError

    out = settings.out_dir
    target = Target()
    try:
        id_map = IdMap.read(ids) if ids is not None else IdMap()
    except (OSError, UnicodeDecodeError) as error:
        raise Failure(f"--ids: cannot read {ids}: {error}") from None
    except ValueError as error:
        raise Failure(f"--ids: {error}") from None
    target = Target(api or target.api_url, sparql or target.sparql_url, id_map)
    if task_page is not None and len(task_page) > TASK_PAGE_LIMIT:
        raise Failure(f"--task-page: a URL of at most {TASK_PAGE_LIMIT} characters (it goes "
                      "into every edit summary)", usage=True)
    if live:
        _publish_live(settings, target, settle=settle, bot_policy=bot_policy,
                      task_page=task_page or "", edit_pause=pause, say=say, warn=warn)
        return
    try:
        batch = None
        if only or only_from:
            batch = [*only, *(read_batch(only_from) if only_from else [])]
        plan = run_publish(settings, target, Options(create_institutions, create_units), out,
                           only=batch)
    except BatchError as error:
        raise Failure(f"lod publish wikidata: {error}") from None
    except ReadError as error:
        raise Failure(f"lod publish wikidata: {error}", f"nothing was written to {out}") from None
    for warning in plan.warnings:
        if warning.severity == "error":
            warn(f"{warning.record}: {warning.code}: {warning.message}")
    say(summary(plan))
    say(f"wrote {out}/plan.json, {out}/quickstatements.txt, {out}/review.html")


def _publish_live(settings: Settings, target: Target, *, settle: bool, bot_policy: bool,
                  task_page: str, edit_pause: float | None, say: Say, warn: Say) -> None:
    """``--live``: apply OUT/plan.json; every failure is one line on stderr and exit 1."""
    from lod.publish.outdir import OutputError
    from lod.publish.wikidata.client import CredentialsError, environment
    from lod.publish.wikidata.livecommands import PlanError, PolicyRefusal, publish_live
    from lod.publish.wikidata.reads import ReadError

    out = settings.out_dir
    try:
        result = publish_live(settings, target, out, environment(), settle=settle,
                              bot_policy=bot_policy, task_page=task_page, edit_pause=edit_pause)
    except PlanError as error:
        raise Failure(*(f"lod publish wikidata: {line}" for line in error.lines),
                      "nothing was sent to the wiki") from None
    except (CredentialsError, ReadError, OutputError, PolicyRefusal) as error:
        raise Failure(f"lod publish wikidata: {error}") from None
    except KeyboardInterrupt:
        raise Failure(f"lod publish wikidata: interrupted; run the same command again to continue "
                      f"(the journal {out}/journal.jsonl says where it stopped)") from None
    for line in result.lines:
        if result.ok or not line.startswith(("failed:", "lod publish", "the journal")):
            say(line)
        else:
            warn(line)
    if not result.ok:
        raise Failure()


def journal_status(out: Path) -> list[str]:
    """``lod publish status``: the journal in OUT, summarised."""
    from lod.publish.wikidata.livecommands import status

    return status(out)


def verify_published(settings: Settings) -> list[str]:
    """``lod publish verify``: read every published item back; the lines to print."""
    from lod.publish.wikidata.livecommands import PlanError, verify_later
    from lod.publish.wikidata.reads import ReadError

    try:
        result = verify_later(settings, settings.out_dir)
    except PlanError as error:
        raise Failure(*(f"lod publish verify: {line}" for line in error.lines)) from None
    except ReadError as error:
        raise Failure(f"lod publish verify: {error}") from None
    return result.lines
