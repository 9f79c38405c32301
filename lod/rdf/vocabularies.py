"""The SKOS vocabularies every dump carries, whether or not a record uses them.

The curated schemes are the Turtle files in ``mappings/``; the country scheme
is made from ISO 3166-1 (``pycountry``) so that it never goes stale.
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from lod import resources
from lod.inputs import read_vocabulary
from lod.model import terms
from lod.namespaces import DCTERMS, LCS, RDF, SCHEME_COUNTRY, SKOS, concept_iri, scheme_iri


def vocabulary_files(directory: Path | None = None) -> list[Path]:
    """The Turtle vocabularies, sorted so that dumps are reproducible."""
    return sorted((directory or resources.mappings_dir()).glob("*.ttl"))


def vocabulary_file_triples(path: Path) -> tuple[Triple, ...]:
    """The triples of one vocabulary file."""
    return read_vocabulary(path)


def country_triples() -> list[Triple]:
    """One concept per ISO 3166-1 alpha-2 code, with its English short name."""
    a = NamedNode(f"{RDF}type")
    scheme = NamedNode(scheme_iri(SCHEME_COUNTRY))
    triples = [
        Triple(scheme, a, NamedNode(f"{SKOS}ConceptScheme")),
        Triple(scheme, NamedNode(f"{DCTERMS}title"), Literal("Countries (ISO 3166-1)", language="en")),
    ]
    for code, name in terms.countries().items():
        concept = NamedNode(concept_iri(SCHEME_COUNTRY, code))
        triples += [
            Triple(concept, a, NamedNode(f"{SKOS}Concept")),
            Triple(concept, a, NamedNode(f"{LCS}Country")),
            Triple(concept, NamedNode(f"{SKOS}inScheme"), scheme),
            Triple(concept, NamedNode(f"{SKOS}topConceptOf"), scheme),
            Triple(scheme, NamedNode(f"{SKOS}hasTopConcept"), concept),
            Triple(concept, NamedNode(f"{SKOS}notation"), Literal(code)),
            Triple(concept, NamedNode(f"{SKOS}prefLabel"), Literal(name, language="en")),
        ]
    return triples


def vocabulary_triples(directory: Path | None = None) -> set[Triple]:
    """Every concept of every scheme (curated files plus countries)."""
    triples: set[Triple] = set(country_triples())
    for path in vocabulary_files(directory):
        triples.update(vocabulary_file_triples(path))
    return triples
