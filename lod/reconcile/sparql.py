"""The matcher's only network code: a polite SPARQL 1.1 client with an on-disk cache.

Polite means what the Wikimedia policies ask: a descriptive User-Agent, a
timeout on every request, a wait of ``Retry-After`` on 429/503 (bounded), and
no repeated questions: every response is kept on disk under the SHA-256 of
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from lod import clock
from lod.files import write_atomic
from lod.inputs import CACHE_MAX_AGE_DAYS, read_cache_entry
from lod.retry_after import retry_after_seconds

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"
RETRY_STATUSES = frozenset({429, 503})


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
    sleep: Callable[[float], None] = clock.sleep
    stats: Stats = field(default_factory=Stats)
    #: Days a cached answer is used; 0 asks every question again (and refreshes the cache).
    max_age_days: float = CACHE_MAX_AGE_DAYS

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
        import requests

        headers = {"User-Agent": self.user_agent, "Accept": "application/sparql-results+json"}
        attempt = 0
        while True:
            self.stats.requests += 1
            try:
                response = requests.post(self.endpoint, data={"query": query}, headers=headers,
                                         timeout=self.timeout)
            except requests.Timeout:
                raise EndpointError(
                    f"SPARQL endpoint {self.endpoint} did not answer within {self.timeout:g} s (timeout)"
                ) from None
            except requests.RequestException as error:
                reason = getattr(error.__context__, "reason", None) or error.__class__.__name__
                raise EndpointError(f"cannot reach SPARQL endpoint {self.endpoint}: {reason}") from None
            if response.status_code < 400:
                return response.content
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                attempt += 1
                self.stats.retries += 1
                delay = 2.0**attempt if wait is None else wait
                if delay > self.max_wait:
                    raise EndpointError(
                        f"SPARQL endpoint {self.endpoint} asks to wait {delay:.0f} s "
                        f"(HTTP {response.status_code}); more than {self.max_wait:.0f} s, try later"
                    )
                self.sleep(delay)
                continue
            detail = next((line.strip() for line in response.text[:2000].splitlines()
                           if line.strip()), "")[:200]
            raise EndpointError(
                f"SPARQL endpoint {self.endpoint} answered HTTP {response.status_code} "
                f"{response.reason}" + (f": {detail}" if detail else "")
            )
