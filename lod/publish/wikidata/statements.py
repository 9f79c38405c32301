"""The statements of a record's own item: a published work or a project (docs/wikidata-model.md).

Statements mean what they say: a work's title, language and date are the work's
own (``source``), never the record's; the institutions are the work's main
subjects; a project's lead is its organiser, the others participants, funders
funders, and the period is the project's own, never copied onto a participant.
An institution without an item is left out (and said), never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping

from lod.publish.wikidata.builder import PlanBuilder
from lod.publish.wikidata.facts import Participant, RecordFacts
from lod.publish.wikidata.model import Statement, Value, item, partial_date
from lod.publish.wikidata.references import reference
from lod.publish.wikidata.sources import Source


def _subjects(planner: PlanBuilder, record: RecordFacts, resolved: Mapping[str, str]
              ) -> list[tuple[Participant, str]]:
    out = []
    for participant in record.participants:
        qid = resolved.get(participant.key)
        if qid is None:
            if planner.options.create_institutions and participant.key in planner.options.decisions:
                planner.warn(record.id, "after-create",
                             f"{participant.name}: named once its new item exists (re-run the "
                             "plan after publishing)")
            continue
        out.append((participant, qid))
    return out


def _language_item(planner: PlanBuilder, record: RecordFacts, code: str) -> str | None:
    found = planner.values.languages.get(code) or planner.values.languages.get(code.split("-")[0])
    if found is None:
        planner.warn(record.id, "no-language-item",
                     f"no verified item for language {code!r} (mappings/wikidata-values.tsv); "
                     f"{planner.values.properties('language of work or name')} left out")
        return None
    return found[0]


def work_statements(planner: PlanBuilder, record: RecordFacts, resolved: Mapping[str, str],
                    source: Source) -> list[Statement]:
    """The statements of the published work in ``source`` (docs/wikidata-model.md, "Works")."""
    ref = reference(record, planner.values)
    pid = planner.values.properties
    work = record.work
    out = [Statement(pid("instance of"), item(planner.values.classes["case-study"]), reference=ref)]
    if work.title and work.language:
        out.append(Statement(pid("title"), Value("monolingualtext", work.title, work.language),
                             reference=ref))
    if work.language:
        language = _language_item(planner, record, work.language)
        if language:
            out.append(Statement(pid("language of work or name"), item(language), reference=ref))
    if work.published:
        out.append(Statement(pid("publication date"), partial_date(work.published), reference=ref))
    for number, author in enumerate(work.authors, 1):
        out.append(Statement(pid("author name string"), Value("string", author),
                             ((pid("series ordinal"), Value("string", str(number))),), ref))
    if work.doi:
        # Wikidata keeps DOIs in upper case; an identifier needs no reference (Help:Sources)
        out.append(Statement(pid("DOI"), Value("external-id", work.doi.upper())))
    out.append(Statement(pid("work available at URL"), Value("url", source.url)))  # the value is the source itself
    for participant, qid in _subjects(planner, record, resolved):
        if participant.role != "funder":
            out.append(Statement(pid("main subject"), item(qid), reference=ref))
    for _, wiki_project in record.projects:
        if wiki_project:
            out.append(Statement(pid("describes a project that uses"), item(wiki_project), reference=ref))
    return out


def project_statements(planner: PlanBuilder, record: RecordFacts, resolved: Mapping[str, str],
                       source: Source) -> list[Statement]:
    """The statements of the project itself (docs/wikidata-model.md, "Projects")."""
    ref = reference(record, planner.values)
    pid = planner.values.properties
    out = [Statement(pid("instance of"), item(planner.values.classes["project"]), reference=ref)]
    for participant, qid in _subjects(planner, record, resolved):
        if participant.role == "lead":
            out.append(Statement(pid("organizer"), item(qid), reference=ref))
        elif participant.role == "funder":
            out.append(Statement(pid("funder"), item(qid), reference=ref))
        else:  # partner, host, or not stated: a participant, with no period of its own
            out.append(Statement(pid("participant"), item(qid), reference=ref))
    for unit, unit_item in record.units:
        if unit_item:
            out.append(Statement(pid("participant"), item(unit_item), reference=ref))
        else:
            planner.warn(record.id, "needs-reconciliation",
                         f"IFLA unit {unit} has no accepted item; its statement is left out")
    if record.start:
        out.append(Statement(pid("start time"), partial_date(record.start), reference=ref))
    if record.end:
        out.append(Statement(pid("end time"), partial_date(record.end), reference=ref))
    for _, wiki_project in record.projects:
        if wiki_project:
            out.append(Statement(pid("uses"), item(wiki_project), reference=ref))
    out.append(Statement(pid("described at URL"), Value("url", source.url)))  # the value is the source itself
    return out
