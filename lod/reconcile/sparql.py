"""The matcher's only network code: a polite SPARQL 1.1 client with an on-disk cache.

Polite means what the Wikimedia policies ask, through lod's one HTTP client
(:mod:`lod.http`): a descriptive user agent, a timeout on every request, a
wait of ``Retry-After`` on 429/503 (bounded), and no repeated questions: every response is kept on disk under the SHA-256 of
the endpoint URL and the full query text (so another endpoint, or a query
that differs in one character, such as another list of classes, is asked
afresh), and a re-run of the same reconciliation sends nothing. A cached
answer is used for ``CACHE_MAX_AGE_DAYS`` days (``max_age_days``; ``lod reconcile
--refresh`` asks everything again); a damaged entry is a miss, asked again.
An answer is cut down to the variables its query selects, so an endpoint (or
a cache file) that adds variables changes nothing, and a row without a
selected variable simply lacks it.
Errors become one :class:`EndpointError` with a message a curator can act on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from lod.files import write_atomic
from lod.inputs import CACHE_MAX_AGE_DAYS, read_cache_entry

if TYPE_CHECKING:
    import requests

    from lod.http import PoliteSession

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"


class EndpointError(RuntimeError):
    """The endpoint could not answer: unreachable, timed out, refused or returned garbage."""


class Term(NamedTuple):
    """One bound value of a SPARQL JSON result."""

    type: str
    value: str
    lang: str = ""


Binding = dict[str, Term]


@dataclass
class Stats:
    """What the client did: compare ``requests`` across runs to see the cache at work."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    queries: int = 0


def cache_key(endpoint: str, query: str) -> str:
    """File name of a cached response: SHA-256 of endpoint and query."""
    return hashlib.sha256(f"{endpoint}\n{query}".encode()).hexdigest()


_SELECT_RE = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?((?:\?\w+\s*)+)", re.IGNORECASE)


def selected_variables(query: str) -> frozenset[str] | None:
    """The variables a SELECT query projects (None for ``SELECT *`` or expressions)."""
    match = _SELECT_RE.search(query)
    if match is None:
        return None
    return frozenset(name.lstrip("?") for name in match.group(1).split())


def parse_results(body: bytes, variables: frozenset[str] | None = None) -> list[Binding]:
    """SPARQL 1.1 Query Results JSON -> bindings (only ``variables`` when given).

    Raises ValueError (or KeyError, TypeError) when the body is not that format.
    """
    data = json.loads(body)
    rows = data["results"]["bindings"]
    named = data["head"]["vars"]
    if not isinstance(rows, list) or not isinstance(named, list):
        raise TypeError("results.bindings or head.vars is not a list")
    if variables is not None and not variables <= set(named):
        raise ValueError("the answer does not name the variables the query selects")
    for row in rows:
        for value in row.values():
            if not isinstance(value, dict) or "type" not in value or "value" not in value:
                raise TypeError("a bound value is not a SPARQL JSON term")
    return [
        {name: Term(str(value["type"]), str(value["value"]), str(value.get("xml:lang", "")))
         for name, value in row.items() if variables is None or name in variables}
        for row in rows
    ]


@dataclass
class SparqlClient:
    """SELECT queries over HTTP POST, cached on disk when ``cache_dir`` is set."""

    endpoint: str
    user_agent: str
    timeout: float = 30.0
    cache_dir: Path | None = None
    max_retries: int = 3
    max_wait: float = 120.0
    stats: Stats = field(default_factory=Stats)
    #: Days a cached answer is used; 0 asks every question again (and refreshes the cache).
    max_age_days: float = CACHE_MAX_AGE_DAYS
    _session: PoliteSession | None = field(default=None, init=False, repr=False)

    @property
    def session(self) -> PoliteSession:
        """lod's HTTP session for this endpoint (opened at the first question not in the cache)."""
        if self._session is None:
            from lod.http import Policy, PoliteSession  # requests only when a question is sent

            self._session = PoliteSession(self.user_agent, Policy.sparql(
                self.timeout, retries=self.max_retries, longest_wait=self.max_wait))
        return self._session

    def _cache_path(self, query: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = cache_key(self.endpoint, query)
        return self.cache_dir / key[:2] / f"{key}.json"

    def select(self, query: str) -> list[Binding]:
        """Answer a SELECT query, from the cache if it was asked before."""
        self.stats.queries += 1
        path = self._cache_path(query)
        variables = selected_variables(query)
        cached = None if path is None else read_cache_entry(path, max_age_days=self.max_age_days)
        if cached is not None:
            try:
                bindings = parse_results(cached, variables)
            except (ValueError, KeyError, TypeError, AttributeError):
                pass  # a damaged entry is a miss: asked again, and replaced
            else:
                self.stats.cache_hits += 1
                return bindings
        body = self._post(query)
        try:
            bindings = parse_results(body, variables)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise EndpointError(
                f"SPARQL endpoint {self.endpoint} did not return SPARQL JSON results"
            ) from None
        if path is not None:
            with contextlib.suppress(OSError, UnicodeDecodeError):  # an unwritable cache only costs a request next time
                write_atomic(path, body.decode("utf-8"))
        return bindings

    def _post(self, query: str) -> bytes:
        from lod.http import Unavailable

        headers = {"Accept": "application/sparql-results+json"}
        session = self.session
        sent, waited = session.sent, sum(session.waits.values())
        try:
            response = session.post(self.endpoint, data={"query": query}, headers=headers)
        except Unavailable as error:
            if error.timed_out:
                raise EndpointError(f"SPARQL endpoint {self.endpoint} did not answer within "
                                    f"{self.timeout:g} s (timeout)") from None
            if error.response is None:
                raise EndpointError(f"cannot reach SPARQL endpoint {self.endpoint}: "
                                    f"{error.reason}") from None
            if error.asked is not None:
                raise EndpointError(
                    f"SPARQL endpoint {self.endpoint} asks to wait {error.asked:.0f} s "
                    f"(HTTP {error.status}); more than {self.max_wait:.0f} s, try later") from None
            response = error.response
        finally:
            self.stats.requests += session.sent - sent
            self.stats.retries += sum(session.waits.values()) - waited
        if response.status_code < 400:
            return response.content
        raise EndpointError(_refused(self.endpoint, response))


def _refused(endpoint: str, response: requests.Response) -> str:
    detail = next((line.strip() for line in response.text[:2000].splitlines()
                   if line.strip()), "")[:200]
    return (f"SPARQL endpoint {endpoint} answered HTTP {response.status_code} "
            f"{response.reason}" + (f": {detail}" if detail else ""))
