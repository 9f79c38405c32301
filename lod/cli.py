"""The ``lod`` command: parse options, call one step, turn the outcome into an exit code.

Exit codes (cli.md): 0 success, 1 the data or the remote side is wrong,
2 usage error. Problems go to stderr, results to stdout or files.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer
from pydantic import ValidationError

from lod.inputs import InputFileError
from lod.problems import InputError, Problem
from lod.settings import Settings
from lod.text import visible

if TYPE_CHECKING:
    from pyoxigraph import Store

    from lod.pipeline import Assembled

app = typer.Typer(
    name="lod",
    help="Library case studies as linked open data: validate, build, query.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_T = TypeVar("_T")
DataOpt = Annotated[Path, typer.Option("--data", help="Directory of case-study YAML files.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output directory.")]
#: Publish state (the reviewed plan, the journal, verify.md) lives where no clean-up reaches:
#: not dist/, which `make clean` deletes.
StateOpt = Annotated[Path, typer.Option("--out", help=(
    "Publish state folder: plan.json, journal.jsonl, verify.md (default publish/, which "
    "`make clean`, `lod build` and `lod site` never delete)."))]
STATE_DIR = Path("publish")


def _err(message: str) -> None:
    typer.echo(visible(message), err=True)


def _echo(message: str, *, nl: bool = True) -> None:
    """What lod prints for a person: names and values from files and servers included, so
    control and bidi characters are made visible (lod.text), never written raw."""
    typer.echo(visible(message), nl=nl)


def _fail(problems: list[Problem], *, what: str = "problem") -> NoReturn:
    for problem in problems:
        _err(str(problem))
    count = len(problems)
    if count > 1:  # one problem is one line: the line itself says what and where
        _err(f"{count} {what}s found")
    raise typer.Exit(1)


def _assemble(paths: list[Path], settings: Settings, *, include_drafts: bool,
              every_status: bool = False) -> Assembled:
    """The pipeline's graph, with an unreadable folder reported as a problem."""
    from lod.ingest.load import DiscoveryError
    from lod.pipeline import assemble

    try:
        return assemble(paths, settings, include_drafts=include_drafts,
                        every_status=every_status)
    except DiscoveryError as error:
        _fail([error.problem])


def _write_step(command: str, data: Path, step: Callable[[], _T]) -> _T:
    """Run a step that reads the case studies in DATA and writes OUT; its failures, one line each.

    Shared by ``lod build`` and ``lod site``: the same data problems, the same
    unreadable folder, the same unwritable OUT, reported the same way.
    """
    from lod.ingest.load import DiscoveryError
    from lod.publish.outdir import OutputError

    if not data.is_dir():
        _fail([Problem(data, 1, "(directory)", "no such directory of case-study files")])
    try:
        return step()
    except InputError as error:
        if not error.problems:
            _fail([Problem(data, 1, "(directory)", "no case-study files (*.yaml) found")])
        _fail(error.problems)
    except DiscoveryError as error:
        _fail([error.problem])
    except OutputError as error:
        _err(f"lod {command}: {error}")
        raise typer.Exit(1) from None


def _settings(**values: object) -> Settings:
    try:
        return Settings.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as error:
        for item in error.errors():
            _err(f"--{item['loc'][0]}: {str(item['msg']).removeprefix('Value error, ')}")
        raise typer.Exit(2) from None


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or directories.")] = None,
    mappings: Annotated[Path | None, typer.Option(
        "--mappings", help="Vocabularies and ledgers (default: the project's mappings/).")] = None,
) -> None:
    """Check case-study files against the format contract and the SHACL shapes."""
    targets = paths or [Path("casestudies")]
    missing = [p for p in targets if not p.exists()]
    if missing:
        _fail([Problem(p, 1, "(file)", "no such file or directory") for p in missing])
    result = _assemble(targets, _settings(mappings_dir=mappings), include_drafts=True,
                       every_status=True)
    if all(target.is_dir() for target in targets):  # one file alone would orphan every row
        for line in _ledger_notes(result, mappings):
            _err(line)
    if result.problems:
        _fail(result.problems)
    if not result.loaded.files:
        where = ", ".join(str(p) for p in targets)
        _err(f"{where}: no case-study files (*.yaml, *.yml) found; nothing was checked")
        raise typer.Exit(1)
    _echo(f"{result.loaded.files} files checked: all valid")


def _ledger_notes(result: Assembled, folder: Path | None) -> list[str]:
    """Ledger rows no record names: carried over to a renamed institution, or orphaned."""
    from lod.ledgers import LEDGERS, MappingFileError, read_ledger
    from lod.reconcile.renames import unlinked_rows

    try:
        ledger = read_ledger(folder)
    except (MappingFileError, OSError, UnicodeDecodeError):
        return []  # the assembled result reports an unreadable ledger already
    name = next(iter(LEDGERS))
    return [f"mappings/{name}: {item.message()}"
            for item in unlinked_rows((r.record for r in result.records), ledger)]


@app.command()
def status(
    data: DataOpt = Path("casestudies"),
    mappings: Annotated[Path | None, typer.Option(
        "--mappings", help="Directory of the SSSOM ledgers (default: mappings/).")] = None,
    proposals: Annotated[Path, typer.Option(
        "--proposals", help="Proposals file written by `lod reconcile`.")]
    = Path("dist/reconcile-proposals.sssom.tsv"),
    out: Annotated[Path, typer.Option("--out", help="Output folder of the last build.")]
    = Path("dist"),
) -> None:
    """The open work at a glance: drafts and TODOs, duplicates, ledger rows, proposals.

    Exits 1 when something blocks publishing (a file that does not validate, a
    reviewed record with TODO lines, a reviewed record gone since the last build)."""
    from lod.status import collect_status

    if not data.is_dir():
        _fail([Problem(data, 1, "(directory)", "no such directory of case-study files")])
    found = collect_status(data, mappings=mappings, proposals=proposals, out_dir=out)
    _echo(found.render())
    if not found.ok:
        raise typer.Exit(1)


@app.command()
def build(
    data: DataOpt = Path("casestudies"),
    out: OutOpt = Path("dist"),
    base: Annotated[str | None, typer.Option("--base", help="Base IRI of records.")] = None,
) -> None:
    """Validate, then write the Turtle, N-Triples, JSON-LD, VoID and report files into OUT."""
    from lod.publish.dumps import build as run_build
    from lod.publish.summary import summary

    settings = _settings(data_dir=data, out_dir=out, base=base)
    result = _write_step("build", data, lambda: run_build(settings))
    _echo(summary(result))


@app.command()
def query(
    name: Annotated[
        str | None, typer.Argument(help="Catalogue name (see --list), a .rq file, or - for stdin.")
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Directory of case-study YAML files.")
    ] = None,
    also: Annotated[
        list[Path] | None,
        typer.Option("--also", help="Another RDF file (e.g. a Wikidata extract) for the store."),
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="SPARQL 1.1 endpoint URL instead of --data.")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", help="K=V, bound as a typed RDF term.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, tsv or json.")] = "table",
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Labels in this language (table: default en; csv, tsv, "
                     "json: adds <column>_label beside each term column)."),
    ] = None,
    pivot: Annotated[
        bool, typer.Option("--pivot", help="Three columns (row, column, value) as a matrix.")
    ] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the catalogue.")] = False,
    prefixes: Annotated[
        bool, typer.Option("--prefixes", help="Print the predefined prefixes.")
    ] = False,
    show: Annotated[bool, typer.Option("--show", help="Print the query text.")] = False,
    link: Annotated[
        bool, typer.Option("--link", help="Print a Wikidata Query Service URL (wikidata queries).")
    ] = False,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds to wait for --endpoint.")
    ] = None,
) -> None:
    """Run a query (catalogue, .rq file or stdin) on the graph built from --data, or on --endpoint."""
    from lod.query.catalog import catalog, list_line
    from lod.query.command import Context, Request, RunError, UsageError, perform
    from lod.query.prefixes import prefix_block

    if list_:
        for item in catalog():
            _echo(list_line(item))
        return
    if prefixes:
        _echo(prefix_block(), nl=False)
        return
    if name is None:
        _err("give a query name, a .rq file or - (standard input); --list shows the catalogue")
        raise typer.Exit(2)
    settings = _settings(timeout=timeout)
    graphs: list[Store] = []

    def catalogue() -> Store:
        """The graph built from --data (once): the in-process store, and where fills come from."""
        if not graphs:
            folder = data or Path("casestudies")
            if not folder.is_dir():
                _fail([Problem(folder, 1, "(directory)", "no such directory of case-study files")])
            graph = _assemble([folder], _settings(data_dir=folder), include_drafts=False)
            if graph.problems:
                _fail(graph.problems)
            graphs.append(graph.store)
        return graphs[0]

    request = Request(name=name, data=data, also=tuple(also or ()), endpoint=endpoint,
                      params=tuple(param or ()), fmt=fmt, lang=lang, pivot=pivot, show=show,
                      link=link)
    context = Context(catalogue=catalogue, stdin=sys.stdin.read, note=_err,
                      user_agent=settings.user_agent, timeout=settings.timeout,
                      terminal=sys.stdout.isatty())
    try:
        text = perform(request, context)
    except UsageError as error:
        _err(str(error))
        raise typer.Exit(2) from None
    except RunError as error:
        _err(str(error))
        raise typer.Exit(1) from None
    if show or link:  # query text from a file: control characters made visible
        _echo(text, nl=False)
    else:
        sys.stdout.write(text)


@app.command()
def serve(
    data: DataOpt = Path("casestudies"),
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="0 picks a free port.")]
    = 7878,
    drafts: Annotated[bool, typer.Option(
        "--drafts", help="Serve every record, drafts too (the record policy is not applied).")]
    = False,
) -> None:
    """Build the graph, serve it with Oxigraph on 127.0.0.1 and the site's query page until Ctrl-C."""
    from lod.query.front import front
    from lod.query.server import ServeError, served, wait_for_stop
    from lod.site.build import site_files

    if not data.is_dir():
        _fail([Problem(data, 1, "(directory)", "no such directory of case-study files")])
    graph = _assemble([data], _settings(data_dir=data), include_drafts=False, every_status=drafts)
    if graph.problems:
        _fail(graph.problems)
    try:
        files = site_files(graph, endpoint="query")
        with served(graph.ntriples.encode("utf-8")) as server, \
                front(files, server.endpoint, port=port) as url:
            _echo(f"SPARQL endpoint: {url}query")
            _echo(f"Browser UI:      {url}")
            _echo(f"{len(graph.lines)} triples from {len(graph.records)} "
                       "case studies; Ctrl-C stops the server.")
            sys.stdout.flush()
            if not wait_for_stop(server):
                _err("the Oxigraph server stopped by itself")
                raise typer.Exit(1)
    except ServeError as error:
        _err(str(error))
        raise typer.Exit(1) from None
    _echo("server stopped")


ProposalsOpt = Annotated[
    Path, typer.Option("--proposals", help="Proposals file written by `lod reconcile`.")
]
MappingsOpt = Annotated[
    Path | None, typer.Option("--mappings", help="Directory of the SSSOM ledgers (default: mappings/).")
]
PROPOSALS_FILE = Path("dist/reconcile-proposals.sssom.tsv")


@app.command()
def reconcile(
    data: DataOpt = Path("casestudies"),
    endpoint: Annotated[str, typer.Option("--endpoint", help="SPARQL 1.1 endpoint.")]
    = "https://query.wikidata.org/sparql",
    out: Annotated[Path, typer.Option("--out", help="Proposals file (SSSOM TSV).")] = PROPOSALS_FILE,
    cache: Annotated[Path | None, typer.Option(
        "--cache", help="Response cache directory (default: reconcile-cache/ beside --out).")] = None,
    mappings: MappingsOpt = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Seconds per request.")] = None,
    units: Annotated[bool, typer.Option("--units/--no-units", help="Also the IFLA units.")] = True,
    refresh: Annotated[bool, typer.Option(
        "--refresh", help="Ask again what the cache holds (cached answers are used for 7 days).")]
    = False,
) -> None:
    """Propose Wikidata items for institutions (and IFLA units) without a QID; reads the ledgers."""
    from lod.reconcile.run import ReconcileError, run_reconcile

    settings = _settings(data_dir=data, timeout=timeout)
    if not data.is_dir():
        _fail([Problem(data, 1, "(directory)", "no such directory of case-study files")])
    try:
        outcome = run_reconcile(settings, endpoint=endpoint, out=out, cache_dir=cache,
                                mappings_dir=mappings, units=units, refresh=refresh)
    except InputError as error:
        _fail(error.problems)
    except (ReconcileError, ValueError) as error:
        _err(f"lod reconcile: {error}")
        raise typer.Exit(1) from None
    _echo(outcome.summary())


mappings_app = typer.Typer(help="Curate the Wikidata mapping ledgers (mappings/*.sssom.tsv).",
                           no_args_is_help=True)
app.add_typer(mappings_app, name="mappings")


@mappings_app.command("review")
def mappings_review(
    proposals: ProposalsOpt = PROPOSALS_FILE,
    mappings: MappingsOpt = None,
    accept: Annotated[list[str] | None, typer.Option("--accept", help="Accept proposal ID.")] = None,
    reject: Annotated[list[str] | None, typer.Option(
        "--reject", help="Reject proposal ID (or turn accepted ledger row ID into a rejection).")]
    = None,
    withdraw: Annotated[list[str] | None, typer.Option(
        "--withdraw", help="Take decision ID out of the ledger (it becomes a proposal again).")]
    = None,
    change: Annotated[bool, typer.Option(
        "--change", help="Let --accept replace the item an institution already has.")] = False,
    confident: Annotated[bool, typer.Option(
        "--accept-confident", help="Accept every proposal >= 0.9 that is alone at that level.")] = False,
    curator: Annotated[str | None, typer.Option(
        "--curator", envvar="LOD_CURATOR", help="Who decides: wdu:<user> or orcid:<id>.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="Only show the proposals.")] = False,
) -> None:
    """Show proposals as a table; accept or reject them (prompted, or with --accept/--reject).

    Writes the ledgers in --mappings (the project's mappings/ by default) and the proposals file.
    """
    from lod.ledgers import MappingFileError
    from lod.reconcile.review import ReviewError, prompt_decisions, ruled_out, table
    from lod.reconcile.review import confident as confident_ids
    from lod.reconcile.review import pending as open_proposals
    from lod.reconcile.run import apply_review, read_ledgers, read_proposals

    accepted, rejected = list(accept or []), list(reject or [])
    withdrawn = list(withdraw or [])
    try:
        proposed = read_proposals(proposals, missing_ok=not (accepted or list_ or confident)
                                  and bool(rejected or withdrawn))
        open_rows = open_proposals(proposed, read_ledgers(mappings))
    except MappingFileError as error:
        _err(str(error))
        raise typer.Exit(1) from None
    if confident:
        accepted += confident_ids(proposed.with_rows(open_rows))
    if list_ or not (accepted or rejected or withdrawn):
        _echo(table(open_rows) if open_rows else "no proposals to review")
        if list_ or not open_rows:
            return
        accepted, rejected = prompt_decisions(
            open_rows, ask=typer.prompt, say=_echo,
            confirm=lambda question: typer.confirm(question, default=False))
    if not (accepted or rejected or withdrawn):
        return
    try:
        who = curator or typer.prompt("Curator (wdu:<Wikidata user> or orcid:<ORCID iD>)")
        outcome = apply_review(proposals_path=proposals, mappings_dir=mappings, accept=accepted,
                               reject=rejected, withdraw=withdrawn, change=change, curator=who)
    except ReviewError as error:
        _err(f"lod mappings review: {error}")
        raise typer.Exit(2) from None
    except MappingFileError as error:
        _err(str(error))
        raise typer.Exit(1) from None
    for row in outcome.accepted:
        reasons = ruled_out(row)
        if reasons:
            _err(f"warning: {row.record_id} ({row.subject_label} -> {row.qid} {row.object_label}) "
                 f"was ruled out by the matcher: {'; '.join(reasons)}; accepted as asked (undo: "
                 f"lod mappings review --withdraw {row.record_id})")
    for row in outcome.set_aside:
        _echo(f"set aside: {row.record_id} ({row.subject_label} -> {row.qid}), another "
                   "candidate of an institution that now has its item (to switch to it: "
                   f"--accept {row.record_id} --change)")
    for line in outcome.history:
        if line.action == "withdraw":
            _echo(f"withdrawn: {line.record_id} {line.subject_label}: {line.replaced}; "
                       "back among the proposals")
        elif line.replaced:
            _echo(f"{line.action}ed {line.record_id} ({line.subject_label} -> "
                       f"{line.object_id}), replacing: {line.replaced}")
    _echo(f"{len(outcome.accepted)} accepted, {len(outcome.rejected)} rejected, "
               f"{len(outcome.withdrawn)} withdrawn; {len(outcome.proposals.rows)} proposals left")


@mappings_app.command("relink")
def mappings_relink(
    data: DataOpt = Path("casestudies"),
    mappings: MappingsOpt = None,
    curator: Annotated[str | None, typer.Option(
        "--curator", envvar="LOD_CURATOR", help="Who decides: wdu:<user> or orcid:<id>.")] = None,
) -> None:
    """Move ledger rows of renamed institutions to their new names (what validate reports)."""
    from lod.ledgers import MappingFileError
    from lod.reconcile.review import ReviewError
    from lod.reconcile.run import relink

    if not data.is_dir():
        _fail([Problem(data, 1, "(directory)", "no such directory of case-study files")])
    try:
        who = curator or typer.prompt("Curator (wdu:<Wikidata user> or orcid:<ORCID iD>)")
        moved = relink(data, mappings, curator=who)
    except InputError as error:
        _fail(error.problems)
    except ReviewError as error:
        _err(f"lod mappings relink: {error}")
        raise typer.Exit(2) from None
    except MappingFileError as error:
        _err(str(error))
        raise typer.Exit(1) from None
    for line in moved:
        _echo(f"relinked: {line}")
    _echo(f"{len(moved)} ledger row{'s' if len(moved) != 1 else ''} moved")


@mappings_app.command("lint")
def mappings_lint(
    mappings: MappingsOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Only report; exit 1 if any differ.")] = False,
) -> None:
    """Rewrite the ledgers in canonical form (fixed columns, sorted rows, LF)."""
    from lod.ledgers import MappingFileError
    from lod.reconcile.run import lint

    try:
        differing = lint(mappings, check=check)
    except MappingFileError as error:
        _err(str(error))
        raise typer.Exit(1) from None
    for path in differing:
        _err(f"{path}: not in canonical form" if check else f"{path}: rewritten")
    if check and differing:
        raise typer.Exit(1)


def _user_agent(settings: Settings, contact: str | None) -> str:
    """Wikimedia's User-Agent policy: say who runs the tool and how to reach them."""
    agent = settings.user_agent
    if not contact:
        return agent
    return f"{agent[:-1]}; {contact})" if agent.endswith(")") else f"{agent} ({contact})"


@app.command()
def harvest(
    api: Annotated[str | None, typer.Option("--api", help="MediaWiki api.php URL.")] = None,
    dump: Annotated[Path | None, typer.Option("--dump", help="Special:Export XML file.")] = None,
    prefix: Annotated[str, typer.Option("--prefix", help="Title prefix of the case-study pages: the index "
                                        "page's name, trailing slash optional, spaces or underscores.")]
    = "GLAM/IFLA Case Studies/",
    category: Annotated[str | None, typer.Option("--category", help="List a category's pages instead.")]
    = None,
    out: Annotated[Path, typer.Option("--out", help="Where drafts go; `--out casestudies/` writes "
                                      "beside the curated records, which are never overwritten.")]
    = Path("dist"),
    template: Annotated[bool, typer.Option("--template", help="Print the blank case-study page.")]
    = False,
    contact: Annotated[str | None, typer.Option("--contact", envvar="LOD_CONTACT",
                                                help="E-mail or URL sent in the User-Agent.")] = None,
    retries: Annotated[int, typer.Option("--retries", min=0, help="Tries after a failed request.")]
    = 4,
    restore: Annotated[list[str] | None, typer.Option(
        "--restore", help="Write this deleted record again from its page (repeatable).")] = None,
) -> None:
    """Turn case-study pages (live wiki or XML dump) into draft YAML records, incrementally."""
    import datetime as dt

    if template:
        from lod.harvest.wikitemplate import blank_page

        _echo(blank_page(), nl=False)
        return
    if (api is None) == (dump is None):
        _err("give exactly one of --api URL or --dump FILE (or --template)")
        raise typer.Exit(2)
    if dump is not None and category:
        _err("--category needs --api: a dump does not list category members")
        raise typer.Exit(2)
    if api is not None and not api.startswith(("http://", "https://")):
        _err(f"--api: expected an http(s) URL of api.php, got {api!r}")
        raise typer.Exit(2)
    from lod.harvest.wikiapi import ApiError, WikiApi
    from lod.harvest.wikiharvest import DumpError, harvest_api, harvest_dump
    from lod.harvest.wikiprogress import progress_bar

    settings = _settings()
    try:
        with progress_bar("harvest", unit="pages" if api else "bytes") as update:
            if api is not None:
                client = WikiApi(api, user_agent=_user_agent(settings, contact),
                                 timeout=settings.timeout, retries=retries)
                summary = harvest_api(client, out, prefix=prefix, category=category,
                                      today=dt.date.today(), progress=update,
                                      restore=tuple(restore or ()))
            elif dump is not None:
                summary = harvest_dump(dump, out, prefix=prefix, today=dt.date.today(),
                                       progress=update, restore=tuple(restore or ()))
    except (ApiError, DumpError) as error:
        _err(f"harvest failed: {error}")
        _err(f"nothing was written to {out}")
        raise typer.Exit(1) from None
    _echo(summary.render())


@app.command("import-csv")
def import_csv(
    file: Annotated[Path, typer.Argument(help="Form export (CSV, UTF-8).")],
    out: Annotated[Path, typer.Option("--out", help="Where drafts go (curated records are never "
                                      "overwritten).")] = Path("dist"),
    restore: Annotated[list[str] | None, typer.Option(
        "--restore", help="Write this deleted record again from its submission (repeatable).")]
    = None,
) -> None:
    """Turn a form export (one row per submission) into draft YAML records.

    Re-imports write only what changed in the export since the last import;
    a record you deleted is not written again (see --restore)."""
    from lod.harvest.csvform import CsvFormatError
    from lod.harvest.csvform import import_csv as run_import

    if not os.path.lexists(file):  # anything else there (a folder, a loop) is named by the reader
        _fail([Problem(file, 1, "(file)", "no such file")])
    try:
        summary, problems = run_import(file, out, restore=tuple(restore or ()))
    except CsvFormatError as error:
        _err(str(error))
        _err(f"nothing was written to {out}")
        raise typer.Exit(1) from None
    for problem in problems:
        _err(str(problem))
    _echo(summary.render("rows"))
    if summary.skipped["unreadable row"]:
        raise typer.Exit(1)


@app.command()
def site(
    data: DataOpt = Path("casestudies"),
    out: OutOpt = Path("dist"),
) -> None:
    """Write the catalogue's static website (reviewed and published case studies) into OUT/site."""
    from lod.site.build import build_site

    settings = _settings(data_dir=data, out_dir=out)
    result = _write_step("site", data, lambda: build_site(settings))
    _echo(f"{result.records} case studies, {result.files} files written to {result.folder}")
    _echo(f"open {result.index}")


publish_app = typer.Typer(help="Publish the case studies elsewhere (Wikidata).", no_args_is_help=True)
app.add_typer(publish_app, name="publish")


@publish_app.command("wikidata")
def publish_wikidata(
    data: DataOpt = Path("casestudies"),
    out: StateOpt = STATE_DIR,
    api: Annotated[str | None, typer.Option("--api", help="Wikibase api.php URL (default: "
                                            "Wikidata's).")] = None,
    sparql: Annotated[str | None, typer.Option("--sparql", help="SPARQL endpoint of that wiki "
                                               "(default: the Wikidata Query Service).")] = None,
    ids: Annotated[Path | None, typer.Option("--ids", help="TSV of Wikidata id, tab, the wiki's "
                                             "own id (a test Wikibase).")] = None,
    create_institutions: Annotated[bool, typer.Option(
        "--create-institutions", help="Plan new items for libraries without one.")] = False,
    create_units: Annotated[bool, typer.Option(
        "--create-units", help="Plan new items for IFLA units without one.")] = False,
    live: Annotated[bool, typer.Option("--live", help="Apply OUT/plan.json to the wiki "
                                       "(credentials from the environment).")] = False,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Seconds to wait for each "
                                                  "request.")] = None,
    settle: Annotated[bool, typer.Option("--settle", help="With --live, when the journal is "
                                         "damaged: ask the wiki what landed, then go on.")] = False,
    bot_policy: Annotated[bool, typer.Option(
        "--bot-policy", help="With --live: keep Wikidata's bot policy on this wiki too (always on "
        "for wikidata.org): without the bot right, a trial of at most 10 edits.")] = False,
    task_page: Annotated[str | None, typer.Option(
        "--task-page", help="With --live: the URL of the approved bot request or trial "
                            "discussion, put into every edit summary.")] = None,
    pause: Annotated[float | None, typer.Option(
        "--pause", help="With --live: seconds between edits (default 2 with the bot right, 10 "
                        "without; where the bot policy is on, only longer).")] = None,
    only: Annotated[list[str] | None, typer.Option(
        "--only", help="Plan (and show on review.html) only this record; repeatable.")] = None,
    only_from: Annotated[Path | None, typer.Option(
        "--only-from", help="File of record ids, one a line: the batch to plan and review.")]
    = None,
    mappings: MappingsOpt = None,
) -> None:
    """Plan the Wikidata edits for reviewed and published records: plan.json, quickstatements.txt
    and review.html in OUT (a dry run); with --live, apply the reviewed plan.json."""
    from lod.publish.outdir import OutputError
    from lod.publish.wikidata.dryrun import Target, summary
    from lod.publish.wikidata.dryrun import publish_wikidata as run_publish
    from lod.publish.wikidata.plan import Options
    from lod.publish.wikidata.reads import IdMap, ReadError

    for name, url in (("--api", api), ("--sparql", sparql), ("--task-page", task_page)):
        if url is not None and not url.startswith(("http://", "https://")):
            _err(f"{name}: expected an http(s) URL, got {url!r}")
            raise typer.Exit(2)
    settings = _settings(data_dir=data, out_dir=out, timeout=timeout, mappings_dir=mappings)
    if not data.is_dir():
        _fail([Problem(data, 1, "(directory)", "no such directory of case-study files")])
    target = Target()
    try:
        id_map = IdMap.read(ids) if ids is not None else IdMap()
    except (OSError, UnicodeDecodeError) as error:
        _err(f"--ids: cannot read {ids}: {error}")
        raise typer.Exit(1) from None
    except ValueError as error:
        _err(f"--ids: {error}")
        raise typer.Exit(1) from None
    target = Target(api or target.api_url, sparql or target.sparql_url, id_map)
    if task_page is not None and len(task_page) > 200:
        _err("--task-page: a URL of at most 200 characters (it goes into every edit summary)")
        raise typer.Exit(2)
    if live:
        _publish_live(settings, target, out, settle=settle, bot_policy=bot_policy,
                      task_page=task_page or "", edit_pause=pause)
        return
    from lod.publish.wikidata.dryrun import BatchError, read_batch

    try:
        batch = None
        if only or only_from:
            batch = [*(only or []), *(read_batch(only_from) if only_from else [])]
        plan = run_publish(settings, target, Options(create_institutions, create_units), out,
                           only=batch)
    except BatchError as error:
        _err(f"lod publish wikidata: {error}")
        raise typer.Exit(1) from None
    except InputError as error:
        _fail(error.problems)
    except ReadError as error:
        _err(f"lod publish wikidata: {error}")
        _err(f"nothing was written to {out}")
        raise typer.Exit(1) from None
    except OutputError as error:
        _err(f"lod publish wikidata: {error}")
        raise typer.Exit(1) from None
    for warning in plan.warnings:
        if warning.severity == "error":
            _err(f"{warning.record}: {warning.code}: {warning.message}")
    _echo(summary(plan))
    _echo(f"wrote {out}/plan.json, {out}/quickstatements.txt, {out}/review.html")


def _publish_live(settings: Settings, target: object, out: Path, *, settle: bool,
                  bot_policy: bool, task_page: str, edit_pause: float | None) -> None:
    """``--live``: apply OUT/plan.json; every failure is one line on stderr and exit 1."""
    from lod.publish.outdir import OutputError
    from lod.publish.wikidata.client import CredentialsError, environment
    from lod.publish.wikidata.dryrun import Target
    from lod.publish.wikidata.livecommands import PlanError, PolicyRefusal, publish_live
    from lod.publish.wikidata.reads import ReadError

    if not isinstance(target, Target):
        raise TypeError("target")
    try:
        result = publish_live(settings, target, out, environment(), settle=settle,
                              bot_policy=bot_policy, task_page=task_page, edit_pause=edit_pause)
    except PlanError as error:
        for line in error.lines:
            _err(f"lod publish wikidata: {line}")
        _err("nothing was sent to the wiki")
        raise typer.Exit(1) from None
    except (CredentialsError, ReadError, OutputError, PolicyRefusal) as error:
        _err(f"lod publish wikidata: {error}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _err(f"lod publish wikidata: interrupted; run the same command again to continue "
             f"(the journal {out}/journal.jsonl says where it stopped)")
        raise typer.Exit(1) from None
    for line in result.lines:
        if result.ok or not line.startswith(("failed:", "lod publish", "the journal")):
            _echo(line)
        else:
            _err(line)
    if not result.ok:
        raise typer.Exit(1)


@publish_app.command("status")
def publish_status(out: StateOpt = STATE_DIR) -> None:
    """Summarise the publish journal in OUT."""
    from lod.publish.wikidata.livecommands import status

    for line in status(out):
        _echo(line)


@publish_app.command("verify")
def publish_verify(
    out: StateOpt = STATE_DIR,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Seconds to wait for each "
                                                  "request.")] = None,
) -> None:
    """Read every published item back and report differences from the plan (drift) in verify.md."""
    from lod.publish.wikidata.livecommands import PlanError, verify_later
    from lod.publish.wikidata.reads import ReadError

    settings = _settings(out_dir=out, timeout=timeout)
    try:
        result = verify_later(settings, out)
    except PlanError as error:
        for line in error.lines:
            _err(f"lod publish verify: {line}")
        raise typer.Exit(1) from None
    except ReadError as error:
        _err(f"lod publish verify: {error}")
        raise typer.Exit(1) from None
    for line in result.lines:
        _echo(line)


def _guarded(callback: Callable[..., object]) -> Callable[..., object]:
    """A command that reports a damaged input file, or an environment error (disk full, no
    permission...), in one line.

    Each command handles the errors it expects; this is the net under all of
    them, so that no OSError and no unreadable input ever reaches a user as a traceback.
    """

    @functools.wraps(callback)
    def run(*args: object, **kwargs: object) -> object:
        try:
            return callback(*args, **kwargs)
        except InputFileError as error:
            _err(str(error.problem))
            raise typer.Exit(1) from None
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            _err(f"lod: {where}{error.strerror or error}")
            raise typer.Exit(1) from None

    return run


def _guard_all(*typers: typer.Typer) -> None:
    for group in typers:
        for info in group.registered_commands:
            if info.callback is not None:
                info.callback = _guarded(info.callback)


_guard_all(app, mappings_app, publish_app)


def main() -> None:
    """Entry point of the console script."""
    app()
