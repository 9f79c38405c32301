"""Labels and descriptions of planned items, generated from facts only.

A description says what the item is in a few words, built from the record's
facts ("case study of <library> and <project>, <year>"): never a sentence of
the summary or the sections, which are CC BY-SA and must not reach Wikidata
(CC0). Wikibase refuses a description longer than 250 characters, one equal to
the label, and a second item with the same label and description in a
language; :func:`unique_descriptions` settles the last within a batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Final

from lod.publish.wikidata.facts import RecordFacts

MAX_TERM: Final = 250

#: (prefix, "and") per language; a language missing here gets no description (and a warning).
CASE_STUDY_PHRASES: Final[dict[str, tuple[str, str]]] = {
    "en": ("case study of", "and"),
    "es": ("estudio de caso de", "y"),
    "pt": ("estudo de caso de", "e"),
    "fr": ("étude de cas de", "et"),
    "nl": ("casestudy van", "en"),
    "de": ("Fallstudie zu", "und"),
}
#: Description of a new institution item: a phrase with {country}, per language.
INSTITUTION_PHRASES: Final[dict[str, tuple[str, str]]] = {
    "en": ("library in {country}", "organization in {country}"),
}


def _year(facts: RecordFacts) -> str | None:
    date = facts.start or facts.end
    return date[:4] if date else None


def case_study_description(facts: RecordFacts, lang: str, projects: Mapping[str, str]) -> str | None:
    """The generated description in ``lang``, or None when there is no phrase for that language."""
    phrase = CASE_STUDY_PHRASES.get(lang.split("-")[0])
    if phrase is None:
        return None
    prefix, conjunction = phrase
    names = [p.name for p in facts.participants if p.role != "funder"] or \
        [p.name for p in facts.participants]
    project_names = ", ".join(projects.get(term, term) for term, _ in facts.projects)
    year = _year(facts)
    for count in range(min(len(names), 3), 0, -1):
        libraries = ", ".join(names[:count]) + ("…" if count < len(names) else "")
        text = f"{prefix} {libraries} {conjunction} {project_names}" + (f", {year}" if year else "")
        if len(text) <= MAX_TERM:
            return text
    text = f"{prefix} {project_names}" + (f", {year}" if year else "")
    return text[:MAX_TERM]


def case_study_terms(facts: RecordFacts, projects: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Labels (the titles, cut to 250 characters) and descriptions, in the title languages."""
    labels = {lang: title[:MAX_TERM] for lang, title in sorted(facts.titles.items())}
    descriptions: dict[str, str] = {}
    for lang in labels:
        text = case_study_description(facts, lang, projects)
        if text is not None:
            descriptions[lang] = text
    return labels, descriptions


def unique_descriptions(descriptions: Mapping[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Make descriptions unique per language within the batch (key -> lang -> text).

    Where two keys would share a description in one language, each gets its
    key in parentheses; the result stays within 250 characters.
    """
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, by_lang in descriptions.items():
        for lang, text in by_lang.items():
            seen[(lang, text)].append(key)
    out = {key: dict(by_lang) for key, by_lang in descriptions.items()}
    for (lang, text), keys in seen.items():
        if len(keys) > 1:
            for key in keys:
                suffix = f" ({key.split(':', 1)[-1]})"
                out[key][lang] = text[: MAX_TERM - len(suffix)] + suffix
    return out
