"""Propose Wikidata items for our subjects: batched lookups, one details pass, then scoring.

The network cost is what the design promises to keep small: for ``n``
subjects and a batch size ``b`` there are at most ``2 * ceil(n / b)`` lookup
requests (names; identifiers and websites) plus ``ceil(c / d)`` details
requests for ``c`` distinct candidates, whatever the number of names per
subject; the class test (``P31/P279*`` against the classes of the subjects'
library types) is part of the details request, not a request of its own. Every request goes through :class:`~lod.reconcile.sparql.SparqlClient`,
whose disk cache makes a re-run free. Query texts depend only on the subjects,
never on the ledger, so accepting or rejecting proposals does not invalidate
the cache; the ledger is applied afterwards, to the scored candidates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from lod.ledgers import MappingRow, MappingSet, empty_set, record_id
from lod.reconcile.normalise import isil_key, website_key, website_variants
from lod.reconcile.queries import NEUTRAL_LANGUAGE, details_query, identifier_query, label_query
from lod.reconcile.score import AUTO_ACCEPT, ItemFacts, Scored, facts_from_bindings, qid_of, score
from lod.reconcile.sparql import Binding, SparqlClient, Stats
from lod.reconcile.subjects import Subject

MAPPING_TOOL = "lod reconcile"
PROPOSALS_NAME = "reconcile-proposals.sssom.tsv"
T = TypeVar("T")


@dataclass
class Result:
    """The outcome of one reconciliation run."""

    subjects: list[Subject]
    ranked: dict[str, list[Scored]]
    proposals: MappingSet
    stats: Stats
    skipped_decided: int = 0
    suppressed_rejected: int = 0
    details: dict[str, ItemFacts] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        """HTTP requests sent (retries included); 0 when everything came from the cache."""
        return self.stats.requests

    @property
    def confident(self) -> int:
        """Proposals at or above the bulk-accept threshold."""
        return sum(1 for row in self.proposals.rows if (row.confidence or 0) >= AUTO_ACCEPT)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), max(1, size)):
        yield items[start:start + max(1, size)]


def _name_literals(subject: Subject) -> set[tuple[str, str]]:
    names = [*subject.names, *(head for head, _ in subject.qualified_names)]
    languages = [*subject.languages, NEUTRAL_LANGUAGE]
    return {(name, lang.lower()) for name in names for lang in languages}


def _qid(row: Binding) -> str | None:
    """The row's item as a QID; None when the row has no item (an answer of another shape)."""
    item = row.get("item")
    return None if item is None else qid_of(item.value)


def _lookup(batch: Sequence[Subject], client: SparqlClient) -> dict[str, set[str]]:
    """Candidate QIDs per subject id for one batch: one names query, one identifiers query."""
    by_literal: dict[tuple[str, str], set[str]] = defaultdict(set)
    by_isil: dict[str, set[str]] = defaultdict(set)
    by_viaf: dict[str, set[str]] = defaultdict(set)
    by_site: dict[str, set[str]] = defaultdict(set)
    for subject in batch:
        for literal in _name_literals(subject):
            by_literal[literal].add(subject.subject_id)
        if subject.isil:
            for spelling in {subject.isil, isil_key(subject.isil)}:
                by_isil[spelling].add(subject.subject_id)
        if subject.viaf:
            by_viaf[subject.viaf.strip()].add(subject.subject_id)
        if subject.website:
            for variant in website_variants(subject.website):
                by_site[variant].add(subject.subject_id)
    found: dict[str, set[str]] = defaultdict(set)
    if by_literal:
        for row in client.select(label_query(by_literal)):
            qid = _qid(row)
            name = row.get("name")
            if qid and name is not None:
                for subject_id in by_literal.get((name.value, name.lang.lower()), ()):
                    found[subject_id].add(qid)
    query = identifier_query(isils=by_isil, viafs=by_viaf, websites=by_site)
    if query is not None:
        tables = {"isil": by_isil, "viaf": by_viaf, "website": by_site}
        for row in client.select(query):
            qid = _qid(row)
            if qid is None or "key" not in row or "value" not in row:
                continue
            table = tables.get(row["key"].value, {})
            value = row["value"].value
            owners = table.get(value) or _loose_owners(row["key"].value, value, table)
            for subject_id in owners:
                found[subject_id].add(qid)
    return found


def _loose_owners(key: str, value: str, table: dict[str, set[str]]) -> set[str]:
    """Owners of a returned identifier spelt differently from what we sent (case, slash)."""
    normal = {"isil": isil_key, "website": website_key}.get(key)
    if normal is None:
        return set()
    return {owner for sent, owners in table.items() if normal(sent) == normal(value) for owner in owners}


def _details(qids: Iterable[str], languages: Iterable[str], roots: Iterable[str], client: SparqlClient,
             batch_size: int) -> dict[str, ItemFacts]:
    ordered = sorted(set(qids), key=lambda q: int(q[1:]))
    facts: dict[str, ItemFacts] = {}
    langs = sorted(set(languages))
    classes = sorted(set(roots))
    for batch in chunks(ordered, batch_size):
        facts.update(facts_from_bindings(client.select(details_query(batch, langs, classes))))
    return facts


def proposal_row(scored: Scored, *, today: dt.date) -> MappingRow:
    """The SSSOM row a curator reviews for one candidate."""
    subject = scored.subject
    object_id = f"wd:{scored.qid}"
    return MappingRow(
        record_id=record_id(subject.subject_id, object_id),
        subject_id=subject.subject_id,
        subject_label=subject.label,
        predicate_id="skos:exactMatch",
        object_id=object_id,
        object_label=scored.facts.label_in(subject.languages),
        mapping_justification=scored.justification,
        confidence=scored.confidence,
        mapping_tool=MAPPING_TOOL,
        mapping_date=today.isoformat(),
        comment=scored.comment(),
    )


def reconcile(subjects: Sequence[Subject], *, client: SparqlClient, ledger: MappingSet | None = None,
              batch_size: int = 100, details_batch_size: int = 50, per_subject: int = 5,
              today: dt.date | None = None) -> Result:
    """Propose items for ``subjects``; decided subjects and rejected pairs are left out."""
    today = today or dt.date.today()
    ordered = sorted(subjects, key=lambda s: s.subject_id)
    candidates: dict[str, set[str]] = defaultdict(set)
    for batch in chunks(ordered, batch_size):
        for subject_id, qids in _lookup(batch, client).items():
            candidates[subject_id] |= qids
    languages = {lang for subject in ordered for lang in subject.languages}
    every_qid = {qid for qids in candidates.values() for qid in qids}
    roots = {qid for subject in ordered for qid in subject.types.roots}
    facts = _details(every_qid, languages, roots, client, details_batch_size) if every_qid else {}
    decided = {row.subject_id for row in (ledger.rows if ledger else ()) if not row.negated}
    rejected = {row.pair for row in (ledger.rows if ledger else ()) if row.negated}
    ranked: dict[str, list[Scored]] = {}
    rows: list[MappingRow] = []
    skipped = suppressed = 0
    for subject in ordered:
        if subject.subject_id in decided:
            skipped += 1
            continue
        found = [facts.get(qid, ItemFacts(qid)) for qid in sorted(candidates.get(subject.subject_id, ()))]
        kept = []
        for item in score(subject, found):
            if (subject.subject_id, f"wd:{item.qid}") in rejected:
                suppressed += 1
                continue
            kept.append(item)
        ranked[subject.subject_id] = kept
        rows += [proposal_row(item, today=today) for item in kept[:per_subject]]
    proposals = empty_set(
        PROPOSALS_NAME,
        title="Wikidata items proposed by lod reconcile, awaiting review",
        comment="Review with `lod mappings review`; accepted rows move to mappings/*.sssom.tsv.",
    ).with_rows(rows)
    return Result(ordered, ranked, proposals, client.stats, skipped, suppressed, facts)
