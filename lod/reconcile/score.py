"""Evidence and confidence: why a Wikidata item is (or is not) one of our subjects.

Pure functions over facts already fetched. The score is a short ladder of
rules rather than a learned weight, so that every number can be explained to
a curator in one line (the features go into the SSSOM ``comment``) and so
that the rules that protect Wikidata hold by construction:

* only organisations are candidates: humans and anything that is neither a
  library nor an organisation class (buildings, say) are dropped;
* an identifier the record gives (ISIL, VIAF) outranks any name match, and an
  identifier whose item bears another name is sent to review, not accepted;
* a candidate in another country than the record's stays below 0.6;
* when two candidates share the name and nothing else tells them apart,
  neither reaches 0.9 (``AUTO_ACCEPT``), so neither can be accepted in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from lod.reconcile import wikidata as w
from lod.reconcile.normalise import host_of, isil_key, name_key, viaf_key, website_key
from lod.reconcile.queries import NEUTRAL_LANGUAGE
from lod.reconcile.sparql import Binding
from lod.reconcile.subjects import Subject

#: Proposals at or above this confidence may be accepted in bulk (``--accept-confident``).
AUTO_ACCEPT = 0.9
IDENTIFIER_NAME = 0.97
IDENTIFIER_ONLY = 0.75
WEBSITE_NAME = 0.93
WEBSITE_ONLY = 0.70
LABEL_ONLY = 0.90
ALIAS_ONLY = 0.75
PARENT_BONUS = 0.02
NOT_A_LIBRARY_PENALTY = 0.05
CAP_OTHER_COUNTRY = 0.6
CAP_UNKNOWN_COUNTRY = 0.85
CAP_SHARED_NAME = 0.7
CAP_NO_IFLA_PARENT = 0.6
CAP_IDENTIFIER_ELSEWHERE = 0.5
WD_ENTITY = "http://www.wikidata.org/entity/"

CountryMatch = Literal["match", "mismatch", "unknown", "n/a"]


@dataclass(frozen=True)
class Facts:
    """What the endpoint said about one item."""

    qid: str
    labels: frozenset[tuple[str, str]] = frozenset()
    aliases: frozenset[tuple[str, str]] = frozenset()
    descriptions: frozenset[tuple[str, str]] = frozenset()
    countries: frozenset[str] = frozenset()
    country_labels: frozenset[str] = frozenset()
    isils: frozenset[str] = frozenset()
    viafs: frozenset[str] = frozenset()
    websites: frozenset[str] = frozenset()
    parent_labels: frozenset[str] = frozenset()
    parent_websites: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()

    def label_in(self, languages: Iterable[str]) -> str:
        """The best label to show: first in the given languages, then English, then any."""
        by_lang = {lang: text for text, lang in sorted(self.labels)}
        for lang in [*languages, "en", NEUTRAL_LANGUAGE]:
            if lang in by_lang:
                return by_lang[lang]
        return next(iter(sorted(by_lang.values())), "")


def qid_of(term_value: str) -> str | None:
    """``http://www.wikidata.org/entity/Q42`` -> ``Q42``; None for anything else (lexemes, properties)."""
    local = term_value.removeprefix(WD_ENTITY)
    if local == term_value or not local.startswith("Q") or not local[1:].isdigit():
        return None
    return local


def facts_from_bindings(bindings: Iterable[Binding]) -> dict[str, Facts]:
    """Group the (item, field, value) rows of the details query by item."""
    found: dict[str, dict[str, set[object]]] = {}
    for row in bindings:
        qid = qid_of(row["item"].value)
        if qid is None or "field" not in row or "value" not in row:
            continue
        kind, term = row["field"].value, row["value"]
        bucket = found.setdefault(qid, {})
        if kind in ("label", "alias", "description"):
            bucket.setdefault(kind, set()).add((term.value, term.lang.lower()))
        elif kind in ("country", "class"):
            value = qid_of(term.value)
            if value:
                bucket.setdefault(kind, set()).add(value)
        else:
            bucket.setdefault(kind, set()).add(term.value)

    def get(bucket: Mapping[str, set[object]], key: str) -> frozenset[object]:
        return frozenset(bucket.get(key, set()))

    return {
        qid: Facts(
            qid=qid,
            labels=get(bucket, "label"),  # type: ignore[arg-type]
            aliases=get(bucket, "alias"),  # type: ignore[arg-type]
            descriptions=get(bucket, "description"),  # type: ignore[arg-type]
            countries=get(bucket, "country"),  # type: ignore[arg-type]
            country_labels=get(bucket, "country_label"),  # type: ignore[arg-type]
            isils=get(bucket, "isil"),  # type: ignore[arg-type]
            viafs=get(bucket, "viaf"),  # type: ignore[arg-type]
            websites=get(bucket, "website"),  # type: ignore[arg-type]
            parent_labels=get(bucket, "parent_label"),  # type: ignore[arg-type]
            parent_websites=get(bucket, "parent_website"),  # type: ignore[arg-type]
            classes=get(bucket, "class"),  # type: ignore[arg-type]
        )
        for qid, bucket in found.items()
    }


@cache
def _country_names() -> dict[str, str]:
    """Name key -> ISO alpha-2, for every country name pycountry knows."""
    import pycountry

    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                names[name_key(value)] = country.alpha_2
    return names


def country_match(subject: Subject, facts: Facts) -> CountryMatch:
    """Compare P17 with the record's country: by verified item where we have one, else by label."""
    if subject.country is None:
        return "n/a"
    if not facts.countries:
        return "unknown"
    expected = w.COUNTRY_ITEMS.get(subject.country)
    if expected is not None:
        return "match" if expected in facts.countries else "mismatch"
    codes = {_country_names().get(name_key(label)) for label in facts.country_labels}
    if subject.country in codes:
        return "match"
    if codes - {None}:
        return "mismatch"
    return "unknown"


@dataclass(frozen=True)
class Evidence:
    """The features of one (subject, item) pair, strongest first."""

    isil: bool = False
    viaf: bool = False
    website: bool = False
    label_languages: tuple[str, ...] = ()
    alias_languages: tuple[str, ...] = ()
    through_parent_name: bool = False
    parent: bool = False
    country: CountryMatch = "n/a"
    library: bool = False
    organisation: bool = False
    excluded: str = ""

    @property
    def identifier(self) -> bool:
        """An identifier the record gives is on the item."""
        return self.isil or self.viaf

    @property
    def named(self) -> bool:
        """The item bears one of the subject's names, as label or alias."""
        return bool(self.label_languages or self.alias_languages)

    @property
    def any_match(self) -> bool:
        """Anything at all ties the item to the subject."""
        return self.identifier or self.website or self.named

    @property
    def discriminating(self) -> bool:
        """Evidence beyond a name, which tells namesakes apart."""
        return self.identifier or self.website or self.parent

    def features(self) -> list[str]:
        """Short names of the matched features, for the ``comment`` column."""
        found = []
        if self.isil:
            found.append("isil")
        if self.viaf:
            found.append("viaf")
        if self.website:
            found.append("website")
        found += [f"label@{lang}" for lang in self.label_languages]
        found += [f"alias@{lang}" for lang in self.alias_languages]
        if self.through_parent_name:
            found.append("name-with-parent")
        if self.parent:
            found.append("parent")
        if self.country != "n/a":
            found.append(f"country:{self.country}")
        if self.library:
            found.append("class:library")
        elif self.organisation:
            found.append("class:organisation")
        return found


def _matching_languages(names: Iterable[str], texts: Iterable[tuple[str, str]],
                        languages: Iterable[str]) -> tuple[str, ...]:
    wanted = {*languages, NEUTRAL_LANGUAGE}
    keys = {name_key(name) for name in names}
    return tuple(sorted({lang for text, lang in texts if lang in wanted and name_key(text) in keys}))


def evidence_for(subject: Subject, facts: Facts) -> Evidence:
    """Compare one subject with one item's facts."""
    classes = facts.classes
    library = bool(classes & set(w.LIBRARY_CLASSES))
    organisation = library or bool(classes & set(w.ORGANISATION_CLASSES))
    excluded = next((w.EXCLUDED_CLASSES[c] for c in sorted(classes & set(w.EXCLUDED_CLASSES))), "")
    if not excluded and not organisation:
        excluded = "not an organisation"
    parent_keys = {name_key(name) for name in subject.parent_names}
    parent = bool(parent_keys & {name_key(label) for label in facts.parent_labels}) or bool(
        set(subject.parent_hosts) & {host_of(url) for url in facts.parent_websites}
    )
    labels = _matching_languages(subject.names, facts.labels, subject.languages)
    aliases = _matching_languages(subject.names, facts.aliases, subject.languages)
    through_parent = False
    if parent and not labels and not aliases:
        heads = [head for head, _ in subject.qualified_names]
        labels = _matching_languages(heads, facts.labels, subject.languages)
        aliases = _matching_languages(heads, facts.aliases, subject.languages)
        through_parent = bool(labels or aliases)
    websites = {website_key(url) for url in facts.websites}
    return Evidence(
        isil=bool(subject.isil) and isil_key(subject.isil or "") in {isil_key(v) for v in facts.isils},
        viaf=bool(subject.viaf) and viaf_key(subject.viaf or "") in {viaf_key(v) for v in facts.viafs},
        website=bool(subject.website) and website_key(subject.website or "") in websites,
        label_languages=labels,
        alias_languages=tuple(lang for lang in aliases if lang not in labels),
        through_parent_name=through_parent,
        parent=parent,
        country=country_match(subject, facts),
        library=library,
        organisation=organisation,
        excluded=excluded,
    )


@dataclass(frozen=True)
class Scored:
    """A candidate item for a subject, with its confidence and the reasons."""

    subject: Subject
    facts: Facts
    evidence: Evidence
    confidence: float
    notes: tuple[str, ...] = field(default=())

    @property
    def qid(self) -> str:
        """The candidate item."""
        return self.facts.qid

    @property
    def justification(self) -> str:
        """The SEMAPV term for how the candidate was found."""
        external = self.evidence.identifier or self.evidence.website
        if external and self.evidence.named:
            return "semapv:CompositeMatching"
        if external:
            return "semapv:BackgroundKnowledgeBasedMatching"
        return "semapv:LexicalMatching"

    def comment(self) -> str:
        """One line for the curator: the features, then any rule that lowered the score."""
        text = "evidence: " + ", ".join(self.evidence.features())
        if self.notes:
            text += "; " + "; ".join(self.notes)
        descriptions = sorted(text for text, lang in self.facts.descriptions if lang == "en")
        if descriptions:
            text += f"; description: {descriptions[0]}"
        return text


def _base(evidence: Evidence) -> tuple[float, list[str]]:
    if evidence.identifier and evidence.named:
        return IDENTIFIER_NAME, []
    if evidence.identifier:
        return IDENTIFIER_ONLY, ["identifier matches but the name differs: check"]
    if evidence.website and evidence.named:
        return WEBSITE_NAME, []
    if evidence.website:
        return WEBSITE_ONLY, ["website matches but the name differs: check"]
    if evidence.label_languages:
        return LABEL_ONLY, []
    return ALIAS_ONLY, ["alias only"]


def _alone(subject: Subject, evidence: Evidence) -> tuple[float, list[str]]:
    """The score a candidate earns on its own evidence, before comparing it with the others."""
    confidence, notes = _base(evidence)
    if evidence.parent:
        confidence = min(0.99, confidence + PARENT_BONUS)
    if subject.expects_library and not evidence.library and not evidence.identifier:
        confidence -= NOT_A_LIBRARY_PENALTY
        notes.append("not in a library class")
    if subject.requires_parent and not evidence.parent:
        confidence = min(confidence, CAP_NO_IFLA_PARENT)
        notes.append("parent organisation is not IFLA")
    if evidence.country == "mismatch":
        confidence = min(confidence, CAP_OTHER_COUNTRY)
        notes.append(f"country differs from the record's {subject.country}")
    elif evidence.country == "unknown" and not evidence.identifier:
        confidence = min(confidence, CAP_UNKNOWN_COUNTRY)
        notes.append("country not confirmed")
    return confidence, notes


def score(subject: Subject, candidates: Iterable[Facts]) -> list[Scored]:
    """Rank the candidate items of one subject; non-organisations and unrelated items are dropped."""
    pairs = [(facts, evidence_for(subject, facts)) for facts in candidates]
    kept = [(f, e) for f, e in pairs if e.any_match and not e.excluded]
    named = [f.qid for f, e in kept if e.named]
    with_identifier = [f.qid for f, e in kept if e.identifier]
    scored = []
    for facts, evidence in kept:
        confidence, notes = _alone(subject, evidence)
        if len(named) > 1 and evidence.named and not evidence.discriminating:
            confidence = min(confidence, CAP_SHARED_NAME)
            notes.append(f"{len(named)} candidates share the name")
        if with_identifier and not evidence.identifier:
            confidence = min(confidence, CAP_IDENTIFIER_ELSEWHERE)
            notes.append(f"the record's identifier is on {', '.join(sorted(with_identifier))}")
        scored.append(Scored(subject, facts, evidence, round(max(confidence, 0.0), 2), tuple(notes)))
    return sorted(scored, key=lambda s: (-s.confidence, int(s.qid[1:])))
