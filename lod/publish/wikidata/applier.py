"""``lod publish wikidata --live``: apply the reviewed plan, one ``wbeditentity`` per item.

Safety, in order of the run:

1. the plan is OUT/plan.json as the dry run wrote it and a person reviewed it;
   a blocked plan is refused;
2. the journal (OUT/journal.jsonl) is read first: an item created by an
   earlier run is an update of that item now; an edit in doubt (announced, no
   outcome: a crash, a kill, Ctrl-C, a lost answer) is looked up in the
   account's contributions, where the plan key in the summary finds it;
3. every item is re-read (``wbgetentities``, 50 per request) and re-planned
   against what it holds now, so nothing is added twice; ``baserevid`` is the
   revision just read;
4. each edit is announced in the journal before it is sent and its outcome
   written after, both fsync'd;
5. faults: a lost session or a bad token -> one re-login, one retry; an edit
   conflict -> re-read that item, re-plan it, retry; a label+description
   conflict on a create -> "exists as Qx", never retried as a create; a lost
   answer -> ask the wiki, then retry; anything else stops the item with one
   line; the wiki failing after the client's retries stops the run.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from wikibaseintegrator.wbi_exceptions import MaxRetriesReachedException, MWApiError

from lod.publish.wikidata import journal as jr
from lod.publish.wikidata.client import Uncertain, WikiUnavailable
from lod.publish.wikidata.connection import (
    SESSION_LOST,
    Connection,
    conflicting_item,
    error_code,
)
from lod.publish.wikidata.edits import edit_data, is_create_of, replan, summary
from lod.publish.wikidata.model import Plan, PlannedItem
from lod.publish.wikidata.reads import BATCH, IdMap, ReadError, WikiReader

ATTEMPTS: Final = 3


class ApplyError(Exception):
    """The run stopped; the message is one line, the journal says where."""


@dataclass
class Outcome:
    """What a run did."""

    batch: str
    edits: int = 0
    created: dict[str, str] = field(default_factory=dict)
    exists: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    touched: dict[str, str] = field(default_factory=dict)
    waits: dict[str, int] = field(default_factory=dict)


class Applier:
    """Applies one plan through one connection, writing the journal."""

    def __init__(self, plan: Plan, connection: Connection, reader: WikiReader, ids: IdMap,
                 journal_path: Path, *, digest: str = "",
                 pause: Callable[[str], None] | None = None, settle: bool = False,
                 removed: list[str] | None = None, task_page: str = "") -> None:
        self.plan = plan
        self.task_page = task_page
        self.digest = digest
        self.connection = connection
        self.reader = reader
        self.ids = ids
        self.journal_path = journal_path
        self.pause = pause or (lambda _key: None)
        self.settle = settle
        self.removed = removed or []

    def run(self) -> Outcome:
        """Apply every item that still lacks something; see the module docstring."""
        if self.plan.blocked:
            errors = sum(1 for w in self.plan.warnings if w.severity == "error")
            raise ApplyError(f"the plan is blocked ({errors} errors, see review.html): fix the "
                             "records or the wiki, plan again, review, then publish")
        reading = jr.read_journal(self.journal_path)
        damaged = reading.unsettled()
        if damaged and not self.settle:
            raise ApplyError(stop_message(self.journal_path, damaged))
        before = jr.replay(reading.events)
        if damaged:
            self._doubt_damaged(before, reading, damaged)
        # one reviewed plan = one EditGroups batch: the id is the plan's content (its canonical
        # form), so a reformatted copy of the same plan continues the same batch
        batch = self.digest[:16] if self.digest else secrets.token_hex(8)
        journal = jr.Journal(self.journal_path)
        outcome = Outcome(batch, waits=self.connection.waits)
        try:
            journal.write("batch", batch=batch, api=self.connection.api_url,
                          ids=dict(self.ids.to_wiki), plan=self.digest, removed=self.removed)
            done = dict(before.done)
            found = self._settle_doubts(before, journal)
            done.update(found)
            # creates in doubt that landed after all: this batch's creates (their ids go back
            # into the records like any other)
            outcome.created.update(found)
            outcome.edits += len(found)
            if damaged:
                journal.write("settled", lines=[d.line for d in damaged])
            for key in done:
                before.exists.pop(key, None)
            outcome.exists.update(before.exists)
            for planned in self._fresh_work(done, before.exists):
                self._apply(planned, journal, outcome)
            outcome.touched.update({k: v for k, v in done.items() if k not in outcome.touched})
            if not outcome.failed:
                journal.write("finished", batch=batch, edits=outcome.edits)
        finally:
            journal.close()
        return outcome

    def _doubt_damaged(self, before: jr.State, reading: jr.Reading,
                       damaged: list[jr.Damage]) -> None:
        """``--settle``: the items a damaged line may concern become edits in doubt.

        A line that names no item and has no readable neighbour may concern
        any item of the plan. Creates are then looked up in the account's
        contributions, updates re-read, exactly as for an edit whose answer
        was lost.
        """
        keys = {key for damage in damaged for key in damage.keys}
        if any(not damage.keys for damage in damaged):
            keys |= {planned.key for planned in self.plan.items}
        times = sorted(str(e["time"]) for e in reading.events)
        since = times[0] if times else "2001-01-01T00:00:00Z"
        actions = {planned.key: planned.action for planned in self.plan.items}
        for key in sorted(keys):
            if key in before.done or key in before.uncertain:
                continue
            before.uncertain[key] = {"event": "intended", "key": key, "time": since,
                                     "action": actions.get(key, "create")}

    # --- before the edits ---------------------------------------------------------------

    def _settle_doubts(self, before: jr.State, journal: jr.Journal) -> dict[str, str]:
        """Creates in doubt: did they land? The account's contributions tell (by plan key)."""
        creates = {key: event for key, event in before.uncertain.items()
                   if event.get("action") == "create"}
        found: dict[str, str] = {}
        if not creates:
            return found
        for contribution in self.connection.contributions(_earlier(
                min(str(event.get("time", "")) for event in creates.values()))):
            comment = str(contribution.get("comment", ""))
            for key in creates:
                if is_create_of(comment, key) and key not in found:
                    item = self.ids.plan(str(contribution["title"]))
                    found[key] = item
                    journal.write("done", key=key, action="create", item=item,
                                  revision=int(contribution.get("revid", 0)), found="contributions")
        return found

    def _fresh_work(self, done: dict[str, str], exists: dict[str, str]
                    ) -> Iterator[PlannedItem]:
        """Every item with something to add, re-planned against its current state.

        Read 50 at a time (one ``wbgetentities``) just before those 50 are
        edited, so the window in which another editor could add the same
        statement stays short.
        """
        candidates = []
        for planned in self.plan.items:
            if planned.action not in {"create", "update"}:
                continue
            if planned.action == "create" and planned.key in exists:
                continue  # never retried as a create; a curator decides
            candidates.append((planned, done.get(planned.key, planned.item)))
        for start in range(0, len(candidates), BATCH):
            chunk = candidates[start:start + BATCH]
            state = self.reader.entities([t for _, t in chunk if t])
            for planned, target in chunk:
                if target is None:
                    yield planned
                elif target in state:
                    again = replan(planned, state[target])
                    if again.action == "update":
                        yield again
                else:
                    raise ApplyError(f"{planned.key}: item {target} is not on the wiki any more")

    # --- one item -----------------------------------------------------------------------

    def _apply(self, planned: PlannedItem, journal: jr.Journal, outcome: Outcome) -> None:
        relogged = False
        for _attempt in range(ATTEMPTS):
            baserevid = planned.current.lastrevid if planned.current else None
            journal.write("intended", key=planned.key, action=planned.action, item=planned.item,
                          baserevid=baserevid, statements=len(planned.statements))
            self.pause(planned.key)
            try:
                entity = self.connection.edit(edit_data(planned, self.ids.wiki),
                                              self.ids.wiki(planned.item) if planned.item else None,
                                              baserevid, summary(planned, outcome.batch, self.task_page))
            except Uncertain as error:
                journal.write("uncertain", key=planned.key, error=str(error))
                # a request whose answer was lost may still be running on the server: give it
                # the time a request may take before asking the wiki what landed
                if error.in_flight:
                    self.connection.session.sleep(self.connection.policy.timeout)
                settled = self._settle(planned, journal, outcome)
                if settled is None:
                    return
                planned = settled
                continue
            except MaxRetriesReachedException:  # wikibaseintegrator's own loop (never 60 s waits)
                message = "the wiki kept refusing the edit"
                journal.write("failed", key=planned.key, error=message)
                outcome.failed[planned.key] = message
                return
            except WikiUnavailable as error:
                journal.write("failed", key=planned.key, error=str(error))
                outcome.failed[planned.key] = str(error)
                raise ApplyError(f"{planned.key}: {error}") from None
            except MWApiError as error:
                code = error_code(error)
                if code in SESSION_LOST and not relogged:
                    journal.write("failed", key=planned.key, error=f"{code}: logging in again")
                    relogged = True
                    self.connection.relogin()
                    continue
                other = conflicting_item(error) if planned.action == "create" else None
                if other is not None and self._our_create(other, planned.key, journal, outcome):
                    # ours after all: what it still lacks is added as to any item of the plan
                    again = self._reread(replace(planned, action="update",
                                                 item=self.ids.plan(other)))
                    if again is None:
                        return
                    planned = again
                    continue
                if other is not None:
                    item = self.ids.plan(other)
                    journal.write("exists", key=planned.key, item=item)
                    outcome.exists[planned.key] = item
                    return
                if code == "editconflict":
                    journal.write("failed", key=planned.key, error="editconflict: re-reading")
                    again = self._reread(planned)
                    if again is None:
                        return
                    planned = again
                    continue
                message = f"{code}: {str(getattr(error, 'info', error))[:300]}"
                journal.write("failed", key=planned.key, error=message)
                outcome.failed[planned.key] = message
                return
            self._done(planned, entity, journal, outcome)
            return
        message = f"gave up after {ATTEMPTS} attempts"
        journal.write("failed", key=planned.key, error=message)
        outcome.failed[planned.key] = message

    def _done(self, planned: PlannedItem, entity: dict[str, Any], journal: jr.Journal,
              outcome: Outcome) -> None:
        item = self.ids.plan(str(entity["id"]))
        journal.write("done", key=planned.key, action=planned.action, item=item,
                      revision=int(entity.get("lastrevid", 0)))
        outcome.edits += 1
        outcome.touched[planned.key] = item
        if planned.action == "create":
            outcome.created[planned.key] = item

    def _our_create(self, wiki_id: str, key: str, journal: jr.Journal, outcome: Outcome) -> bool:
        """Is the item a create refused as a duplicate clashes with our own create of ``key``?

        A create in doubt may land after the wiki was asked (the request was
        still running); its retry then clashes with the item it made. The
        item's first revision tells: made by this account, with this plan key
        in its summary, it is this batch's create, recorded as done.
        """
        session, api = self.connection.session, self.connection.api_url
        try:
            info = session.get(api, params={"action": "wbgetentities", "ids": wiki_id,
                                            "props": "info", "format": "json"}).json()
            page = int(info["entities"][wiki_id]["pageid"])
            answer = session.get(api, params={
                "action": "query", "prop": "revisions", "pageids": str(page), "rvdir": "newer",
                "rvlimit": "1", "rvprop": "ids|user|comment", "format": "json"}).json()
            first = answer["query"]["pages"][str(page)]["revisions"][0]
            ours = (first["user"] == self.connection.user_name()
                    and is_create_of(str(first["comment"]), key))
            revision = int(first["revid"])
        except (KeyError, IndexError, TypeError, ValueError):
            return False
        if not ours:
            return False
        item = self.ids.plan(wiki_id)
        journal.write("done", key=key, action="create", item=item, revision=revision,
                      found="first revision")
        outcome.edits += 1
        outcome.created[key] = outcome.touched[key] = item
        return True

    def _reread(self, planned: PlannedItem) -> PlannedItem | None:
        """Re-plan one item against its state now; None when it lacks nothing any more."""
        if planned.item is None:
            return planned
        state = self.reader.entities([planned.item])
        if planned.item not in state:
            raise ApplyError(f"{planned.key}: item {planned.item} is not on the wiki any more")
        again = replan(planned, state[planned.item])
        return again if again.action == "update" else None

    def _settle(self, planned: PlannedItem, journal: jr.Journal,
                outcome: Outcome) -> PlannedItem | None:
        """After a lost answer: what does the wiki hold? None when the edit landed."""
        if planned.action != "create":
            again = self._reread(planned)
            if again is None:
                item = planned.item or ""
                journal.write("done", key=planned.key, action=planned.action, item=item,
                              revision=0, found="re-read")
                outcome.edits += 1
                outcome.touched[planned.key] = item
            return again
        state = jr.replay(jr.read(self.journal_path))
        found = self._settle_doubts(state, journal)
        if planned.key in found:
            outcome.edits += 1
            outcome.created[planned.key] = outcome.touched[planned.key] = found[planned.key]
            return None
        return planned


def stop_message(path: Path, damaged: list[jr.Damage]) -> str:
    """Why a run stops before any edit when the journal is damaged, and how to go on."""
    first = damaged[0]
    about = ", ".join(first.keys) or "an item the line no longer names"
    more = f" (and {len(damaged) - 1} more damaged lines)" if len(damaged) > 1 else ""
    return (f"{path}: line {first.line}: {first.reason}{more}; it may be the only record of an "
            f"edit of {about}, so nothing was sent rather than risk making it twice; "
            "`lod publish status` lists the uncertain items; `lod publish wikidata --live "
            "--settle` asks the wiki what landed and goes on")


def _earlier(stamp: str, minutes: int = 10) -> str:
    """An ISO time some minutes before ``stamp`` (room for the wiki's clock to differ from ours)."""
    moment = dt.datetime.fromisoformat(stamp)
    return (moment - dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_reader(connection: Connection, sparql_url: str, ids: IdMap) -> WikiReader:
    """A reader whose requests ride the connection's logged-in session."""
    return WikiReader(connection.api_url, sparql_url, ids, session=connection.session)


__all__ = ["Applier", "ApplyError", "Outcome", "ReadError", "new_reader"]
