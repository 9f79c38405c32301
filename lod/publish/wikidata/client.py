"""A polite, robust HTTP client for a Wikibase's Action API, used under wikibaseintegrator.

wikibaseintegrator 0.12 retries by sleeping 60 s up to a thousand times and
sends no timeout; Wikidata asks bots for ``maxlag=5`` and for honouring
``Retry-After``. :class:`PoliteSession` is a ``requests.Session`` that the
login object hands to every wikibaseintegrator call, so the policy applies to
every request, reads and writes alike:

- a timeout on every request;
- ``maxlag=5`` on every API request; a ``maxlag`` or ``readonly`` answer waits
  ``Retry-After``;
- ``ratelimited`` (and Wikibase's ``failed-save`` with ``actionthrottledtext``)
  and HTTP 429 wait ``Retry-After`` or back off;
- HTTP 5xx and dropped connections are retried with a doubling backoff, a
  bounded number of times, but **only for reads**: a write whose answer was
  lost may have landed, so it raises :class:`Uncertain` and the caller finds
  out from the wiki before trying again (never a second create);
- when the retries run out: :class:`WikiUnavailable`, one line for the user.

Credentials come from the environment only and are never put in a message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import requests

from lod import clock
from lod.publish.wikidata.reads import ReadError
from lod.retry_after import retry_after_seconds

USER_ENV: Final = "LOD_WIKIBASE_USER"
PASSWORD_ENV: Final = "LOD_WIKIBASE_PASSWORD"  # noqa: S105 - a variable name, not a secret
OAUTH_ENV: Final = ("LOD_OAUTH_CONSUMER_TOKEN", "LOD_OAUTH_CONSUMER_SECRET",
                    "LOD_OAUTH_ACCESS_TOKEN", "LOD_OAUTH_ACCESS_SECRET")
CONTACT_ENV: Final = "LOD_CONTACT"
WRITE_ACTIONS: Final = frozenset({"wbeditentity", "wbcreateclaim", "wbsetreference", "edit"})
THROTTLED: Final = ("ratelimited", "actionthrottledtext")
WIKIMEDIA_HOSTS: Final = ("wikidata.org", "wikipedia.org", "wikimedia.org")


class WikiUnavailable(ReadError):  # noqa: N818 - reads as a state
    """The wiki kept refusing or failing after the bounded retries (one line for the user)."""


class Uncertain(Exception):  # noqa: N818 - reads as a state
    """A write whose answer was lost (dropped connection, timeout, 5xx): it may have landed.

    ``in_flight``: we stopped waiting (a timeout), so the server may still be working on it.
    """

    def __init__(self, message: str, *, in_flight: bool = False) -> None:
        super().__init__(message)
        self.in_flight = in_flight


class CredentialsError(Exception):
    """No usable credentials in the environment, or a User-Agent without a contact."""


@dataclass(frozen=True)
class Policy:
    """How patient to be: the numbers of the module docstring."""

    timeout: float = 30.0
    maxlag: int = 5
    retries: int = 4
    backoff: float = 1.0
    longest_wait: float = 120.0


def _form(kwargs: Mapping[str, Any]) -> dict[str, Any] | None:
    for name in ("data", "params"):
        value = kwargs.get(name)
        if isinstance(value, dict):
            return value
    return None


def _retry_after(answer: requests.Response, default: float) -> float:
    wait = retry_after_seconds(answer.headers.get("Retry-After"))
    return default if wait is None else wait


class PoliteSession(requests.Session):
    """A session applying :class:`Policy` to every request made to ``api_url``."""

    def __init__(self, api_url: str, user_agent: str, policy: Policy,
                 sleep: Callable[[float], None] = clock.sleep) -> None:
        super().__init__()
        self.api_url = api_url
        self.policy = policy
        self.sleep = sleep
        self.headers["User-Agent"] = user_agent
        #: What the run waited for, by reason (reported on stdout).
        self.waits: dict[str, int] = {}

    def _wait(self, reason: str, seconds: float) -> None:
        self.waits[reason] = self.waits.get(reason, 0) + 1
        self.sleep(min(seconds, self.policy.longest_wait))

    def request(self, method: str | bytes, url: str | bytes, *args: Any,
                **kwargs: Any) -> requests.Response:
        """One API call under the policy (see the module docstring)."""
        kwargs.setdefault("timeout", self.policy.timeout)
        form = _form(kwargs)
        is_api = str(url).split("?", 1)[0] == self.api_url
        if is_api and form is not None and self.policy.maxlag and "maxlag" not in form:
            form["maxlag"] = str(self.policy.maxlag)
        action = str(form.get("action", "")) if form else ""
        write = action in WRITE_ACTIONS
        failures = 0
        while True:
            try:
                answer = super().request(method, url, *args, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as error:
                reason = "timeout" if isinstance(error, requests.Timeout) else "dropped connection"
                if write:
                    raise Uncertain(f"{action}: {reason}", in_flight=reason == "timeout") from None
                failures += 1
                if failures > self.policy.retries:
                    raise WikiUnavailable(f"{_host(url)}: {reason}, {failures} times; giving "
                                          "up") from None
                self._wait(reason, self.policy.backoff * 2 ** (failures - 1))
                continue
            if answer.status_code >= 500:
                if write:
                    raise Uncertain(f"{action}: HTTP {answer.status_code}")
                failures += 1
                if failures > self.policy.retries:
                    raise WikiUnavailable(f"{_host(url)}: HTTP {answer.status_code}, {failures} "
                                          "times; giving up")
                self._wait(f"HTTP {answer.status_code}", self.policy.backoff * 2 ** (failures - 1))
                continue
            code = self._refusal(answer) if is_api else ""
            if answer.status_code == 429 or code:
                reason = code or "HTTP 429"
                failures += 1
                if failures > self.policy.retries:
                    raise WikiUnavailable(f"{_host(url)}: {reason}, {failures} times; giving up")
                default = 5.0 if reason == "maxlag" else self.policy.backoff * 2 ** failures
                self._wait(reason, _retry_after(answer, default))
                continue
            return answer

    @staticmethod
    def _refusal(answer: requests.Response) -> str:
        """``maxlag`` or ``ratelimited`` when the wiki asks to come back later, else ''."""
        if b'"error"' not in answer.content[:200] and b"actionthrottledtext" not in answer.content:
            return ""
        try:
            error = answer.json().get("error", {})
        except ValueError:
            return ""
        if not isinstance(error, dict):
            return ""
        if error.get("code") in {"maxlag", "readonly"}:
            return str(error["code"])
        names = [str(m.get("name", "")) for m in error.get("messages", []) if isinstance(m, dict)]
        if error.get("code") in THROTTLED or "actionthrottledtext" in names:
            return "ratelimited"
        return ""


def _host(url: str | bytes) -> str:
    return urlsplit(str(url)).netloc or str(url)


_CONTACT = re.compile(r"(https?://\S+|\S+@\S+\.\S+)")


def user_agent(configured: str, environ: Mapping[str, str], api_url: str) -> str:
    """The User-Agent for live edits: the configured one plus the operator's contact.

    Wikimedia's policy (enforced since 2025) wants a way to reach the operator:
    ``LOD_CONTACT`` (an e-mail address or a URL). Wikimedia wikis refuse to be
    edited without one; other wikis get the configured User-Agent as it is.
    """
    contact = environ.get(CONTACT_ENV, "").strip()
    if contact:
        if not _CONTACT.fullmatch(contact):
            raise CredentialsError(f"{CONTACT_ENV}: expected an e-mail address or a URL")
        return f"{configured} operator {contact}"
    host = urlsplit(api_url).hostname or ""
    if host.endswith(WIKIMEDIA_HOSTS):
        raise CredentialsError(f"set {CONTACT_ENV} (your e-mail address or user page URL): "
                               "Wikimedia's User-Agent policy asks for a contact")
    return configured


@dataclass(frozen=True)
class Credentials:
    """A bot password or OAuth 1.0a owner-only tokens; ``repr`` shows neither."""

    user: str = ""
    password: str = ""
    oauth: tuple[str, str, str, str] | None = None

    def __repr__(self) -> str:
        return "Credentials(***)"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Credentials:
        """Read them from the environment (the only place credentials ever come from)."""
        user, password = environ.get(USER_ENV, ""), environ.get(PASSWORD_ENV, "")
        if user and password:
            return cls(user, password)
        tokens = tuple(environ.get(name, "") for name in OAUTH_ENV)
        if all(tokens):
            return cls(oauth=(tokens[0], tokens[1], tokens[2], tokens[3]))
        raise CredentialsError(f"--live needs credentials in the environment: {USER_ENV} and "
                               f"{PASSWORD_ENV} (a bot password), or {', '.join(OAUTH_ENV)}")


def environment() -> dict[str, str]:
    """The process environment (read at the edge, passed down)."""
    return dict(os.environ)
