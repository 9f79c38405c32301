"""A VoID description of the dump: size, class partitions, licence, where to get it.

No timestamps: the description must be byte-identical when the data is.
The statistics are counted on the graph's sorted N-Triples lines in one pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Triple

from lod.namespaces import DCTERMS, RDF, VOID, XSD
from lod.rdf.serialize import compact_iri, split_line

_DUMP_LICENSE = "https://creativecommons.org/licenses/by-sa/4.0/"
_VOCABULARIES = (
    "https://schema.org/",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/ns/prov#",
    "https://w3id.org/libcasestudies/ns#",
)
_RDF_TYPE_TOKEN = f"<{RDF}type>"


@dataclass
class DumpStats:
    """Counts of a set of triples."""

    triples: int = 0
    entities: int = 0  # distinct IRI subjects
    subjects: int = 0  # distinct subjects, blank nodes included
    predicates: set[str] = field(default_factory=set)
    classes: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of_lines(cls, lines: Iterable[str]) -> DumpStats:
        """Counts of sorted, duplicate-free N-Triples lines (read one at a time, not copied)."""
        stats = cls()
        last = ""
        for subject, predicate, obj in map(split_line, lines):
            stats.triples += 1
            if subject != last:
                last = subject
                stats.subjects += 1
                stats.entities += subject[0] == "<"
            stats.predicates.add(predicate[1:-1])
            if predicate == _RDF_TYPE_TOKEN and obj[0] == "<":
                stats.classes[obj[1:-1]] += 1
        return stats


def _count(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(f"{XSD}integer"))


def void_triples(stats: DumpStats, base: str, dumps: Sequence[str]) -> list[Triple]:
    """Statistics ``stats`` as a ``void:Dataset`` under ``<base>dataset``."""
    dataset = NamedNode(f"{base}dataset")
    a = NamedNode(f"{RDF}type")

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
        Triple(dataset, v("triples"), _count(stats.triples)),
        Triple(dataset, v("entities"), _count(stats.entities)),
        Triple(dataset, v("distinctSubjects"), _count(stats.subjects)),
        Triple(dataset, v("properties"), _count(len(stats.predicates))),
        Triple(dataset, v("classes"), _count(len(stats.classes))),
        Triple(dataset, v("uriSpace"), Literal(base)),
        Triple(dataset, v("feature"), NamedNode("http://www.w3.org/ns/formats/Turtle")),
        Triple(dataset, v("feature"), NamedNode("http://www.w3.org/ns/formats/N-Triples")),
        Triple(dataset, v("feature"), NamedNode("http://www.w3.org/ns/formats/JSON-LD")),
    ]
    out += [Triple(dataset, v("vocabulary"), NamedNode(iri)) for iri in _VOCABULARIES]
    out += [Triple(dataset, v("dataDump"), NamedNode(f"{base}dump/{name}")) for name in dumps]
    for cls, count in sorted(stats.classes.items()):
        key = compact_iri(cls).replace(":", "-").replace("/", "-")
        partition = NamedNode(f"{base}dataset/class/{key}")
        out += [
            Triple(dataset, v("classPartition"), partition),
            Triple(partition, v("class"), NamedNode(cls)),
            Triple(partition, v("entities"), _count(count)),
        ]
    return out
