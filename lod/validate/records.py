"""SHACL by record: small graphs, several processes, and a cache of results by content.

pySHACL's cost grows with the number of focus nodes, so one huge graph is not
cheaper than many small ones; but small graphs can be spread over the cores
and, above all, a record whose triples have not changed need not be checked
again. The shapes allow it: every record shape looks only at the record's own
nodes and at the class of the concepts it points to, and the vocabularies are
checked once on their own.

A chunk graph is the chunk's triples plus, for every concept they point to,
its ``rdf:type`` triples: enough for ``sh:class`` and nothing for the concept
shapes to re-check. Only the record shapes run on chunks (``use_shapes``).
How a chunk graph is built cheaply, and which of its triples are skipped, is
:mod:`lod.validate.fastgraph`'s business.

The institutions are one more task for the same pool, submitted first: checked
after the pool, they would be a long serial tail.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rdflib
from pyoxigraph import NamedNode, Triple

from lod import resources
from lod.ingest import LoadedRecord
from lod.model.case_study import CaseStudy
from lod.namespaces import RDF, RDFS
from lod.problems import Problem
from lod.rdf import build as build_module
from lod.rdf.build import case_study_triples
from lod.rdf.serialize import to_ntriples
from lod.rdf.vocabularies import vocabulary_file_triples, vocabulary_files
from lod.validate.fastgraph import (
    graph_from_ntriples,
    indexed_graph,
    read_predicates,
    speed_up_pyshacl,
)
from lod.validate.institutions import institution_nodes, loaded_institution_lines, partition
from lod.validate.shacl import Origin, RawResult, node_origins, problem_from_raw, raw_results
from lod.validate.shacl_cache import ShaclCache

#: The shapes that look at records; the concept shapes run once on the vocabularies.
RECORD_SHAPES = (
    "https://w3id.org/libcasestudies/shapes#CaseStudyShape",
    "https://w3id.org/libcasestudies/shapes#AssociationShape",
    "https://w3id.org/libcasestudies/shapes#LinkShape",
    "https://w3id.org/libcasestudies/shapes#SubmitterShape",
)
INSTITUTION_SHAPE = "https://w3id.org/libcasestudies/shapes#InstitutionShape"
#: Cache slot of the cross-record check (not a record id: ids never contain spaces).
_SHARED = "all institutions"
CHUNK = 100
#: Below this many records to check, starting worker processes costs more than it saves.
PARALLEL_FROM = 400
_RDF_TYPE = f"{RDF}type"
_SUBCLASS_OF = f"{RDFS}subClassOf"


@cache
def _shapes_text() -> str:
    return "".join(
        p.read_text(encoding="utf-8") for p in sorted(resources.shapes_dir().glob("*.ttl"))
    )


@cache
def _worker_shapes() -> rdflib.Graph:
    return indexed_graph().parse(data=_shapes_text(), format="turtle")


@cache
def _kept_predicates(shapes: tuple[str, ...]) -> frozenset[str] | None:
    """The predicates ``shapes`` can look at; the rest of a chunk is not even parsed."""
    return read_predicates(_worker_shapes(), shapes)


def _validate_chunk(ntriples: str, shapes: Sequence[str] = RECORD_SHAPES) -> list[RawResult]:
    """Run the record shapes on one chunk (in a worker process or in this one)."""
    import pyshacl

    speed_up_pyshacl()
    with _collection_paused():
        data = graph_from_ntriples(ntriples, _kept_predicates(tuple(shapes)))
        conforms, results, _ = pyshacl.validate(
            data, shacl_graph=_worker_shapes(), inference="none",
            use_shapes=list(shapes), allow_warnings=True,
        )
        return [] if conforms else raw_results(results, _worker_shapes())


@contextmanager
def _collection_paused() -> Iterator[None]:
    """No garbage collection while a chunk is built and checked.

    A chunk allocates hundreds of thousands of objects that all live until its
    end; collecting on the way only walks them again and again (and, in the
    main process, the whole heap of loaded records). Whatever the chunk leaves
    behind is collected once, when collection resumes.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _support(triples: Iterable[Triple], types: dict[str, list[Triple]]) -> set[Triple]:
    """The ``rdf:type`` triples of every vocabulary node the records point to."""
    found: set[Triple] = set()
    for triple in triples:
        target = triple.object
        if isinstance(target, NamedNode):
            found.update(types.get(target.value, ()))
    return found


def validate_records(
    records: Sequence[LoadedRecord],
    *,
    base: str,
    vocabulary: Iterable[Triple],
    cache: ShaclCache | None = None,
    workers: int | None = None,
    parallel_from: int = PARALLEL_FROM,
    triples_of: Callable[[CaseStudy], Iterable[Triple]] | None = None,
    on_text: Callable[[LoadedRecord, str], object] | None = None,
    sidecar: dict[str, object] | None = None,
    institutions_out: list[str] | None = None,
) -> list[Problem]:
    """SHACL problems of ``records``, checked record by record (cached, in parallel).

    ``triples_of`` replaces the record-to-triples mapping (tests use it to
    inject graph-level errors that the contract models would never let through).
    ``on_text`` is called, where the check runs, with each record checked and
    its N-Triples; what it returns lands in ``sidecar`` by record id. A later
    step that needs the same text (rendering the dumps) does its work there,
    once, instead of building every record's triples again.
    ``institutions_out`` receives every institution line, merged over the
    records and sorted (without the cross-record check's support triples).
    """
    make = triples_of or (lambda record: case_study_triples(base, record))
    vocab = list(vocabulary)
    types: dict[str, list[Triple]] = {}
    axioms: list[Triple] = []
    for triple in vocab:
        if triple.predicate.value == _RDF_TYPE and isinstance(triple.subject, NamedNode):
            types.setdefault(triple.subject.value, []).append(triple)
        elif triple.predicate.value == _SUBCLASS_OF:
            axioms.append(triple)
    salt = hashlib.sha256((_shapes_text() + to_ntriples(vocab).decode("utf-8")).encode("utf-8"))
    store = cache or ShaclCache(None, {})
    keys: dict[str, str] = {}
    # The builder's own source is part of the key: a change to the mapping invalidates all.
    salt.update(Path(build_module.__file__).read_bytes())
    salt.update(f"{base}\n{triples_of is not None}".encode())
    institution_lines: dict[str, list[str]] = {}
    todo: list[int] = []
    for index, loaded in enumerate(records):
        # The record's own content decides its triples (the builder is a pure function
        # of record and base), so a cache hit costs a hash, not a graph: the file's
        # content key when there is one, else the record's JSON.
        digest = salt.copy()
        if triples_of is None and loaded.key:
            digest.update(f"file {loaded.key}".encode())
        elif triples_of is None:
            digest.update(loaded.record.model_dump_json().encode("utf-8"))
        else:
            digest.update(to_ntriples(make(loaded.record)))
        key = digest.hexdigest()
        keys[loaded.id] = key
        known = key in store.entries and (triples_of is not None or key in store.institutions)
        if not known:
            todo.append(index)
            if triples_of is None:
                store.institutions[key] = loaded_institution_lines(base, loaded)
        if triples_of is None:
            institution_lines[loaded.id] = store.institutions[key]
    if triples_of is None:
        merged: set[str] = set()
        for lines in institution_lines.values():
            merged.update(lines)
        ordered_lines = sorted(merged)
        del merged
        if institutions_out is not None:
            institutions_out[:] = ordered_lines
    else:
        text = to_ntriples(institution_nodes(records, base, make)).decode("utf-8")
        ordered_lines = [f"{line}\n" for line in text.split("\n") if line]  # not splitlines: U+2028
    # Institutions are checked once, all together, on what every record says of
    # them: a library named by a hundred records is validated once, and a conflict
    # no single record shows (one library, two ISILs) is found. They are split by
    # institution into parts checked (and cached) on their own: a part holds every
    # line of its institutions, so nothing is lost, the parts run in parallel, and
    # an edit re-checks only the part of the institutions it touched.
    shared_texts: dict[str, str] = {}
    for number, part in enumerate(partition(ordered_lines)):
        text = "".join(part)
        digest = salt.copy()
        digest.update(b"shared\n" + text.encode("utf-8"))
        owner = f"{_SHARED} {number}"
        keys[owner] = digest.hexdigest()
        if keys[owner] not in store.entries:
            support = _support_of_text(text, types) | set(axioms)
            shared_texts[owner] = text + to_ntriples(support).decode("utf-8")
    del ordered_lines
    if todo or shared_texts:
        pool_size = (workers or os.cpu_count() or 1) if len(todo) >= parallel_from else 1
        job = _Job(records, make, types, to_ntriples(axioms).decode("utf-8"), on_text)
        outcome = _check(job, todo, shared_texts, pool_size)
        for record_id, results, side in outcome.records:
            store.entries[keys[record_id]] = results
            if sidecar is not None and on_text is not None:
                sidecar[record_id] = side
        for owner, results in outcome.shared.items():
            store.entries[keys[owner]] = results
    store.save(keys.values())
    found = [raw for owner in keys for raw in store.entries.get(keys[owner], [])]
    if not found:
        return []  # the usual case: no record is read to map problems back to lines
    origins: dict[str, Origin] = node_origins(base, records)
    return sorted({problem_from_raw(raw, origins) for raw in found})


def _start_worker() -> None:
    """Get a pool process ready: everything it inherited is frozen out of garbage collection.

    A forked worker starts with the parent's whole heap (every loaded record);
    each full collection would walk it, and write to every page it walks.
    """
    gc.freeze()
    _warm_up()


def _warm_up() -> None:
    """Import pySHACL and read the shapes once, before any fork shares them."""
    import pyshacl  # noqa: F401

    speed_up_pyshacl()
    _kept_predicates(RECORD_SHAPES)
    _kept_predicates((INSTITUTION_SHAPE,))


@dataclass(frozen=True)
class _Job:
    """What every chunk needs; handed to forked workers by inheritance, never pickled."""

    records: Sequence[LoadedRecord]
    make: Callable[[CaseStudy], Iterable[Triple]]
    types: dict[str, list[Triple]]
    axioms: str
    on_text: Callable[[LoadedRecord, str], object] | None = None


#: One checked record: its id, its results and what ``on_text`` gave.
_Checked = tuple[str, list[RawResult], object]


@dataclass(frozen=True)
class _Outcome:
    records: list[_Checked]
    shared: dict[str, list[RawResult]]


#: The job of the pool being run, set just before its workers are forked.
_FORKED: list[_Job] = []


def _check_indices(indices: Sequence[int], job: _Job | None = None) -> list[_Checked]:
    """Build one chunk's graph from its records, check it, and share the results out.

    In a worker, ``job`` comes from the parent's memory (fork): the records are
    never serialised, and the text of the chunk is made here, on the worker's core.
    """
    job = job or _FORKED[0]
    texts = {}
    sides: dict[str, object] = {}
    for index in indices:
        loaded = job.records[index]
        texts[loaded.id] = to_ntriples(job.make(loaded.model())).decode("utf-8")
        if job.on_text is not None:
            sides[loaded.id] = job.on_text(loaded, texts[loaded.id])
    text = "".join(texts.values())
    support = to_ntriples(_support_of_text(text, job.types)).decode("utf-8")
    results = _validate_chunk(text + support + job.axioms)
    by_record: dict[str, list[RawResult]] = {record_id: [] for record_id in texts}
    for result in results:
        # A node of one record (the case study or its #parts) or a shared
        # institution: the latter belongs to every record that names it.
        needle = f"<{result.focus}>"
        for record_id, record_text in texts.items():
            if needle in record_text:
                by_record[record_id].append(result._replace(record_id=record_id))
    return [(record_id, found, sides.get(record_id)) for record_id, found in by_record.items()]


def _check(job: _Job, todo: list[int], shared_texts: dict[str, str], workers: int) -> _Outcome:
    """Check the records at ``todo`` chunk by chunk, and the institutions' parts."""
    chunks = [todo[start : start + CHUNK] for start in range(0, len(todo), CHUNK)]
    institutions = (INSTITUTION_SHAPE,)
    found: list[_Checked] = []
    shared_results: dict[str, list[RawResult]] = {}
    if workers > 1 or (len(shared_texts) > 1 and (os.cpu_count() or 1) > 1):
        # Workers fork from a process that has pySHACL, the shapes and the job ready.
        _warm_up()
        _FORKED[:] = [job]
        try:
            context = multiprocessing.get_context("fork")
            size = max(workers, min(os.cpu_count() or 1, len(shared_texts)))
            with ProcessPoolExecutor(max_workers=size, mp_context=context,
                                     initializer=_start_worker) as pool:
                # The institutions' parts (big graphs) go first, so they do not end the run.
                shared = {owner: pool.submit(_validate_chunk, text, institutions)
                          for owner, text in shared_texts.items()}
                for part in pool.map(_check_indices, chunks):
                    found.extend(part)
                shared_results = {owner: future.result() for owner, future in shared.items()}
        finally:
            _FORKED.clear()
    else:
        for chunk in chunks:
            found.extend(_check_indices(chunk, job))
        shared_results = {owner: _validate_chunk(text, institutions)
                          for owner, text in shared_texts.items()}
    return _Outcome(found, shared_results)


def _support_of_text(ntriples: str, types: dict[str, list[Triple]]) -> set[Triple]:
    """:func:`_support` for canonical N-Triples lines, read without a parser."""
    found: set[Triple] = set()
    for line in ntriples.split("\n"):
        if line:
            # Subjects and predicates never hold spaces: the object follows the second.
            start = line.index(" ", line.index(" ") + 1) + 1
            if line[start] == "<":  # ``<iri> .``; literals start with a quote, blank nodes with _
                found.update(types.get(line[start + 1 : -3], ()))
    return found


@cache
def _vocabulary_results(ntriples: str) -> tuple[RawResult, ...]:
    import pyshacl

    speed_up_pyshacl()
    data = graph_from_ntriples(ntriples)
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=_worker_shapes(), inference="none", allow_warnings=True
    )
    return () if conforms else tuple(raw_results(results, _worker_shapes()))


def vocabulary_problems(vocabulary: Iterable[Triple], cache: ShaclCache | None = None) -> list[Problem]:
    """The concept shapes on the vocabularies alone (once per process, and by content in ``cache``)."""
    text = to_ntriples(vocabulary).decode("utf-8")
    key = "vocabulary " + hashlib.sha256((_shapes_text() + text).encode("utf-8")).hexdigest()
    cached = None if cache is None else cache.entries.get(key)
    raw = tuple(cached) if cached is not None else _vocabulary_results(text)
    if cache is not None:
        cache.entries[key] = list(raw)
        cache.pinned.add(key)
    if not raw:
        return []
    # Point at the vocabulary file that describes the node, so the fix is obvious.
    origins: dict[str, Origin] = {}
    for path in vocabulary_files():
        for triple in vocabulary_file_triples(path):
            origins.setdefault(triple.subject.value, Origin(None, (), path))  # type: ignore[union-attr]
    fallback = resources.mappings_dir()
    return sorted(
        {problem_from_raw(r, {}, origins[r.focus].source if r.focus in origins else fallback)
         for r in raw}
    )
