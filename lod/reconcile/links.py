"""The ledger's accepted rows as triples for the build: institutions ``owl:sameAs`` their items.

Only positive rows count (a ``Not`` row is a remembered rejection), and a
record that gives its own QID keeps it: the ledger fills gaps, it never
overrides what a curator wrote in a case study. A row whose institution was
renamed in the records follows it (:mod:`lod.reconcile.renames`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from lod.ledgers import (
    INSTITUTION_PREFIX,
    UNIT_PREFIX,
    MappingSet,
    institution_subject,
    read_ledger,
)
from lod.model.case_study import CaseStudy
from lod.namespaces import OWL, SCHEMA, SCHEME_IFLA_UNIT, SKOS, WD, concept_iri
from lod.rdf.build import institution_iri, institution_key
from lod.reconcile.renames import carried_links

OWL_SAME_AS = NamedNode(f"{OWL}sameAs")
SCHEMA_SAME_AS = NamedNode(f"{SCHEMA}sameAs")
SKOS_EXACT_MATCH = NamedNode(f"{SKOS}exactMatch")


def _accepted(ledger: MappingSet, prefix: str) -> dict[str, str]:
    return {row.subject_id: row.qid for row in ledger.rows
            if not row.negated and row.subject_id.startswith(f"{prefix}:")}


def ledger_links(base: str, records: Iterable[CaseStudy], ledger: MappingSet) -> list[Triple]:
    """``owl:sameAs`` and ``schema:sameAs`` for every institution the ledger maps (sorted, no repeats)."""
    mapped = _accepted(ledger, INSTITUTION_PREFIX)
    if not mapped:  # the records are not even looked at (a rebuild keeps them unread)
        return []
    # Read twice below: a sequence (the pipeline's spooled records, read one at a time) is
    # read again rather than held whole in a list.
    every: Sequence[CaseStudy] = records if isinstance(records, Sequence) else list(records)
    # A renamed institution keeps its link (lod.reconcile.renames; validate says so).
    mapped = {**carried_links(every, ledger), **mapped}
    triples: set[Triple] = set()
    for record in every:
        for institution in record.institutions:
            if institution.wikidata:
                continue
            qid = mapped.get(institution_subject(institution_key(institution)))
            if qid is None:
                continue
            node = NamedNode(institution_iri(base, institution))
            item = NamedNode(f"{WD}{qid}")
            triples.add(Triple(node, OWL_SAME_AS, item))
            triples.add(Triple(node, SCHEMA_SAME_AS, item))
    return sorted(triples, key=str)


def unit_links(ledger: MappingSet) -> list[Triple]:
    """``skos:exactMatch`` from IFLA unit concepts to their accepted items (sorted)."""
    return sorted(
        (
            Triple(NamedNode(concept_iri(SCHEME_IFLA_UNIT, subject.split(":", 1)[1])), SKOS_EXACT_MATCH,
                   NamedNode(f"{WD}{qid}"))
            for subject, qid in _accepted(ledger, UNIT_PREFIX).items()
        ),
        key=str,
    )


def ledger_triples(base: str, records: Iterable[CaseStudy], mappings_dir: Path | None = None) -> set[Triple]:
    """Read ``mappings/*.sssom.tsv`` and return the links for the build (the one call ``lod build`` needs).

    Institutions get ``owl:sameAs``/``schema:sameAs``; IFLA unit concepts get ``skos:exactMatch``.
    """
    ledger = read_ledger(mappings_dir)
    return {*ledger_links(base, records, ledger), *unit_links(ledger)}
