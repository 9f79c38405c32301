"""lod's one HTTP client: every request to a wiki, a Wikibase or a SPARQL endpoint goes through here.

Harvesting (MediaWiki Action API), reconciliation and remote queries (SPARQL),
the Wikidata plan's reads and live publishing (wikibaseintegrator rides this
session) all use :class:`PoliteSession`, so the rules below hold everywhere:

- one User-Agent, built by :func:`user_agent`: the tool, its version, where it
  lives, and the operator's contact (Wikimedia's User-Agent policy,
  https://foundation.wikimedia.org/wiki/Policy:User-Agent_policy);
- a timeout on every request;
- ``maxlag`` on every MediaWiki API request (https://www.mediawiki.org/wiki/Manual:Maxlag_parameter);
  a ``maxlag``, ``readonly`` or ``ratelimited`` answer, and HTTP 429, wait what
  the server asks (``Retry-After``, read by :mod:`lod.retry_after`) and ask again;
- dropped connections, timeouts and the policy's 5xx statuses are retried, a
  bounded number of times, after a doubling backoff with jitter (so that many
  clients that failed together do not come back together), **only for reads**:
  a write whose answer was lost may have landed, so it raises :class:`Uncertain`
  and the caller (the publish journal) finds out from the wiki before anything
  is sent again. A write the wiki refused before doing it (maxlag, readonly,
  rate limit, HTTP 429) is safe to send again and is;
- a server asking to wait longer than the policy's ``longest_wait`` is not
  waited for: :class:`Unavailable` at once, saying how long it asked;
- every wait goes through :mod:`lod.clock`, so the tests' clock takes them.

When the retries run out the caller gets :class:`Unavailable`, one line for
the user; each caller words it for its own command.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final
from urllib.parse import urlsplit

import requests

from lod import clock
from lod.retry_after import retry_after_seconds

#: The environment variable holding the operator's contact (e-mail address or URL).
CONTACT_ENV: Final = "LOD_CONTACT"
#: Wikis of the Wikimedia Foundation, whose policy asks for a contact before any edit.
WIKIMEDIA_HOSTS: Final = ("wikidata.org", "wikipedia.org", "wikimedia.org")
#: Action API modules that change the wiki: never sent twice without asking the wiki first.
WRITE_ACTIONS: Final = frozenset({"wbeditentity", "wbcreateclaim", "wbsetreference", "edit"})
THROTTLED: Final = ("ratelimited", "actionthrottledtext")
#: Statuses a MediaWiki or Wikibase read is asked again after (a busy cache layer, a restart).
MEDIAWIKI_RETRY: Final = frozenset({429, 500, 502, 503, 504})
#: A query service's 500 is usually the query itself failing (a timeout inside): not asked again.
SPARQL_RETRY: Final = frozenset({429, 503})
#: The longest computed backoff, whatever the number of failures.
LONGEST_BACKOFF: Final = 60.0

_CONTACT = re.compile(r"(https?://\S+|[^\s@]+@\S+\.\S+)")


class ContactError(ValueError):
    """The operator's contact is not an e-mail address or a URL, or is missing where it is required."""


def check_contact(contact: str) -> str:
    """``contact`` stripped, or :class:`ContactError` when it is neither an e-mail address nor a URL."""
    contact = contact.strip()
    if contact and not _CONTACT.fullmatch(contact):
        raise ContactError(f"expected an e-mail address or a URL (--contact or {CONTACT_ENV}), "
                           f"got {contact!r}")
    return contact


def user_agent(base: str, contact: str = "", *, required_for: str = "") -> str:
    """The User-Agent lod sends: ``base`` (tool/version and where it lives) with the contact added.

    Wikimedia's policy wants a way to reach the operator; the contact goes
    inside the parenthesised comment of ``base`` (``tool/1.0 (about; contact)``).
    ``required_for``: the API URL of a wiki about to be edited; a Wikimedia wiki
    is refused without a contact (:class:`ContactError`), other wikis get ``base``.
    """
    contact = check_contact(contact)
    if not contact:
        host = urlsplit(required_for).hostname or ""
        if required_for and host.endswith(WIKIMEDIA_HOSTS):
            raise ContactError(f"set {CONTACT_ENV} (your e-mail address or user page URL): "
                               "Wikimedia's User-Agent policy asks for a contact")
        return base
    return f"{base[:-1]}; {contact})" if base.endswith(")") else f"{base} ({contact})"


class ReadError(Exception):
    """A server could not be read, or sent what cannot be read; the message is one line for the user."""


class Unavailable(ReadError):  # noqa: N818 - reads as a state
    """The server kept failing or refusing after the bounded retries, or asked for too long a wait.

    ``reason`` says what the last try met; ``tries`` how many were made;
    ``status`` and ``response`` are the last HTTP answer (None when the
    connection failed); ``timed_out`` is True when the last try got no answer
    in time; ``asked`` is the wait the server asked for when it was too long.
    """

    def __init__(self, url: str, reason: str, tries: int, *, response: requests.Response | None
                 = None, timed_out: bool = False, asked: float | None = None,
                 longest: float = 0.0) -> None:
        if asked is None:
            message = f"{url}: {reason}; gave up after {tries} tries"
        else:
            message = (f"{url}: {reason}; the server asks to wait {asked:.0f} s, more than "
                       f"{longest:.0f} s")
        super().__init__(message)
        self.url = url
        self.reason = reason
        self.tries = tries
        self.response = response
        self.status = response.status_code if response is not None else None
        self.timed_out = timed_out
        self.asked = asked


class Uncertain(Exception):  # noqa: N818 - reads as a state
    """A write whose answer was lost (dropped connection, timeout, 5xx): it may have landed.

    ``in_flight``: we stopped waiting (a timeout), so the server may still be working on it.
    """

    def __init__(self, message: str, *, in_flight: bool = False) -> None:
        super().__init__(message)
        self.in_flight = in_flight


@dataclass(frozen=True)
class Policy:
    """How patient to be with one server (the numbers of the module docstring)."""

    timeout: float = 30.0
    #: ``maxlag`` sent with every request to the session's API URL (0: none).
    maxlag: int = 5
    #: Tries after the first one.
    retries: int = 4
    #: Seconds before the first retry when the server does not say; doubled each time.
    backoff: float = 1.0
    #: A server asking for a longer wait is not waited for.
    longest_wait: float = 120.0
    retry_statuses: frozenset[int] = MEDIAWIKI_RETRY
    #: Ask again after a timeout (a SPARQL query that timed out would time out again).
    retry_timeouts: bool = True

    @classmethod
    def sparql(cls, timeout: float, *, retries: int = 3, longest_wait: float = 120.0) -> Policy:
        """A SPARQL endpoint's: no maxlag, 429 and 503 asked again, a timeout not."""
        return cls(timeout=timeout, maxlag=0, retries=retries, backoff=2.0,
                   longest_wait=longest_wait, retry_statuses=SPARQL_RETRY, retry_timeouts=False)

    def with_timeout(self, timeout: float) -> Policy:
        """The same policy with another timeout."""
        return replace(self, timeout=timeout)


def _form(kwargs: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for name in ("data", "params"):
        value = kwargs.get(name)
        if isinstance(value, dict):
            return name, value
    return None


def reason_of(error: Exception) -> str:
    """The innermost cause of a requests error in a few words, without the long repr chain."""
    text = str(error)
    for marker in ("Connection refused", "Name or service not known", "timed out",
                   "Connection reset", "Remote end closed connection", "No route to host",
                   "Temporary failure in name resolution"):
        if marker in text:
            return marker.lower()
    return type(error).__name__


def _jitter(seconds: float) -> float:
    """Somewhere between half of ``seconds`` and all of it ("equal jitter")."""
    return seconds / 2 + random.uniform(0, seconds / 2)  # noqa: S311 - spreading retries, not a secret


@dataclass
class _Failure:
    """What one try met, and how long to wait before the next (None: as the backoff says)."""

    reason: str
    tally: str
    wait: float | None = None
    response: requests.Response | None = None
    timed_out: bool = False


class PoliteSession(requests.Session):
    """lod's only ``requests.Session``: the module docstring's rules on every request.

    ``api_url``: the MediaWiki API of the wiki (maxlag and the API's refusals
    apply to requests to it); other URLs (a SPARQL endpoint) get the rest.
    """

    def __init__(self, user_agent: str, policy: Policy | None = None, *, api_url: str = "") -> None:
        super().__init__()
        self.user_agent = user_agent
        self.api_url = api_url
        self.policy = policy or Policy()
        self.headers["User-Agent"] = user_agent
        #: Requests sent, each try counted.
        self.sent = 0
        #: What the session waited for, by reason (reported on stdout by the live run).
        self.waits: dict[str, int] = {}

    def sleep(self, seconds: float) -> None:
        """Wait on lod's clock (the tests' clock in the tests)."""
        clock.sleep(seconds)

    def request(self, method: str | bytes, url: str | bytes, *args: Any,
                **kwargs: Any) -> requests.Response:
        """One request under the policy (see the module docstring)."""
        policy = self.policy
        kwargs.setdefault("timeout", policy.timeout)
        address = str(url).split("?", 1)[0]
        is_api = bool(self.api_url) and address == self.api_url
        found = _form(kwargs)
        form = found[1] if found else {}
        if found and is_api and policy.maxlag and "maxlag" not in form:
            form = {**form, "maxlag": str(policy.maxlag)}
            kwargs[found[0]] = form
        action = str(form.get("action", ""))
        write = is_api and action in WRITE_ACTIONS
        failures = 0
        while True:
            self.sent += 1
            try:
                answer = super().request(method, url, *args, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as error:
                timed_out = isinstance(error, requests.Timeout)
                if write:
                    what = "timeout" if timed_out else "dropped connection"
                    raise Uncertain(f"{action}: {what}", in_flight=timed_out) from None
                failure = _Failure(f"cannot connect ({reason_of(error)})",
                                   "timeout" if timed_out else "dropped connection",
                                   timed_out=timed_out)
                if timed_out and not policy.retry_timeouts:
                    raise Unavailable(address, failure.reason, failures + 1,
                                      timed_out=True) from None
            else:
                if answer.status_code >= 500 and write:
                    raise Uncertain(f"{action}: HTTP {answer.status_code}")
                refusal = self._refusal(answer) if is_api else None
                if refusal is not None:
                    failure = refusal
                elif answer.status_code in policy.retry_statuses:
                    failure = _Failure(
                        f"HTTP {answer.status_code} {answer.reason or ''}".rstrip(),
                        f"HTTP {answer.status_code}", _retry_after(answer), answer)
                else:
                    return answer
            failures += 1
            if failures > policy.retries:
                raise Unavailable(address, failure.reason, failures, response=failure.response,
                                  timed_out=failure.timed_out)
            wait = failure.wait
            if wait is None:
                wait = _jitter(min(LONGEST_BACKOFF, policy.backoff * 2 ** (failures - 1)))
            elif wait > policy.longest_wait:
                raise Unavailable(address, failure.reason, failures, response=failure.response,
                                  asked=wait, longest=policy.longest_wait)
            self.waits[failure.tally] = self.waits.get(failure.tally, 0) + 1
            self.sleep(wait)

    @staticmethod
    def _refusal(answer: requests.Response) -> _Failure | None:
        """The API's "come back later" (maxlag, readonly, a rate limit, HTTP 429), else None."""
        if answer.status_code == 429:
            return _Failure("HTTP 429 Too Many Requests", "ratelimited", _retry_after(answer), answer)
        if b'"error"' not in answer.content[:200] and b"actionthrottledtext" not in answer.content:
            return None
        try:
            data = answer.json()
        except ValueError:
            return None
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict):
            return None
        code, info = str(error.get("code", "")), str(error.get("info", ""))
        names = [str(m.get("name", "")) for m in error.get("messages", []) if isinstance(m, dict)]
        if code in THROTTLED or "actionthrottledtext" in names:
            code = "ratelimited"
        elif code not in {"maxlag", "readonly"}:
            return None
        wait = _retry_after(answer)
        if wait is None and code == "maxlag":
            lag = error.get("lag")
            wait = max(1.0, float(lag)) if isinstance(lag, int | float) else 5.0
        reason = f"{code} ({info})" if info else code
        return _Failure(reason, code, wait, answer)


def _retry_after(answer: requests.Response) -> float | None:
    return retry_after_seconds(answer.headers.get("Retry-After"))
