"""The site's query page: the catalogue, runnable and editable in the browser, with no server.

``query.html`` lists the catalogue's queries (titles and descriptions from
the ``.rq`` headers, grouped), loads one into an editor and runs it with
Oxigraph's WebAssembly build (:mod:`lod.site.engine`) on the site's own
graph: ``query-graph.js`` holds the bytes of ``data/casestudies.nt`` (gzipped,
as base64) in one JavaScript string, so the page answers from the same graph as the dumps and
from ``file://``, where ``fetch`` is refused. Loading the engine and the
graph is the visit's start-up; every query after that is one call.

The same page, rendered with ``endpoint`` set, is what ``lod serve`` shows
(with the rest of the site, from memory): there the queries go to its
Oxigraph endpoint, and the labels and links are the site's own.

Nothing here reads a clock or a random source: the same graph gives the same bytes.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from markupsafe import Markup
from pyoxigraph import Store

from lod.namespaces import DCTERMS, LCS, PREFIXES, SCHEMA, SKOS, VOCAB
from lod.publish.outdir import Content
from lod.query.catalog import CatalogQuery, catalog
from lod.query.execute import wdqs_link
from lod.query.labelservice import rewrite_label_service
from lod.query.run import run_local
from lod.site.engine import OXIGRAPH_VERSION, engine_script, vendored
from lod.site.pages import Common, static_file

#: Only what the engine needs is added to the site's policy: compiling WebAssembly.
QUERY_CSP = ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
             "img-src 'self' data:; font-src 'self'; connect-src 'none'; base-uri 'none'; "
             "form-action 'none'; object-src 'none'")
#: Under ``lod serve`` the page asks the server it came from (and nothing else).
SERVE_CSP = QUERY_CSP.replace("connect-src 'none'", "connect-src 'self'").replace(
    " 'wasm-unsafe-eval'", "")
#: Files of the page in the site (the engine, its licence, the page's own script and style).
QUERY_STATIC = ("query.js", "query.css")
ENGINE_FILE = "oxigraph.js"
ENGINE_LICENCE = "oxigraph.LICENSE.txt"
#: Catalogue groups, in the order the page lists them: (title, what the group's queries do).
GROUPS = (
    ("Case studies and institutions", "Lists of the records and the institutions in them."),
    ("Counts", "How many case studies there are of each kind: the numbers of the dashboard."),
    ("Gaps", "What has no case study yet."),
    ("Catalogue and Wikidata", ("The catalogue joined with Wikidata statements about its items "
     "(on the site's data alone the Wikidata columns are empty).")),
    ("On the Wikidata Query Service", ("Queries of Wikidata itself: they open in the Wikidata "
     "Query Service and are not run here.")),
)
#: A record or term page: IRI path under the base or the vocabularies -> the site's folder.
_PAGE_FOLDERS = {"casestudy": "case", "institution": "institution", "library-type": "type",
                 "country": "country", "ifla-unit": "unit", "project": "project",
                 "activity": "activity"}

#: Every IRI a person should read as a word: terms (English label), case studies (title in
#: the record's language), institutions (name).
LABELS_QUERY = f"""PREFIX skos: <{SKOS}>
PREFIX lcs: <{LCS}>
PREFIX dcterms: <{DCTERMS}>
PREFIX schema: <{SCHEMA}>
SELECT ?iri ?label WHERE {{
  {{ ?iri skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }}
  UNION {{ ?iri a lcs:CaseStudy ; dcterms:title ?label ; schema:inLanguage ?lang
          FILTER(LCASE(LANG(?label)) = LCASE(?lang)) }}
  UNION {{ ?iri a lcs:Institution ; schema:name ?label }}
}}
ORDER BY ?iri ?label
"""
#: Bytes of the graph file read at a time for its script.
_BLOCK = 1 << 20
_PREFIX_RE = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


class QueryPageError(Exception):
    """The catalogue declares one prefix with two IRIs (the page could not predefine it)."""


def group_of(query: CatalogQuery) -> str:
    """The catalogue group of a query, from its endpoint and its name's first word."""
    if query.endpoint == "wikidata":
        return GROUPS[4][0]
    if query.endpoint == "both":
        return GROUPS[3][0]
    if query.name.startswith("gaps-"):
        return GROUPS[2][0]
    if query.name.startswith("by-") or query.name.endswith("-matrix") or query.name.endswith(
            "-trends"):
        return GROUPS[1][0]
    return GROUPS[0][0]


def predefined_prefixes(queries: Iterable[CatalogQuery]) -> dict[str, str]:
    """The project's prefixes and every prefix the catalogue declares (one IRI each)."""
    found = dict(PREFIXES)
    for query in queries:
        for name, iri in _PREFIX_RE.findall(query.text):
            if found.setdefault(name, iri) != iri:
                raise QueryPageError(f"{query.path}: prefix {name}: is <{iri}> here and "
                                     f"<{found[name]}> elsewhere")
    return dict(sorted(found.items()))


def _entry(query: CatalogQuery) -> dict[str, object]:
    entry: dict[str, object] = {
        "name": query.name, "title": query.title, "description": query.description,
        "group": group_of(query), "endpoint": query.endpoint,
        "params": [{"name": p.name, "kind": p.kind, "optional": p.optional}
                   for p in query.params],
        "example": dict(item.split("=", 1) for item in query.example if "=" in item),
    }
    if query.endpoint == "wikidata":
        entry["text"] = query.text
        entry["wdqs"] = wdqs_link(query)
    else:
        entry["text"] = rewrite_label_service(query.text)  # what ``lod query`` runs
    return entry


def page_config(queries: list[CatalogQuery], *, endpoint: str | None) -> str:
    """The page's settings as JSON (a data block in the page, never executed)."""
    config = {
        "mode": "endpoint" if endpoint else "local",
        "endpoint": endpoint,
        "prefixes": predefined_prefixes(queries),
        "groups": [{"title": title, "description": text} for title, text in GROUPS],
        "queries": [_entry(query) for query in queries],
        "engine": f"Oxigraph {OXIGRAPH_VERSION} (WebAssembly)" if not endpoint
        else "the lod serve endpoint (Oxigraph)",
    }
    # "</" never appears inside the data block, so no text in it can end the script element.
    return json.dumps(config, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")


def page_of(iri: str, base: str, pages: Mapping[str, bytes] | set[str]) -> str | None:
    """The site page of a record or vocabulary term (relative to the site root), if it exists."""
    for root in (base, VOCAB):
        if iri.startswith(root):
            kind, _, key = iri[len(root):].partition("/")
            folder = _PAGE_FOLDERS.get(kind)
            if folder and key and "/" not in key and "#" not in key:
                path = f"{folder}/{key}.html"
                return path if path in pages else None
    return None


def label_map(store: Store, base: str, pages: Mapping[str, bytes] | set[str]
              ) -> dict[str, list[str | None]]:
    """IRI -> [label, page or None] for every term, case study and institution of the graph."""
    found: dict[str, list[str | None]] = {}
    for iri, label in run_local(store, LABELS_QUERY).values():
        if iri is not None and label is not None and iri not in found:
            found[iri] = [label, page_of(iri, base, pages)]
    return found


def _script(name: str, value: object) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"window.{name} = {text};\n".encode()


def graph_script(ntriples: bytes) -> bytes:
    """``data/casestudies.nt`` as a classic script, for pages opened from disk.

    The bytes are gzipped (``mtime`` 0, so the same dump gives the same script)
    and written as base64: a browser parses a script about ten times smaller
    than the dump, and inflates it with its own ``DecompressionStream``.
    """
    buffer = io.BytesIO()
    write_graph_script(io.BytesIO(ntriples), buffer)
    return buffer.getvalue()


def write_graph_script(source: BinaryIO, handle: BinaryIO) -> None:
    """:func:`graph_script` of the bytes read from ``source``, written a block at a time.

    The gzip stream is the one :func:`gzip.compress` makes with ``mtime`` 0
    (zlib's own gzip header, level 6): deflate's output does not depend on how
    its input is cut. Base64 is written in blocks of a multiple of 3 bytes, so
    the blocks join into the one text of the whole.
    """
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    handle.write(b'window.lodGraphGzip = "')
    rest = b""
    while block := source.read(_BLOCK):
        rest += packer.compress(block)
        cut = len(rest) - len(rest) % 3
        handle.write(base64.b64encode(rest[:cut]))
        rest = rest[cut:]
    handle.write(base64.b64encode(rest + packer.flush()))
    handle.write(b'";\n')


#: The catalogue query behind the number on a term page: folder -> (query, its parameter or None).
TERM_QUERIES = {"type": ("by-library-type", None), "country": ("case-studies-in-country", "country"),
                "unit": ("by-ifla-unit", None), "project": ("by-project", None),
                "activity": ("by-activity", None)}


def term_query_href(folder: str, term: str) -> str | None:
    """The query page's address for the number on a term page (None: no query gives it)."""
    if folder not in TERM_QUERIES:
        return None
    name, param = TERM_QUERIES[folder]
    return query_href(name, {param: term} if param else None)


def query_href(name: str, params: Mapping[str, str] | None = None) -> str:
    """The query page's address that runs a catalogue query (relative to the site root)."""
    extra = "".join(f"&{quote(k, safe='')}={quote(v, safe='')}" for k, v in (params or {}).items())
    return f"query.html#name={quote(name, safe='')}{extra}"


def static_files(*, engine: bool = True) -> dict[str, bytes]:
    """The page's own static files (and the engine with its licence), by name under ``static/``."""
    files = {name: static_file(name) for name in QUERY_STATIC}
    if engine:
        files[ENGINE_FILE] = engine_script()
        files[ENGINE_LICENCE] = vendored("LICENSE-MIT")
    return files


def site_query_files(store: Store, base: str, graph: Path | None,
                     pages: Mapping[str, bytes] | set[str]) -> dict[str, Content]:
    """The page's data files: its labels and (``graph`` given: the N-Triples file) the graph.

    ``pages``: the site's pages so far (a label links to its page where there is one).
    """
    files: dict[str, Content] = {"query-data.js": _script("lodLabels", label_map(store, base, pages))}
    if graph is not None:
        def write(handle: BinaryIO) -> None:
            with graph.open("rb") as source:
                write_graph_script(source, handle)
        files["query-graph.js"] = write
    return files


def render_query_page(common: Common, *, endpoint: str | None = None) -> bytes:
    """``query.html``: the catalogue in HTML (readable without JavaScript) and the workbench."""
    queries = catalog()
    groups = [{"title": title, "description": text,
               "queries": [q for q in queries if group_of(q) == title]} for title, text in GROUPS]
    return common.render(
        "query.html", root="", title="Query the catalogue", current="query",
        csp=SERVE_CSP if endpoint else QUERY_CSP, engine=endpoint is None, endpoint=endpoint,
        groups=[group for group in groups if group["queries"]],
        prefixes=sorted(predefined_prefixes(queries).items()),
        config=Markup(page_config(queries, endpoint=endpoint)))  # noqa: S704 - JSON, "</" escaped
