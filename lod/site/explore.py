"""Pages past the case studies: one per institution, per start year, and what a term means.

A researcher browsing the catalogue asks "what else did this library do?",
"what happened in 2017?" and "what exactly is a SIG?": these pages answer
from the same records and graph as every other page. Institutions are keyed
as the graph keys them (:func:`lod.rdf.build.institution_key`), so a library
named the same way in two records has one page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from pyoxigraph import Store

from lod.model.case_study import CaseStudy
from lod.namespaces import VOCAB, WD
from lod.query.run import run_local
from lod.rdf.build import institution_iri, institution_key
from lod.site.listing import Listing
from lod.site.pages import Common, Describe

_MEANINGS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?scheme ?term ?definition ?match WHERE {
  ?concept skos:inScheme ?scheme ; skos:notation ?term .
  OPTIONAL { ?concept skos:definition ?definition . FILTER(LANG(?definition) = "en") }
  OPTIONAL { ?concept skos:exactMatch ?match }
}
"""


@dataclass(frozen=True)
class Meaning:
    """What a vocabulary term means: its definition and its Wikidata item, where the data hold them."""

    definition: str | None = None
    wikidata: str | None = None


def meanings(store: Store) -> dict[str, dict[str, Meaning]]:
    """scheme -> term -> its definition and exact Wikidata match, from the graph."""
    found: dict[str, dict[str, Meaning]] = {}
    for scheme, term, definition, match in run_local(store, _MEANINGS).values():
        if scheme is None or term is None or not scheme.startswith(VOCAB):
            continue
        qid = match[len(WD):] if match and match.startswith(WD) else None
        old = found.setdefault(scheme[len(VOCAB):], {}).get(term, Meaning())
        found[scheme[len(VOCAB):]][term] = Meaning(old.definition or definition,
                                                   old.wikidata or qid)
    return found


@dataclass
class InstitutionPage:
    """One institution with every case study that names it."""

    key: str
    name: str
    type: str
    country: str
    #: Its IRI in the graph, and the Wikidata item the first record naming it gives.
    iri: str
    wikidata: str | None
    #: The records naming it (their numbers in the site's order).
    records: list[int] = field(default_factory=list)


class Institutions:
    """The institutions the records name, gathered one record at a time (first naming wins)."""

    def __init__(self, base: str) -> None:
        self._base = base
        self.found: dict[str, InstitutionPage] = {}

    def add(self, number: int, record: CaseStudy) -> None:
        """Take record ``number`` (records come in the site's order)."""
        for institution in record.institutions:
            key = institution_key(institution)
            page = self.found.get(key)
            if page is None:
                page = self.found[key] = InstitutionPage(
                    key, institution.name, institution.type, institution.country,
                    institution_iri(self._base, institution), institution.wikidata)
            if not page.records or page.records[-1] != number:  # named twice by one record
                page.records.append(number)


def institution_href(key: str) -> str:
    """The page of an institution, relative to the site root."""
    return f"institution/{quote(key, safe='')}.html"


_SAME_AS = f"""
SELECT ?institution ?item WHERE {{
  ?institution a <https://w3id.org/libcasestudies/ns#Institution> ;
               <http://www.w3.org/2002/07/owl#sameAs> ?item .
  FILTER(STRSTARTS(STR(?item), "{WD}"))
}}"""


def items_by_institution(store: Store) -> dict[str, str]:
    """Institution IRI -> its Wikidata item as the graph states it (record or ledger)."""
    return {row[0]: row[1][len(WD):] for row in run_local(store, _SAME_AS).values()
            if row[0] and row[1]}


def institution_pages(common: Common, institutions: Institutions, listing: Listing,
                      known: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    """A page per institution (kind, country, Wikidata item, case studies) and an index.

    ``known`` is :func:`items_by_institution`: the item shown is the one the
    graph states. The pages come one at a time, by path.
    """
    labels = common.labels
    found = institutions.found
    for page in found.values():
        wikidata = known.get(page.iri, page.wikidata)
        facts = [f"Kind: {labels.library_type(page.type)}.",
                 f"Country: {labels.country(page.country)}."]
        links = [(f"../type/{page.type}.html", labels.library_type(page.type)),
                 (f"../country/{page.country}.html", labels.country(page.country))]
        if wikidata:
            links.append((f"https://www.wikidata.org/wiki/{wikidata}",
                          f"Wikidata item {wikidata}"))
        else:
            facts.append("Wikidata item: not known yet.")
        yield institution_href(page.key), common.render(
            "term.html", root="../", title=page.name, heading=page.name, facts=facts,
            links=links, items=listing.items(page.records, in_folder=True), what=page.name,
            unused="")
    ordered = sorted(found.values(), key=lambda p: (p.name.casefold(), p.key))
    yield "institutions.html", common.render(
        "institutions.html", root="", title="Institutions", current="browse",
        rows=[(institution_href(p.key), p.name, labels.library_type(p.type),
               labels.country(p.country), len(p.records)) for p in ordered])


def year_pages(common: Common, listing: Listing) -> Iterator[tuple[str, bytes]]:
    """A page per start year, and one for the case studies that give no start date."""
    for year, numbers in sorted((str(year), numbers) for year, numbers in listing.years.items()):
        yield f"year/{year}.html", common.render(
            "term.html", root="../", title=f"Started in {year}",
            heading=f"Case studies that started in {year}", facts=[], links=[],
            items=listing.items(numbers, in_folder=True), what=f"the year {year}", unused="")
    yield "year/undated.html", common.render(
        "term.html", root="../", title="No start date",
        heading="Case studies that give no start date",
        facts=[("These records state no start date, so a question about time leaves them "
               "out; they are listed here so that nothing is silently dropped.")],
        links=[], items=listing.items(listing.undated, in_folder=True),
        what="an undated case study", unused="")


def describer(found: dict[str, dict[str, Meaning]]) -> Describe:
    """A term page's definition line and Wikidata link, where the data hold them."""
    def describe(scheme: str, term: str) -> tuple[list[str], list[tuple[str, str]]]:
        return term_meaning_facts(found.get(scheme, {}).get(term))
    return describe


def term_meaning_facts(meaning: Meaning | None) -> tuple[list[str], list[tuple[str, str]]]:
    """The definition as a fact line and the exact match as a link, where the data hold them."""
    if meaning is None:
        return [], []
    facts = [f"Definition: {meaning.definition}"] if meaning.definition else []
    links = ([(f"https://www.wikidata.org/wiki/{meaning.wikidata}",
               f"Same as Wikidata item {meaning.wikidata}")] if meaning.wikidata else [])
    return facts, links
