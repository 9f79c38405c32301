"""How one form answer is read: empty answers, "Yes - <unit>", cells naming several institutions.

People answer a form the way they talk: "No", "N/A" or "-" where a question
does not apply, "Yes - Academic and Research Libraries Section" to a yes/no
question that also asks which unit, and two institutions in one cell. Read
literally these become institutions named "No" or "Yes - ...". The rules here
are the ones ``docs/curating.md`` gives curators:

- an answer that only says there is nothing (:data:`EMPTY_ANSWERS`) is empty;
- "Yes", "Yes -", "Yes:" or "Yes," in front of a value is dropped (the value is what counts);
- one value per line, or values separated by ``;`` or `` | `` (the unambiguous separators);
- a comma inside an institution cell is ambiguous ("University of California,
  Berkeley" is one institution): the cell is split there only when every part
  names an institution of its own (a word such as library, university or
  museum), and a TODO asks the curator to check either way.
"""

from __future__ import annotations

import re

from lod.harvest.wikimatch import normalize

#: Answers that say "nothing here" (compared after :func:`normalize`).
EMPTY_ANSWERS = frozenset(
    {"", "no", "n a", "na", "none", "nil", "nothing", "not applicable", "ninguno", "ninguna",
     "aucun", "aucune", "keine", "nein", "non"}
)
_DASHES = frozenset("-–—_.?")
_YES_PREFIX = re.compile(r"^\s*(?:yes|y|si|sí|oui|ja|sim)\s*(?:[-–—:,/]\s*|\s+(?=\S))", re.IGNORECASE)
_UNAMBIGUOUS = re.compile(r"\s*(?:;|\s\|\s|\n)\s*")
#: Words that make a phrase the name of an institution (several languages; normalised forms).
INSTITUTION_WORDS = frozenset(
    {"library", "libraries", "biblioteca", "bibliotecas", "bibliotheque", "bibliotheques",
     "bibliothek", "bibliotheken", "bibliotheek", "biblioteka", "bibliotek", "kirjasto",
     "university", "universidad", "universite", "universitat", "universiteit", "universidade",
     "universita", "college", "colegio", "school", "escuela", "museum", "museo", "musee",
     "museu", "archive", "archives", "archivo", "arxiu", "archiv", "arquivo", "institute",
     "instituto", "institut", "foundation", "fundacion", "fundacio", "society", "association",
     "asociacion", "council", "ministry", "ministerio", "centre", "center", "centro",
     "wikimedia", "academy", "academia", "consortium", "network", "red", "xarxa"}
)


def is_empty_answer(value: str) -> bool:
    """True for "No", "N/A", "-", "none" and the like: the question did not apply."""
    text = value.strip()
    if text and all(char in _DASHES for char in text):
        return True
    return normalize(text) in EMPTY_ANSWERS


def strip_yes(value: str) -> str:
    """ "Yes - Public Libraries Section" -> "Public Libraries Section"; "Yes" alone -> ""."""
    text = value.strip()
    if normalize(text) in {"yes", "y", "si", "oui", "ja", "sim"}:
        return ""
    return _YES_PREFIX.sub("", text, count=1).strip()


def answer_values(cell: str) -> list[str]:
    """The values of one cell: split at line breaks, ``;`` and `` | ``; empty answers dropped."""
    parts = (part.strip(" \t•*") for part in _UNAMBIGUOUS.split(cell))
    return [part for part in parts if part and not is_empty_answer(part)]


def names_institution(text: str) -> bool:
    """True when ``text`` contains a word that makes it an institution's name."""
    return any(word in INSTITUTION_WORDS for word in normalize(text).split())


def split_institutions(value: str) -> tuple[list[str], str | None]:
    """One institution cell value -> (names, TODO message or None).

    Split at commas only when every part names an institution of its own;
    either way a comma is worth a look, so it gets a TODO.
    """
    if "," not in value:
        return [value], None
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if len(parts) > 1 and all(names_institution(part) for part in parts):
        return parts, (f"the answer {value!r} was split at its commas into {len(parts)} "
                       "institutions; check that each is one")
    return [value], (f"the answer {value!r} was kept as one institution; if it names several, "
                     "put each on its own line (or separate them with ';')")


def institution_names(answers: dict[str, str]) -> set[str]:
    """The institution names one submission's answers give (for duplicate checks)."""
    return {part.strip() for part in re.split(r"[\n;,]", answers.get("institution", ""))
            if part.strip()}


def _words(text: str) -> set[str]:
    return {word for word in normalize(text).split() if len(word) > 3}


def looks_same(title_a: str, institutions_a: set[str], title_b: str,
               institutions_b: set[str]) -> str | None:
    """Why two submissions look like one story (None when they do not).

    Titles sharing nearly all their words (case, accents, punctuation and
    short words aside), or an institution in common and titles sharing most
    of their words: what a person sending a story twice, or two colleagues
    sending the same one (by the form and on the wiki), produce.
    """
    words_a, words_b = _words(title_a), _words(title_b)
    if not words_a or not words_b:
        return None
    overlap = len(words_a & words_b) / min(len(words_a), len(words_b))
    if overlap >= 0.8:
        return "a title with the same words"
    same = {normalize(n) for n in institutions_a} & {normalize(n) for n in institutions_b}
    if overlap >= 0.5 and same - {""}:
        return "the same institution and a similar title"
    return None
