"""The measured steps. Each runs in its own spawned child process (see run.py).

A step returns a dict; ``seconds`` is the time of the measured work only
(imports and untimed preparation such as parsing the dump to get "the same
triples" are done before the clock starts). The parent adds the child's peak
RSS. Every step is a plain function of its keyword arguments, so one step can
be rerun alone: ``python benchmarks/run.py --n 1000 --steps build,floor``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _path in (str(ROOT), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

#: The nine queries every release ships (/work/shared/spec/cli.md); others in queries/ are extras.
FIXED_QUERIES = (
    "case-studies",
    "institutions",
    "by-library-type",
    "by-country",
    "by-ifla-unit",
    "by-project",
    "by-activity",
    "gaps-library-types",
    "gaps-ifla-units",
)


def _settings(data: str, out: str, cache: str | None = None) -> Any:
    """``Settings`` for a run; a ``cache_dir`` is passed only if Settings has one."""
    from lod.settings import Settings

    kwargs: dict[str, Any] = {"data_dir": Path(data), "out_dir": Path(out)}
    if cache is not None:
        for name in ("cache_dir", "cache"):
            if name in Settings.model_fields:
                kwargs[name] = Path(cache)
                break
    return Settings(**kwargs)


def _read_nt(path: str) -> list[Any]:
    from pyoxigraph import RdfFormat, parse

    with Path(path).open("rb") as handle:
        return [quad.triple for quad in parse(handle, format=RdfFormat.N_TRIPLES)]


@contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in pure-Python code (rdflib, pySHACL) after ``seconds``."""

    def _raise(signum: int, frame: object) -> None:
        raise TimeoutError(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- build and its floor ------------------------------------------------------------------


#: (module, attribute, label): the phases of a build, timed by wrapping what each module calls.
#: A name lod no longer has is skipped; nested phases overlap their parents.
BUILD_PHASES = (
    ("lod.publish.dumps", "validate_paths", "validate_paths (all validation)"),
    ("lod.validate", "load_case_studies", "  read YAML + contract (pydantic), cached"),
    ("lod.validate", "vocabulary_problems", "  SHACL on the vocabularies"),
    ("lod.validate", "validate_records", "  SHACL on the records, cached"),
    ("lod.publish.dumps", "write_dumps", "write_dumps: blocks rendered or copied, shared nodes"),
    ("lod.publish.dumps", "build_report", "build_report (facts store)"),
    ("lod.publish.dumps", "void_triples", "void_triples"),
)


@contextmanager
def _phases(spec: tuple[tuple[str, str, str], ...]) -> Iterator[dict[str, float]]:
    """Cumulative seconds per phase while the block runs (wrappers removed afterwards)."""
    import functools
    import importlib

    spent: dict[str, float] = {}
    undo: list[tuple[Any, str, Any]] = []
    for module_name, attribute, label in spec:
        owner_name = "rdflib" if module_name == "rdflib.Graph" else module_name
        try:
            owner: Any = importlib.import_module(owner_name)
        except ImportError:
            continue
        if module_name == "rdflib.Graph":
            owner = owner.Graph
        original = getattr(owner, attribute, None)
        if original is None:
            continue

        def wrapper(*args: Any, __original: Any = original, __label: str = label,
                    **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return __original(*args, **kwargs)
            finally:
                key = __label.format(*args) if "{" in __label else __label
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - began

        functools.update_wrapper(wrapper, original)
        undo.append((owner, attribute, original))
        setattr(owner, attribute, wrapper)
    try:
        yield spent
    finally:
        for owner, attribute, original in reversed(undo):
            setattr(owner, attribute, original)


def build(*, data: str, out: str, cache: str) -> dict[str, Any]:
    """A cold ``lod build``: out dir and any build cache removed first; phases timed."""
    from lod.publish.dumps import build as lod_build

    for path in (out, cache):
        shutil.rmtree(path, ignore_errors=True)
    settings = _settings(data, out, cache)
    with _phases(BUILD_PHASES) as spent:
        start = time.perf_counter()
        result = lod_build(settings)
        seconds = time.perf_counter() - start
    phases = {label: round(value, 3) for label, value in spent.items()}
    return {"seconds": seconds, "records": result.records, "triples": result.triples,
            "phases": phases}


def floor(*, data: str, nt: str, out: str) -> dict[str, Any]:
    """PyYAML's C loader on every file, then pyoxigraph writing the same triples (TTL + NT)."""
    import yaml
    from pyoxigraph import RdfFormat, serialize

    from lod.namespaces import PREFIXES

    triples = _read_nt(nt)  # "the same triples": untimed
    paths = sorted(Path(data).glob("*.yaml"))
    target = Path(out)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    start = time.perf_counter()
    documents = [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for p in paths]
    loaded = time.perf_counter()
    serialize(triples, target / "floor.ttl", format=RdfFormat.TURTLE, prefixes=PREFIXES)
    serialize(triples, target / "floor.nt", format=RdfFormat.N_TRIPLES)
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "yaml_seconds": loaded - start,
        "write_seconds": end - loaded,
        "files": len(documents),
        "triples": len(triples),
    }


# --- SHACL --------------------------------------------------------------------------------


#: SHACL entry points ``lod.validate`` may call (whichever exist are timed together).
SHACL_ENTRY_POINTS = ("shacl_problems", "validate_records", "vocabulary_problems")


def shacl_lod(*, data: str, cache: str) -> dict[str, Any]:
    """``lod.validate.validate_paths``, with the time spent in its SHACL calls measured apart.

    Cold first (cache directory emptied), then once more on the warm cache.
    """
    from lod import validate
    from lod.ingest.load import load_case_studies

    shutil.rmtree(cache, ignore_errors=True)
    settings = _settings(data, str(Path(cache) / "unused-out"), cache)
    start = time.perf_counter()
    load_case_studies([Path(data)], include_drafts=False)
    contract = time.perf_counter() - start
    spec = tuple(("lod.validate", name, "shacl") for name in SHACL_ENTRY_POINTS
                 if hasattr(validate, name))
    out: dict[str, Any] = {"contract_seconds": contract, "entry_points": [n for _, n, _ in spec]}
    for run in ("cold", "warm"):
        with _phases(spec) as spent:
            start = time.perf_counter()
            result = validate.validate_paths([Path(data)], settings, include_drafts=False)
            total = time.perf_counter() - start
        if spent:
            seconds, how = spent["shacl"], f"time inside lod.validate.{'/'.join(out['entry_points'])}"
        else:  # the SHACL entry point moved: count all that is not the contract check
            seconds, how = total - contract, "validate_paths minus the contract check"
        out[run] = {"seconds": seconds, "validate_paths_seconds": total,
                    "problems": len(result.problems)}
    out.update(seconds=out["cold"]["seconds"], how=how, triples=len(result.triples),
               validate_paths_seconds=out["cold"]["validate_paths_seconds"],
               problems=out["cold"]["problems"])
    return out


def _shapes() -> Any:
    import rdflib

    from lod import resources

    graph = rdflib.Graph()
    for path in sorted(resources.shapes_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _pyshacl(data_graph: Any, shapes: Any) -> tuple[bool, Any]:
    import pyshacl

    conforms, results, _ = pyshacl.validate(
        data_graph, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    return conforms, results


def _sample_triples(data: str, sample: int, seed: int) -> tuple[list[Any], int]:
    """Triples (vocabularies included) of ``sample`` records picked with ``seed``."""
    from lod.ingest.load import load_case_studies
    from lod.namespaces import DEFAULT_BASE
    from lod.rdf.build import graph_triples
    from lod.rdf.vocabularies import vocabulary_triples

    paths = sorted(Path(data).glob("*.yaml"))
    chosen = sorted(random.Random(seed).sample(paths, min(sample, len(paths))))
    loaded = load_case_studies(chosen)
    triples = graph_triples(DEFAULT_BASE, (item.record for item in loaded.records))
    return sorted(triples | vocabulary_triples(), key=str), len(chosen)


def shacl_pyshacl(*, data: str, nt: str, n: int, sample: int, seed: int,
                  limit: int) -> dict[str, Any]:
    """pySHACL run once on the whole graph (or on a sample of records, scaled to N)."""
    import rdflib

    from lod.rdf.serialize import to_ntriples

    shapes = _shapes()
    graph = rdflib.Graph()
    if sample and sample < n:
        triples, records = _sample_triples(data, sample, seed)
        graph.parse(data=to_ntriples(triples).decode("utf-8"), format="nt")
    else:
        records = n
        graph.parse(nt, format="nt")
    start = time.perf_counter()
    with _alarm(limit):
        conforms, _ = _pyshacl(graph, shapes)
    measured = time.perf_counter() - start
    scale = n / records
    return {
        "seconds": measured * scale,
        "measured_seconds": measured,
        "records": records,
        "scaled": scale != 1,
        "graph_triples": len(graph),
        "conforms": conforms,
    }


def _inject_yaml(directory: Path, rng: random.Random) -> list[tuple[str, str]]:
    """Cross-record conflicts the contract cannot see: one QID, two different ISILs.

    Returns the expected (file name, field) of each, as lod reports them (at the
    first record, in file order, that names the institution).
    """
    import yaml
    from generate import dump

    named: dict[str, list[tuple[Path, int]]] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for index, institution in enumerate(data["institutions"]):
            if institution.get("wikidata") and institution.get("isil"):
                named.setdefault(institution["wikidata"], []).append((path, index))
    shared = [qid for qid, places in named.items() if len(places) >= 2]
    expected: list[tuple[str, str]] = []
    for qid in rng.sample(shared, min(3, len(shared))):
        first, _ = named[qid][0]
        path, index = named[qid][-1]
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        data["institutions"][index]["isil"] = f"ZZ-CONFLICT{len(expected)}"
        path.write_text(dump(data), encoding="utf-8")
        first_data = yaml.load(first.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        first_index = next(i for i, inst in enumerate(first_data["institutions"])
                           if inst.get("wikidata") == qid)
        expected.append((first.name, f"institutions[{first_index}].isil"))
    return expected


def _mutations(records: list[Any], base: str, rng: random.Random
               ) -> tuple[dict[str, Callable[[set[Any]], set[Any]]], list[str]]:
    """Graph-level errors of eight kinds, one record each: record id -> triples mutator."""
    from pyoxigraph import Literal, NamedNode, Triple

    from lod.namespaces import DCTERMS, LCS, OWL, PROV, SCHEMA, XSD
    from lod.rdf.build import case_study_iri, institution_iri

    picks = rng.sample(records, 8)
    cs = [NamedNode(case_study_iri(base, r.id)) for r in picks]

    def drop(subject: Any, predicate: str) -> Callable[[set[Any]], set[Any]]:
        return lambda ts: {t for t in ts if not (t.subject == subject and t.predicate.value == predicate)}

    def add(*triples: Any) -> Callable[[set[Any]], set[Any]]:
        return lambda ts: ts | set(triples)

    start = NamedNode(f"{SCHEMA}startDate")
    association = NamedNode(f"{case_study_iri(base, picks[4].id)}#institution-1")
    institution = NamedNode(institution_iri(base, picks[7].institutions[0]))
    changes: list[tuple[Callable[[set[Any]], set[Any]], str]] = [
        (drop(cs[0], f"{DCTERMS}identifier"), "no dcterms:identifier"),
        (add(Triple(cs[1], NamedNode(f"{SCHEMA}creativeWorkStatus"), Literal("archived"))),
         "second status, not in the list"),
        (lambda ts: add(Triple(cs[2], start, Literal("sometime")))(
            drop(cs[2], start.value)(ts)), "start date as a plain string"),
        (add(Triple(cs[3], NamedNode(f"{LCS}project"), NamedNode("https://example.org/not-a-project"))),
         "project outside the vocabulary"),
        (drop(association, f"{PROV}hadRole"), "association without a role"),
        (add(Triple(cs[5], NamedNode(f"{OWL}sameAs"), NamedNode("https://example.org/not-wikidata"))),
         "owl:sameAs outside Wikidata"),
        (drop(cs[6], f"{DCTERMS}license"), "no licence"),
        (add(Triple(institution, NamedNode(f"{LCS}isil"),
                    Literal("x" * 20, datatype=NamedNode(f"{XSD}string")))),
         "institution with a second, over-long ISIL"),
    ]
    mutators = {record.id: change for record, (change, _) in zip(picks, changes, strict=True)}
    broken = [f"{record.id}: {what}" for record, (_, what) in zip(picks, changes, strict=True)]
    return mutators, broken


def _baseline_fields(results: Any, shapes: Any, origins: dict[str, Any]) -> set[tuple[str, str]]:
    """pySHACL's (focus node, path) results mapped to (file, field) via lod's origins."""
    from rdflib.namespace import SH

    from lod.ingest.load import render_field

    def innermost(result: Any) -> list[Any]:
        details = list(results.objects(result, SH.detail))
        return [leaf for d in details for leaf in innermost(d)] if details else [result]

    found = set()
    leaves = [leaf for top in results.objects(None, SH.result) for leaf in innermost(top)]
    for result in leaves:
        focus = str(results.value(result, SH.focusNode))
        shape = results.value(result, SH.sourceShape)
        path = results.value(result, SH.resultPath)
        name = shapes.value(shape, SH.name) if shape is not None else None
        field = str(name) if name is not None else (str(path) if path is not None else "")
        origin = origins.get(focus)
        if origin is None:
            found.add(("graph", f"{focus} {field}".strip()))
            continue
        full = (*origin.field, *field.split(".")) if field else origin.field
        found.add((Path(origin.source).name, render_field(full)))
    return found


def _focus_paths(results: Any) -> set[tuple[str, str]]:
    from rdflib.namespace import SH

    return {
        (str(results.value(r, SH.focusNode)), str(results.value(r, SH.resultPath)))
        for r in results.objects(None, SH.result)
    }


def shacl_check(*, data: str, work: str, sample: int, seed: int) -> dict[str, Any]:
    """On a copy of ``sample`` records with injected errors, lod and pySHACL must agree.

    Two kinds of injection: (1) in the YAML files, an institution given two
    different ISILs by two records (only a check across records can see it;
    run through ``validate_paths``); (2) in the graph, eight single-record
    errors (run through ``shacl_problems``). Each side's violations are
    compared as sets of (file, field), pySHACL's focus node and result path
    mapped through lod's ``node_origins`` and the shapes' ``sh:name``.
    """
    import rdflib

    from lod.ingest.load import load_case_studies
    from lod.rdf.serialize import to_ntriples
    from lod.settings import Settings
    from lod.validate import validate_paths
    from lod.validate.shacl import node_origins, shacl_problems

    rng = random.Random(seed)
    copy = Path(work) / "shacl-check"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    paths = sorted(Path(data).glob("*.yaml"))
    for path in sorted(rng.sample(paths, min(sample, len(paths)))):
        shutil.copy2(path, copy / path.name)
    expected_yaml = _inject_yaml(copy, rng)
    settings = Settings(data_dir=copy, out_dir=Path(work) / "shacl-check-out")
    shapes = _shapes()
    base = settings.base
    checks: dict[str, Any] = {}

    # (1) YAML-level conflict through validate_paths.
    validated = validate_paths([copy], settings, include_drafts=False)
    lod_found = {(Path(p.path).name, p.field) for p in validated.problems}
    records = list(validated.loaded.records)
    origins = node_origins(base, records)
    graph = rdflib.Graph()
    graph.parse(data=to_ntriples(validated.triples).decode("utf-8"), format="nt")
    _, results = _pyshacl(graph, shapes)
    baseline = _baseline_fields(results, shapes, origins)
    checks["yaml"] = {
        "injected": [f"{name}: {field}" for name, field in expected_yaml],
        "lod": sorted(f"{a}: {b}" for a, b in lod_found),
        "pyshacl": sorted(f"{a}: {b}" for a, b in baseline),
        "pyshacl_focus_paths": len(_focus_paths(results)),
        "same": lod_found == baseline and set(expected_yaml) <= lod_found,
    }

    # (2) Graph-level errors, through lod's record-by-record validation when it has one.
    from lod import validate as lod_validate
    from lod.rdf.build import case_study_triples
    from lod.rdf.vocabularies import vocabulary_triples

    loaded = load_case_studies([copy], include_drafts=False)
    mutators, broken = _mutations([i.record for i in loaded.records], base, rng)

    def triples_of(record: Any) -> set[Any]:
        triples = set(case_study_triples(base, record))
        change = mutators.get(record.id)
        return change(triples) if change else triples

    vocabulary = vocabulary_triples()
    mutated = {t for item in loaded.records for t in triples_of(item.record)} | vocabulary
    origins = node_origins(base, loaded.records)
    if hasattr(lod_validate, "validate_records"):
        via = "lod.validate.validate_records(triples_of=...)"
        problems = lod_validate.validate_records(
            loaded.records, base=base, vocabulary=vocabulary, triples_of=triples_of)
    else:
        via = "lod.validate.shacl.shacl_problems"
        problems = shacl_problems(mutated, origins=origins)
    lod_found = {(Path(p.path).name, p.field) for p in problems}
    graph = rdflib.Graph()
    graph.parse(data=to_ntriples(mutated).decode("utf-8"), format="nt")
    _, results = _pyshacl(graph, shapes)
    baseline = _baseline_fields(results, shapes, origins)
    checks["graph"] = {
        "via": via,
        "injected": broken,
        "lod": sorted(f"{a}: {b}" for a, b in lod_found),
        "pyshacl": sorted(f"{a}: {b}" for a, b in baseline),
        "pyshacl_focus_paths": len(_focus_paths(results)),
        "same": lod_found == baseline and len(lod_found) >= len(broken),
    }
    same = all(check["same"] for check in checks.values())
    return {"seconds": 0.0, "records": len(records), "same": same, "checks": checks}


# --- queries ------------------------------------------------------------------------------


def _catalogue(extras: bool) -> list[Any]:
    """The nine fixed queries, then (with ``extras``) every other query runnable on the dump."""
    from lod.query.catalog import catalog

    queries = [q for q in catalog() if q.name in FIXED_QUERIES
               or (extras and q.endpoint in ("local", "both") and not q.params)]
    order = {name: index for index, name in enumerate(FIXED_QUERIES)}
    return sorted(queries, key=lambda q: (order.get(q.name, len(order)), q.name))


def queries_oxigraph(*, nt: str, repeat: int, extras: bool) -> dict[str, Any]:
    """Each query in process: a first (warm-up) run, then the median of ``repeat`` runs.

    A query whose first run takes over 2 s is not repeated (the first run is
    reported): pyoxigraph cannot be interrupted, and one such run already
    says what matters.
    """
    from lod.query.run import load_store, run_local

    triples = _read_nt(nt)
    start = time.perf_counter()
    store = load_store(triples)
    load_seconds = time.perf_counter() - start
    per_query = {}
    for query in _catalogue(extras):
        began = time.perf_counter()
        rows = len(run_local(store, query.text).rows)
        times = [time.perf_counter() - began]
        if times[0] < 2.0:
            times = []
            for _ in range(repeat):
                began = time.perf_counter()
                run_local(store, query.text)
                times.append(time.perf_counter() - began)
        per_query[query.name] = {"seconds": statistics.median(times), "rows": rows,
                                 "runs": len(times)}
    total = sum(q["seconds"] for q in per_query.values())
    return {"seconds": total, "load_seconds": load_seconds, "queries": per_query}


def queries_rdflib(*, nt: str, limit: int, extras: bool) -> dict[str, Any]:
    """The same queries with rdflib's SPARQL engine on an rdflib Graph of the same triples."""
    import rdflib

    graph = rdflib.Graph()
    start = time.perf_counter()
    graph.parse(nt, format="nt")
    parse_seconds = time.perf_counter() - start
    per_query: dict[str, Any] = {}
    for query in _catalogue(extras):
        began = time.perf_counter()
        try:
            with _alarm(limit):
                rows = len(list(graph.query(query.text)))
            per_query[query.name] = {"seconds": time.perf_counter() - began, "rows": rows}
        except TimeoutError:
            per_query[query.name] = {"seconds": float(limit), "rows": None, "timeout": True}
        except Exception as error:  # noqa: BLE001 - one query rdflib cannot run is a table note
            per_query[query.name] = {"error": f"rdflib: {type(error).__name__}: {error}"}
    total = sum(q["seconds"] for q in per_query.values())
    return {"seconds": total, "parse_seconds": parse_seconds, "queries": per_query}


# --- incremental rebuild ------------------------------------------------------------------


def incremental(*, data: str, out: str, cache: str) -> dict[str, Any]:
    """Rebuild after one record changed, on the output (and cache) of the full build.

    Run right after ``build``; the changed file is put back afterwards (same bytes).
    """
    from lod.publish.dumps import build as lod_build

    paths = sorted(Path(data).glob("*.yaml"))
    target = paths[len(paths) // 2]
    original = target.read_bytes()
    text = original.decode("utf-8")
    head, sep, rest = text.partition("title:\n")
    line, newline, tail = rest.partition("\n")
    changed = f"{head}{sep}{line} (revised){newline}{tail}"
    settings = _settings(data, out, cache)
    try:
        target.write_text(changed, encoding="utf-8")
        with _phases(BUILD_PHASES) as spent:
            start = time.perf_counter()
            result = lod_build(settings)
            seconds = time.perf_counter() - start
    finally:
        target.write_bytes(original)
    phases = {label: round(value, 3) for label, value in spent.items()}
    return {"seconds": seconds, "changed": target.name, "records": result.records,
            "rendered": result.rendered, "phases": phases}


# --- reconcile: HTTP requests against a real local Oxigraph -------------------------------


def _wikidata_fixture(subjects: list[Any], path: Path, rng: random.Random) -> int:
    """A Wikidata-shaped graph: true matches, namesakes abroad, people named like libraries."""
    from lod.model import terms
    from lod.reconcile import wikidata as w

    wd, wdt = "http://www.wikidata.org/entity/", "http://www.wikidata.org/prop/direct/"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    countries = list(terms.countries())
    country_item = {code: f"Q{800_000_000 + i}" for i, code in enumerate(countries)}

    def lit(text: str, lang: str) -> str:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"@{lang}'

    lines = [f"<{wd}{qid}> {label} {lit(name, 'en')} ." for qid, name in w.class_roots().items()]
    for code, qid in country_item.items():
        lines.append(f"<{wd}{qid}> {label} {lit(terms.countries()[code], 'en')} .")
    number = 900_000_000
    for subject in subjects:
        tag = rng.choice(("mul", "en"))
        if rng.random() < 0.6:  # the real item
            number += 1
            item = f"<{wd}Q{number}>"
            lines += [f"{item} {label} {lit(subject.label, tag)} .",
                      f"{item} <{wdt}{w.INSTANCE_OF}> <{wd}Q7075> .",
                      f"{item} <{wdt}{w.COUNTRY}> <{wd}{country_item[subject.country]}> ."]
            if subject.isil and rng.random() < 0.7:
                lines.append(f'{item} <{wdt}{w.ISIL}> "{subject.isil}" .')
            if subject.website and rng.random() < 0.7:
                lines.append(f"{item} <{wdt}{w.OFFICIAL_WEBSITE}> <{subject.website}> .")
        if rng.random() < 0.2:  # a namesake in another country
            number += 1
            item = f"<{wd}Q{number}>"
            other = rng.choice([c for c in countries if c != subject.country][:50])
            lines += [f"{item} {label} {lit(subject.label, tag)} .",
                      f"{item} <{wdt}{w.INSTANCE_OF}> <{wd}Q7075> .",
                      f"{item} <{wdt}{w.COUNTRY}> <{wd}{country_item[other]}> ."]
        if rng.random() < 0.05:  # a person with the library's name
            number += 1
            item = f"<{wd}Q{number}>"
            lines += [f"{item} {label} {lit(subject.label, 'mul')} .",
                      f"{item} <{wdt}{w.INSTANCE_OF}> <{wd}{w.HUMAN}> ."]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _oxigraph(fixture: Path, workdir: Path) -> Iterator[str]:
    """``oxigraph load`` then ``oxigraph serve`` on 127.0.0.1; yields the query URL."""
    import subprocess
    import urllib.request

    binary = Path(sys.executable).parent / "oxigraph"
    command = str(binary) if binary.exists() else (shutil.which("oxigraph") or "oxigraph")
    store = workdir / "oxigraph-store"
    shutil.rmtree(store, ignore_errors=True)
    subprocess.run([command, "load", "--location", str(store), "--file", str(fixture)],
                   check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen([command, "serve", "--location", str(store),
                                "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def _counting_proxy(target: str) -> Iterator[tuple[str, list[int]]]:
    """A local HTTP proxy in front of ``target`` that counts the requests it forwards."""
    import threading
    import urllib.request
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    counter = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            counter[0] += 1
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() in ("content-type", "accept", "user-agent")}
            request = urllib.request.Request(target, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=60) as response:
                payload = response.read()
                self.send_response(response.status)
                self.send_header("Content-Type", response.headers.get("Content-Type", ""))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/query", counter
    finally:
        server.shutdown()
        server.server_close()


def reconcile(*, data: str, work: str, institutions: int, seed: int) -> dict[str, Any]:
    """``lod.reconcile`` on ``institutions`` subjects (batched) against one query per subject.

    Both run against the same real ``oxigraph serve`` loaded with a
    Wikidata-shaped fixture, behind a proxy that counts HTTP requests. A
    second batched run with a warm cache must send nothing.
    """
    from lod.ingest.load import load_case_studies
    from lod.reconcile.match import reconcile as lod_reconcile
    from lod.reconcile.sparql import SparqlClient
    from lod.reconcile.subjects import institution_subjects
    from lod.settings import Settings

    rng = random.Random(seed)
    paths = sorted(Path(data).glob("*.yaml"))
    records: list[Any] = []
    subjects: list[Any] = []
    for start in range(0, len(paths), 500):  # enough records for ``institutions`` subjects
        records += [i.record for i in load_case_studies(paths[start:start + 500]).records]
        subjects = institution_subjects(records)
        if len(subjects) >= institutions:
            break
    subjects = subjects[:institutions]
    folder = Path(work) / "reconcile"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    fixture = folder / "wikidata-fixture.nt"
    fixture_triples = _wikidata_fixture(subjects, fixture, rng)
    agent = Settings().user_agent
    out: dict[str, Any] = {"subjects": len(subjects), "fixture_triples": fixture_triples}
    with _oxigraph(fixture, folder) as endpoint, _counting_proxy(endpoint) as (proxy, counter):
        runs = (("lod", 100, folder / "cache"), ("rerun", 100, folder / "cache"),
                ("baseline", 1, None))
        for name, batch, cache in runs:
            counter[0] = 0
            client = SparqlClient(proxy, user_agent=agent, timeout=60, cache_dir=cache)
            began = time.perf_counter()
            result = lod_reconcile(subjects, client=client, batch_size=batch)
            out[name] = {"seconds": time.perf_counter() - began, "requests": counter[0],
                         "client_requests": result.requests, "proposals": len(result.proposals.rows),
                         "confident": result.confident, "batch_size": batch}
    per_1000 = 1000 / max(1, len(subjects))
    out["seconds"] = out["lod"]["seconds"]
    out["requests_per_1000"] = out["lod"]["requests"] * per_1000
    out["baseline_requests_per_1000"] = out["baseline"]["requests"] * per_1000
    return out


def publish(*, data: str, work: str, records: int) -> dict[str, Any]:
    """``lod publish wikidata``'s reads for ``records`` case studies against the real test Wikibase.

    wbgetentities requests are counted in the wiki's own request log (with the
    number of ids each asked for), SPARQL requests by a counting proxy; the
    baseline is one wbgetentities request per item.
    """
    import math

    from lod.publish.wikidata.plan import Options
    from lod.publish.wikidata.reads import IdMap
    from lod.publish.wikidata.run import Target, make_plan
    from lod.settings import Settings
    from tests.wikibase import running_wikibase

    folder = Path(work) / "publish"
    shutil.rmtree(folder, ignore_errors=True)
    chosen = folder / "casestudies"
    chosen.mkdir(parents=True)
    for path in sorted(Path(data).glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "\nstatus: draft" in text or text.startswith("status: draft"):
            continue
        shutil.copyfile(path, chosen / path.name)
        if len(list(chosen.iterdir())) >= records:
            break
    with running_wikibase(folder / "wiki", cache=Path(work) / "wikibase-cache") as wiki, \
            _counting_proxy(wiki.sparql_url) as (sparql, counter):
        log = wiki.workdir / "php-server.log"
        before = log.read_text(encoding="utf-8", errors="replace").count("action=wbgetentities")
        began = time.perf_counter()
        plan, _ = make_plan(Settings(data_dir=chosen, timeout=120),
                            Target(wiki.api_url, sparql, IdMap(wiki.ids)), Options())
        seconds = time.perf_counter() - began
        lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                 if "action=wbgetentities" in line][before:]
    sizes = [line.split("ids=", 1)[1].split("&", 1)[0].count("%7C") + 1 for line in lines]
    planned = sum(1 for item in plan.items if item.kind == "case-study")
    return {"seconds": seconds, "records": planned, "wbgetentities": len(lines),
            "ids_read": sum(sizes), "largest_request": max(sizes, default=0),
            "per_50_items": len(lines) / max(1, math.ceil(sum(sizes) / 50)),
            "sparql_requests": counter[0], "baseline_requests": sum(sizes)}


# --- steps that exist only once other issues land -----------------------------------------


def module_exists(name: str) -> bool:
    """True when ``name`` can be imported (its parent package imported to find it)."""
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "build": build,
    "floor": floor,
    "shacl_lod": shacl_lod,
    "shacl_pyshacl": shacl_pyshacl,
    "shacl_check": shacl_check,
    "queries_oxigraph": queries_oxigraph,
    "queries_rdflib": queries_rdflib,
    "incremental": incremental,
    "reconcile": reconcile,
    "publish": publish,
}


def child(name: str, kwargs: dict[str, Any], conn: Any) -> None:
    """Entry point of a spawned child: run one step, send back its result and peak RSS."""
    import resource

    try:
        result = STEPS[name](**kwargs)
    except Exception as error:  # noqa: BLE001 - reported in the table instead of a traceback
        result = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    # The largest of the step's worker processes (forked: pages shared with the parent
    # count in both, so the two are not to be added up).
    result["peak_rss_workers_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result["pid"] = os.getpid()
    conn.send(result)
    conn.close()
