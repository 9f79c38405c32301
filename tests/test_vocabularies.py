"""The SKOS files in ``mappings/`` against the contract, the unit table and the Wikidata table.

Each vocabulary must hold exactly the terms of ``lod.model.vocab`` (or of
``mappings/ifla-unit-ids.tsv``), every concept must be labelled and defined,
and every Wikidata IRI must be a verified row of ``mappings/wikidata-ids.tsv``.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from lod import namespaces as ns
from lod.model import vocab

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "mappings"
WIKIDATA_TABLE = MAPPINGS / "wikidata-ids.tsv"
UNIT_TABLE = MAPPINGS / "ifla-unit-ids.tsv"
MODEL_DOC = ROOT / "docs" / "model.md"

ONTOLOGY_IRI = URIRef("https://w3id.org/libcasestudies/ns")
XSD_STRING = URIRef(f"{ns.XSD}string")
XSD_GYEAR = URIRef(f"{ns.XSD}gYear")
DIVISION_SCHEME = "ifla-division"

#: file -> (scheme segment, contract terms)
CONTRACT_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "library-types.ttl": (ns.SCHEME_LIBRARY_TYPE, vocab.LIBRARY_TYPES),
    "projects.ttl": (ns.SCHEME_PROJECT, vocab.PROJECTS),
    "activities.ttl": (ns.SCHEME_ACTIVITY, vocab.ACTIVITIES),
    "roles.ttl": (ns.SCHEME_ROLE, vocab.ROLES),
    "link-kinds.ttl": (ns.SCHEME_LINK_KIND, vocab.LINK_KINDS),
    "submitter-kinds.ttl": (ns.SCHEME_SUBMITTER_KIND, vocab.SUBMITTER_KINDS),
}
#: file -> scheme segment, for every concept scheme shipped in mappings/
SCHEME_FILES: dict[str, str] = {
    **{name: scheme for name, (scheme, _) in CONTRACT_FILES.items()},
    "ifla-units.ttl": ns.SCHEME_IFLA_UNIT,
    "ifla-divisions.ttl": DIVISION_SCHEME,
}
EXPECTED_FILES = sorted([*SCHEME_FILES, "ontology.ttl"])

WIKIDATA_COLUMNS = ["id", "label", "kind", "datatype", "note"]
WIKIDATA_ID_RE = re.compile(r"[PQ][1-9][0-9]*")
TERM_ID_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
UNIT_KINDS = {"section", "sig", "working-group"}
LCS_IN_DOC_RE = re.compile(r"\blcs:([A-Za-z][A-Za-z0-9]*)")


# --- loading -----------------------------------------------------------------------------


def ttl_files() -> list[Path]:
    return sorted(MAPPINGS.glob("*.ttl"))


@cache
def graph(name: str) -> Graph:
    return Graph().parse(MAPPINGS / name, format="turtle")


@cache
def all_graphs() -> Graph:
    merged = Graph()
    for path in ttl_files():
        merged += graph(path.name)
    return merged


@cache
def wikidata_rows() -> tuple[dict[str, str], ...]:
    with WIKIDATA_TABLE.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle, delimiter="\t"))


@cache
def unit_rows() -> tuple[dict[str, str], ...]:
    with UNIT_TABLE.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle, delimiter="\t"))


def scheme_ref(scheme: str) -> URIRef:
    return URIRef(ns.scheme_iri(scheme))


def concepts_in(name: str) -> set[Node]:
    g = graph(name)
    return set(g.subjects(SKOS.inScheme, scheme_ref(SCHEME_FILES[name])))


def literals(g: Graph, subject: Node, predicate: URIRef) -> list[Literal]:
    found = list(g.objects(subject, predicate))
    assert all(isinstance(value, Literal) for value in found), (subject, predicate, found)
    return [value for value in found if isinstance(value, Literal)]


def notation(g: Graph, concept: Node) -> str:
    values = literals(g, concept, SKOS.notation)
    assert len(values) == 1, f"{concept}: expected one skos:notation, got {values}"
    return str(values[0])


def label_texts(g: Graph, concept: Node) -> set[str]:
    labels = literals(g, concept, SKOS.prefLabel) + literals(g, concept, SKOS.altLabel)
    return {str(label).casefold() for label in labels}


# --- files --------------------------------------------------------------------------------


def test_every_expected_file_is_present() -> None:
    missing = set(EXPECTED_FILES) - {path.name for path in ttl_files()}
    assert not missing, sorted(missing)


@pytest.mark.parametrize("name", [path.name for path in ttl_files()])
def test_parses_with_rdflib(name: str) -> None:
    assert len(graph(name)) > 0


@pytest.mark.parametrize("name", [path.name for path in ttl_files()])
def test_parses_with_pyoxigraph_to_the_same_triples(name: str) -> None:
    triples = set(pyoxigraph.parse(path=str(MAPPINGS / name), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == len(graph(name))


# --- contract terms -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CONTRACT_FILES))
def test_scheme_holds_exactly_the_contract_terms(name: str) -> None:
    scheme, terms = CONTRACT_FILES[name]
    g = graph(name)
    concepts = concepts_in(name)
    by_notation = {notation(g, concept): concept for concept in concepts}
    assert len(by_notation) == len(concepts), "two concepts share a notation"
    missing = sorted(set(terms) - set(by_notation))
    extra = sorted(set(by_notation) - set(terms))
    assert not missing, f"{name}: contract terms without a concept: {missing}"
    assert not extra, f"{name}: concepts that are not contract terms: {extra}"
    for term, concept in by_notation.items():
        assert concept == URIRef(ns.concept_iri(scheme, term))


def test_unit_table_is_well_formed() -> None:
    rows = unit_rows()
    assert rows, "mappings/ifla-unit-ids.tsv is empty"
    assert list(rows[0]) == ["unit_id", "kind", "name"]
    ids = [row["unit_id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate unit ids"
    for row in rows:
        assert TERM_ID_RE.fullmatch(row["unit_id"]), row
        assert row["kind"] in UNIT_KINDS, row
        assert (row["kind"] == "sig") == row["unit_id"].endswith("-sig"), row
        assert row["name"].strip() == row["name"] != "", row
        assert "section" not in row["unit_id"].split("-"), row


def test_unit_scheme_matches_the_unit_table() -> None:
    name = "ifla-units.ttl"
    g = graph(name)
    unit = URIRef(f"{ns.LCS}IflaUnit")
    unit_kind = URIRef(f"{ns.LCS}unitKind")
    concepts = {notation(g, concept): concept for concept in concepts_in(name)}
    table = {row["unit_id"]: row for row in unit_rows()}
    assert sorted(concepts) == sorted(table)
    for unit_id, row in table.items():
        concept = concepts[unit_id]
        assert concept == URIRef(ns.concept_iri(ns.SCHEME_IFLA_UNIT, unit_id))
        assert (concept, RDF.type, unit) in g, unit_id
        assert [str(v) for v in literals(g, concept, unit_kind)] == [row["kind"]], unit_id
        assert literals(g, concept, SKOS.prefLabel) == [Literal(row["name"], lang="en")], unit_id


# --- concept and scheme metadata ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEME_FILES))
def test_scheme_is_described(name: str) -> None:
    g = graph(name)
    scheme = scheme_ref(SCHEME_FILES[name])
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    titles = literals(g, scheme, DCTERMS.title)
    assert any(title.language == "en" and str(title).strip() for title in titles)
    assert literals(g, scheme, DCTERMS.description)
    assert set(g.subjects(RDF.type, SKOS.ConceptScheme)) == {scheme}


@pytest.mark.parametrize("name", sorted(SCHEME_FILES))
def test_every_concept_is_labelled_defined_and_notated(name: str) -> None:
    g = graph(name)
    concepts = concepts_in(name)
    assert concepts
    assert set(g.subjects(RDF.type, SKOS.Concept)) == concepts, "concept outside its scheme"
    for concept in concepts:
        pref = literals(g, concept, SKOS.prefLabel)
        english = [label for label in pref if label.language == "en"]
        assert len(english) == 1, f"{concept}: expected one prefLabel@en, got {pref}"
        assert str(english[0]).strip(), concept
        languages = [label.language for label in pref]
        assert len(languages) == len(set(languages)), f"{concept}: two prefLabels in one language"
        definitions = literals(g, concept, SKOS.definition)
        assert any(d.language == "en" and len(str(d).split()) >= 4 for d in definitions), concept
        term = literals(g, concept, SKOS.notation)
        assert len(term) == 1, f"{concept}: expected one notation, got {term}"
        assert term[0].language is None and term[0].datatype in (None, XSD_STRING), concept
        assert TERM_ID_RE.fullmatch(str(term[0])), concept
        assert str(concept).endswith(f"/{term[0]}"), f"{concept}: IRI does not end in notation"
        alt = {(str(label), label.language) for label in literals(g, concept, SKOS.altLabel)}
        clash = alt & {(str(label), label.language) for label in pref}
        assert not clash, f"{concept}: labels both preferred and alternative: {clash}"


@pytest.mark.parametrize("name", sorted(SCHEME_FILES))
def test_top_concepts_are_declared_both_ways(name: str) -> None:
    g = graph(name)
    scheme = scheme_ref(SCHEME_FILES[name])
    listed = set(g.objects(scheme, SKOS.hasTopConcept))
    marked = set(g.subjects(SKOS.topConceptOf, scheme))
    assert listed, f"{name}: no top concepts"
    assert listed == marked
    assert listed <= concepts_in(name)
    if name != "ifla-divisions.ttl":
        assert listed == concepts_in(name), f"{name}: every concept should be a top concept"


@pytest.mark.parametrize("name", sorted(SCHEME_FILES))
def test_no_two_concepts_share_a_preflabel(name: str) -> None:
    g = graph(name)
    owners: dict[tuple[str, str | None], set[Node]] = defaultdict(set)
    for concept in concepts_in(name):
        for label in literals(g, concept, SKOS.prefLabel):
            owners[(str(label).casefold(), label.language)].add(concept)
    shared = {label: sorted(map(str, who)) for label, who in owners.items() if len(who) > 1}
    assert not shared, f"{name}: shared prefLabels {shared}"


@pytest.mark.parametrize("name", sorted(SCHEME_FILES))
def test_a_label_points_to_one_concept_only(name: str) -> None:
    """The harvester matches text against all labels, so a label must not be ambiguous."""
    g = graph(name)
    owners: dict[str, set[Node]] = defaultdict(set)
    for concept in concepts_in(name):
        for text in label_texts(g, concept):
            owners[text].add(concept)
    shared = {text: sorted(map(str, who)) for text, who in owners.items() if len(who) > 1}
    assert not shared, f"{name}: labels used by several concepts {shared}"


def test_library_types_have_spanish_french_and_german_labels() -> None:
    g = graph("library-types.ttl")
    for concept in concepts_in("library-types.ttl"):
        languages = {label.language for label in literals(g, concept, SKOS.altLabel)}
        assert {"es", "fr", "de"} <= languages, f"{concept}: missing es/fr/de altLabels"


# --- Wikidata -----------------------------------------------------------------------------


def test_wikidata_table_rows_are_well_formed() -> None:
    rows = wikidata_rows()
    assert rows, "mappings/wikidata-ids.tsv is empty"
    assert list(rows[0]) == WIKIDATA_COLUMNS
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for row in rows:
        assert WIKIDATA_ID_RE.fullmatch(row["id"]), row
        assert row["label"].strip(), row
        expected_kind = "property" if row["id"].startswith("P") else "item"
        assert row["kind"] == expected_kind, row
        if row["kind"] == "property":
            assert row["datatype"].strip(), row
        else:
            assert row["datatype"] == "", row
    order = [(row["kind"], int(row["id"][1:])) for row in rows]
    assert order == sorted(order), "rows must be sorted by kind, then numeric id"


def test_every_wikidata_iri_in_mappings_is_a_verified_item() -> None:
    table = {row["id"]: row for row in wikidata_rows()}
    used: dict[str, str] = {}
    for path in ttl_files():
        for triple in graph(path.name):
            for node in triple:
                text = str(node)
                if isinstance(node, URIRef) and text.startswith(ns.WD):
                    used[text.removeprefix(ns.WD)] = path.name
                elif isinstance(node, URIRef) and text.startswith(ns.WDT):
                    used[text.removeprefix(ns.WDT)] = path.name
    assert used, "no Wikidata IRIs found at all"
    for local, name in sorted(used.items()):
        assert local in table, f"{name}: {local} is not in mappings/wikidata-ids.tsv"
    for local, name in sorted(used.items()):
        if any(str(node) == f"{ns.WD}{local}" for node in graph(name).all_nodes()):
            assert table[local]["kind"] == "item", f"{name}: wd:{local} is not an item"


@pytest.mark.parametrize("name", sorted(SCHEME_FILES))
def test_an_item_is_the_exact_match_of_one_concept_at_most(name: str) -> None:
    g = graph(name)
    targets: dict[Node, set[Node]] = defaultdict(set)
    for concept in concepts_in(name):
        matches = set(g.objects(concept, SKOS.exactMatch))
        assert len(matches) <= 1, f"{concept}: several exact matches"
        for match in matches:
            targets[match].add(concept)
        assert not matches & set(g.objects(concept, SKOS.closeMatch)), concept
    assert all(len(owners) == 1 for owners in targets.values()), targets


# --- IFLA divisions -----------------------------------------------------------------------


def test_units_point_only_to_divisions_with_an_era() -> None:
    units = graph("ifla-units.ttl")
    divisions = graph("ifla-divisions.ttl")
    in_division = URIRef(f"{ns.LCS}inDivision")
    era = URIRef(f"{ns.LCS}era")
    known = concepts_in("ifla-divisions.ttl")
    tops = set(divisions.objects(scheme_ref(DIVISION_SCHEME), SKOS.hasTopConcept))
    targets = set(units.objects(None, in_division))
    assert targets, "no unit is linked to a division"
    assert targets <= known - tops, sorted(map(str, targets - known))
    for division in known - tops:
        eras = list(divisions.objects(division, era))
        assert len(eras) == 1 and eras[0] in tops, division
        assert list(divisions.objects(division, SKOS.broader)) == eras, division


def test_eras_have_typed_years_in_order() -> None:
    g = graph("ifla-divisions.ttl")
    start_p = URIRef(f"{ns.LCS}periodStart")
    end_p = URIRef(f"{ns.LCS}periodEnd")
    tops = set(g.objects(scheme_ref(DIVISION_SCHEME), SKOS.hasTopConcept))
    assert len(tops) == 3
    for top in tops:
        starts = literals(g, top, start_p)
        ends = literals(g, top, end_p)
        assert starts or ends, f"{top}: no period at all"
        assert all(year.datatype == XSD_GYEAR for year in starts + ends), top
        assert literals(g, top, SKOS.scopeNote), f"{top}: no note on uncertainty"
        if starts and ends:
            assert int(str(starts[0])) <= int(str(ends[0])), top


# --- own ontology -------------------------------------------------------------------------


def test_ontology_header() -> None:
    g = graph("ontology.ttl")
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert str(ONTOLOGY_IRI) + "#" == ns.LCS


def own_terms_used_in_mappings() -> set[URIRef]:
    found: set[URIRef] = set()
    for path in ttl_files():
        if path.name == "ontology.ttl":
            continue
        for triple in graph(path.name):
            found |= {n for n in triple if isinstance(n, URIRef) and str(n).startswith(ns.LCS)}
    return found


def own_terms_in_model_doc() -> set[URIRef]:
    text = MODEL_DOC.read_text(encoding="utf-8")
    return {URIRef(f"{ns.LCS}{local}") for local in LCS_IN_DOC_RE.findall(text)}


def test_every_own_term_is_declared_with_label_and_comment() -> None:
    g = graph("ontology.ttl")
    wanted = own_terms_used_in_mappings() | own_terms_in_model_doc()
    assert URIRef(f"{ns.LCS}CaseStudy") in wanted
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    for term in sorted(wanted):
        assert set(g.objects(term, RDF.type)) & kinds, f"{term} is not declared"
        assert any(v.language == "en" for v in literals(g, term, RDFS.label)), term
        assert any(v.language == "en" for v in literals(g, term, RDFS.comment)), term
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g, term


def test_ontology_declares_nothing_unused() -> None:
    g = graph("ontology.ttl")
    declared = {s for s in g.subjects(RDFS.isDefinedBy, ONTOLOGY_IRI) if isinstance(s, URIRef)}
    unused = declared - own_terms_used_in_mappings() - own_terms_in_model_doc()
    assert not unused, sorted(map(str, unused))
