"""One place that turns a catalogue query plus parameters into rows, wherever it runs.

In process the parameters are Oxigraph substitutions; on an endpoint they
become a trailing ``VALUES`` clause (params.py). The Wikidata label service is
kept for the Wikidata Query Service and rewritten into plain SPARQL for every
other store, including the in-process one (labels.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from pyoxigraph import Store

from lod.query.catalog import CatalogQuery
from lod.query.labelservice import has_label_service, rewrite_label_service
from lod.query.params import with_values
from lod.query.prefixes import with_prefixes
from lod.query.run import GraphResult, QueryResult, Term, run_any, run_local

#: The Wikidata Query Service's page; the query goes after '#', URL-encoded.
WDQS_UI = "https://query.wikidata.org/"


def run_in_process(query: CatalogQuery, store: Store,
                   bindings: Mapping[str, Term] | None = None) -> QueryResult:
    """Run on a pyoxigraph store, parameters as substitutions."""
    return run_local(store, rewrite_label_service(with_prefixes(query.text)), bindings=bindings)


def run_any_in_process(query: CatalogQuery, store: Store, bindings: Mapping[str, Term] | None = None
                       ) -> QueryResult | GraphResult | bool:
    """Like :func:`run_in_process`, for any query form (a researcher's CONSTRUCT or ASK too)."""
    return run_any(store, rewrite_label_service(with_prefixes(query.text)), bindings=bindings)


def endpoint_text(query: CatalogQuery, endpoint: str,
                  bindings: Mapping[str, Term] | None = None) -> str:
    """The exact text sent to ``endpoint``: label service kept only where it exists."""
    full = with_prefixes(query.text)
    text = full if has_label_service(endpoint) else rewrite_label_service(full)
    return with_values(text, bindings or {})


def run_on_endpoint(query: CatalogQuery, endpoint: str, bindings: Mapping[str, Term] | None,
                    *, user_agent: str, timeout: float) -> QueryResult:
    """Run on a SPARQL 1.1 endpoint over HTTP."""
    from lod.query.remote import run_endpoint  # requests only when needed

    text = endpoint_text(query, endpoint, bindings)
    return run_endpoint(endpoint, text, user_agent=user_agent, timeout=timeout)


def run_any_on_endpoint(query: CatalogQuery, endpoint: str, bindings: Mapping[str, Term] | None,
                        *, user_agent: str, timeout: float) -> QueryResult | GraphResult | bool:
    """Any query form on a SPARQL 1.1 endpoint over HTTP."""
    from lod.query.remote import run_endpoint_any

    text = endpoint_text(query, endpoint, bindings)
    return run_endpoint_any(endpoint, text, user_agent=user_agent, timeout=timeout)


def wdqs_link(query: CatalogQuery, bindings: Mapping[str, Term] | None = None) -> str:
    """A Wikidata Query Service URL that opens the query (parameters fixed) ready to run."""
    text = with_values(with_prefixes(query.text), bindings or {})
    return WDQS_UI + "#" + quote(text, safe="")
