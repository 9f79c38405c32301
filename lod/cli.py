"""The ``lod`` command: parse options, call one step, turn the outcome into an exit code.

Exit codes (cli.md): 0 success, 1 the data or the remote side is wrong,
2 usage error. Problems go to stderr, results to stdout or files.

Each command builds its one :class:`Settings` (:func:`_settings`) and calls one
step; :func:`_reported` turns what the steps raise into lines and exit codes.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from lod.inputs import InputFileError
from lod.problems import Failure, InputError, Problem, report_lines
from lod.query.output import FORMATS
from lod.settings import Settings
from lod.text import visible

app = typer.Typer(
    name="lod",
    help="Library case studies as linked open data: validate, build, query.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
mappings_app = typer.Typer(help="Curate the Wikidata mapping ledgers (mappings/*.sssom.tsv).",
                           no_args_is_help=True)
app.add_typer(mappings_app, name="mappings")
publish_app = typer.Typer(help="Publish the case studies elsewhere (Wikidata).", no_args_is_help=True)
app.add_typer(publish_app, name="publish")

DATA_DIR = Path("casestudies")
DataOpt = Annotated[Path, typer.Option("--data", help="Directory of case-study YAML files.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output directory.")]
#: Publish state (the reviewed plan, the journal, verify.md) lives where no clean-up reaches:
#: not dist/, which `make clean` deletes.
StateOpt = Annotated[Path, typer.Option("--out", help=(
    "Publish state folder: plan.json, journal.jsonl, verify.md (default publish/, which "
    "`make clean`, `lod build` and `lod site` never delete)."))]
STATE_DIR = Path("publish")
ProposalsOpt = Annotated[Path, typer.Option(
    "--proposals", help="Proposals file written by `lod reconcile`.")]
MappingsOpt = Annotated[Path | None, typer.Option(
    "--mappings", help="Directory of the SSSOM ledgers (default: mappings/).")]
PROPOSALS_FILE = Path("dist/reconcile-proposals.sssom.tsv")
CuratorOpt = Annotated[str | None, typer.Option(
    "--curator", envvar="LOD_CURATOR", help="Who decides: wdu:<user> or orcid:<id>.")]
RequestTimeoutOpt = Annotated[float | None, typer.Option(
    "--timeout", help="Seconds to wait for each request.")]


def _err(message: str) -> None:
    typer.echo(visible(message), err=True)


def _echo(message: str, *, nl: bool = True) -> None:
    """What lod prints for a person: names and values from files and servers included, so
    control and bidi characters are made visible (lod.text), never written raw."""
    typer.echo(visible(message), nl=nl)


def _settings(**values: object) -> Settings:
    """The command's one Settings, from its options; a bad value is a usage error (exit 2).

    A ``data_dir`` that is not a folder is refused here, once for every command
    that reads the case studies, before anything is read or written."""
    values.setdefault("contact", os.environ.get("LOD_CONTACT"))  # how to reach the operator
    try:
        settings = Settings.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as error:
        raise Failure(*(f"--{item['loc'][0]}: {str(item['msg']).removeprefix('Value error, ')}"
                        for item in error.errors()), usage=True) from None
    if values.get("data_dir") is not None and not settings.data_dir.is_dir():
        raise Failure(str(Problem(settings.data_dir, 1, "(directory)",
                                  "no such directory of case-study files")))
    return settings


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or directories.")] = None,
    mappings: Annotated[Path | None, typer.Option(
        "--mappings", help="Vocabularies and ledgers (default: the project's mappings/).")] = None,
) -> None:
    """Check case-study files against the format contract and the SHACL shapes."""
    from lod.validate.checkfiles import check_files

    _echo(check_files(paths or [DATA_DIR], _settings(mappings_dir=mappings), note=_err))


@app.command()
def status(
    data: DataOpt = DATA_DIR,
    mappings: MappingsOpt = None,
    proposals: ProposalsOpt = PROPOSALS_FILE,
    out: Annotated[Path, typer.Option(
        "--out", help="Output folder of the last build.")] = Path("dist"),
) -> None:
    """The open work at a glance: drafts and TODOs, duplicates, ledger rows, proposals.

    Exits 1 when something blocks publishing (a file that does not validate, a
    reviewed record with TODO lines, a reviewed record gone since the last build)."""
    from lod.status import collect_status

    settings = _settings(data_dir=data, mappings_dir=mappings, out_dir=out)
    found = collect_status(settings.data_dir, mappings=settings.mappings_dir, proposals=proposals,
                           out_dir=settings.out_dir)
    _echo(found.render())
    if not found.ok:
        raise Failure()


@app.command()
def build(
    data: DataOpt = DATA_DIR,
    out: OutOpt = Path("dist"),
    base: Annotated[str | None, typer.Option("--base", help="Base IRI of records.")] = None,
) -> None:
    """Validate, then write the Turtle, N-Triples, JSON-LD, VoID and report files into OUT."""
    from lod.publish.dumps import build as run_build
    from lod.publish.summary import summary

    _echo(summary(run_build(_settings(data_dir=data, out_dir=out, base=base))))


@app.command()
def query(
    name: Annotated[str | None, typer.Argument(
        help="Catalogue name (see --list), a .rq file, or - for stdin.")] = None,
    data: Annotated[Path | None, typer.Option(
        "--data", help="Directory of case-study YAML files.")] = None,
    also: Annotated[list[Path] | None, typer.Option(
        "--also", help="Another RDF file (e.g. a Wikidata extract) for the store.")] = None,
    endpoint: Annotated[str | None, typer.Option(
        "--endpoint", help="SPARQL 1.1 endpoint URL instead of --data.")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="K=V, bound as a typed RDF term.")] = None,
    fmt: Annotated[str, typer.Option(
        "--format", help=f"{', '.join(FORMATS[:-1])} or {FORMATS[-1]}.")] = FORMATS[0],
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Labels in this language (table: default en; csv, tsv, json: adds "
        "<column>_label beside each term column).")] = None,
    pivot: Annotated[bool, typer.Option(
        "--pivot", help="Three columns (row, column, value) as a matrix.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the catalogue.")] = False,
    prefixes: Annotated[bool, typer.Option(
        "--prefixes", help="Print the predefined prefixes.")] = False,
    show: Annotated[bool, typer.Option("--show", help="Print the query text.")] = False,
    link: Annotated[bool, typer.Option(
        "--link", help="Print a Wikidata Query Service URL (wikidata queries).")] = False,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", help="Seconds to wait for --endpoint.")] = None,
) -> None:
    """Run a query (catalogue, .rq file or stdin) on the graph built from --data, or on --endpoint."""
    from lod.query.command import Context, Request, perform, public_graph

    settings = _settings(timeout=timeout)
    request = Request(name=name, data=data, also=tuple(also or ()), endpoint=endpoint,
                      params=tuple(param or ()), fmt=fmt, lang=lang, pivot=pivot, show=show,
                      link=link, list_=list_, prefixes=prefixes)
    graph = functools.cache(lambda: public_graph(_settings(data_dir=data or DATA_DIR)).store)
    context = Context(catalogue=graph, stdin=sys.stdin.read, note=_err, terminal=sys.stdout.isatty(),
                      user_agent=settings.agent, timeout=settings.timeout)
    sys.stdout.write(perform(request, context))


@app.command()
def serve(
    data: DataOpt = DATA_DIR,
    port: Annotated[int, typer.Option(
        "--port", min=0, max=65535, help="0 picks a free port.")] = 7878,
    drafts: Annotated[bool, typer.Option("--drafts", help="Serve every record, drafts too (the "
                                         "record policy is not applied).")] = False,
) -> None:
    """Build the graph, serve it with Oxigraph on 127.0.0.1 and the site's query page until Ctrl-C."""
    from lod.query.command import public_graph
    from lod.query.server import serve_graph

    serve_graph(public_graph(_settings(data_dir=data), every_status=drafts), port=port, say=_echo)


@app.command()
def reconcile(
    data: DataOpt = DATA_DIR,
    endpoint: Annotated[str, typer.Option("--endpoint", help="SPARQL 1.1 endpoint.")]
    = "https://query.wikidata.org/sparql",
    out: Annotated[Path, typer.Option("--out", help="Proposals file (SSSOM TSV).")] = PROPOSALS_FILE,
    cache: Annotated[Path | None, typer.Option(
        "--cache", help="Response cache directory (default: reconcile-cache/ beside --out).")] = None,
    mappings: MappingsOpt = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Seconds per request.")] = None,
    units: Annotated[bool, typer.Option("--units/--no-units", help="Also the IFLA units.")] = True,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ask again what the cache holds "
                                          "(cached answers are used for 7 days).")] = False,
) -> None:
    """Propose Wikidata items for institutions (and IFLA units) without a QID; reads the ledgers."""
    from lod.reconcile.curate import propose

    _echo(propose(_settings(data_dir=data, timeout=timeout, mappings_dir=mappings),
                  endpoint=endpoint, out=out, cache_dir=cache, units=units, refresh=refresh))


@mappings_app.command("review")
def mappings_review(
    proposals: ProposalsOpt = PROPOSALS_FILE,
    mappings: MappingsOpt = None,
    accept: Annotated[list[str] | None, typer.Option("--accept", help="Accept proposal ID.")] = None,
    reject: Annotated[list[str] | None, typer.Option("--reject", help=(
        "Reject proposal ID (or turn accepted ledger row ID into a rejection)."))] = None,
    withdraw: Annotated[list[str] | None, typer.Option("--withdraw", help=(
        "Take decision ID out of the ledger (it becomes a proposal again)."))] = None,
    change: Annotated[bool, typer.Option(
        "--change", help="Let --accept replace the item an institution already has.")] = False,
    confident: Annotated[bool, typer.Option(
        "--accept-confident", help="Accept every proposal >= 0.9 that is alone at that level.")] = False,
    curator: CuratorOpt = None,
    list_: Annotated[bool, typer.Option("--list", help="Only show the proposals.")] = False,
) -> None:
    """Show proposals as a table; accept or reject them (prompted, or with --accept/--reject).

    Writes the ledgers in --mappings (the project's mappings/ by default) and the proposals file.
    """
    from lod.reconcile.curate import review_proposals

    review_proposals(_settings(mappings_dir=mappings), proposals=proposals, accept=accept or [],
                     reject=reject or [], withdraw=withdraw or [], change=change,
                     confident=confident, curator=curator, list_only=list_, say=_echo, warn=_err,
                     ask=typer.prompt, confirm=lambda text: typer.confirm(text, default=False))


@mappings_app.command("relink")
def mappings_relink(data: DataOpt = DATA_DIR, mappings: MappingsOpt = None,
                    curator: CuratorOpt = None) -> None:
    """Move ledger rows of renamed institutions to their new names (what validate reports)."""
    from lod.reconcile.curate import relink_renamed

    relink_renamed(_settings(data_dir=data, mappings_dir=mappings), curator=curator,
                   ask=typer.prompt, say=_echo)


@mappings_app.command("lint")
def mappings_lint(
    mappings: MappingsOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Only report; exit 1 if any differ.")] = False,
) -> None:
    """Rewrite the ledgers in canonical form (fixed columns, sorted rows, LF)."""
    from lod.reconcile.curate import lint_ledgers

    lint_ledgers(_settings(mappings_dir=mappings), check=check, warn=_err)


@app.command()
def harvest(
    api: Annotated[str | None, typer.Option("--api", help="MediaWiki api.php URL.")] = None,
    dump: Annotated[Path | None, typer.Option("--dump", help="Special:Export XML file.")] = None,
    prefix: Annotated[str, typer.Option("--prefix", help="Title prefix of the case-study pages: the "
                                        "index page's name, trailing slash optional, spaces or "
                                        "underscores.")] = "GLAM/IFLA Case Studies/",
    category: Annotated[str | None, typer.Option(
        "--category", help="List a category's pages instead.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Where drafts go; `--out casestudies/` writes "
                                      "beside the curated records, which are never overwritten.")]
    = Path("dist"),
    template: Annotated[bool, typer.Option(
        "--template", help="Print the blank case-study page.")] = False,
    contact: Annotated[str | None, typer.Option(
        "--contact", envvar="LOD_CONTACT",
        help="E-mail or URL by which server operators can reach you.")] = None,
    retries: Annotated[int, typer.Option(
        "--retries", min=0, help="Tries after a failed request.")] = 4,
    restore: Annotated[list[str] | None, typer.Option(
        "--restore", help="Write this deleted record again from its page (repeatable).")] = None,
) -> None:
    """Turn case-study pages (live wiki or XML dump) into draft YAML records, incrementally."""
    from lod.harvest.intake import check_source, harvest_pages
    from lod.harvest.wikiapi import WikiApi
    from lod.harvest.wikitemplate import blank_page

    if template:
        _echo(blank_page(), nl=False)
        return
    check_source(api, dump, category)
    settings = _settings(contact=contact)
    client = None if api is None else WikiApi(api, user_agent=settings.agent,
                                              timeout=settings.timeout, retries=retries)
    _echo(harvest_pages(client, dump, out, prefix=prefix, category=category,
                        restore=tuple(restore or ())))


@app.command("import-csv")
def import_csv(
    file: Annotated[Path, typer.Argument(help="Form export (CSV, UTF-8).")],
    out: Annotated[Path, typer.Option("--out", help="Where drafts go (curated records are never "
                                      "overwritten).")] = Path("dist"),
    restore: Annotated[list[str] | None, typer.Option("--restore", help="Write this deleted record "
                                                      "again from its submission (repeatable).")] = None,
) -> None:
    """Turn a form export (one row per submission) into draft YAML records.

    Re-imports write only what changed in the export since the last import;
    a record you deleted is not written again (see --restore)."""
    from lod.harvest.intake import import_form

    import_form(file, out, restore=tuple(restore or ()), say=_echo, warn=_err)


@app.command()
def site(data: DataOpt = DATA_DIR, out: OutOpt = Path("dist")) -> None:
    """Write the catalogue's static website (reviewed and published case studies) into OUT/site."""
    from lod.site.build import build_site

    result = build_site(_settings(data_dir=data, out_dir=out))
    _echo(f"{result.records} case studies, {result.files} files written to {result.folder}")
    _echo(f"open {result.index}")


@publish_app.command("wikidata")
def publish_wikidata(
    data: DataOpt = DATA_DIR,
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
    timeout: RequestTimeoutOpt = None,
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
    only_from: Annotated[Path | None, typer.Option("--only-from", help="File of record ids, one a "
                                                   "line: the batch to plan and review.")] = None,
    mappings: MappingsOpt = None,
) -> None:
    """Plan the Wikidata edits for reviewed and published records: plan.json, quickstatements.txt
    and review.html in OUT (a dry run); with --live, apply the reviewed plan.json."""
    from lod.publish.wikidata.invocation import check_urls, plan_or_apply

    check_urls(api=api, sparql=sparql, task_page=task_page)
    settings = _settings(data_dir=data, out_dir=out, timeout=timeout, mappings_dir=mappings)
    plan_or_apply(settings, api=api, sparql=sparql, ids=ids, create_units=create_units,
                  create_institutions=create_institutions, live=live, settle=settle,
                  bot_policy=bot_policy, task_page=task_page, pause=pause, only=only or [],
                  only_from=only_from, say=_echo, warn=_err)


@publish_app.command("status")
def publish_status(out: StateOpt = STATE_DIR) -> None:
    """Summarise the publish journal in OUT."""
    from lod.publish.wikidata.invocation import journal_status

    for line in journal_status(out):
        _echo(line)


@publish_app.command("verify")
def publish_verify(out: StateOpt = STATE_DIR, timeout: RequestTimeoutOpt = None) -> None:
    """Read every published item back and report differences from the plan (drift) in verify.md."""
    from lod.publish.wikidata.invocation import verify_published

    for line in verify_published(_settings(out_dir=out, timeout=timeout)):
        _echo(line)


def _reported(callback: Callable[..., object], command: str) -> Callable[..., object]:
    """The command, with what its step raises said on stderr and as the exit code: the one
    mapping. A :class:`Failure` carries its lines and code; problems, an unwritable OUT, a
    damaged input file or an environment error (disk full...) exit 1, never as a traceback."""

    @functools.wraps(callback)
    def run(*args: object, **kwargs: object) -> object:
        from lod.ingest.load import DiscoveryError
        from lod.publish.outdir import OutputError

        try:
            return callback(*args, **kwargs)
        except Failure as error:
            lines, code = list(error.lines), error.code
        except InputError as error:
            lines, code = report_lines(error.problems), 1
        except (DiscoveryError, InputFileError) as error:
            lines, code = [str(error.problem)], 1
        except OutputError as error:
            lines, code = [f"lod {command}: {error}"], 1
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            lines, code = [f"lod: {where}{error.strerror or error}"], 1
        for line in lines:
            _err(line)
        raise typer.Exit(code)

    return run


for _group, _commands in (("", app), ("mappings ", mappings_app), ("publish ", publish_app)):
    for _info in _commands.registered_commands:
        if _info.callback is not None:
            _name = _info.name or _info.callback.__name__.replace("_", "-")
            _info.callback = _reported(_info.callback, f"{_group}{_name}")


def main() -> None:
    """Entry point of the console script."""
    app()
