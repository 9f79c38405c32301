"""The one prefix map of the project: record, vocabulary and ontology IRIs.

Record IRIs (case studies, institutions) live under a configurable base, so a
mirror can mint its own; vocabulary and ontology IRIs are fixed, so that the
catalogue queries and the SHACL shapes work on any build.
"""

from __future__ import annotations

from typing import Final

#: Default base for record IRIs (``<base>casestudy/<id>``, ``<base>institution/<key>``).
DEFAULT_BASE: Final = "https://w3id.org/libcasestudies/"

#: Own small ontology (classes and properties schema.org/DC/PROV do not cover).
LCS: Final = "https://w3id.org/libcasestudies/ns#"
#: Fixed root of the SKOS vocabularies shipped in ``mappings/``.
VOCAB: Final = "https://w3id.org/libcasestudies/vocab/"

SCHEMA: Final = "https://schema.org/"
DCTERMS: Final = "http://purl.org/dc/terms/"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
PROV: Final = "http://www.w3.org/ns/prov#"
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
VOID: Final = "http://rdfs.org/ns/void#"
SH: Final = "http://www.w3.org/ns/shacl#"
WD: Final = "http://www.wikidata.org/entity/"
WDT: Final = "http://www.wikidata.org/prop/direct/"
SPDX: Final = "https://spdx.org/licenses/"

#: Vocabulary schemes: contract field -> IRI path segment under ``VOCAB``.
SCHEME_LIBRARY_TYPE: Final = "library-type"
SCHEME_PROJECT: Final = "project"
SCHEME_ACTIVITY: Final = "activity"
SCHEME_IFLA_UNIT: Final = "ifla-unit"
SCHEME_ROLE: Final = "role"
SCHEME_LINK_KIND: Final = "link-kind"
SCHEME_SUBMITTER_KIND: Final = "submitter-kind"
SCHEME_COUNTRY: Final = "country"

PREFIXES: Final[dict[str, str]] = {
    "lcs": LCS,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "void": VOID,
    "wd": WD,
    "wdt": WDT,
    "spdx": SPDX,
    "libtype": f"{VOCAB}{SCHEME_LIBRARY_TYPE}/",
    "project": f"{VOCAB}{SCHEME_PROJECT}/",
    "activity": f"{VOCAB}{SCHEME_ACTIVITY}/",
    "unit": f"{VOCAB}{SCHEME_IFLA_UNIT}/",
    "role": f"{VOCAB}{SCHEME_ROLE}/",
    "linkkind": f"{VOCAB}{SCHEME_LINK_KIND}/",
    "submitter": f"{VOCAB}{SCHEME_SUBMITTER_KIND}/",
    "country": f"{VOCAB}{SCHEME_COUNTRY}/",
}


def concept_iri(scheme: str, term: str) -> str:
    """IRI of a vocabulary term, e.g. ``concept_iri("project", "commons")``."""
    return f"{VOCAB}{scheme}/{term}"


def scheme_iri(scheme: str) -> str:
    """IRI of a concept scheme (no trailing slash, so it never collides with a term)."""
    return f"{VOCAB}{scheme}"
