"""Facts read from a wiki page or a form row -> a draft record in the contract format.

Both the harvester and the CSV importer end here, so a value is read the same
way wherever it was written. The rule is: resolve what the dictionaries know,
never invent; each value that cannot be resolved (and each guess taken from
prose rather than from a ``Field: value`` bullet) becomes a ``TODO field: ...``
line in ``notes``, and the record is ``status: draft``. A required value that
nobody stated is left out, so ``lod validate`` names it too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lod.harvest import wikimatch as match
from lod.harvest.wikiperiod import parse_period
from lod.harvest.wikitext import FieldBullet
from lod.model import terms
from lod.model.case_study import MAX_ID, MAX_SUMMARY, URL_RE

_SEPARATORS = re.compile(r"(\s*[,;/&+]\s*|\s+(?:and|y|et|und|i|e)\s+)", re.IGNORECASE)
_INSTITUTION_PARTS = re.compile(r"\s*[–—]\s*|\s+-\s+")
_UNIT_IN_PROSE = (
    re.compile(
        r"\bIFLA(?:'s)?\s+((?:[A-Z][\w&,'-]*\s+|and\s+|of\s+|for\s+|the\s+|with\s+|to\s+)+?)(?:Section|Special Interest Group|SIG)\b"
    ),
    re.compile(
        r"\bIFLA\s+(?:Section|Special Interest Group)\s+(?:on|for)\s+((?:[A-Z][\w&,'-]*\s*|and\s+)+)"
    ),
    re.compile(
        r"\b((?:[A-Z][\w&,'-]*\s+|and\s+|of\s+|for\s+|with\s+|to\s+)+?)(?:Section|Special Interest Group|SIG)\s+of\s+IFLA\b"
    ),
)
PROSE_SECTIONS = ("summary", "context", "goals", "implementation", "outcomes")


@dataclass
class HarvestedFacts:
    """What a page or a form row states, before matching (all text, markdown allowed)."""

    title: str
    fields: list[FieldBullet] = field(default_factory=list)
    summary: str | None = None
    lead: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    links: list[tuple[str, str | None]] = field(default_factory=list)
    lang: str | None = None
    source: dict[str, Any] | None = None
    contacts: list[dict[str, Any]] = field(default_factory=list)
    provenance: str = ""
    #: "page" (a wiki page) or "form" (a form export row): the TODO wording follows it.
    origin: str = "page"
    #: TODO lines found while reading the source (e.g. an ambiguous form answer).
    todos: list[str] = field(default_factory=list)

    def values(self, key: str) -> list[str]:
        """Every value given for one field, in page order."""
        return [value for bullet in self.fields if bullet.key == key for value in bullet.values]

    def prose(self) -> str:
        """The narrative text, for guesses when no bullet states a fact."""
        parts = [self.summary or "", self.lead] + [
            self.sections.get(key, "") for key in PROSE_SECTIONS
        ]
        return "\n".join(part for part in parts if part)


@dataclass
class Draft:
    """A record (plain data, ready for YAML) and its to-do lines."""

    record: dict[str, Any]
    todos: list[str]


def record_id_from_title(text: str) -> str:
    """A draft's record id, and so its file stem: "Bibliowikis (Catalonia)" -> "bibliowikis-catalonia"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", folded)
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > MAX_ID:
            break
        out = f"{out}-{word}" if out else word
    return out or "case-study"


def resolve_terms(
    values: Iterable[str], lookup: Callable[[str], str | None]
) -> tuple[list[str], list[str]]:
    """Terms for each value; a value that is a list ("Wikipedia, Wikidata and Commons") is split.

    Splitting is greedy on the longest known span, so names that contain a
    separator ("Environment, Sustainability and Libraries") stay whole.
    """
    found: list[str] = []
    unresolved: list[str] = []
    for value in values:
        term = lookup(value)
        if term:
            found.append(term)
            continue
        tokens = _SEPARATORS.split(value)  # part, separator, part, ...
        count = len(tokens) // 2 + 1
        index = 0
        while index < count:
            for stop in range(count, index, -1):
                candidate = "".join(tokens[2 * index : 2 * stop - 1]).strip()
                term = lookup(candidate) if candidate else None
                if term:
                    found.append(term)
                    index = stop
                    break
            else:
                piece = tokens[2 * index].strip()
                if piece:
                    unresolved.append(piece)
                index += 1
    return list(dict.fromkeys(found)), unresolved


def _unknown_part(part: str, value: str) -> str:
    """Why a part of an Institution bullet was not read; a near role word gets its own hint."""
    roles = [label for label, role in match.roles().entries.items() if role]
    near = terms.closest(match.normalize(part), roles)
    if near is not None:
        return (f"{part!r} in {value!r} is not a role lod knows (lead, partner, funder, host); "
                f"did you mean {near!r}?")
    return f"{part!r} in {value!r} is neither a library type nor a country lod knows"


#: TODO wording by where the facts came from: a curator fixing a form row looks for a
#: question and an answer, not for a page's bullet or heading.
_WORDS: dict[str, dict[str, str]] = {
    "page": {
        "fix": "fix the page",
        "written": "the page is written in",
        "no-summary": "no Summary/Abstract section",
        "no-institution": "no Institution bullet; took the page title, check it",
        "states-no": "the page states no",
        "text": "the page text",
        "no-unit": "no IFLA unit bullet",
        "no-projects": "no Wikimedia projects bullet",
        "no-projects-at-all": "no Wikimedia project stated",
        "in-text": "in the text",
    },
    "form": {
        "fix": "or correct the answer",
        "written": "the answers are written in",
        "no-summary": "the Summary/Abstract question was not answered",
        "no-institution": "the institution question was not answered; took the title, check it",
        "states-no": "the form answers give no",
        "text": "the answers",
        "no-unit": "the IFLA unit question was not answered",
        "no-projects": "the Wikimedia projects question was not answered",
        "no-projects-at-all": "the Wikimedia projects question was not answered",
        "in-text": "in the answers",
    },
}


class _Builder:
    """Collects a record and its to-dos; one per draft."""

    def __init__(self, facts: HarvestedFacts) -> None:
        self.facts = facts
        self.todos: list[str] = list(facts.todos)
        self.words = _WORDS.get(facts.origin, _WORDS["page"])

    def todo(self, where: str, message: str) -> None:
        self.todos.append(f"TODO {where}: {message}")

    def terms(
        self, key: str, where: str, lookup: Callable[[str], str | None], what: str
    ) -> list[str]:
        found, unresolved = resolve_terms(self.facts.values(key), lookup)
        for value in unresolved:
            self.todo(
                where, f"{value!r} is not a known {what}; use a term from mappings/ {self.words['fix']}"
            )
        return found

    def language(self) -> str:
        if self.facts.lang:
            return self.facts.lang
        guess, share = match.detect_language(self.facts.prose())
        if guess and share >= 0.5:
            return guess
        self.todo("lang", f"could not tell the language {self.words['written']}; assumed 'en'")
        return "en"

    def summary(self) -> str:
        text = (self.facts.summary or "").strip()
        if not text:
            context = "the Context/Background answer" if self.facts.origin == "form" else "Context/Background"
            for source, where in (
                (self.facts.lead, "the text before the first heading"),
                (self.facts.sections.get("context", ""), context),
            ):
                paragraph = source.strip().split("\n\n")[0].strip()
                if paragraph:
                    text = paragraph
                    self.todo(
                        "summary",
                        f"{self.words['no-summary']}; took the first paragraph of {where}",
                    )
                    break
        if not text:
            self.todo(
                "summary", f"{self.words['no-summary']} and no text to take one from; write one"
            )
            return self.facts.title
        if len(text) > MAX_SUMMARY:
            cut = text[: MAX_SUMMARY - 1].rsplit(". ", 1)[0].rstrip(".") + "."
            self.todo(
                "summary",
                f"the summary had {len(text)} characters (at most {MAX_SUMMARY}); it was cut",
            )
            text = cut if len(cut) > MAX_SUMMARY // 3 else text[: MAX_SUMMARY - 1] + "…"
        return text

    def institutions(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for bullet in (b for b in self.facts.fields if b.key == "institution"):
            for value in bullet.values:
                entries.append(self._institution(len(entries), value, bullet.urls))
        if not entries:
            name = self.facts.title
            self.todo("institutions[0].name", self.words["no-institution"])
            entries.append({"name": name})
        self._fill(
            "type",
            self.terms(
                "library-type", "institutions[].type", match.library_types().lookup, "library type"
            ),
            entries,
        )
        countries = self.terms("country", "institutions[].country", match.country_code, "country")
        self._fill("country", countries, entries)
        for index, entry in enumerate(entries):
            self._guess(index, entry)
        return [
            {k: entry[k] for k in ("name", "country", "type", "role", "website") if k in entry}
            for entry in entries
        ]

    def _institution(self, index: int, value: str, urls: tuple[str, ...]) -> dict[str, Any]:
        name, *rest = [
            part.strip() for part in _INSTITUTION_PARTS.split(value) if part.strip()
        ] or [value]
        entry: dict[str, Any] = {"name": name}
        for part in rest:
            kind = match.library_types().lookup(part)
            code = match.country_code(part) if kind is None else None
            role = match.roles().lookup(part) if kind is None and code is None else None
            if kind and "type" not in entry:
                entry["type"] = kind
            elif code and "country" not in entry:
                entry["country"] = code
            elif role and "role" not in entry:
                entry["role"] = role  # "name – type – country – lead": absent, no role is stated
            else:
                self.todo(
                    f"institutions[{index}]",
                    _unknown_part(part, value),
                )
        websites = [url for url in urls if URL_RE.fullmatch(url)]
        if websites:
            entry["website"] = websites[0]
        return entry

    def _fill(self, key: str, found: list[str], entries: list[dict[str, Any]]) -> None:
        """Give bullet values to institutions without their own: one for all, or one each in order."""
        missing = [entry for entry in entries if key not in entry]
        if not found or not missing:
            return
        if len(found) == len(missing):
            for entry, value in zip(missing, found, strict=True):
                entry[key] = value
            return
        for entry in missing:
            entry[key] = found[0]
        if len(found) == 1 and len(missing) > 1 and key == "type":
            self.todo(f"institutions[].{key}",
                      f"one library type {found[0]!r} for {len(missing)} institutions; "
                      "gave it to each, check")
        elif len(found) > 1:
            self.todo(
                f"institutions[].{key}",
                f"several values {found} for {len(missing)} institutions; gave each {found[0]!r}, check",
            )

    def _guess(self, index: int, entry: dict[str, Any]) -> None:
        where = f"institutions[{index}]"
        name = str(entry["name"])
        for key, lexicon, what in (
            ("type", match.library_types(), "library type"),
            ("country", match.countries(), "country"),
        ):
            if key in entry:
                continue
            from_name = lexicon.scan(name, min_length=5)
            alone = sum(1 for bullet in self.facts.fields if bullet.key == "institution") <= 1
            # Prose speaks of every institution at once: use it only when there is one.
            from_prose = (
                lexicon.scan(self.facts.prose(), min_length=5) if alone and not from_name else []
            )
            guesses = from_name or from_prose
            if len(guesses) == 1:
                entry[key] = guesses[0]
                origin = "the institution's name" if from_name else self.words["text"]
                self.todo(f"{where}.{key}", f"guessed {guesses[0]!r} from {origin}; check it")
            else:
                self.todo(f"{where}.{key}", f"{self.words['states-no']} {what} for {name!r}; add one")

    def units(self) -> list[str]:
        units = self.terms("ifla-unit", "ifla_units", match.ifla_units().lookup, "IFLA unit name")
        if units or self.facts.values("ifla-unit"):
            return units
        guesses: list[str] = []
        prose = self.facts.prose()
        for pattern in _UNIT_IN_PROSE:
            for found in pattern.finditer(prose):
                unit = match.ifla_units().lookup(found.group(1).strip())
                if unit and unit not in guesses:
                    guesses.append(unit)
        if guesses:
            self.todo("ifla_units", f"{self.words['no-unit']}; found {guesses} "
                      f"{self.words['in-text']}, check them")
        return guesses

    def projects(self) -> list[str]:
        found = self.terms(
            "wikimedia-projects", "wikimedia_projects", match.projects().lookup, "Wikimedia project"
        )
        if found:
            return found
        guesses = match.projects().scan(self.facts.prose(), min_length=4)
        if guesses:
            self.todo(
                "wikimedia_projects",
                f"{self.words['no-projects']}; found {guesses} {self.words['in-text']}, check them",
            )
        else:
            self.todo("wikimedia_projects", f"{self.words['no-projects-at-all']}; add at least one")
        return guesses

    def period(self) -> dict[str, str] | None:
        values = self.facts.values("dates")
        if not values:
            return None
        parsed = parse_period(" – ".join(values) if len(values) == 2 else values[0])
        if parsed.problem:
            self.todo("period", f"{'; '.join(values)!r}: {parsed.problem}")
        period = {
            key: value for key, value in (("start", parsed.start), ("end", parsed.end)) if value
        }
        return period or None

    def submitted_by(self) -> dict[str, Any] | None:
        values = self.facts.values("submitted-by")
        if not values:
            return None
        value = "; ".join(values)
        unit = match.ifla_units().lookup(value)
        if unit:
            return {"kind": "ifla-unit", "unit": unit, "name": value}
        words = match.label_lexicon("submitter-word").scan(value, min_length=3)
        kind = words[0] if words else "other"
        if kind == "other":
            self.todo(
                "submitted_by.kind",
                f"could not tell what {value!r} is; set individual, library, wikimedia-affiliate or other",
            )
        return {"kind": kind, "name": value}

    def links(self) -> list[dict[str, str]]:
        links: list[dict[str, str]] = []
        kinds: dict[str, str] = {}
        for bullet in self.facts.fields:  # "* Report: [url title]" under Resources
            kind = match.link_kinds().lookup(bullet.label) if bullet.key == "link-kind" else None
            if kind is not None:
                for url in bullet.urls:
                    kinds.setdefault(url, kind)
        for url, title in self.facts.links:
            if not URL_RE.fullmatch(url):
                self.todo("links", f"{url!r} is not an http(s) URL; left out")
                continue
            kind = kinds.get(url)
            links.append({"url": url, **({"title": title} if title else {}),
                          **({"kind": kind} if kind else {})})
        return links


def build_record(record_id: str, facts: HarvestedFacts) -> Draft:
    """The draft record for ``facts`` (see the module docstring for the rules)."""
    builder = _Builder(facts)
    lang = builder.language()
    record: dict[str, Any] = {
        "id": record_id,
        "status": "draft",
        "lang": lang,
        "title": {lang: facts.title},
        "summary": {lang: builder.summary()},
    }
    sections = {
        key: text for key, text in facts.sections.items() if key != "summary" and text.strip()
    }
    if sections:
        record["sections"] = sections
    submitted = builder.submitted_by()
    if submitted:
        record["submitted_by"] = submitted
    record["ifla_units"] = builder.units()
    record["institutions"] = builder.institutions()
    record["wikimedia_projects"] = builder.projects()
    record["activities"] = builder.terms(
        "activities", "activities", match.activities().lookup, "activity"
    )
    record["languages"] = builder.terms("languages", "languages", match.language_tag, "language")
    period = builder.period()
    if period:
        record["period"] = period
    record["links"] = builder.links()
    if facts.contacts:
        record["contacts"] = facts.contacts
    if facts.source:
        record["source"] = facts.source
    notes = [line for line in [facts.provenance, *builder.todos] if line]
    if notes:
        record["notes"] = "\n".join(notes)
    clean = {key: value for key, value in record.items() if value not in ([], None, {})}
    return Draft(clean, builder.todos)
