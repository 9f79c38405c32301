"""HTTP requests per 1,000 institutions sent by ``lod reconcile`` (target: 50 or fewer).

Usage: ``.venv/bin/python benchmarks/reconcile_requests.py [--institutions 1000] [--seed 7]``

Prints one line. The institutions are synthetic (seeded), with the contract's
library types and countries, a quarter with an ISIL and a third with a
website. They are reconciled against a real ``oxigraph serve`` on 127.0.0.1
loaded with a Wikidata-shaped graph (the real class tree of the library
types, true items, namesakes abroad and of conflicting classes, people named
like libraries), through a local proxy that counts every request reaching
the server: first with an empty cache, then again with the cache it left
(must be 0), then one query per institution (the baseline the batching is
measured against).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lod.ledgers import institution_subject
from lod.model import terms
from lod.model.case_study import Institution
from lod.query.server import free_port, oxigraph_binary
from lod.rdf.build import institution_key
from lod.reconcile import wikidata as w
from lod.reconcile.classes import read_library_types, type_classes
from lod.reconcile.match import reconcile
from lod.reconcile.sparql import SparqlClient
from lod.reconcile.subjects import subjects_of_institutions
from lod.wikidataids import verified_id

WD, WDT = "http://www.wikidata.org/entity/", "http://www.wikidata.org/prop/direct/"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
WORDS = ("Ash", "Birch", "Cedar", "Elm", "Fern", "Hazel", "Holly", "Larch", "Maple", "Oak", "Rowan", "Willow")
PLACES = ("brook", "field", "ford", "ham", "mere", "moor", "stead", "ton", "wick", "worth")
KINDS = ("Library", "Public Library", "University Library", "Research Library", "Museum", "Archive")


def lit(text: str, lang: str = "en") -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


def institutions(count: int, rng: random.Random) -> list[Institution]:
    """Distinct synthetic institutions of every library type and many countries."""
    types = sorted(read_library_types().classes)  # every term of the library-type vocabulary
    countries = sorted(terms.countries())
    made: list[Institution] = []
    for n in range(count):
        name = f"{rng.choice(WORDS)}{rng.choice(PLACES)} {rng.choice(KINDS)} {n}"
        country = rng.choice(list(w.country_items())) if rng.random() < 0.6 else rng.choice(countries)
        made.append(Institution(
            name=name, country=country, type=rng.choice(types),  # type: ignore[arg-type]
            isil=f"{country}-B{n}" if rng.random() < 0.25 else None,
            website=f"https://lib{n}.example.org/" if rng.random() < 0.33 else None,  # type: ignore[arg-type]
        ))
    return made


def graph(made: list[Institution], rng: random.Random) -> tuple[str, dict[str, str]]:
    """N-Triples of a Wikidata-shaped graph for ``made``, and the true item of each subject id."""
    types = read_library_types()
    library_classes = sorted(types.library_classes())
    lines = [f"<{WD}{q}> {LABEL} {lit(label)} ." for q, label in w.class_roots().items()]
    lines += [f"<{WD}{q}> <{WDT}{w.pid(w.SUBCLASS_OF)}> <{WD}Q7075> ." for q in library_classes]
    lines.append(f"<{WD}Q7075> <{WDT}{w.pid(w.SUBCLASS_OF)}> <{WD}Q43229> .")
    country_item = {code: w.country_items().get(code, f"Q{920_000_000 + i}")
                    for i, code in enumerate(sorted(terms.countries()))}
    for code, qid in country_item.items():
        lines.append(f"<{WD}{qid}> {LABEL} {lit(terms.countries()[code])} .")
    number = 930_000_000
    truth: dict[str, str] = {}

    def add(name: str, country: str, klass: str, extra: list[str] = []) -> str:  # noqa: B006
        nonlocal number
        number += 1
        node = f"<{WD}Q{number}>"
        lines.extend([f"{node} {LABEL} {lit(name)} .", f"{node} <{WDT}{w.pid(w.INSTANCE_OF)}> <{WD}{klass}> .",
                      f"{node} <{WDT}{w.pid(w.COUNTRY)}> <{WD}{country_item[country]}> ."])
        lines.extend(f"{node} {triple}" for triple in extra)
        return f"Q{number}"

    for institution in made:
        own = sorted(types.classes.get(institution.type, ())) or ["Q7075"]
        if rng.random() < 0.6:  # the true item
            extra = []
            if institution.isil and rng.random() < 0.7:
                extra.append(f'<{WDT}{w.pid(w.ISIL)}> "{institution.isil}" .')
            if institution.website and rng.random() < 0.7:
                extra.append(f"<{WDT}{w.pid(w.OFFICIAL_WEBSITE)}> <{institution.website}> .")
            truth[institution_subject(institution_key(institution))] = add(
                institution.name, institution.country, own[0], extra)
        if rng.random() < 0.2:  # a namesake abroad
            add(institution.name, rng.choice([c for c in country_item if c != institution.country]), own[0])
        conflicting = type_classes(institution.type, types)
        if rng.random() < 0.1 and conflicting.says_something:  # a namesake of a conflicting class at home
            add(institution.name, institution.country, min(conflicting.conflict, default="Q33506"))
        if rng.random() < 0.05:  # a person named like the library
            add(institution.name, institution.country, verified_id("human", "item"))
    return "\n".join(lines) + "\n", truth


@contextmanager
def oxigraph(data: Path, workdir: Path) -> Iterator[str]:
    """``oxigraph load`` + ``oxigraph serve`` on 127.0.0.1; yields the query URL; stops the server."""
    binary, store = oxigraph_binary(), workdir / "store"
    subprocess.run([binary, "load", "--location", str(store), "--file", str(data)], check=True,
                   capture_output=True)
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
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
                    raise SystemExit("oxigraph serve did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def counting_proxy(target: str) -> Iterator[tuple[str, list[int]]]:
    """A proxy on 127.0.0.1 that forwards POSTs to ``target`` and counts them."""
    counter = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            counter[0] += 1
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
            request = urllib.request.Request(target, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=120) as response:
                payload = response.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/query", counter
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline", type=int, default=200, help="institutions for the one-by-one baseline")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    made = institutions(args.institutions, rng)
    subjects = subjects_of_institutions((i, ("en",)) for i in made)
    with tempfile.TemporaryDirectory(prefix="lod-reconcile-bench-") as folder:
        work = Path(folder)
        text, truth = graph(made, rng)
        (work / "wikidata.nt").write_text(text, encoding="utf-8")
        with oxigraph(work / "wikidata.nt", work) as endpoint, counting_proxy(endpoint) as (proxy, counter):
            counts = {}
            for name, cache, chosen, batch in (("cold", work / "cache", subjects, 100),
                                               ("cached", work / "cache", subjects, 100),
                                               ("baseline", None, subjects[:args.baseline], 1)):
                counter[0] = 0
                client = SparqlClient(proxy, user_agent="lod-benchmark/0 (127.0.0.1 only)", timeout=120,
                                      cache_dir=cache)
                began = time.perf_counter()
                details = 50 if batch > 1 else 1  # the defaults of `lod reconcile`, or one item a query
                result = reconcile(chosen, client=client, batch_size=batch, details_batch_size=details)
                counts[name] = (counter[0], time.perf_counter() - began, result)
    cold, cached, baseline = counts["cold"], counts["cached"], counts["baseline"]
    per_1000 = cold[0] * 1000 / len(subjects)
    right = sum(1 for row in cold[2].proposals.rows
                if (row.confidence or 0) >= 0.9 and truth.get(row.subject_id) == row.qid)
    base_per_1000 = baseline[0] * 1000 / max(1, min(args.baseline, len(subjects)))
    print(f"reconcile: {per_1000:.0f} requests per 1,000 institutions ({cold[0]} for {len(subjects)}, "
          f"{cold[1]:.1f} s; target <= 50: {'met' if per_1000 <= 50 else 'NOT met'}); cached re-run "
          f"{cached[0]}; one query per institution: {base_per_1000:.0f} per 1,000; "
          f"{len(cold[2].proposals.rows)} proposals, {cold[2].confident} at >= 0.9, of which "
          f"{right} the true item ({len(truth)} institutions have one)")
    sys.exit(0 if per_1000 <= 50 and cached[0] == 0 else 1)


if __name__ == "__main__":
    main()
