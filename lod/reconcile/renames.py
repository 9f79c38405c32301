"""Ledger rows whose institution is gone from the records: renamed (carried over) or orphaned.

An institution's subject id is ``lcsinst:<key>``, and without a QID or ISIL the
key is the country plus the slug of the name (:func:`lod.rdf.build.institution_key`).
Correcting a name in a record therefore gives the institution a new key, and
its accepted ledger row would silently stop applying. A rename is recognised
from the ledger row itself: its subject is used by no record, and exactly one
institution that has no link yet is in the same country with a name sharing
most of its words with the row's ``subject_label`` (the name when the row was
decided). That one institution gets the link, and every command that reports
says so; ``lod mappings relink`` writes it into the ledger. A row with no such
institution (or several) is an orphan, reported by ``lod validate`` and
``lod status`` and never applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lod.harvest.wikimatch import normalize
from lod.ledgers import INSTITUTION_PREFIX, MappingRow, MappingSet, institution_subject
from lod.model.case_study import CaseStudy, Institution
from lod.rdf.build import institution_key

_COUNTRY_KEY = re.compile(r"([a-z]{2})-")


@dataclass(frozen=True)
class Unlinked:
    """An accepted ledger row whose subject no record names, and where it went (if found)."""

    row: MappingRow
    #: The subject id of the institution it was renamed to, or None for an orphan.
    renamed_to: str | None = None
    new_label: str = ""

    def message(self) -> str:
        """One line for ``lod validate`` and ``lod status``."""
        what = f"{self.row.subject_id} ({self.row.subject_label!r} -> {self.row.qid})"
        if self.renamed_to:
            return (f"{what} looks renamed to {self.new_label!r} ({self.renamed_to}): the link is "
                    "carried over; `lod mappings relink` writes that into the ledger")
        return (f"{what} is an orphaned ledger row: no record names this institution (renamed "
                "or removed?); give the institution its `wikidata` in the record, or withdraw "
                "the row with `lod mappings review --withdraw`")


def _words(text: str) -> set[str]:
    return {word for word in normalize(text).split() if len(word) > 2}


def _similar(old: str, new: str) -> bool:
    a, b = _words(old), _words(new)
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= 0.5


def _country(subject_id: str) -> str | None:
    found = _COUNTRY_KEY.match(subject_id.split(":", 1)[1])
    return found.group(1).upper() if found else None


def unlinked_rows(records: Iterable[CaseStudy], ledger: MappingSet) -> list[Unlinked]:
    """Accepted institution rows no record names, each with its detected rename (if any)."""
    named: dict[str, Institution] = {}
    for record in records:
        for institution in record.institutions:
            named.setdefault(institution_subject(institution_key(institution)), institution)
    accepted = [row for row in ledger.rows
                if not row.negated and row.subject_id.startswith(f"{INSTITUTION_PREFIX}:")]
    linked = {row.subject_id for row in accepted}
    rejected = {row.pair for row in ledger.rows if row.negated}
    free = {subject: inst for subject, inst in named.items()
            if subject not in linked and not inst.wikidata}
    found: list[Unlinked] = []
    for row in accepted:
        if row.subject_id in named:
            continue
        country = _country(row.subject_id)
        candidates = [subject for subject, inst in free.items()
                      if inst.country == country and _similar(row.subject_label, inst.name)
                      and (subject, row.object_id) not in rejected]
        found.append(Unlinked(row, candidates[0], free[candidates[0]].name)
                     if len(candidates) == 1 else Unlinked(row))
    # An institution claimed by two orphaned rows is not a rename of either.
    claims: dict[str, int] = {}
    for item in found:
        if item.renamed_to:
            claims[item.renamed_to] = claims.get(item.renamed_to, 0) + 1
    return [item if not item.renamed_to or claims[item.renamed_to] == 1 else Unlinked(item.row)
            for item in found]


def carried_links(records: Iterable[CaseStudy], ledger: MappingSet) -> dict[str, str]:
    """New subject id -> QID for every detected rename (what the build links as well)."""
    return {item.renamed_to: item.row.qid for item in unlinked_rows(records, ledger)
            if item.renamed_to}
