"""The registry of terms: every predicate and class the graph uses, and where each is accounted for.

A term the builder starts to emit must be (1) declared: in
``mappings/ontology.ttl`` or in one of the named external vocabularies; (2)
constrained by a SHACL shape (``sh:path``, ``sh:targetClass`` or
``sh:class``) or listed in :data:`FREE` with the reason it is left open; and
(3) named in ``docs/model.md``. Each check is a pure function of the graph's
terms and one file's text, so a test can run it on the real files and on a
copy with one line removed, and see it fail (tests/test_term_registry.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import rdflib
from pyoxigraph import NamedNode, Triple

from lod.namespaces import DCTERMS, LCS, OWL, PREFIXES, PROV, RDF, RDFS, SCHEMA, SKOS

#: Vocabularies the project uses but does not define: a term in one of them is declared there.
EXTERNAL: Final[dict[str, str]] = {
    "schema": SCHEMA, "dcterms": DCTERMS, "prov": PROV, "skos": SKOS, "rdf": RDF, "rdfs": RDFS,
    "owl": OWL,
}
#: Terms the shapes leave open on purpose, each with the reason.
FREE: Final[dict[str, str]] = {
    f"{RDF}type": "every shape targets by class; the class itself is what is checked",
    f"{SCHEMA}addressCountry": "a copy of the country code the contract checked (lcs:country is shaped)",
    f"{SCHEMA}sameAs": "states the same item as owl:sameAs, which is shaped",
    f"{LCS}wikiLanguage": "BCP 47 tags checked by the contract (lod/model/terms.py) before RDF is made",
    **{f"{RDFS}{name}": "ontology annotation in mappings/ontology.ttl, curated by hand"
       for name in ("comment", "domain", "range", "isDefinedBy", "label", "subClassOf", "seeAlso")},
    **{f"{SKOS}{name}": "vocabulary annotation in mappings/*.ttl, checked by tests/test_vocabularies.py"
       for name in ("altLabel", "broader", "narrower", "closeMatch", "narrowMatch", "definition",
                    "editorialNote", "historyNote", "scopeNote", "hasTopConcept",
                    "topConceptOf")},
    **{f"{LCS}{name}": "narrative markdown; the contract checks it is non-empty text in the "
       "record's language" for name in ("context", "goals", "implementation", "outcomes",
                                         "lessons", "resources")},
    f"{SCHEMA}ContactPoint": "only contacts with publish: true reach the graph; the contract "
                             "checks them",
    f"{SCHEMA}contactPoint": "only contacts with publish: true reach the graph",
    f"{SCHEMA}email": "an address the contract checked; published only with publish: true",
    f"{DCTERMS}description": "describes a concept scheme or the ontology, curated by hand",
    f"{LCS}era": "IFLA division structure, curated in mappings/ifla-divisions.ttl",
    f"{LCS}inDivision": "IFLA division structure, curated in mappings/ifla-divisions.ttl",
    f"{LCS}periodStart": "IFLA division structure, curated in mappings/ifla-divisions.ttl",
    f"{LCS}periodEnd": "IFLA division structure, curated in mappings/ifla-divisions.ttl",
    **{f"{OWL}{name}": "the ontology's own classes, in mappings/ontology.ttl"
       for name in ("Class", "ObjectProperty", "DatatypeProperty", "Ontology")},
}
_SH = "http://www.w3.org/ns/shacl#"
_DECLARING = {f"{OWL}Class", f"{OWL}ObjectProperty", f"{OWL}DatatypeProperty"}


def used_terms(triples: Iterable[Triple]) -> set[str]:
    """Every predicate, and every class something is typed with, as full IRIs."""
    found: set[str] = set()
    type_iri = f"{RDF}type"
    for triple in triples:
        found.add(triple.predicate.value)
        if triple.predicate.value == type_iri and isinstance(triple.object, NamedNode):
            found.add(triple.object.value)
    return found


def declared_terms(ontology_turtle: str) -> set[str]:
    """The classes and properties ``mappings/ontology.ttl`` declares."""
    graph = rdflib.Graph().parse(data=ontology_turtle, format="turtle")
    return {str(s) for s, o in graph.subject_objects(rdflib.RDF.type) if str(o) in _DECLARING}


def external(term: str) -> str | None:
    """The prefix of the named external vocabulary ``term`` belongs to, if any."""
    for prefix, namespace in EXTERNAL.items():
        if term.startswith(namespace) and re.fullmatch(r"[A-Za-z][\w-]*", term[len(namespace):]):
            return prefix
    return None


def shaped_terms(shapes_turtle: str) -> set[str]:
    """Predicates some shape's ``sh:path`` reaches and classes some shape targets or requires."""
    graph = rdflib.Graph().parse(data=shapes_turtle, format="turtle")
    sh = rdflib.Namespace(_SH)
    found: set[str] = set()
    for path in graph.objects(None, sh.path):
        found.update(_path_iris(graph, path))
    for predicate in (sh.targetClass, sh["class"]):
        found.update(str(o) for o in graph.objects(None, predicate) if isinstance(o, rdflib.URIRef))
    return found


def _path_iris(graph: rdflib.Graph, path: rdflib.term.Node) -> set[str]:
    if isinstance(path, rdflib.URIRef):
        return {str(path)}
    found: set[str] = set()
    if (path, rdflib.RDF.first, None) in graph:
        for item in graph.items(path):
            found.update(_path_iris(graph, item))
    for _, inner in graph.predicate_objects(path):
        if inner != path:
            found.update(_path_iris(graph, inner) if isinstance(inner, rdflib.URIRef) else set())
    return found


def prefixed(term: str) -> str:
    """``lcs:startYear`` for a full IRI (the form docs/model.md uses), else the IRI in <>."""
    for prefix, namespace in PREFIXES.items():
        local = term[len(namespace):]
        if term.startswith(namespace) and re.fullmatch(r"[A-Za-z][\w-]*", local):
            return f"{prefix}:{local}"
    return f"<{term}>"


def documented_terms(markdown: str) -> set[str]:
    """Every ``prefix:Name`` docs/model.md writes inside code (backticks or code blocks)."""
    code = " ".join(re.findall(r"`([^`]*)`", markdown))
    return set(re.findall(r"(?<![\w:/])([a-z]+:[A-Za-z][\w-]*)", code))


def unaccounted(terms: Iterable[str], *, ontology: str, shapes: str, doc: str
                ) -> dict[str, list[str]]:
    """Each term of the graph missing from a source, by source ('' keys never appear)."""
    declared = declared_terms(ontology)
    shaped = shaped_terms(shapes)
    documented = documented_terms(doc)
    missing: dict[str, list[str]] = {}
    for term in sorted(set(terms)):
        if term not in declared and external(term) is None:
            missing.setdefault("not declared in mappings/ontology.ttl", []).append(term)
        if term not in shaped and term not in FREE:
            missing.setdefault("not constrained by a shape nor listed as free", []).append(term)
        if prefixed(term) not in documented:
            missing.setdefault("not named in docs/model.md", []).append(term)
    return missing
