"""Each case study's own part of the dumps, as Turtle, JSON-LD and the page's embedded JSON-LD.

A record's part is every line of the pipeline's graph whose subject is the
case study, one of its own nodes (``…/casestudy/<id>#…``) or one of the
institutions it names (with the ledger links stated about them): the lines
the dumps hold about that record, written by the same serialisers, so the
page, its files and the dumps cannot say different things.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lod.model.case_study import CaseStudy
from lod.rdf.build import case_study_iri, institution_iri
from lod.rdf.serialize import jsonld_document, ntriples_text, turtle_of_ntriples


def lines_by_resource(lines: Iterable[str]) -> dict[str, list[str]]:
    """Sorted lines grouped by their subject's IRI without its fragment (one pass)."""
    groups: dict[str, list[str]] = {}
    for line in lines:
        if line[0] != "<":
            continue
        subject = line[1 : line.index(">")]
        groups.setdefault(subject.split("#", 1)[0], []).append(line)
    return groups


def record_lines(base: str, record: CaseStudy, groups: dict[str, list[str]]) -> list[str]:
    """The record's part of the graph, sorted like the dumps."""
    keys = [case_study_iri(base, record.id)]
    keys += [institution_iri(base, item) for item in record.institutions]
    found: set[str] = set()
    for key in dict.fromkeys(keys):
        found.update(groups.get(key, ()))
    return sorted(found)


@dataclass(frozen=True)
class RecordData:
    """The two renderings of one record's part (the page embeds the JSON-LD text)."""

    turtle: bytes
    jsonld: bytes


def record_data(lines: list[str]) -> RecordData:
    """Turtle and JSON-LD of one record's lines."""
    return RecordData(turtle=turtle_of_ntriples(ntriples_text(lines)),
                      jsonld=jsonld_document(lines))
