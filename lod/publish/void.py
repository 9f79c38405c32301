"""A VoID description of the dump: size, class partitions, licence, where to get it.

No timestamps: the description must be byte-identical when the data is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from pyoxigraph import Literal, NamedNode, Triple

from lod.namespaces import DCTERMS, RDF, VOID, XSD
from lod.rdf.serialize import compact_iri

_DUMP_LICENSE = "https://creativecommons.org/licenses/by-sa/4.0/"
_VOCABULARIES = (
    "https://schema.org/",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/ns/prov#",
    "https://w3id.org/libcasestudies/ns#",
)


def _count(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(f"{XSD}integer"))


def void_triples(triples: Iterable[Triple], base: str, dumps: Sequence[str]) -> list[Triple]:
    """Statistics about ``triples`` as a ``void:Dataset`` under ``<base>dataset``."""
    materialised = list(triples)
    subjects = {t.subject for t in materialised if isinstance(t.subject, NamedNode)}
    predicates = {t.predicate for t in materialised}
    type_iri = f"{RDF}type"
    classes: Counter[str] = Counter(
        t.object.value
        for t in materialised
        if t.predicate.value == type_iri and isinstance(t.object, NamedNode)
    )
    dataset = NamedNode(f"{base}dataset")
    a = NamedNode(type_iri)

    def v(local: str) -> NamedNode:
        return NamedNode(f"{VOID}{local}")

    out = [
        Triple(dataset, a, v("Dataset")),
        Triple(dataset, NamedNode(f"{DCTERMS}title"),
               Literal("Library and Wikimedia case studies", language="en")),
        Triple(dataset, NamedNode(f"{DCTERMS}description"), Literal(
            "Case studies of libraries working with Wikipedia, Wikidata, Commons and the other "
            "Wikimedia projects, with the vocabularies they use.", language="en")),
        Triple(dataset, NamedNode(f"{DCTERMS}license"), NamedNode(_DUMP_LICENSE)),
        Triple(dataset, v("triples"), _count(len(materialised))),
        Triple(dataset, v("entities"), _count(len(subjects))),
        Triple(dataset, v("distinctSubjects"), _count(len({t.subject for t in materialised}))),
        Triple(dataset, v("properties"), _count(len(predicates))),
        Triple(dataset, v("classes"), _count(len(classes))),
        Triple(dataset, v("uriSpace"), Literal(base)),
        Triple(dataset, v("feature"), NamedNode("http://www.w3.org/ns/formats/Turtle")),
        Triple(dataset, v("feature"), NamedNode("http://www.w3.org/ns/formats/N-Triples")),
        Triple(dataset, v("feature"), NamedNode("http://www.w3.org/ns/formats/JSON-LD")),
    ]
    out += [Triple(dataset, v("vocabulary"), NamedNode(iri)) for iri in _VOCABULARIES]
    out += [Triple(dataset, v("dataDump"), NamedNode(f"{base}dump/{name}")) for name in dumps]
    for cls, count in sorted(classes.items()):
        key = compact_iri(cls).replace(":", "-").replace("/", "-")
        partition = NamedNode(f"{base}dataset/class/{key}")
        out += [
            Triple(dataset, v("classPartition"), partition),
            Triple(partition, v("class"), NamedNode(cls)),
            Triple(partition, v("entities"), _count(count)),
        ]
    return out
