"""Wikidata's bot policy, checked before a live run sends anything, and kept while it runs.

What the policy asks (Wikidata:Bots, read 2026-12; docs/wikidata-publish.md
"The bot policy" has the details):

- automated edits come from a separate bot account, approved for the task at
  Wikidata:Requests for permissions/Bot; the approval starts with a trial run
  that people read edit by edit;
- a bot "should not edit while logged out" and can use the API's ``assert``
  parameter to make sure: an account with the bot right sends ``assert=bot``
  (the wiki refuses the edit if the session is no longer a bot's) and the
  ``bot`` flag (its edits are marked as bot edits in Recent changes);
- a stated, moderate edit rate, slowed further by ``maxlag``.

So, on wikidata.org, and on any wiki where the operator switches the policy on
(``--bot-policy``; the tests switch it on for the test Wikibase), the account's
rights are read first (``action=query&meta=userinfo&uiprop=rights|groups``):

- **with** the ``bot`` right: every edit is sent with ``bot`` and
  ``assert=bot``, at most one every :data:`PAUSE_BOT` seconds;
- **without** it: at most :data:`TRIAL_EDITS` edits (a trial), one every
  :data:`PAUSE_TRIAL` seconds; a larger plan is refused before any edit, with
  what an approval needs.

Why :data:`TRIAL_EDITS` is 10: Wikidata:Bots leaves the size of a trial to the
request's reviewers; ten edits are enough to link from a request as test
edits, and few enough for one person to check every item by hand and undo it
by hand (EditGroups undoes a batch that created items only for a user with the
``delete`` right, and only whole). Why the pauses: 10 s without the flag is
pywikibot's default pause between edits (``put_throttle``), an edit rate a
person watching Recent changes can follow; 2 s (30 edits a minute) for an
approved bot, with ``maxlag=5`` making it wait whenever the servers lag.
Where the policy is off (a private or test Wikibase), the same rates are the
default and ``--pause`` may change them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from lod import clock as lod_clock

#: Most edits an account without the bot right may send where the policy is on (a trial).
TRIAL_EDITS: Final = 10
#: Seconds between two edits of an account with the bot right.
PAUSE_BOT: Final = 2.0
#: Seconds between two edits of an account without it.
PAUSE_TRIAL: Final = 10.0
#: Where a bot flag is asked for.
REQUEST_PAGE: Final = "https://www.wikidata.org/wiki/Wikidata:Requests_for_permissions/Bot"
#: The wikis whose policy this is (the test wiki test.wikidata.org has its own).
POLICY_HOSTS: Final = frozenset({"www.wikidata.org", "wikidata.org", "m.wikidata.org"})


class PolicyRefusal(Exception):  # noqa: N818 - reads as what happened
    """The run would break the bot policy; nothing was sent. The message says what to do."""


@dataclass(frozen=True)
class Account:
    """Who is logged in, as the wiki says (``meta=userinfo``)."""

    name: str
    groups: tuple[str, ...] = ()
    rights: tuple[str, ...] = ()

    @property
    def is_bot(self) -> bool:
        """True when the session holds the ``bot`` right (bot group, and a grant that carries it)."""
        return "bot" in self.rights


def policy_applies(api_url: str, switched_on: bool) -> bool:
    """True on wikidata.org, and wherever the operator switched the policy on."""
    return switched_on or (urlsplit(api_url).hostname or "") in POLICY_HOSTS


@dataclass(frozen=True)
class RunRules:
    """How this run edits: flagged as a bot or not, and the pause between two edits."""

    bot: bool
    pause: float
    trial: bool = False

    def describe(self) -> str:
        """One line for stdout: what the wiki will see."""
        how = ("as a bot (bot flag, assert=bot)" if self.bot else
               "as a trial without the bot flag" if self.trial else "without the bot flag")
        pace = (f"one edit every {self.pause:g} s at most" if self.pause > 0 else
                "no pause between edits (--pause 0)")
        return f"editing {how}, {pace}"


def run_rules(account: Account, edits: int, *, applies: bool,
              pause: float | None = None) -> RunRules:
    """The rules for a run of ``edits`` edits by ``account``, or :class:`PolicyRefusal`.

    ``pause`` is the operator's ``--pause``: where the policy applies it may
    only lengthen the documented pause, never shorten it.
    """
    least = PAUSE_BOT if account.is_bot else PAUSE_TRIAL
    if pause is not None and pause < 0:
        raise PolicyRefusal(f"--pause: expected 0 seconds or more, got {pause:g}")
    if applies and pause is not None and pause < least:
        raise PolicyRefusal(
            f"--pause {pause:g}: the bot policy is on for this wiki, and "
            f"{'a bot' if account.is_bot else 'an account without the bot right'} pauses at "
            f"least {least:g} s between edits")
    chosen = least if pause is None else pause
    if account.is_bot:
        return RunRules(bot=True, pause=chosen)
    if not applies:
        return RunRules(bot=False, pause=chosen)
    if edits > TRIAL_EDITS:
        raise PolicyRefusal(
            f"refused: this plan makes {edits} edits, and {account.name} has no bot right on "
            f"this wiki; without it at most {TRIAL_EDITS} edits may be sent, as a trial. "
            f"Nothing was sent. To publish more, ask for a bot flag at {REQUEST_PAGE}: a "
            "separate account named after you or the task with 'bot' in it, {{bot}} on its "
            "user page naming you as operator, the task described (what is created or added, "
            "from which sources, how many items, at what rate) with a link to the data model, "
            "and a trial of at most "
            f"{TRIAL_EDITS} edits made with this command (plan at most {TRIAL_EDITS} records with "
            "--only or --only-from) linked as test edits; then publish with that account's bot "
            "password and --task-page set to the approved request")
    return RunRules(bot=False, pause=chosen, trial=True)


def planned_edits(actions: Sequence[str]) -> int:
    """How many edits a plan sends at most: one per item to create or update."""
    return sum(1 for action in actions if action in {"create", "update"})


class Pacer:
    """Keeps at least ``interval`` seconds between two edits.

    It waits on lod's clock (:mod:`lod.clock`, which the tests replace); a test
    may also hand it a clock and a sleep of its own.
    """

    def __init__(self, interval: float, *, clock: Callable[[], float] = lod_clock.monotonic,
                 sleep: Callable[[float], None] = lod_clock.sleep) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._last: float | None = None
        #: Every wait, in seconds (reported and checked by the tests).
        self.waited: list[float] = []

    def before_edit(self) -> None:
        """Wait until the interval since the previous edit has passed, then note this edit."""
        now = self.clock()
        if self._last is not None:
            wait = self._last + self.interval - now
            if wait > 0:
                self.waited.append(wait)
                self.sleep(wait)
                now = self.clock()
        self._last = now
