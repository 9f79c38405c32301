"""``lod site``: the pipeline's graph of public records as a static site in OUT/site.

One call to :func:`lod.pipeline.assemble` (the record policy applied there,
as for ``lod build``, so the lists, the dashboard and the data files count
the same records as the dumps), then every file is made and written into a
staging folder one at a time, and OUT/site is replaced all at once by it
(:mod:`lod.publish.outdir`: nothing from an older site is kept, so a removed
record's page goes too).

Nothing that grows with the collection is held whole (issue 26): the
records are read from the pipeline's spool and each record's part of the
graph from the graph file (:class:`lod.site.linked.GraphIndex`) by the
worker processes that render them; what the lists need of each record goes
to a temporary file (:class:`lod.site.listing.Listing`); the labels, the
dashboard's counts and the query page's labels come from an on-disk store
of its own, the dumps and the query page's graph from the graph file.
What is held is a few numbers per record and per institution, and one page
at a time (the index, which lists every record, is the largest).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from lod.pipeline import Assembled, assemble
from lod.problems import InputError, nothing_found
from lod.publish.dumps import as_bytes, render_dumps
from lod.publish.outdir import Content, StageWriter, staging, swap_in
from lod.resources import case_study_schema_path
from lod.settings import Settings
from lod.site.casepages import render_records
from lod.site.dashboard import dashboard_charts
from lod.site.explore import (
    Institutions,
    describer,
    institution_pages,
    items_by_institution,
    meanings,
    year_pages,
)
from lod.site.labels import read_labels
from lod.site.linked import Entry, GraphIndex, RecordSource
from lod.site.listing import Listing
from lod.site.pages import (
    STATIC_FILES,
    VENDORED_FILES,
    Common,
    browse_page,
    dashboard_page,
    data_page,
    index_page,
    search_data,
    static_file,
    term_pages,
    vendored_file,
)
from lod.site.querypage import render_query_page, site_query_files
from lod.site.querypage import static_files as query_static_files
from lod.site.submitform import form_rules, rules_script, schema_rules, submit_page
from lod.spool import SpooledRecords

SITE_FOLDER = "site"
#: Writes one file of the site (a path under the site's folder); gives its size in bytes.
Put = Callable[[str, Content], int]


@dataclass(frozen=True)
class SiteResult:
    """What ``lod site`` wrote."""

    folder: Path
    records: int
    files: int

    @property
    def index(self) -> Path:
        """The site's front page."""
        return self.folder / "index.html"


def site_files(assembled: Assembled, *, endpoint: str | None = None) -> dict[str, bytes]:
    """Every file of the site by relative path (pure: the same graph gives the same bytes).

    ``endpoint`` (``lod serve``): the query page asks that SPARQL endpoint
    instead of running the engine on an embedded copy of the graph.
    """
    files: dict[str, bytes] = {}

    def put(name: str, content: Content) -> int:
        files[name] = as_bytes(content)
        return len(files[name])

    write_site(assembled, put, endpoint=endpoint)
    return dict(sorted(files.items()))


@dataclass(frozen=True)
class _Gathered:
    """What one pass over the records gives before any page is made."""

    source: RecordSource
    institutions: Institutions
    as_of: str | None


def _gather(assembled: Assembled) -> _Gathered:
    """Read each record once: the latest source date, its institutions, where its lines are."""
    records = assembled.records
    if not isinstance(records, SpooledRecords):
        raise TypeError("the site reads the records from the pipeline's spool")
    index = GraphIndex.of(assembled.graph)
    spool, slots = records.on_disk()
    institutions = Institutions(assembled.base)
    entries: list[Entry] = []
    latest: date | None = None
    for number, (item, slot) in enumerate(zip(records, slots, strict=True)):
        record = item.record
        retrieved = record.source.retrieved if record.source else None
        if retrieved and (latest is None or retrieved > latest):
            latest = retrieved
        institutions.add(number, record)
        entries.append((slot, index.record_spans(assembled.base, record)))
    return _Gathered(RecordSource(spool, assembled.graph.path, entries), institutions,
                     latest.isoformat() if latest else None)


def _site_store(assembled: Assembled) -> Store:
    """The graph in an on-disk store of the site's own, in the pipeline's work folder.

    For the labels, the dashboard's counts and the query page's labels: an
    in-memory store of the whole graph was most of the site's memory (some
    2 GB at 100,000 records). The bulk loader holds one block of the graph
    file at a time. The worker processes forked after it is made never use it.
    """
    store = Store(str(assembled.folder / "site-store"))
    for block in assembled.graph.byte_blocks():
        store.bulk_load(block, format=RdfFormat.N_TRIPLES)
    return store


def write_site(assembled: Assembled, put: Put, *, endpoint: str | None = None) -> int:
    """Make every file of the site, handing each to ``put`` as it is made; the number of files.

    ``endpoint``: as for :func:`site_files`.
    """
    store = _site_store(assembled)
    labels = read_labels(store)
    gathered = _gather(assembled)
    common = Common(total=len(assembled.records), as_of=gathered.as_of, labels=labels,
                    statuses=assembled.statuses)
    pages: set[str] = set()  # the pages made so far: the query page's labels link to them
    count = 0

    def write(name: str, data: Content) -> int:
        nonlocal count
        if name.endswith(".html"):
            pages.add(name)
        count += 1
        return put(name, data)

    with Listing() as listing:
        for output in render_records(assembled.base, common, gathered.source):
            for name, data in output.files.items():
                write(name, data)
            listing.add(output.view, output.item, output.item_in_folder)
        describe = describer(meanings(store))
        for name, data in chain(
                term_pages(common, listing, describe),
                institution_pages(common, gathered.institutions, listing,
                                  items_by_institution(store)),
                year_pages(common, listing)):
            write(name, data)
        write("index.html", index_page(common, listing))
        write("search-data.js", search_data(listing))
        write("browse.html", browse_page(common, listing))
    write("dashboard.html", dashboard_page(common, dashboard_charts(store, labels)))
    dumps = {name: write(f"data/{name}", content)
             for name, content in render_dumps(assembled)[0].items()}
    write("data.html", data_page(common, dumps))
    rules = form_rules(labels, describe, schema_rules(case_study_schema_path()))
    write("submit.html", submit_page(common, rules))
    write("static/submit-rules.js", rules_script(rules))
    write("query.html", render_query_page(common, endpoint=endpoint))
    for name, content in site_query_files(store, assembled.base,
                                          None if endpoint else assembled.graph.path,
                                          pages).items():
        write(name, content)
    for name, data in query_static_files(engine=endpoint is None).items():
        write(f"static/{name}", data)
    for name in STATIC_FILES:
        write(f"static/{name}", static_file(name))
    for name in VENDORED_FILES:
        write(f"static/{name}", vendored_file(name))
    return count


def build_site(settings: Settings) -> SiteResult:
    """Check the case studies, then write OUT/site; raise InputError on any problem."""
    assembled = assemble([settings.data_dir], settings, include_drafts=False)
    if assembled.loaded.files == 0:
        raise InputError([nothing_found(settings.data_dir)])
    if assembled.problems:
        raise InputError(assembled.problems)
    folder = settings.out_dir / SITE_FOLDER
    with staging(folder) as stage:
        writer = StageWriter(stage, folder, many_files=True)
        count = write_site(assembled, writer.write)
        writer.finish()
        swap_in(stage, folder, set(), carry_over=False)
    return SiteResult(folder=folder.absolute(), records=len(assembled.records), files=count)
