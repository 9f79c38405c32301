"""One measured step of ``make bench``, run in a fresh interpreter and printed as JSON.

    python benchmarks/steps.py STEP --data DIR [--work DIR]

Each step times only its own work (imports and untimed preparation excluded)
and reports its process's peak RSS, so the runner can put steps side by side.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Queries that list every case study or institution: compared with a bare scan, not 50 ms.
LISTING = ("case-studies", "institutions")
LCS = "https://w3id.org/libcasestudies/ns#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _objects(store: Any, subject: Any, predicate: str) -> list[Any]:
    from pyoxigraph import NamedNode

    return [q.object for q in store.quads_for_pattern(subject, NamedNode(predicate), None)]


def bare_case_studies(store: Any) -> list[tuple[Any, ...]]:
    """The rows of ``case-studies`` by pattern lookups alone (no SPARQL engine)."""
    from pyoxigraph import NamedNode

    rows = []
    for quad in store.quads_for_pattern(None, NamedNode(RDF_TYPE), NamedNode(f"{LCS}CaseStudy")):
        node = quad.subject
        lang = _objects(store, node, f"{SCHEMA}inLanguage")[0].value.lower()
        start = _objects(store, node, f"{SCHEMA}startDate")
        end = _objects(store, node, f"{SCHEMA}endDate")
        for identifier in _objects(store, node, f"{DCTERMS}identifier"):
            for title in _objects(store, node, f"{DCTERMS}title"):
                if (title.language or "").lower() == lang:
                    rows.append((node, identifier, title, start[0] if start else None,
                                 end[0] if end else None))
    return sorted(rows, key=lambda row: row[1].value)


def bare_institutions(store: Any) -> list[tuple[Any, ...]]:
    """The rows of ``institutions`` by pattern lookups alone (no SPARQL engine)."""
    from pyoxigraph import NamedNode

    cases: dict[Any, set[Any]] = {}
    for quad in store.quads_for_pattern(None, NamedNode(f"{LCS}involves"), None):
        cases.setdefault(quad.object, set()).add(quad.subject)
    rows = []
    for node, found in cases.items():
        names = _objects(store, node, f"{SCHEMA}name")
        countries = [n for c in _objects(store, node, f"{LCS}country")
                     for n in _objects(store, c, SKOS_NOTATION)]
        types = [n for t in _objects(store, node, f"{LCS}libraryType")
                 for n in _objects(store, t, SKOS_NOTATION)]
        if names and countries and types:
            items = _objects(store, node, OWL_SAME_AS)
            rows.append((node, min(names, key=str), min(countries, key=str), min(types, key=str),
                         min(items, key=str) if items else None, len(found)))
    return sorted(rows, key=lambda row: (row[1].value, row[2].value, row[0].value))


BARE_SCANS: dict[str, Callable[[Any], list[tuple[Any, ...]]]] = {
    "case-studies": bare_case_studies,
    "institutions": bare_institutions,
}


def peak_mb() -> float:
    """This process's peak resident set size, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = work()
    return time.perf_counter() - started, value


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (a build's workers).

    On a busy machine wall time grows with the load; CPU time much less, so the
    build and the floor are also compared by it (``cpu_seconds`` in their rows).
    """
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def step_floor(data: Path, work: Path) -> dict[str, Any]:
    """What a build cannot go below: every file through PyYAML's C loader, and pyoxigraph
    writing the same triples as the build (Turtle, N-Triples, JSON-LD)."""
    import yaml
    from pyoxigraph import RdfFormat, parse, serialize

    from lod.rdf.serialize import TURTLE_PREFIXES

    built = work / "floor-input.nt"
    if not built.is_file():
        raise SystemExit("run the build step first (it leaves the N-Triples the floor writes)")
    with built.open("rb") as handle:
        triples = [quad.triple for quad in parse(handle, format=RdfFormat.N_TRIPLES)]
    paths = sorted(data.glob("*.yaml"))

    def load() -> int:
        for path in paths:
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        return len(paths)

    def write() -> None:
        for fmt in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.JSON_LD):
            serialize(triples, work / f"floor.{fmt.file_extension}", fmt,
                      prefixes=TURTLE_PREFIXES if fmt == RdfFormat.TURTLE else None)

    cpu = cpu_seconds()
    yaml_s, _ = timed(load)
    write_s, _ = timed(write)
    return {"seconds": yaml_s + write_s, "yaml_seconds": yaml_s, "write_seconds": write_s,
            "cpu_seconds": cpu_seconds() - cpu, "triples": len(triples), "peak_mb": peak_mb()}


def step_build(data: Path, work: Path) -> dict[str, Any]:
    """``lod build`` from nothing (there is no cache to be warm)."""
    from lod.publish.dumps import build
    from lod.settings import Settings

    out = work / "dist"
    shutil.rmtree(out, ignore_errors=True)
    cpu = cpu_seconds()
    seconds, result = timed(lambda: build(Settings(data_dir=data, out_dir=out)))
    cpu = cpu_seconds() - cpu
    shutil.copyfile(out / "casestudies.nt", work / "floor-input.nt")
    return {"seconds": seconds, "cpu_seconds": cpu, "records": result.records,
            "triples": result.triples, "peak_mb": peak_mb()}


def step_validate(data: Path, work: Path) -> dict[str, Any]:
    """``lod validate``: the contract and the shapes on every file, drafts included."""
    from lod.pipeline import assemble
    from lod.settings import Settings

    seconds, result = timed(lambda: assemble([data], Settings(), include_drafts=True))
    assert not result.problems, result.problems[:5]
    return {"seconds": seconds, "records": len(result.records), "peak_mb": peak_mb()}


def _graph_and_shapes(work: Path) -> tuple[str, str]:
    from lod import resources
    from lod.validate.shacl import shapes_text

    built = work / "floor-input.nt"
    return built.read_text(encoding="utf-8"), shapes_text(resources.shapes_dir())


def step_shacl(data: Path, work: Path) -> dict[str, Any]:
    """The project's SHACL engine on the whole graph, parsing included."""
    from lod.validate.engines import ENGINE, shacl_results

    graph, shapes = _graph_and_shapes(work)
    seconds, results = timed(lambda: shacl_results(graph, shapes))
    return {"seconds": seconds, "results": len(results), "engine": ENGINE, "peak_mb": peak_mb()}


def step_shacl_pyshacl(data: Path, work: Path) -> dict[str, Any]:
    """pySHACL (the reference) on the same graph, parsing included."""
    import pyshacl

    from tests.graphtools import pyshacl_results

    graph, shapes = _graph_and_shapes(work)
    seconds, results = timed(lambda: pyshacl_results(graph, shapes))
    return {"seconds": seconds, "results": len(results), "engine": f"pyshacl {pyshacl.__version__}",
            "peak_mb": peak_mb()}


def step_queries(data: Path, work: Path) -> dict[str, Any]:
    """Every fixed query in process (median of 5), and a bare scan for the two listings."""
    from pyoxigraph import RdfFormat, Store

    from lod.query.catalog import catalog
    from lod.query.execute import run_in_process
    from lod.query.params import bind_params

    store = Store()
    store.bulk_load(path=str(work / "floor-input.nt"), format=RdfFormat.N_TRIPLES)
    queries: dict[str, Any] = {}
    for query in catalog():
        if query.endpoint == "wikidata":
            continue
        bindings = bind_params(query, query.example)
        times, rows = [], 0
        for _ in range(5):
            seconds, result = timed(lambda q=query, b=bindings: run_in_process(q, store, b))
            times.append(seconds)
            rows = len(result.rows)
        entry: dict[str, Any] = {"seconds": sorted(times)[2], "rows": rows}
        if query.name in BARE_SCANS:
            scans = []
            for _ in range(5):
                seconds, solutions = timed(lambda q=query.name: BARE_SCANS[q](store))
                scans.append(seconds)
            entry["bare_seconds"] = sorted(scans)[2]
            entry["bare_rows"] = len(solutions)
        queries[query.name] = entry
    return {"seconds": sum(q["seconds"] for q in queries.values()), "queries": queries,
            "peak_mb": peak_mb()}


STEPS: dict[str, Callable[[Path, Path], dict[str, Any]]] = {
    "build": step_build,
    "floor": step_floor,
    "validate": step_validate,
    "shacl": step_shacl,
    "shacl_pyshacl": step_shacl_pyshacl,
    "queries": step_queries,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    print(json.dumps(STEPS[args.step](args.data, args.work)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
