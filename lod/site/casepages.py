"""The per-record share of the site: a case study's page, Turtle, JSON-LD and its list entry.

This is most of a site's work (markdown, one page, two serialisations per
record), and records do not depend on each other, so large catalogues are
rendered in chunks by worker processes, by the pipeline's rule
(:mod:`lod.workers`). Each chunk carries everything it needs (records, their
lines, the labels): no state is shared. The result is the same, byte for
byte, whatever the number of workers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from lod.model.case_study import CaseStudy
from lod.namespaces import OWL, WD
from lod.rdf.build import case_study_iri, institution_iri
from lod.site.labels import Labels
from lod.site.linked import record_data
from lod.site.pages import Common, environment
from lod.site.records import RecordView, cite_line, record_view
from lod.workers import PARALLEL_FROM, fan_out


@dataclass(frozen=True)
class RecordOutput:
    """What one record adds to the site."""

    #: The view without its sections' HTML (what lists, filters and search need).
    view: RecordView
    files: dict[str, bytes]
    #: The record's entry in a list, for the index (root "") and for term pages ("../").
    item: Markup
    item_in_folder: Markup


def _identity(text: str, **_: object) -> str:
    return text


def list_item(view: RecordView, labels: Labels, root: str) -> Markup:
    """A record's entry in a list of case studies."""
    html = environment().get_template("_item.html").render(r=view, labels=labels, root=root)
    return Markup(html)  # noqa: S704 - rendered by the autoescaping environment


_SAME_AS = f"<{OWL}sameAs>"


def items_of_institutions(base: str, record: CaseStudy, lines: Sequence[str]) -> tuple[str | None, ...]:
    """Each institution's Wikidata item as the graph states it (``owl:sameAs``).

    The graph holds the QIDs typed in the record and the ledger's accepted
    links alike, so the page says what ``lod query institutions`` says.
    """
    items: dict[str, str] = {}
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        if predicate == _SAME_AS and rest.startswith(f"<{WD}"):
            items.setdefault(subject[1:-1], rest.strip().strip("<>")[len(WD):])
    return tuple(items.get(institution_iri(base, item)) for item in record.institutions)


def render_record(base: str, common: Common, record: CaseStudy,
                  lines: Sequence[str]) -> RecordOutput:
    """One record's page, files and list entries."""
    labels = common.labels
    view = record_view(record, labels)
    view = dataclasses.replace(view, institutions=tuple(
        dataclasses.replace(shown, wikidata=qid)
        for shown, qid in zip(view.institutions, items_of_institutions(base, record, lines), strict=True)))
    data = record_data(list(lines))
    # The dumps' JSON-LD text as it is; the library escapes '<', '>', '&' and "'" for the page.
    embedded = htmlsafe_json_dumps(data.jsonld.decode("utf-8").strip(), dumps=_identity)
    page = common.render("case.html", root="../", title=view.title, r=view, jsonld=embedded,
                         cite=cite_line(view, case_study_iri(base, record.id)))
    files = {f"case/{record.id}.html": page, f"case/{record.id}.ttl": data.turtle,
             f"case/{record.id}.jsonld": data.jsonld}
    return RecordOutput(view=dataclasses.replace(view, sections=()), files=files,
                        item=list_item(view, labels, ""),
                        item_in_folder=list_item(view, labels, "../"))


def render_some(base: str, common: Common,
                records: Sequence[tuple[CaseStudy, tuple[str, ...]]]) -> list[RecordOutput]:
    """Every record of a chunk (run in a worker process or in this one)."""
    return [render_record(base, common, record, lines) for record, lines in records]


def render_records(base: str, common: Common,
                   records: Sequence[tuple[CaseStudy, tuple[str, ...]]], *,
                   workers: int | None = None,
                   parallel_from: int = PARALLEL_FROM) -> Iterator[RecordOutput]:
    """Every record's output, in the records' order (``workers``: default one per core).

    The outputs come as they are made, so the caller can write each and let
    it go; ``records`` may be a :class:`lod.site.linked.RecordSource`, whose
    chunks the workers read from disk themselves.
    """
    return fan_out(partial(render_some, base, common), records, workers=workers,
                   parallel_from=parallel_from)
