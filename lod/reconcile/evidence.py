"""The features of one (subject, item) pair: what agrees, what conflicts, what rules an item out.

Pure functions over facts already fetched. A feature is computed from the
subject and the one item alone; how features combine into a score, and how
candidates of one subject affect each other, is :mod:`lod.reconcile.score`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

from lod.reconcile import wikidata as w
from lod.reconcile.classes import ClassMatch, class_match, kinds_of
from lod.reconcile.normalise import host_of, isil_key, name_key, viaf_key, website_key
from lod.reconcile.queries import NEUTRAL_LANGUAGE
from lod.reconcile.sparql import Binding
from lod.reconcile.subjects import Subject

WD_ENTITY = "http://www.wikidata.org/entity/"
CountryMatch = Literal["match", "mismatch", "unknown", "n/a"]


@dataclass(frozen=True)
class ItemFacts:
    """What the endpoint said about one Wikidata item (a candidate for a subject)."""

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
    #: Root classes the item belongs to through P31/P279*.
    classes: frozenset[str] = frozenset()
    #: Its direct P31 values, and their English labels (for the curator).
    instances: frozenset[str] = frozenset()
    instance_labels: frozenset[str] = frozenset()

    @property
    def typed(self) -> bool:
        """The item states what it is an instance of (a root class reached implies it does)."""
        return bool(self.instances or self.classes)

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


_PAIRS = ("label", "alias", "description")
_ITEMS = ("country", "class", "instance")


def facts_from_bindings(bindings: Iterable[Binding]) -> dict[str, ItemFacts]:
    """Group the (item, field, value) rows of the details query by item."""
    found: dict[str, dict[str, set[object]]] = {}
    for row in bindings:
        item = row.get("item")
        qid = None if item is None else qid_of(item.value)
        if qid is None or "field" not in row or "value" not in row:
            continue
        kind, term = row["field"].value, row["value"]
        bucket = found.setdefault(qid, {})
        if kind in _PAIRS:
            bucket.setdefault(kind, set()).add((term.value, term.lang.lower()))
        elif kind in _ITEMS:
            value = qid_of(term.value)
            if value:
                bucket.setdefault(kind, set()).add(value)
        else:
            bucket.setdefault(kind, set()).add(term.value)

    def get(bucket: Mapping[str, set[object]], key: str) -> frozenset[object]:
        return frozenset(bucket.get(key, set()))

    fields = {"labels": "label", "aliases": "alias", "descriptions": "description", "countries": "country",
              "country_labels": "country_label", "isils": "isil", "viafs": "viaf", "websites": "website",
              "parent_labels": "parent_label", "parent_websites": "parent_website", "classes": "class",
              "instances": "instance", "instance_labels": "instance_label"}
    return {
        qid: ItemFacts(qid, **{name: get(bucket, key) for name, key in fields.items()})  # type: ignore[arg-type]
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


def country_match(subject: Subject, facts: ItemFacts) -> CountryMatch:
    """Compare P17 with the record's country: by verified item where we have one, else by label."""
    if subject.country is None:
        return "n/a"
    if not facts.countries:
        return "unknown"
    expected = w.country_items().get(subject.country)
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
    """The features of one (subject, item) pair."""

    isil: bool = False
    viaf: bool = False
    website: bool = False
    label_languages: tuple[str, ...] = ()
    alias_languages: tuple[str, ...] = ()
    through_parent_name: bool = False
    parent: bool = False
    country: CountryMatch = "n/a"
    klass: ClassMatch = "n/a"
    class_reason: str = ""
    organisation: bool = False
    excluded: str = ""
    needs_parent: bool = False

    @property
    def identifier(self) -> bool:
        """An identifier the record gives (ISIL, VIAF) is on the item."""
        return self.isil or self.viaf

    @property
    def decisive(self) -> bool:
        """Identifier or official website: evidence that outweighs any name."""
        return self.identifier or self.website

    @property
    def label(self) -> bool:
        """One of the subject's names is a label of the item (not only an alias)."""
        return bool(self.label_languages)

    @property
    def named(self) -> bool:
        """The item bears one of the subject's names, as label or alias."""
        return bool(self.label_languages or self.alias_languages)

    @property
    def any_match(self) -> bool:
        """Anything at all ties the item to the subject."""
        return self.decisive or self.named

    def ruled_out(self) -> list[str]:
        """The hard rules this item breaks on its own; a ruled-out item is nobody's rival."""
        found = []
        if self.excluded:
            found.append(f"not an organisation ({self.excluded})")
        if self.country == "mismatch":
            found.append("another country")
        if self.klass == "conflict":
            found.append(f"class conflicts ({self.class_reason})")
        if self.needs_parent and not self.parent:
            found.append("parent organisation is not IFLA")
        return found

    def agreeing(self) -> list[str]:
        """Short names of the features that agree, strongest first (for the ``comment``)."""
        found = [name for name, on in (("isil", self.isil), ("viaf", self.viaf), ("website", self.website))
                 if on]
        found += [f"label@{lang}" for lang in self.label_languages]
        found += [f"alias@{lang}" for lang in self.alias_languages]
        if self.through_parent_name:
            found.append("name-with-parent")
        if self.parent:
            found.append("parent")
        if self.country == "match":
            found.append("country")
        if self.klass == "agree":
            found.append(f"class ({self.class_reason})")
        return found

    def open_points(self) -> list[str]:
        """Features that neither agree nor conflict: what a curator may want to check."""
        found = []
        if self.country == "unknown":
            found.append("item has no country")
        if self.klass in ("neutral", "unknown"):
            found.append(f"class: {self.class_reason}")
        return found


def _matching_languages(names: Iterable[str], texts: Iterable[tuple[str, str]],
                        languages: Iterable[str]) -> tuple[str, ...]:
    wanted = {*languages, NEUTRAL_LANGUAGE}
    keys = {name_key(name) for name in names}
    return tuple(sorted({lang for text, lang in texts if lang in wanted and name_key(text) in keys}))


def evidence_for(subject: Subject, facts: ItemFacts) -> Evidence:
    """Compare one subject with one item's facts."""
    classes = facts.classes
    organisation = bool(kinds_of(classes, subject.types) & {"organisation"})
    excluding = w.excluded_classes()
    excluded = next((excluding[c] for c in sorted(classes & set(excluding))), "")
    if not excluded and facts.typed and not organisation:
        excluded = "not an organisation"
    klass, reason = class_match(classes, subject.types, typed=facts.typed)
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
        klass=klass,
        class_reason=reason,
        organisation=organisation,
        excluded=excluded,
        needs_parent=subject.requires_parent,
    )
