"""Run a query on any SPARQL 1.1 endpoint over HTTP, through lod's one HTTP client (:mod:`lod.http`).

The endpoint side is outside our control, so every way it can fail (no
server, timeout, HTTP error, a body that is not SPARQL results JSON) becomes
one :class:`QueryError` with a sentence a researcher can act on; the CLI turns
it into exit code 1. Every request carries the project's user agent, which
the Wikimedia servers require, and a busy endpoint (429, 503 with
``Retry-After``) is asked again as the reconciler asks it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from lod.query.run import GraphResult, QueryError, QueryResult, Term

#: Longer queries go as a POST form, which every SPARQL 1.1 endpoint accepts.
_MAX_GET_LENGTH = 2000


def check_endpoint(url: str) -> str:
    """The URL unchanged when it is an http(s) URL; else a ValueError for the CLI to report."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--endpoint must be an http(s) URL, got {url!r}")
    return url


def _term(binding: dict[str, Any]) -> Term:
    kind = binding.get("type")
    value = str(binding.get("value", ""))
    if kind == "uri":
        return NamedNode(value)
    if kind == "bnode":
        return BlankNode(value) if value.isalnum() else BlankNode()
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in binding:
            return Literal(value, language=str(binding["xml:lang"]))
        if "datatype" in binding:
            return Literal(value, datatype=NamedNode(str(binding["datatype"])))
        return Literal(value)
    raise QueryError(f"the endpoint returned an unknown term type {kind!r}")


def parse_results(document: Any) -> QueryResult:
    """A SPARQL 1.1 Query Results JSON document as a :class:`QueryResult`."""
    try:
        columns = tuple(str(v) for v in document["head"]["vars"])
        bindings = document["results"]["bindings"]
        rows = tuple(
            tuple(_term(row[col]) if col in row else None for col in columns) for row in bindings
        )
    except (KeyError, TypeError, ValueError) as error:
        raise QueryError(f"the endpoint's answer is not SPARQL results JSON ({error})") from None
    return QueryResult(columns, rows)


#: Results JSON for SELECT and ASK, N-Triples (or Turtle) for CONSTRUCT and DESCRIBE.
_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_GRAPH_TYPES = {"application/n-triples": RdfFormat.N_TRIPLES, "text/turtle": RdfFormat.TURTLE}


def run_endpoint(url: str, text: str, *, user_agent: str, timeout: float) -> QueryResult:
    """Send a SELECT query to ``url`` (GET, or a POST form when long) and read the JSON results."""
    answer = run_endpoint_any(url, text, user_agent=user_agent, timeout=timeout)
    if not isinstance(answer, QueryResult):
        raise QueryError(f"{url} did not return SELECT results")
    return answer


def run_endpoint_any(url: str, text: str, *, user_agent: str, timeout: float
                     ) -> QueryResult | GraphResult | bool:
    """Any query form on ``url``: rows, triples (CONSTRUCT, DESCRIBE) or an ASK answer."""
    from lod.http import Policy, PoliteSession, Unavailable  # requests only when needed

    form = {"query": text}
    endpoint = check_endpoint(url)
    with PoliteSession(user_agent, Policy.sparql(timeout)) as session:
        try:
            if len(urlencode(form)) <= _MAX_GET_LENGTH:
                response = session.get(endpoint, params=form, headers={"Accept": _ACCEPT})
            else:
                response = session.post(endpoint, data=form, headers={"Accept": _ACCEPT})
        except Unavailable as error:
            if error.timed_out:
                raise QueryError(f"{url} did not answer within {timeout:g} s") from None
            if error.response is None:
                raise QueryError(f"cannot reach {url}: {error.reason}") from None
            if error.asked is not None:
                raise QueryError(f"{url} asks to wait {error.asked:.0f} s (HTTP {error.status}); "
                                 "try later") from None
            response = error.response
    if response.status_code >= 400:
        body = " ".join(response.text.split())[:300]
        detail = f": {body}" if body else ""
        raise QueryError(f"{url} answered HTTP {response.status_code} {response.reason}{detail}")
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if kind in _GRAPH_TYPES:
        try:
            triples = parse(response.content, format=_GRAPH_TYPES[kind])
            return GraphResult(tuple(Triple(q.subject, q.predicate, q.object)
                                     for q in triples))
        except SyntaxError as error:
            raise QueryError(f"{url} returned unreadable RDF ({error})") from None
    try:
        document = response.json()
    except ValueError:
        raise QueryError(
            f"{url} did not return SPARQL results JSON (is it a SPARQL endpoint?)") from None
    if not isinstance(document, dict):
        raise QueryError(f"{url} did not return SPARQL results JSON (is it a SPARQL endpoint?)")
    if isinstance(document.get("boolean"), bool):
        return bool(document["boolean"])
    return parse_results(document)
