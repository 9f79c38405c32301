"""The duplicate check before a create: is the item already on the wiki? (pure: no I/O).

A candidate (found by the probes of :mod:`lod.publish.wikidata.probes`, the
wiki's search, a sitelink or the journal of an earlier run) only proposes; the
item's current data confirms it. A strong match (same URL, DOI, ISIL, website,
sitelink, or the journal) turns the create into an update of that item; the same
name on an item of the wrong kind, or the same label and description (which
Wikibase refuses), blocks the create until a curator decides; a nearly equal
title only warns. This is OpenRefine's rule too: a new item is made only where
nothing on the wiki is that thing already.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from lod.publish.wikidata.model import Candidate, ItemState, Statement
from lod.publish.wikidata.pids import Properties
from lod.publish.wikidata.sources import url_key

#: How near two normalised titles must be to be shown as a possible duplicate.
NEAR: Final = 0.85
#: Ways of finding a candidate that name the thing itself, not only its name.
STRONG: Final = frozenset({"url", "doi", "isil", "website", "sitelink", "journal"})
#: The doubts that stop short of an update, checked in this order: (how the candidate was
#: confirmed, warning code, what the warning says after the items, severity, blocks the create).
DOUBTS: Final = (
    ("clash", "label-description-clash", ("has the same label and description; Wikibase would "
     "refuse the create; nothing planned for this item"), "error", True),
    ("same", "possible-duplicate", ("has the same name but is not of the same kind; check "
     "it, then link it (wikidata: Q…) or keep the create"), "error", True),
    ("near", "near-duplicate", ("has a nearly equal title or name; if it is the same, put "
     "its QID into the record instead of the create"), "warning", False),
)


@dataclass(frozen=True)
class Verdict:
    """What the check concludes: the item to update (or None), whether the create is blocked,
    and the warning to show as (code, message, severity), if any."""

    item: str | None
    blocked: bool
    warning: tuple[str, str, str] | None = None


def normal_title(text: str) -> str:
    """A title compared with others: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


def qnum(qid: str) -> int:
    """The number of an item id (``local:Q12`` too), so that ids sort as the wiki counts."""
    digits = qid.rsplit("Q", 1)[-1]
    return int(digits) if digits.isdigit() else 0


def holds(current: ItemState, statement: Statement, pid: Properties) -> bool:
    """Does the item hold this statement's value, compared the way the check compares?"""
    for value in current.claims.get(statement.property, ()):
        if statement.value.type == "url" and value.type == "url":
            if url_key(value.value) == url_key(statement.value.value):
                return True
        elif statement.property == pid("DOI"):
            if value.value.casefold() == statement.value.value.casefold():
                return True
        elif value.key() == statement.value.key():
            return True
    return False


def has_class(current: ItemState, classes: Mapping[str, str], pid: Properties) -> bool:
    """Is the item an instance of one of ``classes`` (its P31 values)?"""
    return any(v.value in classes for v in current.claims.get(pid("instance of"), ()))


def confirmed(candidate: Candidate, state: Mapping[str, ItemState], statements: Sequence[Statement],
              labels: Mapping[str, str], descriptions: Mapping[str, str], pid: Properties
              ) -> str | None:
    """How the wiki's own current data confirms a candidate: "same", "near", "clash" or None."""
    current = state.get(candidate.item)
    if current is None:
        return None
    if candidate.how in STRONG:
        if candidate.how in {"sitelink", "journal"}:
            return "same"
        wanted = {"url": {pid("described at URL"), pid("work available at URL")},
                  "doi": {pid("DOI")}, "isil": {pid("ISIL")},
                  "website": {pid("official website")}}[candidate.how]
        found = any(s.property in wanted and holds(current, Statement(prop, s.value), pid)
                    for s in statements for prop in wanted)
        return "same" if found else None
    if candidate.how in {"title", "search", "label"}:
        ours = {normal_title(text) for text in labels.values()}
        ours |= {normal_title(s.value.value) for s in statements if s.property == pid("title")}
        theirs = {normal_title(text) for text in current.labels.values()}
        theirs |= {normal_title(v.value) for v in current.claims.get(pid("title"), ())}
        if ours & theirs:
            return "same"
        if any(difflib.SequenceMatcher(None, a, b).ratio() >= NEAR for a in ours for b in theirs):
            return "near"
        return None
    same_pair = any(current.labels.get(lang) == text and
                    current.descriptions.get(lang) == descriptions.get(lang)
                    for lang, text in labels.items())
    return "clash" if same_pair else None


def existing(key: str, candidates: Iterable[Candidate], state: Mapping[str, ItemState],
             statements: Sequence[Statement], labels: Mapping[str, str],
             descriptions: Mapping[str, str], classes: Mapping[str, str], pid: Properties
             ) -> Verdict:
    """The verdict on a would-be create, from its confirmed candidates."""
    found = [(c, confirmed(c, state, statements, labels, descriptions, pid)) for c in candidates]
    same_thing = [c for c, how in found if how == "same" and (
        c.how in STRONG or has_class(state[c.item], classes, pid))]
    if same_thing:
        chosen = min(same_thing, key=lambda c: (c.how != "journal", qnum(c.item))).item
        evidence = ", ".join(sorted({f"{c.item} (by {c.how})" for c in same_thing}))
        return Verdict(chosen, False, (
            "possible-duplicate",
            f"{key}: an item exists already: {evidence}; planned as an update of {chosen}",
            "warning"))
    for how, code, text, severity, blocks in DOUBTS:
        named = sorted({c.item for c, confirmed_how in found if confirmed_how == how}, key=qnum)
        if named:
            return Verdict(None, blocks, (code, f"{key}: {', '.join(named)} {text}", severity))
    return Verdict(None, False)
