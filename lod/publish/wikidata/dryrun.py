"""``lod publish wikidata`` (dry run): the pipeline's graph, the wiki's state, the plan, three files.

Order matters for safety: every read happens before anything is written, and
OUT is replaced as a whole (temporary folder, then rename), so a failed read
or a refused folder leaves OUT as it was.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from lod import resources
from lod.inputs import InputFileError, read_text
from lod.pipeline import assemble
from lod.problems import InputError, Problem
from lod.publish.outdir import replace_folder
from lod.publish.wikidata import journal as jr
from lod.publish.wikidata.checks import Constraints
from lod.publish.wikidata.decisions import (
    DecisionFileError,
    read_create_decisions,
    read_institution_classes,
)
from lod.publish.wikidata.facts import (
    project_labels,
    read_values,
    record_facts,
)
from lod.publish.wikidata.model import Candidate, Plan, Warning
from lod.publish.wikidata.plan import Evidence, Options, build_plan, planned_terms
from lod.publish.wikidata.planfile import AS_PLANNED, PLAN, removed_before
from lod.publish.wikidata.probes import probes, searches, sitelinks
from lod.publish.wikidata.reads import IdMap, WikiReader, find_candidates
from lod.publish.wikidata.render import WikiLinks, plan_json, quickstatements, review_html
from lod.settings import Settings
from lod.wikidataids import WikidataIdError, verified_ids

WIKIDATA_API = "https://www.wikidata.org/w/api.php"
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"


@dataclass(frozen=True)
class Target:
    """Which wiki to read, and how its ids relate to Wikidata's."""

    api_url: str = WIKIDATA_API
    sparql_url: str = WIKIDATA_SPARQL
    ids: IdMap = field(default_factory=IdMap)


def known_labels(mappings: Path) -> dict[str, str]:
    """English labels of the verified ids in mappings/wikidata-ids.tsv (for the review page)."""
    return verified_ids(mappings)


def journal_evidence(out: Path | None, api_url: str) -> Evidence:
    """Items the journal in OUT records as created on this wiki (key -> item): a re-plan right
    after a live run finds them whatever the query service's lag."""
    if out is None:
        return Evidence()
    events = jr.read(out / jr.NAME)
    created: dict[str, str] = {}
    api = None
    for event in events:
        if event.get("event") == "batch":
            api = event.get("api")
        elif (event.get("event") == "done" and event.get("action") == "create"
              and api == api_url and event.get("key") and event.get("item")):
            created[str(event["key"])] = str(event["item"])
    return Evidence(created)


def make_plan(settings: Settings, target: Target, options: Options,
              only: Collection[str] | None = None,
              out: Path | None = None) -> tuple[Plan, dict[str, str]]:
    """Read the records and the wiki; return the plan and the labels the review page shows.

    ``only``: the ids of a batch; the plan (and so the review page) holds those records alone.
    ``out``: the folder of earlier runs, whose journal is evidence of items created there.
    A property or id the plan needs that the tables lack is an :class:`InputError` naming the
    table (before anything is written).
    """
    try:
        return _make_plan(settings, target, options, only, out)
    except WikidataIdError as error:
        raise InputError([error.problem]) from None


def _make_plan(settings: Settings, target: Target, options: Options,
               only: Collection[str] | None, out: Path | None) -> tuple[Plan, dict[str, str]]:
    assembled = assemble([settings.data_dir], settings, include_drafts=False)
    if assembled.problems:
        raise InputError(assembled.problems)
    mappings = settings.mappings_dir or resources.mappings_dir()
    store = assembled.store
    chosen = list(assembled.records)
    if only is not None:
        known = {loaded.id for loaded in chosen}
        unknown = sorted(set(only) - known)
        if unknown:
            raise BatchError(f"not a reviewed or published record in {settings.data_dir}: "
                             + ", ".join(unknown))
        chosen = [loaded for loaded in chosen if loaded.id in set(only)]
    facts = [record_facts(loaded.record, store, settings.base) for loaded in chosen]
    projects = project_labels(store)
    values = read_values(mappings / "wikidata-values.tsv")
    if options.create_institutions:
        try:
            options = replace(
                options,
                classes=read_institution_classes(mappings / "wikidata-institution-classes.tsv"),
                decisions=read_create_decisions(mappings / "wikidata-creates.tsv"))
        except DecisionFileError as error:
            raise InputError([Problem(error.path, error.line, "(table)", error.message)]) from None
    reader = WikiReader(target.api_url, target.sparql_url, target.ids,
                        user_agent=settings.agent, timeout=settings.timeout)
    concept_base = reader.concept_base()
    terms = planned_terms(facts, projects)
    candidates = find_candidates(reader, probes(facts, terms, options, values.properties), concept_base)
    for key, text, language in searches(facts, terms, options):
        candidates += [Candidate(key, found, "search") for found in reader.search(text, language)]
    for key, site, title in sitelinks(facts):
        linked = reader.sitelinked(site, title)
        if linked:
            candidates.append(Candidate(key, linked, "sitelink"))
    evidence = journal_evidence(out, target.api_url)
    candidates += [Candidate(key, found, "journal") for key, found in evidence.created.items()]
    wanted = {f.qid for f in facts if f.qid}
    wanted |= {p.qid for f in facts for p in f.participants if p.qid}
    wanted |= {c.item for c in candidates}
    state = reader.entities(sorted(wanted))
    plan = build_plan(facts, projects, values, state, candidates, options, evidence)
    labels = known_labels(mappings)
    for current in state.values():
        if current.id not in labels and "en" in current.labels:
            labels[current.id] = current.labels["en"]
    unnamed = sorted(_referenced(plan) - set(labels))
    if unnamed:  # the review page shows every value with its label: ask the wiki for the rest
        for current in reader.entities(unnamed).values():
            name = current.labels.get("en") or next(iter(sorted(current.labels.values())), "")
            if name:
                labels[current.id] = name
    return plan, labels


def _referenced(plan: Plan) -> set[str]:
    """Every item id the review page shows: the plan's targets and its item values."""
    found = {i.item for i in plan.items if i.item}
    for planned in plan.items:
        snaks = [(s.property, s.value) for s in planned.statements]
        snaks += [snak for s in planned.statements for snak in (*s.qualifiers, *s.reference)]
        if planned.current:
            snaks += [(pid, v) for pid, values in planned.current.claims.items() for v in values]
        found |= {value.value for _, value in snaks if value.type == "item"}
    return {i for i in found if i.removeprefix("local:")[:1] == "Q"}


def constraints() -> Constraints:
    """The constraints of the properties plans use (Wikidata's facts: always the bundled table)."""
    return Constraints.read(resources.mappings_dir() / "wikidata-constraints.tsv")


class BatchError(ValueError):
    """``--only`` names a record that is not planned (unknown, or a draft)."""


def read_batch(path: Path) -> list[str]:
    """Record ids of a batch file: one per line; blank lines and ``#`` comments skipped."""
    try:
        text = read_text(path, what="batch file")
    except InputFileError as error:
        raise BatchError(f"{path}: cannot read the batch file ({error.problem.message})") from None
    ids = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return [record_id for record_id in ids if record_id]


def publish_wikidata(settings: Settings, target: Target, options: Options, out: Path,
                     only: Collection[str] | None = None) -> Plan:
    """Plan, then write plan.json, quickstatements.txt and review.html into OUT atomically."""
    plan, labels = make_plan(settings, target, options, only, out)
    removed = removed_before(out)
    notes = {Warning(i.record, "removed-by-reviewer",
                     f"{i.key}: a reviewer removed this item from the previous plan; it is "
                     "planned again: review it before publishing")
             for i in plan.items if i.key in removed and i.action in {"create", "update"}}
    if notes:
        plan = replace(plan, warnings=sorted({*plan.warnings, *notes}))
    text = plan_json(plan)
    replace_folder(out, {
        PLAN: text,
        AS_PLANNED: text,
        "quickstatements.txt": quickstatements(plan),
        "review.html": review_html(plan, labels, WikiLinks.for_api(target.api_url, target.ids),
                                   constraints()),
    })
    return plan


def summary(plan: Plan) -> str:
    """One line for stdout."""
    counts = {action: sum(1 for i in plan.items if i.action == action)
              for action in ("create", "update", "none", "blocked")}
    errors = sum(1 for w in plan.warnings if w.severity == "error")
    return (f"planned: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['none']} unchanged, {counts['blocked']} blocked, "
            f"{len(plan.undecided)} undecided (no wikidata decision); "
            f"{len(plan.warnings)} warnings ({errors} errors); dry run, nothing written to the wiki")
