"""``lod query``: find the query, check its parameters, run it where asked, write the answer.

Kept out of ``lod/cli.py`` so the command's rules live beside the query code:
a catalogue name, a ``.rq`` file or ``-`` (standard input) all become one
:class:`CatalogQuery`; its parameters are typed by its header and checked
against the vocabularies (and, for record ids, against the data the query will
run on) before anything runs, so a misspelt value is a usage error with a
suggestion instead of an empty table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import DefaultGraph, Quad, RdfFormat, Store, parse

from lod.problems import Failure, InputError
from lod.query.catalog import CatalogQuery
from lod.query.display import LabelsByLanguage, PivotError
from lod.query.params import check_ids
from lod.query.run import GraphResult, QueryError, QueryResult, Term
from lod.text import visible

if TYPE_CHECKING:
    from lod.pipeline import Assembled
    from lod.settings import Settings

#: Every record id of the graph, for checking ``record id`` parameters.
RECORD_IDS = """\
SELECT DISTINCT ?id WHERE {
  ?cs a <https://w3id.org/libcasestudies/ns#CaseStudy> ;
      <http://purl.org/dc/terms/identifier> ?id .
}"""
Answer = QueryResult | GraphResult | bool


class UsageError(Failure):
    """The command line asks for something that cannot be done (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, usage=True)


class DataError(Exception):
    """A file given with ``--also`` cannot be read as RDF (exit 1)."""


@dataclass(frozen=True)
class Target:
    """Where the query runs: an in-process store or an endpoint URL (exactly one)."""

    store: Store | None = None
    endpoint: str | None = None


def rdf_format(path: Path) -> RdfFormat:
    """The RDF syntax of ``path`` from its extension (``.nt``, ``.ttl``, ``.jsonld``, ``.rdf`` …)."""
    extension = path.suffix.lstrip(".").lower()
    found = RdfFormat.from_extension(extension) if extension else None
    if found is None:
        raise DataError(f"{path}: cannot tell the RDF syntax from the extension "
                        "(use .nt, .ttl, .nq, .trig, .jsonld or .rdf)")
    return found


def load_also(store: Store, files: Sequence[Path]) -> None:
    """Add each ``--also`` file to ``store``'s default graph (a Wikidata extract, another catalogue)."""
    for path in files:
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        syntax = rdf_format(path)
        try:
            # Quads from a dataset file join the default graph too: a query sees them all.
            quads = [Quad(q.subject, q.predicate, q.object, DefaultGraph())
                     for q in parse(path=str(path), format=syntax)]
        except (SyntaxError, ValueError, OSError) as error:
            raise DataError(f"{path}: not readable as RDF: {error}") from None
        store.bulk_extend(quads)


def known_ids(target: Target, ask: Callable[[CatalogQuery, Target], Answer],
              query: CatalogQuery) -> list[str]:
    """The record ids in the data the query will run on (the same store or endpoint)."""
    probe = CatalogQuery(name="record-ids", path=query.path, title="", description="",
                         endpoint="local", params=(), columns=("id",), text=RECORD_IDS)
    answer = ask(probe, target)
    if not isinstance(answer, QueryResult):
        raise QueryError("could not list the record ids")
    return [row[0] for row in answer.values() if row[0] is not None]


def check_record_ids(query: CatalogQuery, bindings: Mapping[str, Term], target: Target,
                     ask: Callable[[CatalogQuery, Target], Answer]) -> None:
    """Raise ParamError when a ``record id`` parameter names no record of the target."""
    if any(p.kind == "record id" and p.name in bindings for p in query.params):
        check_ids(query, bindings, known_ids(target, ask, query))


def endpoint_labels(target: Target, ask: Callable[[CatalogQuery, Target], Answer]) -> LabelsByLanguage:
    """The vocabulary labels an endpoint holds (the dumps carry them); none on Wikidata or on
    an endpoint that cannot answer: the ids are shown then."""
    from lod.query.display import LABELS_QUERY, labels_from
    from lod.query.labelservice import has_label_service

    if target.endpoint is None or has_label_service(target.endpoint):
        return {}
    probe = CatalogQuery(name="labels", path=Path("labels"), title="", description="",
                         endpoint="local", params=(), columns=("scheme", "notation", "label"),
                         text=LABELS_QUERY)
    try:
        answer = ask(probe, target)
    except QueryError:
        return {}
    return labels_from(answer) if isinstance(answer, QueryResult) else {}


def presented(answer: Answer, fmt: str, *, lang: str | None, pivot: bool,
              store: Store | None, labels: LabelsByLanguage | None = None) -> Answer:
    """The answer as people read it: labels for term columns, and a matrix with ``--pivot``.

    A table shows labels in place (``lang`` or English); CSV, TSV and JSON keep
    the ids in their own columns and add ``<column>_label`` only when ``lang``
    is given, so the catalogue's fixed columns stay as they are by default.
    Labels come from the graph in process, or are given (an endpoint's).
    """
    from lod.query.display import label_for, read_labels_by_language, term_columns, with_labels
    from lod.query.display import pivot as to_matrix

    if not isinstance(answer, QueryResult):
        if pivot:
            raise PivotError("--pivot needs SELECT results")
        return answer
    if labels is None:
        labels = read_labels_by_language(store) if store is not None else {}
    table = fmt == "table"
    language = lang or "en"
    if pivot:
        schemes = term_columns(answer, labels)
        names: dict[str, str] = {}
        if table and 1 in schemes:
            names = {row[1].value: label_for(labels, schemes[1], row[1].value, language)
                     for row in answer.rows if row[1] is not None}
        answer = to_matrix(answer, names)
    if table:
        return with_labels(answer, labels, language, beside=False)
    if lang is not None:
        return with_labels(answer, labels, language, beside=True)
    return answer


def filled(query: CatalogQuery, bindings: Mapping[str, Term], catalogue: Store) -> CatalogQuery:
    """The query with its ``# fill:`` variable fixed to the values the catalogue gives.

    A value given with ``--param`` wins (one item); otherwise the source
    query runs on ``catalogue`` and every value of its column goes into a
    trailing ``VALUES`` clause, so the Wikidata Query Service is asked about
    exactly the catalogue's items.
    """
    from dataclasses import replace

    from lod.query.catalog import get_query
    from lod.query.execute import run_in_process
    from lod.query.params import values_list

    if query.fill is None or query.fill[0] in bindings:
        return query
    variable, source, column = query.fill
    answer = run_in_process(get_query(source), catalogue)
    if column not in answer.columns:
        raise QueryError(f"# fill: {source} has no column {column!r}")
    index = answer.columns.index(column)
    found: set[Term] = set()
    for row in answer.rows:
        cell = row[index]
        if cell is not None:
            found.add(cell)
    terms = sorted(found, key=str)
    if not terms:
        raise DataError(f"the catalogue gives no value for ?{variable} ({source}.{column})")
    text = query.text.rstrip("\n") + "\n" + values_list(variable, terms)
    return replace(query, text=text)


def public_graph(settings: Settings, *, every_status: bool = False) -> Assembled:
    """The graph of the public records in the data folder (every status with ``every_status``):
    what ``lod query --data`` and ``lod serve`` ask; InputError if a record has problems."""
    from lod.pipeline import assemble

    graph = assemble([settings.data_dir], settings, include_drafts=False, every_status=every_status)
    if graph.problems:
        raise InputError(graph.problems)
    return graph


class RunError(Failure):
    """The data or the remote side is wrong (exit 1)."""


@dataclass(frozen=True)
class Request:
    """What ``lod query`` was asked, options as typed."""

    name: str | None
    data: Path | None = None
    also: tuple[Path, ...] = ()
    endpoint: str | None = None
    params: tuple[str, ...] = ()
    fmt: str = "table"
    lang: str | None = None
    pivot: bool = False
    show: bool = False
    link: bool = False
    list_: bool = False
    prefixes: bool = False


@dataclass(frozen=True)
class Context:
    """What running a request needs from the command line around it."""

    #: The graph built from --data (called at most once, and only when needed).
    catalogue: Callable[[], Store]
    #: Standard input's text (for ``-``).
    stdin: Callable[[], str]
    #: Prints a note on stderr.
    note: Callable[[str], None]
    user_agent: str
    timeout: float
    terminal: bool = False


def perform(request: Request, context: Context) -> str:
    """The text ``lod query`` prints; UsageError (exit 2) or RunError (exit 1) otherwise.

    An answer is as rendered (escaped where its format must be); query text and
    listings come from files, and their control characters are made visible.
    """
    from lod.query.catalog import CatalogError, catalog, find_query, list_line
    from lod.query.execute import run_any_in_process, run_any_on_endpoint, wdqs_link
    from lod.query.output import FORMATS, render_answer
    from lod.query.params import ParamError, bind_params
    from lod.query.prefixes import prefix_block
    from lod.query.remote import check_endpoint

    if request.list_:
        return visible("".join(f"{list_line(item)}\n" for item in catalog()))
    if request.prefixes:
        return visible(prefix_block())
    name = request.name
    if name is None:
        raise UsageError("give a query name, a .rq file or - (standard input); --list shows the "
                         "catalogue")
    if request.fmt not in FORMATS:
        raise UsageError(f"--format must be one of: {', '.join(FORMATS)}")
    if request.also and request.endpoint is not None:
        raise UsageError("--also adds files to the in-process store; it cannot change an "
                         "--endpoint")
    try:
        chosen = find_query(name, context.stdin() if name == "-" else None)
        bindings = bind_params(chosen, request.params)
        if request.endpoint is not None:
            check_endpoint(request.endpoint)
    except (CatalogError, ParamError, ValueError) as error:
        raise UsageError(str(error)) from None
    if request.data is not None and request.endpoint is not None and chosen.fill is None:
        # Only a query filled from the catalogue reads both: --data for the fill.
        raise UsageError("give --data or --endpoint, not both")
    if chosen.fill is not None:
        try:
            chosen = filled(chosen, bindings, context.catalogue())
        except (DataError, QueryError) as error:
            raise RunError(f"{chosen.path}: {error}") from None
    if request.show:
        return visible(chosen.text)
    if request.link:
        if chosen.endpoint != "wikidata":
            raise UsageError(f"--link is for wikidata queries; {name!r} runs on "
                             f"{chosen.endpoint} data")
        return visible(wdqs_link(chosen, bindings) + "\n")

    def ask(what: CatalogQuery, target: Target) -> Answer:
        given = bindings if what is chosen else {}
        if target.endpoint is not None:
            return run_any_on_endpoint(what, target.endpoint, given,
                                       user_agent=context.user_agent, timeout=context.timeout)
        assert target.store is not None  # noqa: S101 - one of the two is always set
        return run_any_in_process(what, target.store, given)

    try:
        if request.endpoint is not None:
            target = Target(endpoint=request.endpoint)
        else:
            if chosen.endpoint == "wikidata" and not request.also:
                context.note(f"note: {name} reads Wikidata; the catalogue alone has no "
                             "such data (try --endpoint https://query.wikidata.org/sparql, "
                             "--link or --also)")
            store = context.catalogue()
            load_also(store, request.also)
            target = Target(store=store)
        check_record_ids(chosen, bindings, target, ask)
        answer = ask(chosen, target)
        wants_labels = request.fmt == "table" or request.lang is not None
        labels = (endpoint_labels(target, ask)
                  if request.endpoint is not None and wants_labels else None)
        result = presented(answer, request.fmt, lang=request.lang, pivot=request.pivot,
                           store=target.store, labels=labels)
    except (ParamError, PivotError) as error:
        raise UsageError(str(error)) from None
    except DataError as error:
        raise RunError(str(error)) from None
    except QueryError as error:
        raise RunError(f"{chosen.path}: {error}") from None
    return render_answer(result, request.fmt, terminal=context.terminal)
