"""Record-by-record SHACL finds what one whole-graph pySHACL run finds, and caches it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from conftest import CASESTUDIES
from lod.ingest import LoadedRecord, load_case_studies
from lod.model.case_study import CaseStudy
from lod.namespaces import DCTERMS, LCS, SCHEMA, VOCAB
from lod.rdf.build import case_study_iri, case_study_triples
from lod.rdf.vocabularies import vocabulary_triples
from lod.settings import Settings
from lod.validate import institutions as institutions_module
from lod.validate import records as by_record
from lod.validate.records import validate_records
from lod.validate.shacl import node_origins, shacl_problems
from lod.validate.shacl_cache import ShaclCache

BASE = Settings().base


def injected(record: CaseStudy) -> Iterable[Triple]:
    """The record's triples with one graph-level error per chosen record."""
    triples = list(case_study_triples(BASE, record))
    cs = NamedNode(case_study_iri(BASE, record.id))
    digit = sum(map(ord, record.id)) % 5
    if digit == 0:  # no title
        triples = [t for t in triples if t.predicate.value != f"{DCTERMS}title"]
    elif digit == 1:  # a second status
        triples.append(Triple(cs, NamedNode(f"{SCHEMA}creativeWorkStatus"), Literal("finished")))
    elif digit == 2:  # a project that is not in the vocabulary
        triples.append(Triple(cs, NamedNode(f"{LCS}project"), NamedNode(f"{VOCAB}project/myspace")))
    elif digit == 3:  # an institution's country taken away
        triples = [t for t in triples if t.predicate.value != f"{LCS}country"]
    return triples


@pytest.fixture(scope="module")
def records() -> list[LoadedRecord]:
    loaded = load_case_studies([CASESTUDIES])
    assert not loaded.problems
    return loaded.records


@pytest.mark.parametrize("parallel_from", [10_000, 0], ids=["in-process", "worker-processes"])
def test_same_problems_as_one_whole_graph_run(
    records: list[LoadedRecord], parallel_from: int
) -> None:
    vocabulary = vocabulary_triples()
    whole: set[Triple] = set(vocabulary)
    for loaded in records:
        whole.update(injected(loaded.record))
    expected = shacl_problems(whole, origins=node_origins(BASE, records))
    assert len(expected) >= len(records) // 2  # the injection did produce problems
    got = validate_records(
        records, base=BASE, vocabulary=vocabulary, workers=2,
        parallel_from=parallel_from, triples_of=injected,
    )
    assert got == expected


def test_cache_answers_without_running_pyshacl(
    records: list[LoadedRecord], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vocabulary = vocabulary_triples()
    cache_file = tmp_path / "shacl.sqlite"
    first = validate_records(records, base=BASE, vocabulary=vocabulary,
                             cache=ShaclCache.open(cache_file), triples_of=injected)
    assert cache_file.is_file()

    def refuse(ntriples: str, *shapes: object) -> list[by_record.RawResult]:
        raise AssertionError("pySHACL ran although every record was cached")

    monkeypatch.setattr(by_record, "_validate_chunk", refuse)
    again = validate_records(records, base=BASE, vocabulary=vocabulary,
                             cache=ShaclCache.open(cache_file), triples_of=injected)
    assert again == first

    # A changed record is checked again; the others still come from the cache.
    checked: list[tuple[str, ...]] = []

    def count(
        ntriples: str, shapes: tuple[str, ...] = by_record.RECORD_SHAPES
    ) -> list[by_record.RawResult]:
        checked.append(tuple(shapes))
        return []

    monkeypatch.setattr(by_record, "_validate_chunk", count)
    validate_records(records, base=BASE, vocabulary=vocabulary, cache=ShaclCache.open(cache_file))
    # One chunk of records (those whose triples differ from the cached run), and the
    # institutions once (what records say of them changed too).
    assert checked.count(by_record.RECORD_SHAPES) == 1
    assert checked.count((by_record.INSTITUTION_SHAPE,)) == 1


def test_unreadable_cache_is_ignored(records: list[LoadedRecord], tmp_path: Path) -> None:
    cache_file = tmp_path / "shacl.sqlite"
    cache_file.write_text("{not a database", encoding="utf-8")
    problems = validate_records(records[:3], base=BASE, vocabulary=vocabulary_triples(),
                                cache=ShaclCache.open(cache_file))
    assert problems == []
    assert len(ShaclCache.open(cache_file).entries) == 4  # three records and their institutions


@pytest.mark.parametrize("part_lines", [20_000, 1])
def test_two_records_describing_one_institution_differently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part_lines: int
) -> None:
    """A conflict no single record shows (one library, two ISILs) is still found,
    whether the institutions are checked as one graph or in many parts."""
    from conftest import VALID_RECORD, write_record

    monkeypatch.setattr(institutions_module, "_PART_LINES", part_lines)
    first = VALID_RECORD.format(id="one").replace("wikidata: Q1234567", "wikidata: Q1234567\n    isil: FR-1")
    second = VALID_RECORD.format(id="two").replace("wikidata: Q1234567", "wikidata: Q1234567\n    isil: FR-2")
    write_record(tmp_path, "one", first)
    write_record(tmp_path, "two", second)
    loaded = load_case_studies([tmp_path])
    assert not loaded.problems
    vocabulary = vocabulary_triples()
    whole = set(vocabulary)
    for item in loaded.records:
        whole.update(case_study_triples(BASE, item.record))
    expected = shacl_problems(whole, origins=node_origins(BASE, loaded.records))
    got = validate_records(loaded.records, base=BASE, vocabulary=vocabulary)
    assert got == expected
    assert [(p.field, p.path.name) for p in got] == [("institutions[0].isil", "one.yaml")]


def test_institution_parts_hold_whole_institutions() -> None:
    lines = [f"<https://e.org/i/{n % 7}> <https://e.org/p{n}> \"{n}\" .\n" for n in range(100)]
    parts = institutions_module.partition(sorted(lines))
    assert sorted(line for part in parts for line in part) == sorted(lines)
    subjects = [{line.split(" ", 1)[0] for line in part} for part in parts]
    assert sum(len(group) for group in subjects) == 7  # no institution in two parts
    assert all(part == sorted(part) for part in parts)


def test_support_read_from_lines_is_the_support_of_the_triples(records: list[LoadedRecord]) -> None:
    from pyoxigraph import RdfFormat, parse

    from lod.rdf.serialize import to_ntriples

    vocabulary = vocabulary_triples()
    types: dict[str, list[Triple]] = {}
    for triple in vocabulary:
        if triple.predicate.value == by_record._RDF_TYPE and isinstance(triple.subject, NamedNode):
            types.setdefault(triple.subject.value, []).append(triple)
    text = "".join(to_ntriples(injected(item.record)).decode("utf-8") for item in records)
    triples = [quad.triple for quad in parse(text.encode("utf-8"), format=RdfFormat.N_TRIPLES)]
    expected = by_record._support(triples, types)
    assert expected
    assert by_record._support_of_text(text, types) == expected
