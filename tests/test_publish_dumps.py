"""``lod build``: the five files, their agreement, determinism and atomicity."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import CASESTUDIES, VALID_RECORD, run_lod, write_record
from graphtools import shapes_graph
from lod.publish.dumps import DUMP_FILES, build
from lod.publish.outdir import OutputError
from lod.query.catalog import get_query
from lod.query.run import run_local
from lod.settings import Settings
from lod.validate.engines import shacl_results

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
LCS = rdflib.Namespace("https://w3id.org/libcasestudies/ns#")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "dist"
    result = run_lod("build", "--data", CASESTUDIES, "--out", out)
    assert result.code == 0, result.stderr
    return out


def parse(out: Path, name: str) -> rdflib.Graph:
    formats = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld"}
    return rdflib.Graph().parse(out / name, format=formats[Path(name).suffix])


def test_build_writes_the_five_files_and_the_context(built: Path) -> None:
    for name in (*DUMP_FILES, "context.jsonld"):
        assert (built / name).stat().st_size > 0, name


def test_dumps_are_isomorphic(built: Path) -> None:
    turtle = parse(built, "casestudies.ttl")
    assert isomorphic(turtle, parse(built, "casestudies.nt"))
    assert isomorphic(turtle, parse(built, "casestudies.jsonld"))


def test_jsonld_context_is_inline_and_published(built: Path) -> None:
    document = json.loads((built / "casestudies.jsonld").read_text(encoding="utf-8"))
    context = json.loads((built / "context.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)
    assert document["@context"] == context["@context"]
    # pyoxigraph's own JSON-LD parser (no network access) agrees with the N-Triples dump.
    with (built / "casestudies.jsonld").open("rb") as handle:
        quads = set(pyoxigraph.parse(handle, format=pyoxigraph.RdfFormat.JSON_LD))
    with (built / "casestudies.nt").open("rb") as handle:
        nt = set(pyoxigraph.parse(handle, format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert quads == nt


@pytest.mark.parametrize("name", ["casestudies.ttl", "casestudies.nt", "casestudies.jsonld"])
def test_every_dump_conforms_to_the_shapes(built: Path, name: str) -> None:
    # Each dump read back, as N-Triples, through lod's engine (its agreement with pySHACL is
    # tested case by case in test_shapes.py).
    data = parse(built, name).serialize(format="nt")
    assert shacl_results(data, shapes_graph().serialize(format="turtle")) == []


def test_dump_alone_answers_the_gap_queries(built: Path) -> None:
    store = pyoxigraph.Store()
    store.load(path=str(built / "casestudies.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    gaps = run_local(store, get_query("gaps-ifla-units").text).values()
    assert ("public-libraries",) in gaps
    types = {row[0] for row in run_local(store, get_query("gaps-library-types").text).values()}
    assert "non-library" not in types
    concepts = run_local(store, "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> }")
    assert int(concepts.values()[0][0] or 0) > 249 + 60  # every country and IFLA unit at least


def test_void_counts_match_the_dump(built: Path) -> None:
    void = parse(built, "void.ttl")
    dataset = next(void.subjects(rdflib.RDF.type, VOID.Dataset))
    nt_lines = (built / "casestudies.nt").read_text(encoding="utf-8").count("\n")
    assert int(void.value(dataset, VOID.triples)) == nt_lines
    partitions = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
                  for p in void.objects(dataset, VOID.classPartition)}
    assert partitions[LCS.CaseStudy] == len(list(CASESTUDIES.glob("*.yaml")))
    assert void.value(dataset, rdflib.DCTERMS.license) is not None
    dumps = {str(d).rsplit("/", 1)[1] for d in void.objects(dataset, VOID.dataDump)}
    assert dumps == {"casestudies.ttl", "casestudies.nt", "casestudies.jsonld"}


def test_report_lists_counts_and_gaps(built: Path) -> None:
    report = (built / "report.md").read_text(encoding="utf-8")
    assert f"{len(list(CASESTUDIES.glob('*.yaml')))} case studies" in report
    for heading in ("## Gaps", "## Library types", "## Countries", "## IFLA units",
                    "## Wikimedia projects", "## Activities", "## Start years"):
        assert heading in report
    # No bundled record names an IFLA unit: an empty field, not 60 gaps (issue 24, friction 5).
    assert "No case study names an IFLA unit yet" in report
    assert "public-libraries" not in report
    assert "academic library (academic)" in report  # labels where people read, ids kept


def test_second_build_is_byte_identical(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "dist"
    assert run_lod("build", "--data", CASESTUDIES, "--out", again).code == 0
    for name in (*DUMP_FILES, "context.jsonld"):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


def test_private_contacts_and_notes_never_reach_the_dumps(tmp_path: Path) -> None:
    write_record(tmp_path / "data")
    out = tmp_path / "dist"
    assert run_lod("build", "--data", tmp_path / "data", "--out", out).code == 0
    for name in ("casestudies.ttl", "casestudies.nt", "casestudies.jsonld"):
        text = (out / name).read_text(encoding="utf-8")
        assert "private@example.org" not in text
        assert "Private Person" not in text
        assert "never be published" not in text
        assert "public@example.org" in text


def test_base_iri_is_configurable(tmp_path: Path) -> None:
    write_record(tmp_path / "data")
    out = tmp_path / "dist"
    result = run_lod("build", "--data", tmp_path / "data", "--out", out,
                     "--base", "https://example.org/cs/")
    assert result.code == 0, result.stderr
    graph = parse(out, "casestudies.nt")
    case = rdflib.URIRef("https://example.org/cs/casestudy/lyon-editathon")
    assert (case, rdflib.RDF.type, LCS.CaseStudy) in graph
    institution = rdflib.URIRef("https://example.org/cs/institution/Q1234567")
    assert (case, LCS.involves, institution) in graph
    bad = run_lod("build", "--data", tmp_path / "data", "--out", out, "--base", "not-an-iri")
    assert bad.code == 2
    assert "--base" in bad.stderr


def test_failed_build_leaves_previous_dist_untouched(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_record(data)
    out = tmp_path / "dist"
    (out / "site").mkdir(parents=True)
    (out / "site" / "index.html").write_text("kept", encoding="utf-8")
    settings = Settings(data_dir=data, out_dir=out)
    build(settings)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    second = data / "second.yaml"
    second.write_text(VALID_RECORD.format(id="second"), encoding="utf-8")

    def explode(staging: Path) -> None:
        assert (staging / "casestudies.ttl").exists()
        raise OSError("disk full (injected)")

    with pytest.raises(OutputError, match="injected"):
        build(settings, before_swap=explode)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert (out / "site" / "index.html").read_text(encoding="utf-8") == "kept"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist.")] == [".dist.lock"]

    # A successful build replaces the dumps but keeps what other commands wrote.
    build(settings)
    assert (out / "casestudies.ttl").read_bytes() != before["casestudies.ttl"]
    assert (out / "site" / "index.html").exists()


def test_invalid_data_fails_the_build_and_keeps_dist(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_record(data)
    out = tmp_path / "dist"
    assert run_lod("build", "--data", data, "--out", out).code == 0
    before = (out / "casestudies.ttl").read_bytes()
    write_record(data, "broken", VALID_RECORD.format(id="broken").replace("type: public", "type: pub"))
    result = run_lod("build", "--data", data, "--out", out)
    assert result.code == 1
    assert "broken.yaml" in result.stderr and "institutions[0].type" in result.stderr
    assert (out / "casestudies.ttl").read_bytes() == before


def test_empty_data_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    result = run_lod("build", "--data", tmp_path / "data", "--out", tmp_path / "dist")
    assert result.code == 1
    assert "no case-study files" in result.stderr
    assert not (tmp_path / "dist").exists()
