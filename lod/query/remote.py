"""Run a query on any SPARQL 1.1 endpoint over HTTP (SPARQLWrapper).

The endpoint side is outside our control, so every way it can fail (no
server, timeout, HTTP error, a body that is not SPARQL results JSON) becomes
one :class:`QueryError` with a sentence a researcher can act on; the CLI turns
it into exit code 1. Every request carries the project's User-Agent, which
the Wikimedia servers require.
"""

from __future__ import annotations

import ast
import contextlib
import warnings
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit

from pyoxigraph import BlankNode, Literal, NamedNode
from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from lod.query.run import QueryError, QueryResult, Term

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


#: The HTTP status behind each SPARQLWrapper exception (it hides the code in the class).
_STATUS = {
    "QueryBadFormed": "400 (the endpoint could not run this query)",
    "Unauthorized": "401 (unauthorised)",
    "EndPointNotFound": "404 (no SPARQL endpoint at this URL)",
    "URITooLong": "414 (query too long for GET)",
    "EndPointInternalError": "500 (internal error of the endpoint)",
}


def _summary(error: SPARQLWrapperException) -> str:
    """'answered HTTP <code>' plus the start of the server's own answer."""
    text = str(error)
    status = _STATUS.get(type(error).__name__)
    head = f"answered HTTP {status}" if status else f"refused the query ({type(error).__name__})"
    _, found, response = text.partition("Response:")
    detail = response.strip()
    if detail.startswith(("b'", 'b"')):
        with contextlib.suppress(ValueError, SyntaxError):
            detail = ast.literal_eval(detail).decode("utf-8", "replace")
    detail = " ".join(detail.split())[:300]
    return f"{head}: {detail}" if found and detail else head


def run_endpoint(url: str, text: str, *, user_agent: str, timeout: float) -> QueryResult:
    """Send a SELECT query to ``url`` and read the JSON results."""
    client = SPARQLWrapper(check_endpoint(url), agent=user_agent)
    client.setQuery(text)
    client.setReturnFormat(JSON)
    client.setTimeout(max(1, round(timeout)))
    client.setMethod(GET if len(urlencode({"query": text})) <= _MAX_GET_LENGTH else POST)
    try:
        with warnings.catch_warnings():
            # SPARQLWrapper warns on a non-JSON answer; we report it below as a QueryError.
            warnings.simplefilter("ignore", RuntimeWarning)
            document = client.query().convert()
    except HTTPError as error:
        body = error.read(300).decode("utf-8", "replace").strip().splitlines()
        detail = f": {body[0]}" if body else ""
        raise QueryError(f"{url} answered HTTP {error.code} {error.reason}{detail}") from None
    except SPARQLWrapperException as error:
        raise QueryError(f"{url} {_summary(error)}") from None
    except TimeoutError:
        raise QueryError(f"{url} did not answer within {timeout:g} s") from None
    except URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise QueryError(f"{url} did not answer within {timeout:g} s") from None
        raise QueryError(f"cannot reach {url}: {reason}") from None
    except (OSError, ValueError) as error:
        raise QueryError(f"cannot read the answer of {url}: {error}") from None
    if not isinstance(document, dict):
        raise QueryError(f"{url} did not return SPARQL results JSON (is it a SPARQL endpoint?)")
    return parse_results(document)
