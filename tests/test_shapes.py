"""The SHACL shapes in ``shapes/``: each node shape accepts a real record and rejects a broken one.

Every graph here starts from a record validated by the contract models and built
by the real pipeline (``graph_triples`` plus ``vocabulary_triples``, through
N-Triples into rdflib, as ``lod.validate.shacl`` does). Violating graphs are the
same graph with a few triples removed or added, and each test states exactly
which shape, path and constraint component must fire, on which focus node.

The shapes use no ``sh:node``: a linked node is checked with ``sh:class`` (every
vocabulary concept is also typed with its scheme's class, ``lcs:WikimediaProject``
and so on), and the shapes of associations, links, submitters and terms are
targeted by class. So every result is a top-level one on the node to fix,
never nested under ``sh:detail``. Each scheme with a class also has a scheme shape
(``lcsh:<Name>SchemeShape``, targeting the scheme IRI) whose property shape
``[ sh:inversePath skos:inScheme ]`` requires that class: a concept put in a vocabulary
without its scheme's class is reported once, against the vocabulary.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import pyshacl
import pytest
import rdflib
from pyoxigraph import RdfFormat, parse
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from graphtools import graph_triples, pyshacl_graph_results, shapes_graph, to_ntriples
from lod import resources
from lod.ingest.load import load_case_studies
from lod.model.case_study import (
    CaseStudy,
    Institution,
    Link,
    Period,
    Source,
    SubmittedBy,
    WikidataCreate,
)
from lod.namespaces import (
    DCTERMS,
    DEFAULT_BASE,
    LCS,
    OWL,
    PREFIXES,
    PROV,
    SCHEMA,
    SKOS,
    WD,
    XSD,
    concept_iri,
    scheme_iri,
)
from lod.rdf.vocabularies import vocabulary_triples
from lod.validate.engines import ShaclResult, shacl_results
from lod.validate.shacl import node_origins, shacl_problems, shapes_text
from tests.conftest import ROOT

LCSH = "https://w3id.org/libcasestudies/shapes#"

# --------------------------------------------------------------------------- the record

#: A real record that names every kind of node the shapes look at: a submitter,
#: IFLA units, two institutions (one with QID, ISIL and website), a link, a period,
#: a source and the record's own Wikidata item.
RECORD = {
    "id": "lyon-editathon",
    "status": "reviewed",
    "lang": "en",
    "title": {"en": "A library edit-a-thon", "fr": "Un edit-a-thon en bibliothèque"},
    "summary": {"en": "A public library ran an edit-a-thon on local history."},
    "submitted_by": {
        "kind": "ifla-unit",
        "unit": "public-libraries",
        "name": "IFLA Public Libraries Section",
    },
    "ifla_units": ["art-libraries"],
    "institutions": [
        {
            "name": "Bibliothèque municipale de Lyon",
            "country": "FR",
            "type": "public",
            "role": "lead",
            "isil": "FR-693836101",
            "wikidata": "Q1234567",
            "website": "https://www.bm-lyon.fr/",
        },
        {"name": "Wikimédia France", "country": "FR", "type": "non-library"},
    ],
    "wikimedia_projects": ["wikipedia", "commons"],
    "activities": ["editathon"],
    "languages": ["fr"],
    "period": {"start": "2019-03", "end": "2019"},
    "links": [{"url": "https://example.org/report", "title": "Report", "kind": "report"}],
    "contacts": [{"name": "Public Person", "email": "public@example.org", "publish": True}],
    "source": {
        "url": "https://outreach.wikimedia.org/wiki/Example",
        "revision": 42,
        "retrieved": "2026-11-20",
    },
    "wikidata": "Q42",
}

# Nodes of the record's graph, as docs/model.md mints them.
CS = URIRef(f"{DEFAULT_BASE}casestudy/lyon-editathon")
ASSOC1 = URIRef(f"{CS}#institution-1")
ASSOC2 = URIRef(f"{CS}#institution-2")
LINK1 = URIRef(f"{CS}#link-1")
SUBMITTER = URIRef(f"{CS}#submitter")
INST1 = URIRef(f"{DEFAULT_BASE}institution/Q1234567")  # the QID is the key
INST2 = URIRef(f"{DEFAULT_BASE}institution/fr-wikimedia-france")  # country + slug


def ns(namespace: str) -> Callable[[str], URIRef]:
    return lambda local: URIRef(f"{namespace}{local}")


lcs, schema, dcterms, skos, prov, owl, lcsh = (
    ns(LCS),
    ns(SCHEMA),
    ns(DCTERMS),
    ns(SKOS),
    ns(PROV),
    ns(OWL),
    ns(LCSH),
)
xsd = ns(XSD)


def concept(scheme: str, term: str) -> URIRef:
    return URIRef(concept_iri(scheme, term))


def scheme(name: str) -> URIRef:
    return URIRef(scheme_iri(name))


Triple3 = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]


@cache
def _shared_record_graph() -> rdflib.Graph:
    """The conforming graph, built once; only :func:`the_record` hands it out."""
    record = CaseStudy.model_validate(RECORD)
    triples = graph_triples(DEFAULT_BASE, [record]) | vocabulary_triples()
    graph = rdflib.Graph()
    graph.parse(data=to_ntriples(triples).decode("utf-8"), format="nt")
    return graph


@cache
def _record_triples() -> frozenset[Triple3]:
    return frozenset(_shared_record_graph())


@contextmanager
def the_record(*mutations: Mutation) -> Iterator[rdflib.Graph]:
    """The conforming graph with ``mutations`` applied, put back as it was on leaving.

    A copy of the graph costs a test more than lod's engine does (rdflib's store
    indexes every triple again), so the tests share one graph: whatever a test
    changed, by a mutation or by hand, is undone afterwards by comparing the graph
    with the conforming triples (even when the test fails), and the next test
    starts from exactly those.
    """
    graph = _shared_record_graph()
    conforming = _record_triples()  # taken before any test could change the graph
    try:
        for mutation in mutations:
            mutation(graph)
        yield graph
    finally:
        now = set(graph)
        for triple in now - conforming:
            graph.remove(triple)
        for triple in conforming - now:
            graph.add(triple)
    assert len(graph) == len(conforming), "the shared record graph was not put back"


def _nt_lines(triples: Iterable[Triple3]) -> frozenset[str]:
    """Each triple's N-Triples line as rdflib writes it (one line per triple, whatever else
    the graph holds)."""
    graph = rdflib.Graph()
    for triple in triples:
        graph.add(triple)
    return frozenset(line for line in graph.serialize(format="nt").splitlines(keepends=True)
                     if line.strip())


@cache
def _record_lines() -> frozenset[str]:
    return _nt_lines(_record_triples())


def ntriples(graph: rdflib.Graph) -> str:
    """``graph`` as N-Triples, lines sorted. For the shared record graph, the conforming
    graph's lines (written once) less the removed triples' plus the added ones': the same
    lines as writing the whole graph again, at a fraction of the cost."""
    if graph is not _shared_record_graph():
        return graph.serialize(format="nt")
    conforming, now = _record_triples(), set(graph)
    lines = (_record_lines() - _nt_lines(conforming - now)) | _nt_lines(now - conforming)
    return "".join(sorted(lines))


def record_graph() -> rdflib.Graph:
    """A fresh, mutable copy of the conforming graph (for a caller that keeps it)."""
    copy = rdflib.Graph()
    store = copy.store
    for triple in _record_triples():  # what Graph.add does, less its checks (the triples are
        store.add(triple, copy)       # the conforming graph's own): a third of the copy's time
    return copy


@cache
def project_shapes() -> rdflib.Graph:
    """The project's shapes graph, parsed once: for the tests that only read it (and pySHACL,
    which only reads it); a test that changes shapes takes its own :func:`shapes_graph`."""
    return shapes_graph()


@cache
def _project_shapes_turtle() -> str:
    """The project's shapes as the engine sees them in :func:`validate` (serialized once: the
    graph is the same every time, and rdflib's Turtle writer is slow)."""
    return project_shapes().serialize(format="turtle")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Fired:
    """One validation result: the node shape it belongs to, the path, the component, the focus."""

    shape: str
    path: str | None
    component: str
    focus: URIRef


def _compact(term: rdflib.term.Node | None) -> str | None:
    if term is None:
        return None
    text = str(term)
    for prefix, namespace in [*PREFIXES.items(), ("lcsh", LCSH), ("sh", str(SH))]:
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def _oracle(data: rdflib.Graph, data_text: str, cache: pytest.Cache | None) -> list[ShaclResult]:
    """pySHACL's results on ``data`` (``data_text``: its N-Triples) with the project's shapes,
    computed once per case.

    pySHACL takes about a second a graph, most of the suite's time. Its answer
    depends only on pySHACL's and rdflib's versions, the shapes' text and the data,
    so it is kept in pytest's cache (.pytest_cache) under a hash of exactly those:
    a fresh clone computes each case once, a change to any of them computes it again.
    """
    lines = sorted(data_text.splitlines())
    if cache is None or any("_:" in line for line in lines):  # blank node labels vary
        return pyshacl_graph_results(data, project_shapes())
    inputs = [pyshacl.__version__, rdflib.__version__, shapes_text(resources.shapes_dir()), lines]
    key = "lod/pyshacl-oracle/" + hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:32]
    kept = cache.get(key, None)
    if kept is not None:
        return [ShaclResult(**result) for result in kept]
    results = pyshacl_graph_results(data, project_shapes())
    cache.set(key, [asdict(result) for result in results])
    return results


def validate(data: rdflib.Graph, shapes: str | None = None, *,
             oracle: pytest.Cache | bool | None = False) -> frozenset[Fired]:
    """Run lod's engine and return its results; with ``oracle``, after checking pySHACL agrees.

    ``shapes``: Turtle (see :func:`targeted`), the project's shapes without it.
    Both engines see the same N-Triples and Turtle; every result must be the
    same in both (focus, path, component, severity, shape, field, message, value).
    The oracle runs once per case of the violation table and on the conforming
    record (``oracle`` is then pytest's cache, or None without one; see
    :func:`_oracle`); the table fires every component the other tests here expect
    (sh:class, sh:hasValue among them), and those check lod's engine against
    their own expected results.
    """
    assert oracle is False or shapes is None, "the oracle runs with the project's shapes"
    data_text = ntriples(data)
    shapes_text_ = _project_shapes_turtle() if shapes is None else shapes
    ours = shacl_results(data_text, shapes_text_)
    if oracle is not False:
        theirs = _oracle(data, data_text, oracle if isinstance(oracle, pytest.Cache) else None)
        assert ours == theirs, f"the engines disagree: only lod's {set(ours) - set(theirs)}, " \
            f"only pySHACL's {set(theirs) - set(ours)}"
    return frozenset(_fired_of(result) for result in ours)


def _fired_of(result: ShaclResult) -> Fired:
    path = result.path
    if path is not None and path.startswith("^<"):
        path = f"^{_compact(URIRef(path[2:-1]))}"
    elif path is not None:
        path = _compact(URIRef(path))
    return Fired(
        shape=str(_compact(URIRef(str(result.source_shape)))),
        path=path,
        component=str(_compact(URIRef(result.component))).removeprefix("sh:")
        .removesuffix("ConstraintComponent"),
        focus=URIRef(result.focus),
    )


def targeted(targets: dict[URIRef, Iterable[URIRef]]) -> str:
    """The project's shapes, as Turtle, where some shapes also target explicit nodes (the
    ``sh:targetNode`` statements follow the shapes' own, one full-IRI triple a line)."""
    extra = "".join(f"<{shape}> <{SH.targetNode}> <{node}> .\n"
                    for shape, nodes in targets.items() for node in nodes)
    return f"{_project_shapes_turtle()}\n{extra}"


def F(shape: str, path: str | None, component: str, focus: URIRef) -> Fired:  # noqa: N802
    return Fired(shape, path, component, focus)


# --------------------------------------------------------------------------- the shapes files

NODE_SHAPES = {
    "CaseStudyShape", "AssociationShape", "LinkShape", "SubmitterShape", "InstitutionShape",
    "ConceptShape", "IflaUnitShape", "ConceptSchemeShape", "LibraryTypeTermShape",
    "ProjectTermShape", "ActivityTermShape", "RoleTermShape", "LinkKindTermShape",
    "SubmitterKindTermShape", "CountryTermShape",
    "LibraryTypeSchemeShape", "ProjectSchemeShape", "ActivitySchemeShape", "RoleSchemeShape",
    "LinkKindSchemeShape", "SubmitterKindSchemeShape", "CountrySchemeShape", "IflaUnitSchemeShape",
    "RegionTermShape", "RegionSchemeShape", "CountryRegionShape",
}  # fmt: skip


def shape_files() -> list[Path]:
    return sorted(resources.shapes_dir().glob("*.ttl"))


def test_there_are_shapes_files() -> None:
    names = {path.name for path in shape_files()}
    assert {"case_study.shapes.ttl", "institution.shapes.ttl", "concepts.shapes.ttl"} <= names


@pytest.mark.parametrize("path", shape_files(), ids=lambda p: p.name)
def test_shapes_file_parses(path: Path) -> None:
    graph = rdflib.Graph()
    graph.parse(path, format="turtle")
    assert len(graph) > 0
    assert set(graph.subjects(RDF.type, SH.NodeShape)), f"{path.name} declares no sh:NodeShape"
    # The same file through the other RDF stack the project uses.
    with path.open("rb") as handle:
        assert len(list(parse(handle, format=RdfFormat.TURTLE))) == len(graph)


def test_every_node_shape_is_covered_here() -> None:
    declared = {
        str(shape).removeprefix(LCSH) for shape in project_shapes().subjects(RDF.type, SH.NodeShape)
    }
    assert declared == NODE_SHAPES


def test_shapes_use_no_sh_node() -> None:
    """Linked nodes are checked by class and by their own targeted shapes, never by sh:node.

    A ``sh:node`` would bring back nested ``sh:detail`` results (which lod reports
    under the referring node) and one shape run per value.
    """
    shapes = project_shapes()
    assert set(shapes.subject_objects(SH.node)) == set()
    assert set(shapes.subjects(RDF.type, SH.NodeShape)) == {lcsh(name) for name in NODE_SHAPES}


#: Classes the shapes may name that the project does not define itself.
EXTERNAL_CLASSES = {
    schema("CreativeWork"), schema("Organization"), schema("WebPage"),
    prov("Association"), skos("Concept"), skos("ConceptScheme"),
}  # fmt: skip


def _ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(resources.mappings_dir() / "ontology.ttl", format="turtle")
    return graph


def _classes_named_by_shapes() -> set[rdflib.term.Node]:
    shapes = project_shapes()
    return set(shapes.objects(None, SH["class"])) | set(shapes.objects(None, SH.targetClass))


def test_every_class_in_the_shapes_is_declared() -> None:
    """Each sh:class / sh:targetClass is an owl:Class of mappings/ontology.ttl or a known external class.

    A typo in a class IRI would make a sh:class check reject every value (or a
    sh:targetClass silently select nothing).
    """
    ontology = _ontology()
    own = set(ontology.subjects(RDF.type, owl("Class")))
    assert all(str(c).startswith(LCS) for c in own)
    assert not any(str(c).startswith(LCS) for c in EXTERNAL_CLASSES)
    named = _classes_named_by_shapes()
    assert named - own <= EXTERNAL_CLASSES, named - own - EXTERNAL_CLASSES
    # every external class listed is really used, and so is every lcs: class of the ontology
    assert EXTERNAL_CLASSES <= named, EXTERNAL_CLASSES - named
    assert own <= named, own - named


def test_every_class_a_property_requires_has_a_targeted_shape() -> None:
    """What sh:node used to do: a value required to be of class C is itself checked,
    because some node shape targets C (so its own properties are validated)."""
    shapes = project_shapes()
    required = {
        cls for prop in shapes.subjects(SH.path, None) for cls in shapes.objects(prop, SH["class"])
    }
    targeted_classes = set(shapes.objects(None, SH.targetClass))
    assert required >= {
        lcs("Institution"), prov("Association"), schema("WebPage"), lcs("Submitter"),
        lcs("WikimediaProject"), lcs("Activity"), lcs("IflaUnit"), lcs("Role"),
        lcs("LinkKind"), lcs("SubmitterKind"), lcs("Country"), lcs("LibraryType"),
    }  # fmt: skip
    assert required <= targeted_classes, required - targeted_classes


#: Each term shape: the scheme whose concepts it checks, and the class it targets.
TERM_SHAPE_CLASSES = {
    "LibraryTypeTermShape": ("library-type", "LibraryType"),
    "ProjectTermShape": ("project", "WikimediaProject"),
    "ActivityTermShape": ("activity", "Activity"),
    "RoleTermShape": ("role", "Role"),
    "LinkKindTermShape": ("link-kind", "LinkKind"),
    "SubmitterKindTermShape": ("submitter-kind", "SubmitterKind"),
    "CountryTermShape": ("country", "Country"),
    "IflaUnitShape": ("ifla-unit", "IflaUnit"),
    "RegionTermShape": ("region", "Region"),
}


@pytest.mark.parametrize("shape_name", sorted(TERM_SHAPE_CLASSES))
def test_term_shape_targets_its_scheme_class(shape_name: str) -> None:
    """The shape targets the scheme's class, a subclass of skos:Concept, and requires that scheme;
    in the real vocabularies the class's instances are exactly the scheme's concepts."""
    name, local = TERM_SHAPE_CLASSES[shape_name]
    cls = lcs(local)
    shapes = project_shapes()
    shape = lcsh(shape_name)
    assert set(shapes.objects(shape, SH.targetClass)) == {cls}
    assert set(shapes.objects(shape, SH["class"])) == {skos("Concept")}
    required = {
        value
        for prop in shapes.objects(shape, SH.property)
        if shapes.value(prop, SH.path) == skos("inScheme")
        for value in shapes.objects(prop, SH.hasValue)
    }
    assert required == {scheme(name)}
    assert (cls, RDFS.subClassOf, skos("Concept")) in _ontology()
    with the_record() as graph:
        instances = {s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}
        assert instances
        assert instances == set(_in_scheme(graph, name))


def _bundled_build() -> rdflib.Graph:
    loaded = load_case_studies([ROOT / "casestudies"])
    assert loaded.problems == [] and loaded.records
    triples = graph_triples(DEFAULT_BASE, [r.record for r in loaded.records]) | vocabulary_triples()
    graph = rdflib.Graph()
    graph.parse(data=to_ntriples(triples).decode("utf-8"), format="nt")
    return graph


def _instances(graph: rdflib.Graph, cls: rdflib.term.Node) -> set[rdflib.term.Node]:
    """SHACL instances of ``cls``: typed with it or with one of its subclasses, in ``graph``."""
    subclasses = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in subclasses for s in graph.subjects(RDF.type, c)}


#: Targeted classes of optional nodes that no bundled record has yet; the full record
#: above (built by the same pipeline) must have them instead.
NOT_YET_BUNDLED = {lcs("Submitter")}  # no bundled record says who submitted it


def test_every_targeted_class_is_instantiated_in_a_real_build() -> None:
    """No sh:targetClass selects nothing in a real build of casestudies/ (a dead shape, e.g.
    a class the builder never mints, would pass every test not aiming it at a node by hand)."""
    classes = set(project_shapes().objects(None, SH.targetClass))
    assert classes >= NOT_YET_BUNDLED
    bundled = _bundled_build()
    for cls in classes - NOT_YET_BUNDLED:
        assert _instances(bundled, cls), f"no instance of {_compact(cls)} in the bundled build"
    with the_record() as graph:
        for cls in NOT_YET_BUNDLED:
            assert _instances(graph, cls), f"no instance of {_compact(cls)} in the record"


def _shacl_shacl() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(
        data=files("pyshacl").joinpath("assets/shacl-shacl.ttl").read_text("utf-8"), format="turtle"
    )
    return graph


#: A node shape of the tests' own, beside the project's: its property shape has a
#: non-integer sh:minCount, which SHACL-SHACL must reject.
MALFORMED_SHAPE, MALFORMED_PROPERTY = lcsh("MalformedShape"), BNode()


Result3 = tuple[rdflib.term.Node | None, rdflib.term.Node | None, rdflib.term.Node | None]


@cache
def _shacl_shacl_report() -> tuple[bool, frozenset[Result3], frozenset[Result3], str]:
    """SHACL-SHACL on the project's shapes plus :data:`MALFORMED_SHAPE`, in one pySHACL run:
    whether they conform, the results on a node of the project's shapes and on any other
    node, each as (focus, path, component), and the report's text.

    The malformed shape shares no node with the project's shapes (it targets a class
    of its own), and SHACL-SHACL reports each result on the shape node at fault, so
    the project's shapes conform exactly when no result is on one of their nodes;
    one run (about a second) answers both tests below.
    """
    shapes = shapes_graph()
    assert (MALFORMED_SHAPE, None, None) not in shapes
    own_nodes = set(shapes.all_nodes())  # blank nodes too: the same parse pySHACL reports on
    shapes.add((MALFORMED_SHAPE, RDF.type, SH.NodeShape))
    shapes.add((MALFORMED_SHAPE, SH.targetClass, URIRef("https://example.org/Malformed")))
    shapes.add((MALFORMED_SHAPE, SH.property, MALFORMED_PROPERTY))
    shapes.add((MALFORMED_PROPERTY, SH.path, dcterms("title")))
    shapes.add((MALFORMED_PROPERTY, SH.minCount, Literal("one")))
    conforms, report, text = pyshacl.validate(
        shapes, shacl_graph=_shacl_shacl(), inference="none", allow_warnings=True
    )
    results = {
        (report.value(result, SH.focusNode), report.value(result, SH.resultPath),
         report.value(result, SH.sourceConstraintComponent))
        for result in report.objects(None, SH.result)
    }
    on_own = frozenset(result for result in results if result[0] in own_nodes)
    return conforms, on_own, frozenset(results - on_own), text


def test_shapes_conform_to_shacl_shacl() -> None:
    """pySHACL's own meta-SHACL switch (``meta_shacl=True``) runs this same validation, on its
    pickled copy of shacl-shacl.ttl, before validating any data: it passes when this does."""
    _, on_own, _, text = _shacl_shacl_report()
    assert on_own == frozenset(), text


def test_shacl_shacl_check_rejects_a_malformed_shape() -> None:
    """The meta check above can fail: a shape with a non-integer sh:minCount is rejected."""
    conforms, _, on_others, text = _shacl_shacl_report()
    assert not conforms
    assert on_others == {(MALFORMED_PROPERTY, SH.minCount, SH.DatatypeConstraintComponent)}, text


_FIELD_MODELS = {
    "CaseStudyShape": CaseStudy,
    "InstitutionShape": Institution,
    "AssociationShape": Institution,  # an association is traced to institutions[i]
    "LinkShape": Link,
    "SubmitterShape": SubmittedBy,
}
_NESTED = {"period": Period, "source": Source, "wikidata": WikidataCreate}


@pytest.mark.parametrize("shape_name", sorted(_FIELD_MODELS))
def test_sh_name_is_a_contract_field(shape_name: str) -> None:
    """Each record-side property shape names the YAML field it comes from (used for line numbers)."""
    shapes = project_shapes()
    model = _FIELD_MODELS[shape_name]
    names = [shapes.value(p, SH.name) for p in shapes.objects(lcsh(shape_name), SH.property)]
    assert names
    for name in names:
        assert name is not None, f"a property shape of {shape_name} has no sh:name"
        first, _, rest = str(name).partition(".")
        assert first in model.model_fields, (
            f"{shape_name}: {name} is not a field of {model.__name__}"
        )
        if rest:
            sub = _NESTED.get(first)
            assert sub is not None and rest in sub.model_fields, name


# --------------------------------------------------------------------------- conforming graphs


def test_record_graph_conforms(request: pytest.FixtureRequest) -> None:
    with the_record() as graph:
        # the nodes the violations below rely on are really there
        for node in (CS, ASSOC1, ASSOC2, LINK1, SUBMITTER, INST1, INST2):
            assert (node, RDF.type, None) in graph, node
        assert validate(graph, oracle=getattr(request.config, "cache", None)) == frozenset()


def _in_scheme(graph: rdflib.Graph, name: str) -> list[URIRef]:
    return [s for s in graph.subjects(skos("inScheme"), scheme(name)) if isinstance(s, URIRef)]


_SHAPE_NODES: dict[str, Callable[[rdflib.Graph], list[URIRef]]] = {
    "CaseStudyShape": lambda g: [CS],
    "AssociationShape": lambda g: [ASSOC1, ASSOC2],
    "LinkShape": lambda g: [LINK1],
    "SubmitterShape": lambda g: [SUBMITTER],
    "InstitutionShape": lambda g: [INST1, INST2],
    "ConceptShape": lambda g: list(g.subjects(RDF.type, skos("Concept"))),
    "IflaUnitShape": lambda g: list(g.subjects(RDF.type, lcs("IflaUnit"))),
    "ConceptSchemeShape": lambda g: list(g.subjects(RDF.type, skos("ConceptScheme"))),
    "LibraryTypeTermShape": lambda g: _in_scheme(g, "library-type"),
    "ProjectTermShape": lambda g: _in_scheme(g, "project"),
    "ActivityTermShape": lambda g: _in_scheme(g, "activity"),
    "RoleTermShape": lambda g: _in_scheme(g, "role"),
    "LinkKindTermShape": lambda g: _in_scheme(g, "link-kind"),
    "SubmitterKindTermShape": lambda g: _in_scheme(g, "submitter-kind"),
    "CountryTermShape": lambda g: _in_scheme(g, "country"),
    "LibraryTypeSchemeShape": lambda g: [scheme("library-type")],
    "ProjectSchemeShape": lambda g: [scheme("project")],
    "ActivitySchemeShape": lambda g: [scheme("activity")],
    "RoleSchemeShape": lambda g: [scheme("role")],
    "LinkKindSchemeShape": lambda g: [scheme("link-kind")],
    "SubmitterKindSchemeShape": lambda g: [scheme("submitter-kind")],
    "CountrySchemeShape": lambda g: [scheme("country")],
    "IflaUnitSchemeShape": lambda g: [scheme("ifla-unit")],
    "RegionTermShape": lambda g: _in_scheme(g, "region"),
    "RegionSchemeShape": lambda g: [scheme("region")],
    "CountryRegionShape": lambda g: _in_scheme(g, "country"),
}


def test_every_shape_accepts_the_real_nodes() -> None:
    """Each shape, aimed explicitly at every node of the record graph it is meant for, passes.

    All shapes are aimed at once (one run of each engine): a result would name its shape.
    """
    assert set(_SHAPE_NODES) == NODE_SHAPES
    with the_record() as graph:
        targets = {}
        for shape_name, nodes_of in sorted(_SHAPE_NODES.items()):
            nodes = nodes_of(graph)
            assert nodes, f"the record graph has no node for {shape_name}"
            targets[lcsh(shape_name)] = nodes
        assert validate(graph, targeted(targets)) == frozenset()


def test_vocabulary_sizes_are_what_the_contract_says() -> None:
    """Non-vacuity of the term-shape checks: every contract term is a concept in its scheme."""
    from lod.model import terms, vocab

    expected = {
        "library-type": vocab.LIBRARY_TYPES,
        "project": vocab.PROJECTS,
        "activity": vocab.ACTIVITIES,
        "role": vocab.ROLES,
        "link-kind": vocab.LINK_KINDS,
        "submitter-kind": vocab.SUBMITTER_KINDS,
        "ifla-unit": terms.ifla_unit_ids(),
        "country": tuple(terms.countries()),
    }
    with the_record() as graph:
        for name, ids in expected.items():
            assert set(_in_scheme(graph, name)) == {concept(name, term) for term in ids}, name


# --------------------------------------------------------------------------- violating graphs

Mutation = Callable[[rdflib.Graph], None]


def drop(subject: URIRef, predicate: URIRef, obj: rdflib.term.Node | None = None) -> Mutation:
    def apply(graph: rdflib.Graph) -> None:
        assert (subject, predicate, obj) in graph, (subject, predicate, obj)
        graph.remove((subject, predicate, obj))

    return apply


def add(subject: URIRef, predicate: URIRef, obj: rdflib.term.Node) -> Mutation:
    def apply(graph: rdflib.Graph) -> None:
        assert (subject, predicate, obj) not in graph
        graph.add((subject, predicate, obj))

    return apply


def replace(subject: URIRef, predicate: URIRef, obj: rdflib.term.Node) -> Mutation:
    def apply(graph: rdflib.Graph) -> None:
        assert (subject, predicate, None) in graph, (subject, predicate)
        graph.set((subject, predicate, obj))

    return apply


def both(*mutations: Mutation) -> Mutation:
    def apply(graph: rdflib.Graph) -> None:
        for mutation in mutations:
            mutation(graph)

    return apply


CSS, INS, ASS, LNK, SUB = (
    "lcsh:CaseStudyShape", "lcsh:InstitutionShape", "lcsh:AssociationShape",
    "lcsh:LinkShape", "lcsh:SubmitterShape",
)  # fmt: skip
CON, IFU, SCH = "lcsh:ConceptShape", "lcsh:IflaUnitShape", "lcsh:ConceptSchemeShape"
PRJ, PRS = "lcsh:ProjectTermShape", "lcsh:ProjectSchemeShape"
FR_TITLE = Literal("Un edit-a-thon en bibliothèque", lang="fr")
UNUSED_PROJECT = concept("project", "wikinews")
UNUSED_UNIT = concept("ifla-unit", "cataloguing")

VIOLATIONS: dict[str, tuple[Mutation, set[Fired]]] = {
    # ---- lcsh:CaseStudyShape (target class lcs:CaseStudy)
    "case-study/no-title": (
        both(
            drop(CS, dcterms("title"), Literal("A library edit-a-thon", lang="en")),
            drop(CS, dcterms("title"), FR_TITLE),
        ),
        {F(CSS, "dcterms:title", "MinCount", CS)},
    ),
    "case-study/two-statuses": (
        add(CS, schema("creativeWorkStatus"), Literal("draft")),
        {F(CSS, "schema:creativeWorkStatus", "MaxCount", CS)},
    ),
    "case-study/unknown-status": (
        replace(CS, schema("creativeWorkStatus"), Literal("archived")),
        {F(CSS, "schema:creativeWorkStatus", "In", CS)},
    ),
    "case-study/bad-id": (
        replace(CS, dcterms("identifier"), Literal("Lyon_Editathon")),
        {F(CSS, "dcterms:identifier", "Pattern", CS)},
    ),
    "case-study/two-languages": (
        add(CS, schema("inLanguage"), Literal("fr")),
        {F(CSS, "schema:inLanguage", "MaxCount", CS)},
    ),
    "case-study/untagged-title": (
        both(drop(CS, dcterms("title"), FR_TITLE), add(CS, dcterms("title"), Literal("Untagged"))),
        {F(CSS, "dcterms:title", "Datatype", CS)},
    ),
    "case-study/two-titles-one-language": (
        add(CS, dcterms("title"), Literal("Autre titre", lang="fr")),
        {F(CSS, "dcterms:title", "UniqueLang", CS)},
    ),
    "case-study/summary-too-long": (
        replace(CS, dcterms("abstract"), Literal("x" * 1501, lang="en")),
        {F(CSS, "dcterms:abstract", "MaxLength", CS)},
    ),
    # The dumps carry mappings/ontology.ttl (lcs:CaseStudy rdfs:subClassOf schema:CreativeWork),
    # and sh:class follows rdfs:subClassOf in the data graph: the explicit type alone may go.
    "case-study/no-explicit-creative-work-type": (
        drop(CS, RDF.type, schema("CreativeWork")),
        set(),
    ),
    "case-study/not-a-creative-work": (
        both(
            drop(CS, RDF.type, schema("CreativeWork")),
            drop(lcs("CaseStudy"), RDFS.subClassOf, schema("CreativeWork")),
        ),
        {F(CSS, None, "Class", CS)},
    ),
    "case-study/same-as-not-wikidata": (
        replace(CS, owl("sameAs"), URIRef("https://example.org/entity/Q42")),
        {F(CSS, "owl:sameAs", "Pattern", CS)},
    ),
    "case-study/two-wikidata-items": (
        add(CS, owl("sameAs"), URIRef(f"{WD}Q43")),
        {F(CSS, "owl:sameAs", "MaxCount", CS)},
    ),
    # A concept of another scheme is not of the scheme's class: the record's own shape says so.
    "case-study/project-outside-project-scheme": (
        both(
            drop(CS, lcs("project"), concept("project", "commons")),
            add(CS, lcs("project"), concept("activity", "editathon")),
        ),
        {F(CSS, "lcs:project", "Class", CS)},
    ),
    # The class, not the scheme, is what the record's shape checks: a project concept that
    # lost its lcs:WikimediaProject type is rejected where it is used, and its vocabulary's
    # scheme shape reports it on the scheme (ProjectTermShape no longer targets it).
    "case-study/project-without-its-scheme-class": (
        drop(concept("project", "commons"), RDF.type, lcs("WikimediaProject")),
        {
            F(CSS, "lcs:project", "Class", CS),
            F(PRS, "^skos:inScheme", "Class", scheme("project")),
        },
    ),
    "case-study/no-project": (
        both(
            drop(CS, lcs("project"), concept("project", "commons")),
            drop(CS, lcs("project"), concept("project", "wikipedia")),
        ),
        {F(CSS, "lcs:project", "MinCount", CS)},
    ),
    "case-study/activity-outside-activity-scheme": (
        add(CS, lcs("activity"), concept("project", "wikidata")),
        {F(CSS, "lcs:activity", "Class", CS)},
    ),
    "case-study/ifla-unit-not-a-unit": (
        add(CS, lcs("iflaUnit"), concept("library-type", "public")),
        {F(CSS, "lcs:iflaUnit", "Class", CS)},
    ),
    "case-study/no-institution": (
        both(drop(CS, lcs("involves"), INST1), drop(CS, lcs("involves"), INST2)),
        {F(CSS, "lcs:involves", "MinCount", CS)},
    ),
    "case-study/start-date-untyped": (
        replace(CS, schema("startDate"), Literal("2019-03")),
        {F(CSS, "schema:startDate", "Or", CS)},
    ),
    "case-study/two-end-dates": (
        add(CS, schema("endDate"), Literal("2020", datatype=xsd("gYear"))),
        {F(CSS, "schema:endDate", "MaxCount", CS)},
    ),
    "case-study/no-license": (
        drop(CS, dcterms("license")),
        {F(CSS, "dcterms:license", "MinCount", CS)},
    ),
    "case-study/source-not-http": (
        replace(CS, dcterms("source"), URIRef("ftp://example.org/page")),
        {F(CSS, "dcterms:source", "Pattern", CS)},
    ),
    "case-study/revision-zero": (
        replace(CS, lcs("sourceRevision"), Literal(0)),
        {F(CSS, "lcs:sourceRevision", "MinInclusive", CS)},
    ),
    "case-study/retrieved-not-a-date": (
        replace(CS, lcs("retrieved"), Literal("2026-11", datatype=xsd("gYearMonth"))),
        {F(CSS, "lcs:retrieved", "Datatype", CS)},
    ),
    "case-study/two-source-dois": (
        both(add(CS, lcs("sourceDoi"), Literal("10.1234/a")), add(CS, lcs("sourceDoi"), Literal("10.1234/b"))),
        {F(CSS, "lcs:sourceDoi", "MaxCount", CS)},
    ),
    "case-study/doi-with-resolver": (
        add(CS, lcs("sourceDoi"), Literal("https://doi.org/10.1234/a")),
        {F(CSS, "lcs:sourceDoi", "Pattern", CS)},
    ),
    "case-study/published-untyped": (
        add(CS, lcs("sourcePublished"), Literal("2019-03")),
        {F(CSS, "lcs:sourcePublished", "Or", CS)},
    ),
    "case-study/create-something-else": (
        add(CS, lcs("wikidataCreate"), Literal("library")),
        {F(CSS, "lcs:wikidataCreate", "In", CS)},
    ),
    "case-study/project-name-untagged": (
        add(CS, lcs("projectName"), Literal("Bibliowikis")),
        {F(CSS, "lcs:projectName", "Datatype", CS)},
    ),
    # ---- lcsh:AssociationShape (reached through prov:qualifiedAssociation)
    # ---- lcsh:AssociationShape (target class prov:Association)
    # Absent is absent: a record that states no role gives no prov:hadRole, and that conforms.
    "association/no-role": (
        drop(ASSOC1, prov("hadRole")),
        set(),
    ),
    "association/two-roles": (
        add(ASSOC1, prov("hadRole"), concept("role", "funder")),
        {F(ASS, "prov:hadRole", "MaxCount", ASSOC1)},
    ),
    "association/role-outside-role-scheme": (
        add(ASSOC2, prov("hadRole"), concept("link-kind", "report")),
        {F(ASS, "prov:hadRole", "Class", ASSOC2)},
    ),
    "association/two-agents": (
        add(ASSOC1, prov("agent"), INST2),
        {F(ASS, "prov:agent", "MaxCount", ASSOC1)},
    ),
    "association/agent-not-an-institution": (
        replace(ASSOC2, prov("agent"), URIRef("https://example.org/somebody")),
        {F(ASS, "prov:agent", "Class", ASSOC2)},
    ),
    # Untyped, the association escapes its shape (its record states no role), but the case
    # study's sh:class on prov:qualifiedAssociation catches it.
    "association/not-an-association": (
        drop(ASSOC2, RDF.type, prov("Association")),
        {F(CSS, "prov:qualifiedAssociation", "Class", CS)},
    ),
    # An association no case study points to is still checked: the shape is targeted.
    "association/dangling-association-without-agent": (
        both(
            add(URIRef(f"{CS}#institution-9"), RDF.type, prov("Association")),
            add(URIRef(f"{CS}#institution-9"), prov("hadRole"), concept("role", "lead")),
        ),
        {F(ASS, "prov:agent", "MinCount", URIRef(f"{CS}#institution-9"))},
    ),
    # ---- lcsh:LinkShape (reached through lcs:link)
    # ---- lcsh:LinkShape (target class schema:WebPage)
    "link/url-not-http": (
        replace(LINK1, schema("url"), URIRef("ftp://example.org/report")),
        {F(LNK, "schema:url", "Pattern", LINK1)},
    ),
    # The literal matches ^https?:// as a string: only the node kind is wrong.
    "link/url-is-a-literal": (
        replace(LINK1, schema("url"), Literal("https://example.org/report")),
        {F(LNK, "schema:url", "NodeKind", LINK1)},
    ),
    "link/no-url": (
        drop(LINK1, schema("url")),
        {F(LNK, "schema:url", "MinCount", LINK1)},
    ),
    "link/two-urls": (
        add(LINK1, schema("url"), URIRef("https://example.org/report-2")),
        {F(LNK, "schema:url", "MaxCount", LINK1)},
    ),
    # Untyped, the link escapes LinkShape (its bad URL goes unseen), but the case study's
    # sh:class on lcs:link catches the node.
    "link/not-a-web-page": (
        both(
            drop(LINK1, RDF.type, schema("WebPage")),
            replace(LINK1, schema("url"), URIRef("ftp://example.org/report")),
        ),
        {F(CSS, "lcs:link", "Class", CS)},
    ),
    "link/kind-outside-link-kind-scheme": (
        replace(LINK1, lcs("linkKind"), concept("role", "lead")),
        {F(LNK, "lcs:linkKind", "Class", LINK1)},
    ),
    # ---- lcsh:SubmitterShape (reached through lcs:submittedBy)
    # ---- lcsh:SubmitterShape (target class lcs:Submitter)
    "submitter/no-kind": (
        drop(SUBMITTER, lcs("submitterKind")),
        {F(SUB, "lcs:submitterKind", "MinCount", SUBMITTER)},
    ),
    "submitter/kind-outside-submitter-kind-scheme": (
        replace(SUBMITTER, lcs("submitterKind"), concept("library-type", "public")),
        {F(SUB, "lcs:submitterKind", "Class", SUBMITTER)},
    ),
    "submitter/unit-not-a-unit": (
        replace(SUBMITTER, lcs("iflaUnit"), concept("project", "commons")),
        {F(SUB, "lcs:iflaUnit", "Class", SUBMITTER)},
    ),
    # A second, well-formed submitter: only the count is wrong.
    "submitter/two-submitters": (
        both(
            add(CS, lcs("submittedBy"), URIRef(f"{CS}#submitter-2")),
            add(URIRef(f"{CS}#submitter-2"), RDF.type, lcs("Submitter")),
            add(
                URIRef(f"{CS}#submitter-2"),
                lcs("submitterKind"),
                concept("submitter-kind", "individual"),
            ),
        ),
        {F(CSS, "lcs:submittedBy", "MaxCount", CS)},
    ),
    # Untyped, the submitter escapes SubmitterShape (it has no kind here), but the case
    # study's sh:class on lcs:submittedBy catches it.
    "submitter/not-a-submitter": (
        both(drop(SUBMITTER, RDF.type, lcs("Submitter")), drop(SUBMITTER, lcs("submitterKind"))),
        {F(CSS, "lcs:submittedBy", "Class", CS)},
    ),
    # ---- lcsh:InstitutionShape (target class lcs:Institution)
    "institution/no-country": (
        drop(INST2, lcs("country")),
        {F(INS, "lcs:country", "MinCount", INST2)},
    ),
    "institution/no-library-type": (
        drop(INST1, lcs("libraryType")),
        {F(INS, "lcs:libraryType", "MinCount", INST1)},
    ),
    "institution/library-type-outside-scheme": (
        replace(INST1, lcs("libraryType"), concept("project", "wikipedia")),
        {F(INS, "lcs:libraryType", "Class", INST1)},
    ),
    # country:ZZ is no concept of the graph: it has no type, so no term shape targets it.
    "institution/country-not-in-iso-3166": (
        replace(INST2, lcs("country"), concept("country", "ZZ")),
        {F(INS, "lcs:country", "Class", INST2)},
    ),
    "institution/no-name": (
        drop(INST2, schema("name")),
        {F(INS, "schema:name", "MinCount", INST2)},
    ),
    "institution/empty-name": (
        replace(INST2, schema("name"), Literal("")),
        {F(INS, "schema:name", "MinLength", INST2)},
    ),
    "institution/tagged-name": (
        replace(INST2, schema("name"), Literal("Wikimédia France", lang="fr")),
        {F(INS, "schema:name", "Datatype", INST2)},
    ),
    "institution/isil-malformed": (
        replace(INST1, lcs("isil"), Literal("FR 693836101")),
        {F(INS, "lcs:isil", "Pattern", INST1)},
    ),
    "institution/isil-too-long": (
        replace(INST1, lcs("isil"), Literal("FR-69383610123456")),
        {F(INS, "lcs:isil", "Pattern", INST1), F(INS, "lcs:isil", "MaxLength", INST1)},
    ),
    "institution/same-as-not-wikidata": (
        replace(INST1, owl("sameAs"), URIRef("https://www.wikidata.org/wiki/Q1234567")),
        {F(INS, "owl:sameAs", "Pattern", INST1)},
    ),
    "institution/two-wikidata-items": (
        add(INST1, owl("sameAs"), URIRef(f"{WD}Q1")),
        {F(INS, "owl:sameAs", "MaxCount", INST1)},
    ),
    "institution/website-not-http": (
        replace(INST1, schema("url"), URIRef("mailto:info@bm-lyon.fr")),
        {F(INS, "schema:url", "Pattern", INST1)},
    ),
    "institution/not-an-organization": (
        both(
            drop(INST2, RDF.type, schema("Organization")),
            drop(lcs("Institution"), RDFS.subClassOf, schema("Organization")),
        ),
        {F(INS, None, "Class", INST2)},
    ),
    # INST2 is no longer targeted by InstitutionShape; both nodes pointing at it complain.
    "institution/not-an-institution": (
        drop(INST2, RDF.type, lcs("Institution")),
        {
            F(CSS, "lcs:involves", "Class", CS),
            F(ASS, "prov:agent", "Class", ASSOC2),
        },
    ),
    # ---- lcsh:ConceptShape (target class skos:Concept)
    "concept/no-notation": (
        drop(UNUSED_PROJECT, skos("notation")),
        {F(CON, "skos:notation", "MinCount", UNUSED_PROJECT)},
    ),
    "concept/two-notations": (
        add(concept("country", "ES"), skos("notation"), Literal("ESP")),
        {F(CON, "skos:notation", "MaxCount", concept("country", "ES"))},
    ),
    "concept/no-pref-label": (
        drop(UNUSED_PROJECT, skos("prefLabel")),
        {F(CON, "skos:prefLabel", "MinCount", UNUSED_PROJECT)},
    ),
    "concept/untagged-pref-label": (
        add(UNUSED_PROJECT, skos("prefLabel"), Literal("Wikinews")),
        {F(CON, "skos:prefLabel", "Datatype", UNUSED_PROJECT)},
    ),
    "concept/two-pref-labels-one-language": (
        add(UNUSED_PROJECT, skos("prefLabel"), Literal("Wiki News", lang="en")),
        {F(CON, "skos:prefLabel", "UniqueLang", UNUSED_PROJECT)},
    ),
    # Wikinews is typed lcs:WikimediaProject, so ProjectTermShape targets it too.
    "concept/no-scheme": (
        drop(UNUSED_PROJECT, skos("inScheme")),
        {
            F(CON, "skos:inScheme", "MinCount", UNUSED_PROJECT),
            F(PRJ, "skos:inScheme", "HasValue", UNUSED_PROJECT),
        },
    ),
    # Still typed lcs:WikimediaProject, the concept passes the record's sh:class; the
    # result is on the concept itself, not on the case study that uses it.
    "concept/used-concept-leaves-its-scheme": (
        drop(concept("project", "commons"), skos("inScheme")),
        {
            F(CON, "skos:inScheme", "MinCount", concept("project", "commons")),
            F(PRJ, "skos:inScheme", "HasValue", concept("project", "commons")),
        },
    ),
    "concept/scheme-not-a-scheme": (
        replace(UNUSED_PROJECT, skos("inScheme"), URIRef("https://example.org/not-a-scheme")),
        {
            F(CON, "skos:inScheme", "Class", UNUSED_PROJECT),
            F(PRJ, "skos:inScheme", "HasValue", UNUSED_PROJECT),
        },
    ),
    # A concept typed with the class of another scheme as well as its own.
    "concept/typed-with-another-schemes-class": (
        add(UNUSED_PROJECT, RDF.type, lcs("Activity")),
        {F("lcsh:ActivityTermShape", "skos:inScheme", "HasValue", UNUSED_PROJECT)},
    ),
    # ... and instead of its own: the other term shape rejects the concept, and its own
    # scheme's shape reports the missing class on the project scheme.
    "concept/typed-with-another-schemes-class-instead-of-its-own": (
        both(
            drop(UNUSED_PROJECT, RDF.type, lcs("WikimediaProject")),
            add(UNUSED_PROJECT, RDF.type, lcs("Activity")),
        ),
        {
            F("lcsh:ActivityTermShape", "skos:inScheme", "HasValue", UNUSED_PROJECT),
            F(PRS, "^skos:inScheme", "Class", scheme("project")),
        },
    ),
    "concept/exact-match-literal": (
        add(UNUSED_PROJECT, skos("exactMatch"), Literal("Q964")),
        {F(CON, "skos:exactMatch", "NodeKind", UNUSED_PROJECT)},
    ),
    # ---- lcsh:IflaUnitShape (target class lcs:IflaUnit)
    "ifla-unit/bad-unit-kind": (
        replace(UNUSED_UNIT, lcs("unitKind"), Literal("division")),
        {F(IFU, "lcs:unitKind", "In", UNUSED_UNIT)},
    ),
    "ifla-unit/no-unit-kind": (
        drop(UNUSED_UNIT, lcs("unitKind")),
        {F(IFU, "lcs:unitKind", "MinCount", UNUSED_UNIT)},
    ),
    "ifla-unit/two-unit-kinds": (
        add(UNUSED_UNIT, lcs("unitKind"), Literal("sig")),
        {F(IFU, "lcs:unitKind", "MaxCount", UNUSED_UNIT)},
    ),
    # Moved into the project scheme, the unit is also a project-scheme concept that is no
    # lcs:WikimediaProject: the project scheme's shape reports it on that scheme.
    "ifla-unit/outside-unit-scheme": (
        replace(UNUSED_UNIT, skos("inScheme"), scheme("project")),
        {
            F(IFU, "skos:inScheme", "HasValue", UNUSED_UNIT),
            F(PRS, "^skos:inScheme", "Class", scheme("project")),
        },
    ),
    "ifla-unit/not-a-concept": (
        both(
            drop(UNUSED_UNIT, RDF.type, skos("Concept")),
            drop(lcs("IflaUnit"), RDFS.subClassOf, skos("Concept")),
        ),
        {F(IFU, None, "Class", UNUSED_UNIT)},
    ),
    "ifla-unit/used-unit-bad-kind": (
        replace(concept("ifla-unit", "art-libraries"), lcs("unitKind"), Literal("committee")),
        {F(IFU, "lcs:unitKind", "In", concept("ifla-unit", "art-libraries"))},
    ),
    # ---- lcsh:ConceptSchemeShape (target class skos:ConceptScheme)
    "concept-scheme/country-scheme-no-title": (
        drop(scheme("country"), dcterms("title")),
        {F(SCH, "dcterms:title", "MinCount", scheme("country"))},
    ),
    "concept-scheme/project-scheme-no-title": (
        drop(scheme("project"), dcterms("title")),
        {F(SCH, "dcterms:title", "MinCount", scheme("project"))},
    ),
}


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
def test_violation_fires_exactly_the_expected_results(case: str, request: pytest.FixtureRequest
                                                     ) -> None:
    mutate, expected = VIOLATIONS[case]
    with the_record(mutate) as graph:
        assert validate(graph, oracle=getattr(request.config, "cache", None)) == frozenset(expected)


# --------------------------------------------------------------------------- term shapes, aimed directly

TERM_SHAPES = {
    "LibraryTypeTermShape": ("library-type", concept("project", "wikipedia")),
    "ProjectTermShape": ("project", concept("activity", "editathon")),
    "ActivityTermShape": ("activity", concept("project", "commons")),
    "RoleTermShape": ("role", concept("link-kind", "report")),
    "LinkKindTermShape": ("link-kind", concept("role", "host")),
    "SubmitterKindTermShape": ("submitter-kind", concept("library-type", "other")),
    "CountryTermShape": ("country", concept("library-type", "national")),
    "RegionTermShape": ("region", concept("country", "ES")),
}


@pytest.mark.parametrize("shape_name", sorted(TERM_SHAPES))
def test_term_shape_rejects_a_concept_of_another_scheme(shape_name: str) -> None:
    name, foreign = TERM_SHAPES[shape_name]
    with the_record() as graph:
        own = _in_scheme(graph, name)
        assert own and foreign not in own
        shapes = targeted({lcsh(shape_name): [*own, foreign]})
        assert validate(graph, shapes) == {
            F(f"lcsh:{shape_name}", "skos:inScheme", "HasValue", foreign)
        }


@pytest.mark.parametrize("shape_name", sorted(TERM_SHAPES))
def test_term_shape_rejects_a_foreign_concept_typed_with_its_class(shape_name: str) -> None:
    """Through its own sh:targetClass, not aimed by hand: a concept of another scheme that
    claims the shape's class is rejected, and nothing else fires."""
    name, foreign = TERM_SHAPES[shape_name]
    cls = lcs(TERM_SHAPE_CLASSES[shape_name][1])
    with the_record() as graph:
        assert (foreign, RDF.type, cls) not in graph and foreign not in _in_scheme(graph, name)
        graph.add((foreign, RDF.type, cls))
        assert validate(graph) == {F(f"lcsh:{shape_name}", "skos:inScheme", "HasValue", foreign)}


@pytest.mark.parametrize("shape_name", sorted(TERM_SHAPES))
def test_term_shape_rejects_something_that_is_not_a_concept(shape_name: str) -> None:
    """Aimed at an untyped node put in its scheme, the term shape says it is no concept;
    being in the scheme without the scheme's class, it also fires the scheme shape."""
    name = TERM_SHAPES[shape_name][0]
    stranger = URIRef("https://example.org/not-a-concept")
    with the_record(add(stranger, skos("inScheme"), scheme(name))) as graph:
        assert validate(graph, targeted({lcsh(shape_name): [stranger]})) == {
            F(f"lcsh:{shape_name}", None, "Class", stranger),
            F(f"lcsh:{SCHEME_SHAPE_OF[name]}", "^skos:inScheme", "Class", scheme(name)),
        }


# --------------------------------------------------------------------------- scheme shapes

#: Each scheme shape and the scheme it targets; the class it requires is the class of
#: that scheme's term shape (TERM_SHAPE_CLASSES).
SCHEME_SHAPES = {
    "LibraryTypeSchemeShape": "library-type",
    "ProjectSchemeShape": "project",
    "ActivitySchemeShape": "activity",
    "RoleSchemeShape": "role",
    "LinkKindSchemeShape": "link-kind",
    "SubmitterKindSchemeShape": "submitter-kind",
    "CountrySchemeShape": "country",
    "RegionSchemeShape": "region",
    "IflaUnitSchemeShape": "ifla-unit",
}
SCHEME_SHAPE_OF = {name: shape for shape, name in SCHEME_SHAPES.items()}
SCHEME_CLASS = {name: lcs(local) for name, local in TERM_SHAPE_CLASSES.values()}

#: A concept of each scheme that the record does not use (only its scheme points at it).
UNUSED_TERM = {
    "library-type": concept("library-type", "academic"),
    "project": UNUSED_PROJECT,
    "activity": concept("activity", "training"),
    "role": concept("role", "funder"),
    "link-kind": concept("link-kind", "dataset"),
    "submitter-kind": concept("submitter-kind", "individual"),
    "country": concept("country", "ES"),
    "ifla-unit": UNUSED_UNIT,
    "region": concept("region", "009"),
}


def _scheme_property_shape(shapes: rdflib.Graph, shape_name: str) -> rdflib.term.Node:
    (prop,) = set(shapes.objects(lcsh(shape_name), SH.property))
    return prop


def test_every_scheme_with_a_class_has_a_scheme_shape() -> None:
    """The scheme shapes cover every scheme of the vocabularies whose concepts have a class;
    the one scheme left out, ifla-division, has no class (its concepts are plain skos:Concept)."""
    assert set(SCHEME_SHAPES) == {
        n for n in NODE_SHAPES if n.endswith("SchemeShape") and n != "ConceptSchemeShape"
    }
    assert set(SCHEME_SHAPES.values()) == set(SCHEME_CLASS)
    with the_record() as graph:
        schemes = set(graph.subjects(RDF.type, skos("ConceptScheme")))
        assert schemes - {scheme(name) for name in SCHEME_SHAPES.values()} == {
            scheme("ifla-division")}
        division = _in_scheme(graph, "ifla-division")
        assert division
        assert {t for c in division for t in graph.objects(c, RDF.type)} == {skos("Concept")}


@pytest.mark.parametrize("shape_name", sorted(SCHEME_SHAPES))
def test_scheme_shape_targets_its_scheme_and_requires_its_class(shape_name: str) -> None:
    """Targeted at the scheme IRI only (a typo there would silently check nothing, so the
    scheme must exist with concepts), with one property shape: ^skos:inScheme, sh:class."""
    name = SCHEME_SHAPES[shape_name]
    shapes = project_shapes()
    shape = lcsh(shape_name)
    targets = {
        (p, o) for p, o in shapes.predicate_objects(shape) if str(p).startswith(f"{SH}target")
    }
    assert targets == {(SH.targetNode, scheme(name))}
    prop = _scheme_property_shape(shapes, shape_name)
    path = shapes.value(prop, SH.path)
    assert isinstance(path, BNode)
    assert set(shapes.predicate_objects(path)) == {(SH.inversePath, skos("inScheme"))}
    assert set(shapes.objects(prop, SH["class"])) == {SCHEME_CLASS[name]}
    assert name in str(shapes.value(prop, SH.message))
    with the_record() as graph:
        assert (scheme(name), RDF.type, skos("ConceptScheme")) in graph
        assert _in_scheme(graph, name)


def _add_term(graph: rdflib.Graph, name: str, *, with_class: bool) -> URIRef:
    """A new term of scheme ``name``, copied from an unused one (labels, unit kind, ...)."""
    template, new = UNUSED_TERM[name], concept(name, "new-term")
    assert (new, None, None) not in graph
    for predicate, obj in list(graph.predicate_objects(template)):
        if predicate == skos("notation"):
            obj = Literal("new-term")
        if (predicate, obj) == (RDF.type, SCHEME_CLASS[name]) and not with_class:
            continue
        graph.add((new, predicate, obj))
    assert new in _in_scheme(graph, name)
    return new


def _scheme_violation(graph: rdflib.Graph, shape_name: str, value: URIRef) -> None:
    """Exactly one result: on the scheme, from the scheme shape's property shape, through
    ^skos:inScheme, with the concept as value, from sh:class (lod's engine; the scheme
    shape has that one property shape, see test_scheme_shape_targets_its_scheme_...)."""
    results = shacl_results(ntriples(graph), _project_shapes_turtle())
    assert len(results) == 1, results
    (result,) = results
    assert result.path == f"^<{skos('inScheme')}>"
    assert result.focus == str(scheme(SCHEME_SHAPES[shape_name]))
    assert result.source_shape == str(lcsh(shape_name))
    assert result.value == f"<{value}>"
    assert result.component == str(SH.ClassConstraintComponent)


@pytest.mark.parametrize("shape_name", sorted(SCHEME_SHAPES))
def test_scheme_shape_accepts_a_new_term_with_its_class(shape_name: str) -> None:
    with the_record() as graph:
        new = _add_term(graph, SCHEME_SHAPES[shape_name], with_class=True)
        assert (new, RDF.type, SCHEME_CLASS[SCHEME_SHAPES[shape_name]]) in graph
        assert validate(graph) == frozenset()


@pytest.mark.parametrize("shape_name", sorted(SCHEME_SHAPES))
def test_scheme_shape_rejects_a_new_term_without_its_class(shape_name: str) -> None:
    """The same new term without the class: reported once, on the vocabulary (no term
    shape targets it, no record uses it)."""
    with the_record() as graph:
        new = _add_term(graph, SCHEME_SHAPES[shape_name], with_class=False)
        _scheme_violation(graph, shape_name, new)


#: Every region concept is pointed to (by countries or sub-regions), so losing its class
#: fires more than the scheme shape; the new-term cases above cover the region scheme.
@pytest.mark.parametrize("shape_name", sorted(set(SCHEME_SHAPES) - {"RegionSchemeShape"}))
def test_scheme_shape_rejects_an_existing_term_that_lost_its_class(shape_name: str) -> None:
    name = SCHEME_SHAPES[shape_name]
    term = UNUSED_TERM[name]
    with the_record() as graph:
        assert set(graph.subjects(None, term)) == {scheme(name)}  # unused by the record
        drop(term, RDF.type, SCHEME_CLASS[name])(graph)
        _scheme_violation(graph, shape_name, term)


# --------------------------------------------------------------------------- results as problems

YAML = """\
id: {id}
status: reviewed
lang: en
title:
  en: A library edit-a-thon
summary:
  en: A public library ran an edit-a-thon on local history.
institutions:
  - name: Biblioteca de Catalunya
    country: ES
    type: national
    wikidata: Q1200925
  - name: Wikimédia France
    country: FR
    type: non-library
    role: partner
wikimedia_projects: [wikipedia]
links:
  - title: Report
    url: https://example.org/report
    kind: report
"""


def _line(text: str, needle: str) -> int:
    """1-based number of the only line of ``text`` that equals ``needle``."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if line == needle]
    assert len(found) == 1, (needle, found)
    return found[0]


def _load(tmp_path: Path, record_id: str = "bc-editathon") -> tuple[Path, str, list]:
    folder = tmp_path / "casestudies"
    folder.mkdir()
    path = folder / f"{record_id}.yaml"
    text = YAML.format(id=record_id)
    path.write_text(text, encoding="utf-8")
    loaded = load_case_studies([folder])
    assert loaded.problems == []
    assert [r.path for r in loaded.records] == [path]
    return path, text, loaded.records


def _problems(records: list, mutate: Callable[[set], set]) -> list:
    triples = graph_triples(DEFAULT_BASE, [r.record for r in records]) | vocabulary_triples()
    return shacl_problems(to_ntriples(mutate(triples)).decode("utf-8"),
                          shapes_text(resources.shapes_dir()),
                          node_origins(DEFAULT_BASE, records), fallback=Path("graph"))


def _without(predicate: str, subject: str | None = None) -> Callable[[set], set]:
    def apply(triples: set) -> set:
        kept = {
            t for t in triples
            if not (t.predicate.value == predicate and (subject is None or t.subject.value == subject))
        }  # fmt: skip
        assert len(kept) < len(triples), f"nothing to remove for {predicate}"
        return kept

    return apply


def test_conforming_file_gives_no_problems(tmp_path: Path) -> None:
    _, _, records = _load(tmp_path)
    assert _problems(records, lambda triples: triples) == []


def test_missing_library_type_points_at_the_type_line(tmp_path: Path) -> None:
    path, text, records = _load(tmp_path)
    institution = f"{DEFAULT_BASE}institution/Q1200925"
    problems = _problems(records, _without(f"{LCS}libraryType", institution))
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.path == path
    assert problem.field == "institutions[0].type"
    assert problem.line == _line(text, "    type: national")
    assert "library type" in problem.message
    assert str(problem).startswith(f"{path}:{problem.line}: institutions[0].type: ")


def test_missing_country_of_second_institution_points_at_its_country_line(tmp_path: Path) -> None:
    path, text, records = _load(tmp_path)
    institution = f"{DEFAULT_BASE}institution/fr-wikimedia-france"
    problems = _problems(records, _without(f"{LCS}country", institution))
    assert [(p.path, p.line, p.field) for p in problems] == [
        (path, _line(text, "    country: FR"), "institutions[1].country")
    ]


def test_missing_title_points_at_the_title_line(tmp_path: Path) -> None:
    path, text, records = _load(tmp_path)
    record = f"{DEFAULT_BASE}casestudy/bc-editathon"
    problems = _problems(records, _without(f"{DCTERMS}title", record))
    assert [(p.path, p.line, p.field) for p in problems] == [(path, _line(text, "title:"), "title")]
    assert "at least one title" in problems[0].message


def _replace_object(subject: str, predicate: str, new: str) -> Callable[[set], set]:
    def apply(triples: set) -> set:
        from pyoxigraph import NamedNode, Triple

        kept = {
            t
            for t in triples
            if not (t.subject.value == subject and t.predicate.value == predicate)
        }
        assert len(kept) == len(triples) - 1
        return kept | {Triple(NamedNode(subject), NamedNode(predicate), NamedNode(new))}

    return apply


NESTED_CASES = {
    # LinkShape: <cs>#link-1 is traced to links[0]; its property shape is named "url".
    "link-url": (
        lambda cs: _replace_object(f"{cs}#link-1", f"{SCHEMA}url", "ftp://example.org/report"),
        "links[0].url",
        "    url: https://example.org/report",
        "http(s) URL",
    ),
    # LinkShape again, through a sh:class check on the link node: "kind" names lcs:linkKind.
    "link-kind": (
        lambda cs: _replace_object(f"{cs}#link-1", f"{LCS}linkKind", concept_iri("role", "lead")),
        "links[0].kind",
        "    kind: report",
        "link-kind vocabulary",
    ),
    # AssociationShape: <cs>#institution-2 is traced to institutions[1]; "role" names prov:hadRole.
    "association-role": (
        lambda cs: _replace_object(f"{cs}#institution-2", f"{PROV}hadRole",
                                   concept_iri("link-kind", "report")),
        "institutions[1].role",
        "    role: partner",
        "at most one role",
    ),
}


@pytest.mark.parametrize("case", sorted(NESTED_CASES))
def test_nested_node_problem_points_at_the_item_field(tmp_path: Path, case: str) -> None:
    """A result on a node hanging off the case study names the list item and field to edit.

    LinkShape and AssociationShape target their nodes by class, so the result's focus is
    ``<cs>#link-i`` / ``<cs>#institution-i``, which ``node_origins`` maps to ``links[i-1]`` /
    ``institutions[i-1]``; the shapes name their fields. A curator is sent to that field's
    line with that shape's message, and there is no second problem on the list as a whole.
    """
    make, field_name, needle, words = NESTED_CASES[case]
    path, text, records = _load(tmp_path)
    problems = _problems(records, make(f"{DEFAULT_BASE}casestudy/bc-editathon"))
    assert [(p.path, p.line, p.field) for p in problems] == [
        (path, _line(text, needle), field_name)
    ]
    assert words in problems[0].message


def test_untyped_association_is_reported_on_the_institutions_list(tmp_path: Path) -> None:
    """An association that lost its prov:Association type escapes AssociationShape; the case
    study's sh:class on prov:qualifiedAssociation reports it on the institutions list."""
    path, text, records = _load(tmp_path)
    association = f"{DEFAULT_BASE}casestudy/bc-editathon#institution-2"

    def untype(triples: set) -> set:
        kept = {
            t for t in triples
            if not (t.subject.value == association and t.predicate.value == str(RDF.type)
                    and t.object.value == f"{PROV}Association")
        }  # fmt: skip
        assert len(kept) == len(triples) - 1
        return kept

    problems = _problems(records, untype)
    assert [(p.path, p.line, p.field) for p in problems] == [
        (path, _line(text, "institutions:"), "institutions")
    ]
    assert "linked through a prov:Association" in problems[0].message
    assert association in problems[0].message  # the offending value is named
