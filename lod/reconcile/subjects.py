"""What to reconcile: institutions without a QID and the IFLA units, as plain values.

A subject carries everything the matcher may use as evidence, collected from
every record that names it (an institution named in two case studies is one
subject, with the languages of both). Building subjects is pure; reading
``mappings/ifla-units.ttl`` is the only I/O and happens at the edge.
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
from lod.ledgers import UNIT_PREFIX, institution_subject
from lod.model.case_study import CaseStudy, Institution
from lod.namespaces import LCS, RDF, SKOS
from lod.rdf.build import institution_key
from lod.reconcile.classes import (
    LibraryTypes,
    TypeClasses,
    is_generic,
    read_library_types,
    type_classes,
)
from lod.reconcile.wikidata import IFLA_HOSTS, IFLA_NAMES

SubjectKind = Literal["institution", "ifla-unit"]


@dataclass(frozen=True)
class Subject:
    """One thing of ours to find on Wikidata, with the evidence we hold about it."""

    subject_id: str
    label: str
    kind: SubjectKind
    names: tuple[str, ...]
    languages: tuple[str, ...]
    country: str | None = None
    isil: str | None = None
    viaf: str | None = None
    website: str | None = None
    #: (head, parent) readings of a name like "Central Library, University of X": the head
    #: counts as a name match only when the candidate's parent organisation is the tail.
    qualified_names: tuple[tuple[str, str], ...] = ()
    parent_names: tuple[str, ...] = ()
    parent_hosts: tuple[str, ...] = ()
    expects_library: bool = True
    #: What the record's library type says about a candidate's Wikidata classes.
    types: TypeClasses = field(default_factory=TypeClasses)
    #: The name is one many libraries share ("Central Library"): a name match needs more.
    generic: bool = False

    @property
    def requires_parent(self) -> bool:
        """Units are sections of IFLA: a namesake elsewhere is another body's section."""
        return self.kind == "ifla-unit"


def _record_languages(record: CaseStudy) -> list[str]:
    return [record.lang, *record.title, *record.summary, *record.languages]


def _qualified(name: str) -> tuple[tuple[str, str], ...]:
    head, comma, tail = name.partition(", ")
    if not comma or not head.strip() or not tail.strip():
        return ()
    return ((head.strip(), tail.strip()),)


def institution_subjects(records: Iterable[CaseStudy], types: LibraryTypes | None = None) -> list[Subject]:
    """One subject per distinct institution without a QID, sorted by subject id."""
    return subjects_of_institutions(
        ((institution, _record_languages(record))
         for record in records
         for institution in record.institutions),
        types,
    )


def subjects_of_institutions(named: Iterable[tuple[Institution, Iterable[str]]],
                             types: LibraryTypes | None = None) -> list[Subject]:
    """Subjects from (institution, languages of the record naming it) pairs; QIDs given are skipped.

    ``types`` is the library-type vocabulary (read from ``mappings/`` when not given).
    """
    types = types or read_library_types()
    seen: dict[str, tuple[Institution, list[str]]] = {}
    for institution, record_languages in named:
        if institution.wikidata:
            continue
        key = institution_key(institution)
        _, languages = seen.setdefault(key, (institution, []))
        languages.extend(tag.lower() for tag in record_languages)
    subjects = []
    for key, (institution, languages) in sorted(seen.items()):
        qualified = _qualified(institution.name)
        subjects.append(
            Subject(
                subject_id=institution_subject(key),
                label=institution.name,
                kind="institution",
                names=(institution.name,),
                languages=tuple(dict.fromkeys(languages)) or ("en",),
                country=institution.country,
                isil=institution.isil,
                website=institution.website,
                qualified_names=qualified,
                parent_names=tuple(tail for _, tail in qualified),
                expects_library=institution.type != "non-library",
                types=type_classes(institution.type, types),
                generic=is_generic(institution.name, types),
            )
        )
    return subjects


def unit_subjects(path: Path | None = None) -> list[Subject]:
    """One subject per IFLA unit of ``mappings/ifla-units.ttl`` (names: prefLabel and altLabels)."""
    path = path or resources.mappings_dir() / "ifla-units.ttl"
    kind = NamedNode(f"{LCS}IflaUnit")
    labels: dict[str, dict[str, list[RdfLiteral]]] = {}
    units: set[str] = set()
    for triple in read_vocabulary(path):
        subject, predicate, obj = triple.subject, triple.predicate, triple.object
        if not isinstance(subject, NamedNode):
            continue
        if predicate.value == f"{RDF}type" and obj == kind:
            units.add(subject.value)
        elif predicate.value in (f"{SKOS}prefLabel", f"{SKOS}altLabel") and isinstance(obj, RdfLiteral):
            labels.setdefault(subject.value, {}).setdefault(predicate.value, []).append(obj)
    subjects = []
    for iri in sorted(units):
        found = labels.get(iri, {})
        pref = sorted(found.get(f"{SKOS}prefLabel", []), key=lambda lit: (lit.language or "", lit.value))
        alt = sorted(found.get(f"{SKOS}altLabel", []), key=lambda lit: (lit.language or "", lit.value))
        if not pref:
            continue
        unit_id = iri.rsplit("/", 1)[-1]
        english = next((lit.value for lit in pref if lit.language == "en"), pref[0].value)
        subjects.append(
            Subject(
                subject_id=f"{UNIT_PREFIX}:{unit_id}",
                label=english,
                kind="ifla-unit",
                names=tuple(dict.fromkeys(lit.value for lit in [*pref, *alt])),
                languages=tuple(sorted({(lit.language or "en").lower() for lit in [*pref, *alt]})),
                parent_names=IFLA_NAMES,
                parent_hosts=IFLA_HOSTS,
                expects_library=False,
            )
        )
    return subjects
