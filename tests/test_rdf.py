"""Records to triples: stable IRIs, and the worked example of docs/model.md stays true."""

from __future__ import annotations

import re
from pathlib import Path

import rdflib
import yaml
from rdflib.compare import isomorphic

from conftest import ROOT
from graphtools import graph_triples, to_jsonld, to_ntriples
from lod.model import CaseStudy, Institution
from lod.namespaces import PREFIXES
from lod.rdf.build import institution_key, iri_segment
from lod.rdf.serialize import to_turtle
from lod.settings import Settings


def institution(**values: str) -> Institution:
    return Institution.model_validate({"name": "Biblioteca", "country": "ES", "type": "public"} | values)


def test_institution_key_prefers_qid_then_isil_then_name() -> None:
    assert institution_key(institution(wikidata="Q42", isil="ES-123")) == "Q42"
    assert institution_key(institution(isil="ES-M/12")) == "isil-ES-M%2F12"
    assert institution_key(institution(name="Biblioteca Pública de Málaga")) == (
        "es-biblioteca-publica-de-malaga"
    )


def test_slug_of_names_without_latin_letters_is_a_stable_hash() -> None:
    first = iri_segment("中国国家图书馆")
    assert first == iri_segment("中国国家图书馆")
    assert first != iri_segment("国家图书馆")
    assert re.fullmatch(r"h[0-9a-f]{12}", first)


def test_docs_worked_example_matches_the_builder() -> None:
    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    example = doc.split("## A worked example", 1)[1]
    record_text = example.split("```yaml\n", 1)[1].split("```", 1)[0]
    turtle_text = example.split("```turtle\n", 1)[1].split("```", 1)[0]
    record = CaseStudy.model_validate(yaml.safe_load(record_text))
    built = rdflib.Graph().parse(
        data=to_ntriples(graph_triples(Settings().base, [record])).decode(), format="nt"
    )
    documented = rdflib.Graph().parse(data=turtle_text, format="turtle")
    assert isomorphic(built, documented), "docs/model.md's worked example is out of date"


def test_turtle_output_parses_and_declares_the_project_prefixes(tmp_path: Path) -> None:
    data = yaml.safe_load((ROOT / "casestudies" / "catalonia-bibliowikis.yaml").read_text("utf-8"))
    record = CaseStudy.model_validate(data)
    text = to_turtle(graph_triples(Settings().base, [record])).decode("utf-8")
    prefixes = [line for line in text.splitlines() if line.startswith("@prefix")]
    assert sorted(prefixes) == sorted(f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items())
    graph = rdflib.Graph().parse(data=text, format="turtle")
    titles = {str(o) for o in graph.objects(None, rdflib.DCTERMS.title)}
    assert set(record.title.values()) == titles


def test_jsonld_keeps_every_awkward_literal() -> None:
    """Quotes, backslashes, control characters, emoji and typed values survive JSON-LD."""
    from pyoxigraph import Literal, NamedNode, Triple

    s, p = NamedNode("https://example.org/s"), NamedNode("https://schema.org/name")
    values = [
        Literal('say "hi" \\ back\\slash'), Literal("line\nbreak\ttab\rcr\x08\x0c\x01"),
        Literal("emoji 📚 and 中文"), Literal("x", language="pt-br"),
        Literal("2012", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYear")),
        Literal("it's"), NamedNode("https://example.org/o"),
        Literal('ends "@en'), Literal('has "^^<x> inside', language="en"),
        Literal('typed "@fr', datatype=NamedNode("https://example.org/dt")),
    ]
    triples = [Triple(s, p, value) for value in values]
    nt = rdflib.Graph().parse(data=to_ntriples(triples).decode(), format="nt")
    jsonld = rdflib.Graph().parse(data=to_jsonld(triples).decode(), format="json-ld")
    assert len(nt) == len(values)
    assert isomorphic(nt, jsonld)
