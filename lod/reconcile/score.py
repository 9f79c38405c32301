"""Confidence: a documented function of the evidence (the table in ``docs/reconciliation.md``).

A candidate's score is ``min(base + bonuses, every cap that applies)``:

* **base**, from the strongest link between subject and item: a decisive
  identifier (ISIL or VIAF), else the official website, else an exact label,
  else an alias;
* **bonuses** for each further agreement: the name beside a decisive link,
  the country, the class, the parent organisation;
* **caps** from the hard rules (another country, a conflicting class, a
  non-organisation, a section whose parent is not IFLA: *ruled out*) and from
  the other *live* candidates of the same subject (ruled-out ones never
  count): a shared name, an identifier on another item or on two items, a
  generic name without a second agreement.

A cap can only lower a score, and the other candidates only add caps, so
adding a candidate never raises anyone and a ruled-out rival changes
nothing. The order candidates arrive in does not matter. Every number is a
named constant below and in the docs table; every proposal's ``comment``
lists what agreed, what conflicted, the sum and the caps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lod.reconcile.evidence import (
    CountryMatch,
    Evidence,
    ItemFacts,
    country_match,
    evidence_for,
    facts_from_bindings,
    qid_of,
)
from lod.reconcile.subjects import Subject

__all__ = ["AUTO_ACCEPT", "CountryMatch", "Evidence", "ItemFacts", "Scored", "country_match", "evidence_for",
           "facts_from_bindings", "qid_of", "score"]

#: Proposals at or above this confidence may be accepted in bulk (``--accept-confident``).
AUTO_ACCEPT = 0.9
BASE_IDENTIFIER = 0.95
BASE_WEBSITE = 0.92
BASE_LABEL = 0.86
BASE_ALIAS = 0.76
BONUS_NAME = 0.03
BONUS_COUNTRY = 0.04
BONUS_CLASS = 0.04
BONUS_PARENT = 0.04
CEILING = 0.99
CAP_RULED_OUT = 0.5
CAP_IDENTIFIER_ELSEWHERE = 0.5
CAP_SAME_NAME = 0.7
CAP_SHARED_IDENTIFIER = 0.8
CAP_GENERIC = 0.85
CAP_UNCONFIRMED = 0.85
GENERIC_NOTE = "a name many libraries share needs country and class to agree, or an identifier"


@dataclass(frozen=True)
class Scored:
    """A candidate item for a subject, with its confidence and the reasons."""

    subject: Subject
    facts: ItemFacts
    evidence: Evidence
    confidence: float
    notes: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    total: float = 0.0

    @property
    def qid(self) -> str:
        """The candidate item."""
        return self.facts.qid

    @property
    def justification(self) -> str:
        """The SEMAPV term for how the candidate was found."""
        if self.evidence.decisive and self.evidence.named:
            return "semapv:CompositeMatching"
        if self.evidence.decisive:
            return "semapv:BackgroundKnowledgeBasedMatching"
        return "semapv:LexicalMatching"

    def comment(self) -> str:
        """One line for the curator: what agreed, what conflicted, the sum, the caps."""
        parts = [f"evidence: agrees: {', '.join(self.evidence.agreeing()) or 'nothing'}"]
        conflicts = self.evidence.ruled_out()
        parts.append(f"conflicts: {', '.join(conflicts) or 'none'}")
        open_points = self.evidence.open_points()
        if open_points:
            parts.append(f"unconfirmed: {', '.join(open_points)}")
        parts.append(f"score: {' + '.join(self.terms)} = {self.total:g}")
        parts += list(self.notes)
        classes = sorted(self.facts.instance_labels)
        if classes:
            parts.append(f"instance of: {', '.join(classes)}")
        descriptions = sorted(text for text, lang in self.facts.descriptions if lang == "en")
        if descriptions:
            parts.append(f"description: {descriptions[0]}")
        return "; ".join(parts)


def _sum(evidence: Evidence) -> tuple[float, list[str]]:
    """Base plus bonuses, and the terms that make it (see the module docstring)."""
    if evidence.identifier:
        total, terms = BASE_IDENTIFIER, [f"identifier {BASE_IDENTIFIER}"]
    elif evidence.website:
        total, terms = BASE_WEBSITE, [f"website {BASE_WEBSITE}"]
    elif evidence.label:
        total, terms = BASE_LABEL, [f"label {BASE_LABEL}"]
    else:
        total, terms = BASE_ALIAS, [f"alias {BASE_ALIAS}"]
    bonuses = (
        ("name", BONUS_NAME, evidence.decisive and evidence.label),
        ("country", BONUS_COUNTRY, evidence.country == "match"),
        ("class", BONUS_CLASS, evidence.klass == "agree"),
        ("parent", BONUS_PARENT, evidence.parent),
    )
    for name, value, on in bonuses:
        if on:
            total += value
            terms.append(f"{name} {value}")
    return min(total, CEILING), terms


def _own_caps(subject: Subject, evidence: Evidence) -> list[tuple[float, str]]:
    """Caps that follow from the candidate alone."""
    caps = [(CAP_RULED_OUT, f"ruled out: {reason}") for reason in evidence.ruled_out()]
    if not evidence.decisive:
        unconfirmed = [what for what, missing in (("country", evidence.country == "unknown"),
                                                  ("class", evidence.klass == "unknown")) if missing]
        if unconfirmed:
            caps.append((CAP_UNCONFIRMED, f"a name alone, {' and '.join(unconfirmed)} not confirmed"))
        if subject.generic and not evidence.through_parent_name and not (
            evidence.country == "match" and evidence.klass == "agree"
        ):
            caps.append((CAP_GENERIC, GENERIC_NOTE))
    return caps


def _rival_caps(qid: str, evidence: Evidence, live: dict[str, Evidence]) -> list[tuple[float, str]]:
    """Caps that follow from the other live candidates of the same subject."""
    others = {other: e for other, e in live.items() if other != qid}
    caps = []
    holders = sorted(q for q, e in others.items() if e.decisive)
    if evidence.decisive:  # names do not matter beside an identifier; only another holder does
        if holders:
            shared = f"the record's identifier or website is also on {', '.join(holders)}: resolve on Wikidata"
            caps.append((CAP_SHARED_IDENTIFIER, shared))
    elif holders:
        caps.append((CAP_IDENTIFIER_ELSEWHERE, f"the record's identifier or website is on {', '.join(holders)}"))
    elif evidence.label:
        same = sorted(q for q, e in others.items() if e.label)
        if same:
            caps.append((CAP_SAME_NAME, f"{', '.join(same)} has the same label and nothing tells them apart"))
    elif evidence.named:
        named = sorted(q for q, e in others.items() if e.named)
        if named:
            caps.append((CAP_SAME_NAME, f"alias only, and {', '.join(named)} bears the name too"))
    return caps


def score(subject: Subject, candidates: Iterable[ItemFacts]) -> list[Scored]:
    """Rank the candidate items of one subject; humans, non-organisations and unrelated items are dropped."""
    found = {facts.qid: facts for facts in candidates}
    pairs = {qid: evidence_for(subject, facts) for qid, facts in found.items()}
    kept = {qid: e for qid, e in pairs.items() if e.any_match and not e.excluded}
    live = {qid: e for qid, e in kept.items() if not e.ruled_out()}
    scored = []
    for qid, evidence in kept.items():
        total, terms = _sum(evidence)
        caps = _own_caps(subject, evidence) + _rival_caps(qid, evidence, live)
        confidence = min([total, *(cap for cap, _ in caps)])
        notes = tuple(f"capped at {cap}: {why}" for cap, why in sorted(caps) if cap < total)
        scored.append(Scored(subject, found[qid], evidence, round(confidence, 2), notes, tuple(terms),
                             round(total, 2)))
    return sorted(scored, key=lambda s: (-s.confidence, int(s.qid[1:])))
