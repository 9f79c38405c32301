"""Labels and descriptions of planned items, generated from facts only.

Help:Label: a label is the item's most common name, without disambiguation
(that belongs in the description), so a trailing bracketed part of a name is
left out of the label. Help:Description: a description is a short phrase, not a
sentence, usually 2 to 12 words, lower case unless a capital is needed, no
initial article and no final punctuation, saying what kind of thing the item is
and when. Wikibase refuses two items with one label and description in a
language, so descriptions are made unique within the batch by adding a fact
(an author, an institution) and, failing that, left out with a warning rather
than padded with internal keys. Nothing here reads the summary or the
sections (CC BY-SA text must not reach Wikidata, CC0).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Final

from lod.publish.wikidata.facts import RecordFacts

MAX_TERM: Final = 250
MIN_WORDS: Final = 2
MAX_WORDS: Final = 12
_BRACKETS_RE: Final = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")

#: Per language: (work by authors with {authors} {year}, work with {year}, "and").
WORK_PHRASES: Final[dict[str, tuple[str, str, str]]] = {
    "en": ("{year} case study by {authors}", "case study published in {year}", "and"),
    "fr": ("étude de cas de {authors} publiée en {year}", "étude de cas publiée en {year}", "et"),
    "es": ("estudio de caso de {authors} publicado en {year}", "estudio de caso publicado en {year}",
           "y"),
    "ca": ("estudi de cas de {authors} publicat el {year}", "estudi de cas publicat el {year}", "i"),
    "pt": ("estudo de caso de {authors} publicado em {year}", "estudo de caso publicado em {year}",
           "e"),
    "nl": ("casestudy van {authors} uit {year}", "casestudy uit {year}", "en"),
    "de": ("Fallstudie von {authors} aus dem Jahr {year}", "Fallstudie aus dem Jahr {year}", "und"),
}
#: Per language: (kind of item, "from {start}", "in {year}", "from {start} to {end}", "and").
PROJECT_PHRASES: Final[dict[str, tuple[str, str, str, str, str]]] = {
    "en": ("library project on {projects}", "from {start}", "in {start}", "from {start} to {end}",
           "and"),
    "es": ("proyecto de bibliotecas sobre {projects}", "desde {start}", "en {start}",
           "de {start} a {end}", "y"),
    "fr": ("projet de bibliothèques sur {projects}", "depuis {start}", "en {start}",
           "de {start} à {end}", "et"),
    "ca": ("projecte de biblioteques sobre {projects}", "des de {start}", "el {start}",
           "de {start} a {end}", "i"),
}
#: Description of a new institution item: "{class} in {country}", per language.
INSTITUTION_PHRASES: Final[dict[str, str]] = {"en": "{kind} in {country}"}
#: Extra words that make a clashing description unique, per language ("about {name}").
ABOUT: Final[dict[str, str]] = {"en": "about {name}", "es": "sobre {name}", "fr": "sur {name}",
                                "ca": "sobre {name}", "pt": "sobre {name}", "nl": "over {name}",
                                "de": "über {name}"}


def words(text: str) -> int:
    """Words in a description, as Help:Description counts them (by spaces)."""
    return len(text.split())


def fits(text: str) -> bool:
    """2 to 12 words, within Wikibase's 250 characters, one line, no final punctuation."""
    return (MIN_WORDS <= words(text) <= MAX_WORDS and len(text) <= MAX_TERM
            and "\n" not in text and not text.endswith((".", ",", ";", ":", "!", "?")))


def label(name: str) -> tuple[str, bool]:
    """(label, changed): the name without a trailing bracketed disambiguation, cut to 250."""
    bare = _BRACKETS_RE.sub("", name).strip() or name
    return bare[:MAX_TERM], bare != name


def _join(names: Sequence[str], conjunction: str) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} {conjunction} {names[1]}"
    return f"{names[0]} et al."


def work_description(facts: RecordFacts, lang: str) -> str | None:
    """What the work is and when: "2014 case study by Andrew Gray"; None without a phrase."""
    phrases = WORK_PHRASES.get(lang.split("-")[0])
    year = (facts.work.published or "")[:4]
    if phrases is None or not year:
        return None
    by_authors, plain, conjunction = phrases
    if facts.work.authors:
        text = by_authors.format(authors=_join(facts.work.authors, conjunction), year=year)
        if fits(text):
            return text
    return plain.format(year=year)


def project_description(facts: RecordFacts, lang: str, projects: Mapping[str, str]) -> str | None:
    """What the project is and when: "library project on Wikipedia from 2012"."""
    phrases = PROJECT_PHRASES.get(lang.split("-")[0])
    if phrases is None:
        return None
    kind, since, during, between, conjunction = phrases
    names = [projects.get(term, term) for term, _ in facts.projects]
    start, end = (facts.start or "")[:4], (facts.end or "")[:4]
    when = ""
    if start and end:
        when = during.format(start=start) if start == end else between.format(start=start, end=end)
    elif start:
        when = since.format(start=start)
    for count in range(len(names), 0, -1):
        shown = _join(names[:count], conjunction) if count == len(names) else names[0]
        text = " ".join(part for part in (kind.format(projects=shown), when) if part)
        if fits(text):
            return text
    return None


def institution_description(kind_label: str, country: str | None) -> str | None:
    """ "university in Spain"; None without a country (a bare class is one word too few)."""
    if country is None:
        return None
    text = INSTITUTION_PHRASES["en"].format(kind=kind_label, country=country)
    return text if fits(text) else None


def unique_descriptions(descriptions: Mapping[str, dict[str, str]],
                        extras: Mapping[str, Sequence[str]]) -> tuple[dict[str, dict[str, str]],
                                                                      list[tuple[str, str]]]:
    """Make descriptions unique per language within the batch.

    ``extras`` gives, per key, names that may tell it apart ("about <name>").
    Returns the descriptions and the (key, language) pairs whose description
    could not be made unique and was left out.
    """
    out = {key: dict(by_lang) for key, by_lang in descriptions.items()}
    dropped: list[tuple[str, str]] = []
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, by_lang in sorted(descriptions.items()):
        for lang, text in by_lang.items():
            seen[(lang, text)].append(key)
    taken = {(lang, text) for (lang, text), keys in seen.items() if len(keys) == 1}
    for (lang, text), keys in sorted(seen.items()):
        if len(keys) == 1:
            continue
        for key in keys:
            about = ABOUT.get(lang.split("-")[0])
            better = None
            for name in extras.get(key, ()):
                candidate = f"{text} {about.format(name=name)}" if about else ""
                if candidate and fits(candidate) and (lang, candidate) not in taken:
                    better = candidate
                    break
            if better is None:
                del out[key][lang]
                dropped.append((key, lang))
            else:
                out[key][lang] = better
                taken.add((lang, better))
    return out, dropped
