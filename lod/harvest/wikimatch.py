"""Dictionary matching of free-text values against the project's vocabularies.

Curators write "Biblioteca pública", "IFLA Rare Books and Manuscripts Section"
or "Wales (United Kingdom)"; records need ``public``, ``rare-books-and-special-collections``
and ``GB``. Every dictionary comes from data, never from code: the SKOS labels
in ``mappings/*.ttl``, ``mappings/wiki-page-labels.tsv`` (headings, field
names, month names, a few country aliases) and ISO 3166/639 via ``pycountry``
with its translations. Matching is exact after normalisation (case, accents,
punctuation), so a value is either resolved or left for a person to decide.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from pyoxigraph import Literal, NamedNode

from lod import resources
from lod.inputs import read_tsv, read_vocabulary
from lod.model import terms

SKOS = "http://www.w3.org/2004/02/skos/core#"
_LABEL_PREDICATES = {f"{SKOS}prefLabel", f"{SKOS}altLabel", f"{SKOS}hiddenLabel", f"{SKOS}notation"}
#: Languages whose pycountry translations of country and language names are matched.
TRANSLATIONS = ("es", "fr", "de", "ca", "pt", "it", "nl")
_NON_WORD = re.compile(r"[\W_]+")
#: Words that name the kind of IFLA unit rather than the unit itself.
_UNIT_NOISE = re.compile(r"\b(?:ifla|special interest group|sig|section|the)\b")


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-blind form of ``text`` for dictionary look-ups."""
    text = text.replace("&", " and ").replace("(s)", "s").replace("œ", "oe").replace("Œ", "oe")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NON_WORD.sub(" ", bare).split())


def unit_key(text: str) -> str:
    """IFLA unit names without "IFLA", "Section", "SIG": the forms people mix freely."""
    return " ".join(_UNIT_NOISE.sub(" ", normalize(text)).split())


@dataclass(frozen=True)
class Lexicon:
    """Normalised label -> term id; a label shared by two terms maps to None (ambiguous)."""

    entries: Mapping[str, str | None]
    key: str = "plain"

    def _key(self, text: str) -> str:
        return unit_key(text) if self.key == "unit" else normalize(text)

    def lookup(self, text: str) -> str | None:
        """The term ``text`` names, or None; a trailing "(…)" is tried without it too."""
        found = self.entries.get(self._key(text))
        if found is None and "(" in text:
            found = self.entries.get(self._key(re.sub(r"\([^)]*\)", " ", text)))
        return found

    def scan(self, text: str, *, min_length: int = 5) -> list[str]:
        """Every term whose label occurs as whole words in ``text`` (longest labels first)."""
        haystack = f" {self._key(text)} "
        found: list[str] = []
        for label in sorted(self.entries, key=len, reverse=True):
            term = self.entries[label]
            if term is None or len(label) < min_length or f" {label} " not in haystack:
                continue
            haystack = haystack.replace(f" {label} ", " | ")
            if term not in found:
                found.append(term)
        return found


def make_lexicon(pairs: Iterable[tuple[str, str]], key: str = "plain") -> Lexicon:
    entries: dict[str, str | None] = {}
    for label, term in pairs:
        norm = unit_key(label) if key == "unit" else normalize(label)
        if not norm:
            continue
        if norm in entries and entries[norm] != term:
            entries[norm] = None
        else:
            entries.setdefault(norm, term)
    return Lexicon(entries, key)


def _skos_labels(filename: str) -> list[tuple[str, str]]:
    """(label, notation) for every concept of one SKOS file in ``mappings/``."""
    notations: dict[str, str] = {}
    labels: dict[str, list[str]] = defaultdict(list)
    for triple in read_vocabulary(resources.mappings_dir() / filename):
        predicate, subject, value = triple.predicate.value, triple.subject, triple.object
        if predicate not in _LABEL_PREDICATES or not isinstance(subject, NamedNode):
            continue
        if not isinstance(value, Literal):
            continue
        if predicate == f"{SKOS}notation":
            notations[subject.value] = value.value
        labels[subject.value].append(value.value)
    return [
        (label, notations[iri])
        for iri, found in labels.items()
        if iri in notations
        for label in found
    ]


@cache
def library_types() -> Lexicon:
    """Library-type terms by their English, Spanish, French and German labels.

    The SKOS altLabels come first; ``mappings/library-type-terms.tsv`` adds the
    few words pages use for partners ("association", "Wikimedia ...").
    """
    pairs = _skos_labels("library-types.ttl")
    path = resources.mappings_dir() / "library-type-terms.tsv"
    pairs += [(row["label"], row["term"]) for row in read_tsv(path, ("term", "label"))]
    return make_lexicon(pairs)


@cache
def projects() -> Lexicon:
    """Wikimedia project terms by name and local names."""
    return make_lexicon(_skos_labels("projects.ttl"))


@cache
def activities() -> Lexicon:
    """Activity terms by name and synonyms ("edit-a-thon" -> editathon)."""
    return make_lexicon(_skos_labels("activities.ttl"))


@cache
def roles() -> Lexicon:
    """Institution roles by label ("lead institution" -> lead): a part of an Institution bullet."""
    return make_lexicon(_skos_labels("roles.ttl"))


@cache
def link_kinds() -> Lexicon:
    """Link kinds by label ("final report" -> report): the field of a Resources bullet."""
    return make_lexicon(_skos_labels("link-kinds.ttl"))


@cache
def ifla_units() -> Lexicon:
    """IFLA unit ids by current and former names and acronyms, with or without "Section"."""
    pairs = _skos_labels("ifla-units.ttl")
    pairs += [(name, unit) for unit, (_kind, name) in resources.ifla_units().items()]
    return make_lexicon(pairs, key="unit")


@cache
def page_labels() -> dict[str, list[tuple[str, str]]]:
    """Rows of ``mappings/wiki-page-labels.tsv`` by kind: (key, label)."""
    rows: dict[str, list[tuple[str, str]]] = defaultdict(list)
    path = resources.mappings_dir() / "wiki-page-labels.tsv"
    for row in read_tsv(path, ("kind", "key", "label")):
        rows[row["kind"]].append((row["key"], row["label"]))
    return dict(rows)


def label_lexicon(kind: str) -> Lexicon:
    """A lexicon of one kind of row of the page-labels table (heading, field, month ...)."""
    return _cached_label_lexicon(kind)


@cache
def _cached_label_lexicon(kind: str) -> Lexicon:
    return make_lexicon((label, key) for key, label in page_labels().get(kind, []))


def _subdivision_names(name: str) -> list[str]:
    """'Wales [Cymru GB-CYM]' -> ['Wales', 'Cymru']: pycountry packs alternatives in brackets."""
    main, _, rest = name.partition("[")
    names = [main]
    for part in re.split(r"[,;]", rest.rstrip("]")):
        words = [w for w in part.split() if not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]+", w)]
        if words:
            names.append(" ".join(words))
    return names


@cache
def countries() -> Lexicon:
    """ISO 3166-1 alpha-2 by code, English names, translations and first-level subdivisions."""
    import pycountry

    pairs: list[tuple[str, str]] = []
    for code, name in terms.countries().items():
        pairs.append((code, code))
        pairs.append((name, code))
    for country in pycountry.countries:
        code = country.alpha_2
        pairs.append((country.alpha_3, code))
        for attribute in ("official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                pairs.append((value, code))
        if ", " in country.name:  # "Korea, Republic of" is also written "Republic of Korea"
            head, tail = country.name.split(", ", 1)
            pairs.append((f"{tail} {head}", code))
    for language in TRANSLATIONS:
        catalogue = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        )
        for country in pycountry.countries:
            pairs.append((catalogue.gettext(country.name), country.alpha_2))
    pairs += [(label, code) for code, label in page_labels().get("country", [])]
    lexicon = make_lexicon(pairs)
    # Subdivisions ("Wales", "Catalunya") only where no country has the name.
    extra = make_lexicon(
        (alias, sub.country_code)
        for sub in pycountry.subdivisions
        if getattr(sub, "parent_code", None) is None
        for alias in _subdivision_names(sub.name)
    )
    merged = dict(extra.entries)
    merged.update(lexicon.entries)
    return Lexicon(merged)


def country_code(text: str) -> str | None:
    """ISO code for a country name or code; "Wales (United Kingdom)" -> GB."""
    lexicon = countries()
    found = lexicon.lookup(text)
    if found is None and "(" in text:
        inner = re.findall(r"\(([^)]*)\)", text)
        for candidate in inner:
            found = lexicon.lookup(candidate)
            if found:
                break
    return found


@cache
def _listed_names() -> dict[str, str]:
    return {normalize(name): code for code, name in resources.language_names().items()}


@cache
def _languages() -> Lexicon:
    import pycountry

    pairs: list[tuple[str, str]] = []
    for language in pycountry.languages:
        tag = getattr(language, "alpha_2", None) or language.alpha_3
        pairs += [(language.name, tag), (language.alpha_3, tag), (tag, tag)]
    for locale in TRANSLATIONS:
        catalogue = gettext.translation(
            "iso639-3", pycountry.LOCALES_DIR, languages=[locale], fallback=True
        )
        for language in pycountry.languages:
            if getattr(language, "alpha_2", None):  # the major languages only: fewer clashes
                pairs.append((catalogue.gettext(language.name), language.alpha_2))
    # The names the submission form offers (mappings/languages.tsv) are read as it meant them.
    listed = make_lexicon((name, code) for code, name in resources.language_names().items())
    return Lexicon({**make_lexicon(pairs).entries, **listed.entries})


def language_tag(text: str) -> str | None:
    """BCP 47 tag for a language name or tag ("Catalan", "català"?, "pt-BR")."""
    value = text.strip()
    listed = resources.language_names()
    named = _listed_names().get(normalize(value))
    if named and value.lower() not in listed:  # "Lao" is lo, not the ISO 639-2 code lao
        return named
    if (
        value
        and terms.language_tag_problem(value) is None
        and len(value) <= 12
        and " " not in value
    ):
        return value if "-" in value else value.lower()
    words = [
        w
        for w in value.split()
        if projects().lookup(w) is None and normalize(w) not in {"edition", "language"}
    ]
    return _languages().lookup(" ".join(words)) if words else None


@cache
def _stopwords() -> dict[str, frozenset[str]]:
    words: dict[str, set[str]] = defaultdict(set)
    for lang, word in page_labels().get("stopword", []):
        words[normalize(word)].add(lang)
    return {word: frozenset(langs) for word, langs in words.items()}


def detect_language(text: str) -> tuple[str | None, float]:
    """Most likely language of prose by common-word counts, and the share of the best one."""
    counts: dict[str, int] = defaultdict(int)
    words = _stopwords()
    for token in normalize(text).split():
        for lang in words.get(token, ()):
            counts[lang] += 1
    if not counts:
        return None, 0.0
    best = max(counts, key=lambda lang: counts[lang])
    total = sum(counts.values())
    return best, counts[best] / total
