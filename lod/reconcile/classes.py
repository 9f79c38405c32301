"""What a record's library type says about a Wikidata item's classes.

Each contract library type is linked to Wikidata classes in
``mappings/library-types.ttl``: ``skos:exactMatch``, and also ``closeMatch``
where the type is the wider of the two (museum, archive) and ``narrowMatch``
(university library under academic): an instance of any of these classes is
an instance of the type. Types without a verified class (school, law, ...)
say only "a library". The matcher asks the endpoint which of these classes
each candidate belongs to (``P31/P279*``) and this module turns the answer
into agree / neutral / conflict. Reading the Turtle file is the only I/O and
happens once, where subjects are built.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode

from lod import resources
from lod.inputs import read_vocabulary
from lod.namespaces import SKOS, WD
from lod.reconcile import wikidata as w
from lod.reconcile.normalise import name_key

ClassMatch = Literal["agree", "neutral", "conflict", "unknown", "n/a"]
Kind = Literal["library", "museum", "archive", "organisation"]

#: Types whose class says nothing about a candidate (beyond "an organisation").
UNTYPED = frozenset({"other", "non-library"})
#: Kinds a candidate must be to fit a type; every other type is a kind of library.
KINDS: dict[str, frozenset[Kind]] = {
    "museum": frozenset({"museum", "library"}),
    "archive": frozenset({"archive", "library"}),
    "other": frozenset({"organisation"}),
    "non-library": frozenset({"organisation"}),
}
#: Pairs of types one institution is often both of on Wikidata (a national library that is
#: a research library, a medical school's library): neither conflicts with the other.
COMPATIBLE = frozenset(
    frozenset(pair)
    for pair in (("academic", "research"), ("national", "research"), ("special", "research"),
                 ("special", "health"), ("academic", "health"))
)
#: Names many libraries share, besides every label of a library type ("City Library",
#: "Law Library", "Stadtbibliothek" come from mappings/library-types.ttl).
GENERIC_NAMES = frozenset(name_key(n) for n in (
    "Library", "Central Library", "Main Library", "State Library", "Regional Library",
    "District Library", "Provincial Library", "County Library", "Branch Library", "Memorial Library",
    "Children's Library", "Reference Library", "Lending Library", "Science Library",
    "Biblioteca", "Biblioteca Central", "Biblioteca Pública", "Biblioteca Municipal",
    "Bibliothèque", "Bibliothèque centrale", "Bibliothèque municipale",
    "Bibliothek", "Zentralbibliothek", "Stadtbibliothek", "Landesbibliothek",
))
_MATCHES = ("exactMatch", "closeMatch", "narrowMatch")


def _kind_roots() -> dict[Kind, frozenset[str]]:
    """The roots of museums and archives, named by their verified labels in lod.reconcile.wikidata."""
    return {kind: frozenset(qid for qid, label in w.organisation_classes().items() if label == kind)
            for kind in ("museum", "archive")}


@dataclass(frozen=True)
class LibraryTypes:
    """The library-type vocabulary as the matcher needs it."""

    classes: dict[str, frozenset[str]]
    labels: frozenset[str]

    def library_classes(self) -> frozenset[str]:
        """Every class linked to a type of library (museum and archive excluded)."""
        return frozenset(q for term, qids in self.classes.items() if term not in KINDS for q in qids)


@dataclass(frozen=True)
class TypeClasses:
    """For one record type: which classes agree, which conflict, what kind it must be."""

    term: str | None = None
    agree: frozenset[str] = frozenset()
    conflict: frozenset[str] = frozenset()
    kinds: frozenset[Kind] = frozenset({"organisation"})
    library: frozenset[str] = field(default_factory=lambda: frozenset(w.library_classes()))

    @property
    def roots(self) -> frozenset[str]:
        """Classes the endpoint must test candidates against for this type."""
        return self.agree | self.conflict | self.library

    @property
    def says_something(self) -> bool:
        """False for ``other``, ``non-library`` and records without a type."""
        return self.term is not None and self.term not in UNTYPED


def read_library_types(path: Path | None = None) -> LibraryTypes:
    """Term -> linked Wikidata classes, and every label, from ``mappings/library-types.ttl``."""
    path = path or resources.mappings_dir() / "library-types.ttl"
    notation: dict[str, str] = {}
    linked: dict[str, set[str]] = {}
    labels: set[str] = set()
    for triple in read_vocabulary(path):
        subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
        if not isinstance(subject, NamedNode):
            continue
        local = predicate.removeprefix(SKOS)
        if local == "notation" and isinstance(obj, RdfLiteral):
            notation[subject.value] = obj.value
        elif local in _MATCHES and isinstance(obj, NamedNode) and obj.value.startswith(WD):
            linked.setdefault(subject.value, set()).add(obj.value.removeprefix(WD))
        elif local in ("prefLabel", "altLabel") and isinstance(obj, RdfLiteral):
            labels.add(name_key(obj.value))
    classes = {term: frozenset(linked.get(iri, ())) for iri, term in notation.items()}
    return LibraryTypes(classes, frozenset(labels))


def type_classes(term: str | None, types: LibraryTypes) -> TypeClasses:
    """What agrees and what conflicts with a record of type ``term`` (see the module docstring)."""
    library = frozenset(w.library_classes()) | types.library_classes()
    if term is None or term in UNTYPED:
        return TypeClasses(term, library=library)
    agree = types.classes.get(term, frozenset())
    conflict: set[str] = set()
    if agree:  # a type without a verified class cannot tell one library class from another
        for other, qids in types.classes.items():
            if other != term and other not in UNTYPED and frozenset({term, other}) not in COMPATIBLE:
                conflict |= qids
    return TypeClasses(term, agree, frozenset(conflict - agree),
                       KINDS.get(term, frozenset({"library"})), library)


def kinds_of(memberships: Iterable[str], types: TypeClasses) -> set[Kind]:
    """The kinds a candidate is, from the root classes it belongs to."""
    found = set(memberships)
    kinds: set[Kind] = set()
    if found & types.library:
        kinds.add("library")
    for kind, roots in _kind_roots().items():
        if found & roots:
            kinds.add(kind)
    if kinds or found & set(w.organisation_classes()):
        kinds.add("organisation")
    return kinds


def class_match(memberships: Iterable[str], types: TypeClasses, *, typed: bool) -> tuple[ClassMatch, str]:
    """Agree / neutral / conflict for one candidate, with the reason in words.

    ``typed`` says whether the item has any ``P31`` at all: an item without
    one is "unknown", which is not a conflict but confirms nothing.
    """
    found = set(memberships)
    if not typed:
        return "unknown", "the item has no instance-of statement"
    if not types.says_something:
        return "n/a", f"type {types.term or 'not given'} says nothing about classes"
    if found & types.agree:
        return "agree", f"in a class of {types.term}: {', '.join(sorted(found & types.agree))}"
    kinds = kinds_of(found, types)
    if not kinds & types.kinds:
        wanted = " or ".join(sorted(types.kinds))
        return "conflict", f"not a {wanted}, as type {types.term} requires"
    if found & types.conflict:
        return "conflict", f"in a class of another type: {', '.join(sorted(found & types.conflict))}"
    return "neutral", f"a {' and '.join(sorted(kinds & types.kinds))}, type {types.term} not confirmed"


def is_generic(name: str, types: LibraryTypes) -> bool:
    """A name many libraries share: a library type's label, or one of :data:`GENERIC_NAMES`."""
    key = name_key(name)
    return key in GENERIC_NAMES or key in types.labels
