"""``lod site``: the pipeline's graph of public records as a static site in OUT/site.

One call to :func:`lod.pipeline.assemble` (the record policy applied there,
as for ``lod build``, so the lists, the dashboard and the data files count
the same records as the dumps), then every file is
rendered in memory and OUT/site is replaced all at once by
:func:`lod.publish.outdir.replace_folder` (nothing from an older site is
kept, so a removed record's page goes too).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lod.pipeline import Assembled, assemble
from lod.problems import InputError, nothing_found
from lod.publish.dumps import as_bytes, render_dumps
from lod.publish.outdir import replace_folder
from lod.resources import case_study_schema_path
from lod.settings import Settings
from lod.site.casepages import render_records
from lod.site.dashboard import dashboard_charts
from lod.site.explore import (
    describer,
    institution_pages,
    items_by_institution,
    meanings,
    year_pages,
)
from lod.site.labels import read_labels
from lod.site.linked import lines_by_resource, record_lines
from lod.site.pages import (
    STATIC_FILES,
    Common,
    browse_page,
    dashboard_page,
    data_page,
    index_page,
    search_data,
    static_file,
    term_pages,
)
from lod.site.querypage import render_query_page, site_query_files
from lod.site.querypage import static_files as query_static_files
from lod.site.submitform import form_rules, rules_script, schema_rules, submit_page

SITE_FOLDER = "site"


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
    labels = read_labels(assembled.store)
    records = [item.record for item in assembled.records]
    retrieved = [record.source.retrieved for record in records
                 if record.source and record.source.retrieved]
    common = Common(total=len(records),
                    as_of=max(retrieved).isoformat() if retrieved else None, labels=labels,
                    statuses=assembled.statuses)
    groups = lines_by_resource(assembled.lines)
    outputs = render_records(assembled.base, common, [
        (record, tuple(record_lines(assembled.base, record, groups))) for record in records])
    views = [output.view for output in outputs]
    files: dict[str, bytes] = {}
    for output in outputs:
        files.update(output.files)
    in_folder = [output.item_in_folder for output in outputs]
    describe = describer(meanings(assembled.store))
    files.update(term_pages(common, views, in_folder, describe))
    files.update(institution_pages(common, assembled.base, records, in_folder,
                                   items_by_institution(assembled.store)))
    files.update(year_pages(common, views, in_folder))
    files["index.html"] = index_page(common, views, [output.item for output in outputs])
    files["search-data.js"] = search_data(views)
    files["browse.html"] = browse_page(common, views)
    files["dashboard.html"] = dashboard_page(common, dashboard_charts(assembled.store, labels))
    dumps = {name: as_bytes(content) for name, content in render_dumps(assembled)[0].items()}
    files.update({f"data/{name}": data for name, data in dumps.items()})
    files["data.html"] = data_page(common, dumps)
    rules = form_rules(labels, describe, schema_rules(case_study_schema_path()))
    files["submit.html"] = submit_page(common, rules)
    files["static/submit-rules.js"] = rules_script(rules)
    files["query.html"] = render_query_page(common, endpoint=endpoint)
    files.update(site_query_files(assembled.store, assembled.base,
                                  None if endpoint else dumps["casestudies.nt"], files))
    files.update({f"static/{name}": data for name, data in
                  query_static_files(engine=endpoint is None).items()})
    files.update({f"static/{name}": static_file(name) for name in STATIC_FILES})
    return dict(sorted(files.items()))


def build_site(settings: Settings) -> SiteResult:
    """Check the case studies, then write OUT/site; raise InputError on any problem."""
    assembled = assemble([settings.data_dir], settings, include_drafts=False)
    if assembled.loaded.files == 0:
        raise InputError([nothing_found(settings.data_dir)])
    if assembled.problems:
        raise InputError(assembled.problems)
    files = site_files(assembled)
    folder = settings.out_dir / SITE_FOLDER
    replace_folder(folder, files, carry_over=False, many_files=True)
    return SiteResult(folder=folder.absolute(), records=len(assembled.records), files=len(files))
