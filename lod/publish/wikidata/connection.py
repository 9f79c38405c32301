"""A logged-in wikibaseintegrator connection over lod's one HTTP session (:mod:`lod.http`).

One login path, through wikibaseintegrator's public API: ``wbi_login.Login``
(a bot password) or ``wbi_login.OAuth1`` (owner-only tokens). Both open a
session of their own for the login itself; the login then hands over to
:class:`~lod.http.PoliteSession`: the session's cookies (or the OAuth
signature) move to ours, ``login.session`` becomes ours, and the edit token is
asked for again through it, so every later call (reads, edits, the token's
renewal) rides the polite session. ``relogin`` starts a fresh session when
the wiki has lost ours (``assertuserfailed``) or refuses our token (``badtoken``).

Bot policy (lod/publish/wikidata/botpolicy.py): :meth:`Connection.account`
reads the account's rights before any edit; with ``bot`` set, every edit is
sent with the ``bot`` flag and ``assert=bot`` (wikibaseintegrator's
``is_bot``); every edit waits for the :class:`Pacer` first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import requests
from wikibaseintegrator import wbi_helpers, wbi_login
from wikibaseintegrator.wbi_exceptions import MWApiError

from lod.http import Policy, PoliteSession, ReadError
from lod.publish.wikidata.botpolicy import Account, Pacer
from lod.publish.wikidata.client import Credentials, CredentialsError


def keep_library_logs_private() -> None:
    """Keep wikibaseintegrator's log records off the terminal: they can carry the password.

    Its retry handler logs every failed call with its arguments, and for ``Login``
    those are the user name and the bot password. With no handler configured,
    Python's last-resort handler prints such a record on stderr, so a wiki that
    cannot be reached would put the credentials in the terminal and in CI logs.
    ``lod``'s own client reports every failure in its own words instead.
    """
    library = logging.getLogger("wikibaseintegrator")
    if not any(isinstance(h, logging.NullHandler) for h in library.handlers):
        library.addHandler(logging.NullHandler())
    library.propagate = False


SESSION_LOST = frozenset({"badtoken", "assertuserfailed", "assertbotfailed", "notloggedin"})


class Connection:
    """One account on one wiki, logged in."""

    def __init__(self, api_url: str, user_agent: str, policy: Policy,
                 credentials: Credentials) -> None:
        self.api_url = api_url
        self.user_agent = user_agent
        self.policy = policy
        self._credentials = credentials
        keep_library_logs_private()
        self.waits: dict[str, int] = {}
        #: Send the bot flag and ``assert=bot`` (set once the account's rights are known).
        self.bot = False
        #: The pause between two edits (none until the run's rules are known).
        self.pacer = Pacer(0.0)
        self.session = self._new_session()
        self.login = self._login()

    def _new_session(self) -> PoliteSession:
        session = PoliteSession(self.user_agent, self.policy, api_url=self.api_url)
        session.waits = self.waits  # one tally for the whole run
        return session

    def _login(self) -> wbi_login.Login | wbi_login.OAuth1:
        credentials = self._credentials
        try:
            # Reach the wiki through the polite session first: wikibaseintegrator's login
            # classes use a session of their own, whose retry loop sleeps 15 s on a wiki
            # that is down (outside lod's clock); a wiki that answers here answers the login.
            self.session.get(self.api_url, params={"action": "query", "meta": "siteinfo",
                                                   "format": "json"})
            login: wbi_login.Login | wbi_login.OAuth1
            if credentials.oauth:
                consumer, consumer_secret, access, access_secret = credentials.oauth
                login = wbi_login.OAuth1(consumer_token=consumer, consumer_secret=consumer_secret,
                                         access_token=access, access_secret=access_secret,
                                         mediawiki_api_url=self.api_url,
                                         user_agent=self.user_agent)
            else:
                login = wbi_login.Login(user=credentials.user, password=credentials.password,
                                        mediawiki_api_url=self.api_url,
                                        user_agent=self.user_agent, timeout=self.policy.timeout)
            theirs = login.get_session()
            self.session.cookies.update(theirs.cookies)
            self.session.auth = theirs.auth  # the OAuth signature (None for a bot password)
            login.session = self.session
            login.generate_edit_credentials()
            return login
        except wbi_login.LoginError as error:
            raise CredentialsError(f"login refused by {self.api_url}: "
                                   f"{str(error).splitlines()[0][:200]}") from None
        except requests.RequestException as error:
            raise ReadError(f"cannot log in at {self.api_url}: {type(error).__name__}") from None
        except (KeyError, ValueError):
            raise ReadError(f"{self.api_url} sent a malformed login answer") from None

    def relogin(self) -> None:
        """A fresh session and a fresh token (the old ones are gone on the server)."""
        self.session = self._new_session()
        self.login = self._login()

    def edit(self, data: dict[str, Any], item: str | None, baserevid: int | None,
             summary: str) -> dict[str, Any]:
        """One ``wbeditentity``: ``item`` None creates a new item; returns the stored entity.

        Waits for the pacer first (retries of the same edit too: each is a write).
        """
        self.pacer.before_edit()
        answer = wbi_helpers.edit_entity(
            data=data, id=item, type=None if item else "item", baserevid=baserevid,
            summary=summary, is_bot=self.bot, login=self.login, mediawiki_api_url=self.api_url,
            user_agent=self.user_agent, max_retries=1, retry_after=0,
            maxlag=self.policy.maxlag)
        entity = answer.get("entity") if isinstance(answer, dict) else None
        if not isinstance(entity, dict) or "id" not in entity:
            raise ReadError(f"{self.api_url} sent a malformed wbeditentity answer")
        return entity

    def account(self) -> Account:
        """The logged-in account's name, groups and rights (``meta=userinfo``), as the wiki says.

        The rights are those of this session: with a bot password, only what
        its grants allow (the ``bot`` right needs the ``highvolume`` grant).
        """
        answer = self.session.get(self.api_url, params={
            "action": "query", "meta": "userinfo", "uiprop": "rights|groups",
            "format": "json"}).json()
        info = answer.get("query", {}).get("userinfo") if isinstance(answer, dict) else None
        if not isinstance(info, dict) or "name" not in info:
            raise ReadError(f"{self.api_url} sent a malformed userinfo answer")
        if "anon" in info:
            raise ReadError(f"{self.api_url} says this session is not logged in")
        return Account(str(info["name"]), tuple(str(g) for g in info.get("groups", [])),
                       tuple(str(r) for r in info.get("rights", [])))

    def user_name(self) -> str:
        """The account's name as the wiki knows it (for its contributions)."""
        answer = self.session.get(self.api_url, params={
            "action": "query", "meta": "userinfo", "format": "json"}).json()
        return str(answer["query"]["userinfo"]["name"])

    def contributions(self, since: str) -> Iterator[dict[str, Any]]:
        """The account's edits since ``since`` (ISO time), newest first: title, revid, comment."""
        params = {"action": "query", "list": "usercontribs", "ucuser": self.user_name(),
                  "ucprop": "ids|title|comment|timestamp|flags", "uclimit": "500",
                  "ucend": since, "format": "json"}
        while True:
            answer = self.session.get(self.api_url, params=params).json()
            if "error" in answer:
                raise ReadError(f"{self.api_url} refused usercontribs: "
                                f"{answer['error'].get('code')}")
            yield from answer.get("query", {}).get("usercontribs", [])
            if "continue" not in answer:
                return
            params.update(answer["continue"])


def error_code(error: MWApiError) -> str:
    """The API's error code."""
    return str(getattr(error, "code", "") or "")


def conflicting_item(error: MWApiError) -> str | None:
    """The item named by a label+description conflict, if that is what the error is."""
    names = getattr(error, "messages_names", [])
    if "wikibase-validator-label-with-description-conflict" not in names:
        return None
    found = error.get_conflicting_entity_ids
    return str(min(found)) if found else None
