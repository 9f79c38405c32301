"""The matcher's only network code: a polite SPARQL 1.1 client with an on-disk cache.

Polite means what the Wikimedia policies ask: a descriptive User-Agent, a
timeout on every request, a wait of ``Retry-After`` on 429/503 (bounded), and
no repeated questions: every response is kept on disk under the SHA-256 of
the endpoint URL and the full query text (so another endpoint, or a query
that differs in one character, such as another list of classes, is asked
afresh), and a re-run of the same reconciliation sends nothing.
Errors become one :class:`EndpointError` with a message a curator can act on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from lod import clock
from lod.files import write_atomic
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


def parse_results(body: bytes) -> list[Binding]:
    """SPARQL 1.1 Query Results JSON -> bindings; raise ValueError if it is not that."""
    data = json.loads(body)
    rows = data["results"]["bindings"]
    return [
        {name: Term(value["type"], value["value"], value.get("xml:lang", "")) for name, value in row.items()}
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

    def _cache_path(self, query: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = cache_key(self.endpoint, query)
        return self.cache_dir / key[:2] / f"{key}.json"

    def select(self, query: str) -> list[Binding]:
        """Answer a SELECT query, from the cache if it was asked before."""
        self.stats.queries += 1
        path = self._cache_path(query)
        if path is not None and path.exists():
            try:
                bindings = parse_results(path.read_bytes())
            except (ValueError, KeyError, TypeError):
                path.unlink(missing_ok=True)  # a damaged entry is asked again
            else:
                self.stats.cache_hits += 1
                return bindings
        body = self._post(query)
        try:
            bindings = parse_results(body)
        except (ValueError, KeyError, TypeError):
            raise EndpointError(
                f"SPARQL endpoint {self.endpoint} did not return SPARQL JSON results"
            ) from None
        if path is not None:
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
