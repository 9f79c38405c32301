"""The catalogue over HTTP: a real ``oxigraph serve``, ``lod serve``, endpoint errors, injection.

Everything listens on 127.0.0.1 and is stopped by the test that started it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pyoxigraph import Literal, Store
from signals import with_default_signals
from SPARQLWrapper import JSON, SPARQLWrapper

from conftest import CASESTUDIES, ROOT, run_lod
from faultproxy import FaultProxy
from lod.pipeline import assemble
from lod.query.catalog import CatalogQuery, catalog, get_query
from lod.query.execute import run_in_process, run_on_endpoint
from lod.query.params import ParamError, bind_params, values_clause
from lod.query.remote import run_endpoint
from lod.query.run import QueryError
from lod.settings import Settings
from servers import oxigraph_server
from tests.ports import unused_port

UA = Settings().user_agent
LOCAL = [q for q in catalog() if q.endpoint in ("local", "both")]
NASTY = [
    'x" } UNION { ?s ?p ?o } #',
    "x' } ; DROP ALL ; #",
    'a\\" } } SELECT * WHERE { ?s ?p ?o',
    "line\nbreak\r\tand {braces} and \"quotes\" and \\backslash",
    "> <http://evil.example/> ",
    "ünïcödé 💥 ?var $var",
]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str]]:
    """The bundled case studies, in process and in a real oxigraph serve."""
    assembled = assemble([CASESTUDIES], Settings(), include_drafts=False)
    assert not assembled.problems
    graph = tmp_path_factory.mktemp("served") / "graph.nt"
    graph.write_text(assembled.ntriples, encoding="utf-8")
    with oxigraph_server(files=[graph]) as server:
        yield assembled.store, server.query_url


def canonical(found: list[tuple[str | None, ...]]) -> list[tuple[str, ...]]:
    """Rows with GROUP_CONCAT cells sorted (engines may join values in any order)."""
    return [tuple("; ".join(sorted(v.split("; "))) if v else "" for v in row) for row in found]


@pytest.mark.parametrize("query", LOCAL, ids=lambda q: q.name)
def test_same_rows_in_process_and_over_http(bundled: tuple[Store, str], query: CatalogQuery) -> None:
    store, endpoint = bundled
    bindings = bind_params(query, query.example)
    local = run_in_process(query, store, bindings)
    remote = run_on_endpoint(query, endpoint, bindings, user_agent=UA, timeout=30)
    assert local.columns == remote.columns == query.columns
    assert canonical(local.values()) == canonical(remote.values())


@pytest.mark.parametrize(
    ("name", "param"),
    [("activity-trends", "activity=training"), ("country-type-matrix", "country=us"),
     ("case-studies-in-country", "country=GB"), ("case-study-institutions", "id=nls-wir"),
     ("institutions-wikidata-ids", "wikidata=Q23308"), ("by-ifla-division", "unit=public-libraries")],
)
def test_params_give_the_same_rows_both_ways(bundled: tuple[Store, str], name: str, param: str) -> None:
    store, endpoint = bundled
    query = get_query(name)
    bindings = bind_params(query, [param])
    local = run_in_process(query, store, bindings).values()
    remote = run_on_endpoint(query, endpoint, bindings, user_agent=UA, timeout=30).values()
    assert local == remote
    everything = run_in_process(query, store).values()
    column = query.columns.index(param.split("=")[0])
    assert local == [row for row in everything if row[column] == bindings[param.split("=")[0]].value]


# --- injection --------------------------------------------------------------------------------

@pytest.mark.parametrize("value", NASTY)
def test_a_param_value_stays_one_literal(bundled: tuple[Store, str], value: str) -> None:
    """Whatever the text, the VALUES clause binds exactly that string and nothing else."""
    store, endpoint = bundled
    text = "SELECT ?id WHERE { }" + values_clause({"id": Literal(value)})
    assert [row[0].value for row in store.query(text)] == [value]  # type: ignore[union-attr,index]
    client = SPARQLWrapper(endpoint, agent=UA)
    client.setQuery(text)
    client.setReturnFormat(JSON)
    document = client.query().convert()
    assert isinstance(document, dict)
    assert [b["id"]["value"] for b in document["results"]["bindings"]] == [value]


@pytest.mark.parametrize("value", NASTY)
def test_injection_through_param_is_harmless(bundled: tuple[Store, str], value: str) -> None:
    store, endpoint = bundled
    query = get_query("case-study-institutions")
    bindings = bind_params(query, [f"id={value}"])
    assert run_in_process(query, store, bindings).rows == ()
    assert run_on_endpoint(query, endpoint, bindings, user_agent=UA, timeout=30).rows == ()
    # the store is untouched and the real id still answers
    assert run_on_endpoint(query, endpoint, bind_params(query, ["id=nls-wir"]),
                           user_agent=UA, timeout=30).rows


def test_injection_through_the_cli(bundled: tuple[Store, str]) -> None:
    _, endpoint = bundled
    evil = 'nls-wir" } UNION { ?casestudy ?p ?o } #'
    for where in (["--data", str(CASESTUDIES)], ["--endpoint", endpoint]):
        result = run_lod("query", "case-study-institutions", *where, "--param", f"id={evil}",
                         "--format", "csv")
        # Not an empty table: an id that names no record is a usage error.
        assert result.code == 2, result.stderr
        assert "unknown record id" in result.stderr
        assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "param", "message"),
    [
        ("case-studies-in-country", "country=ESP", "not an ISO 3166-1 alpha-2 code"),
        ("wikidata-libraries-in-country", "country=Q29> } #", "not a Wikidata item id"),
        ("activity-trends", "activity=Training Day", "not a vocabulary term id; did you mean 'training'"),
        ("activity-trends", "activity=trainig", "did you mean 'training'"),
        ("case-studies-in-country", "country=UK", "did you mean 'GB'"),
        ("by-country", "country=ES", "has no parameter 'country'"),
        ("case-study-institutions", "id", "expected NAME=VALUE"),
    ],
)
def test_malformed_params_are_usage_errors(name: str, param: str, message: str) -> None:
    with pytest.raises(ParamError, match=message):
        bind_params(get_query(name), [param])


def test_missing_required_param_is_exit_2() -> None:
    result = run_lod("query", "case-studies-in-country")
    assert result.code == 2
    assert "needs --param country=" in result.stderr


# --- endpoint errors and the User-Agent ----------------------------------------------------------

ONE_ROW = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
    {"n": {"type": "literal", "value": "1",
           "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}).encode()
#: How the fake endpoint answers, by mode (slow: not at all before the client gives up).
MODES = {
    "ok": {"body": ONE_ROW, "content_type": "application/sparql-results+json"},
    "error": {"status": 500, "body": b"boom: the store is on fire", "content_type": "text/plain"},
    "html": {"body": b"<html>not sparql</html>", "content_type": "text/html"},
}


@contextmanager
def fake_endpoint(mode: str = "ok") -> Iterator[tuple[str, FaultProxy]]:
    """A SPARQL endpoint that answers as ``mode`` says (tests/faultproxy.py, nothing behind it)."""
    with FaultProxy(None) as proxy:
        if mode == "slow":
            proxy.arm("slow", action="*", times=1000, delay=60)
        else:
            proxy.arm("answer", action="*", times=1000, **MODES[mode])
        yield f"{proxy.url}/sparql", proxy


def test_user_agent_is_sent() -> None:
    with fake_endpoint() as (endpoint, proxy):
        result = run_endpoint(endpoint, "SELECT ?n WHERE {}", user_agent=UA, timeout=5)
    assert result.values() == [("1",)]
    assert proxy.user_agents == [UA]


@pytest.mark.parametrize(
    ("mode", "timeout", "message"),
    [("error", 5, "answered HTTP 500"),
     # the slow endpoint never answers: the client waits its whole timeout, so a short one
     ("slow", 0.25, "did not answer within 0.25 s"),
     ("html", 5, "did not return SPARQL results JSON")],
)
def test_endpoint_failures_are_clear(mode: str, timeout: float, message: str) -> None:
    with fake_endpoint(mode) as (endpoint, _), pytest.raises(QueryError, match=message):
        run_endpoint(endpoint, "SELECT ?n WHERE {}", user_agent=UA, timeout=timeout)


def test_unreachable_endpoint_is_exit_1() -> None:
    result = run_lod("query", "by-country", "--endpoint", f"http://127.0.0.1:{unused_port()}/query",
                     "--timeout", "5")
    assert result.code == 1
    assert "cannot reach http://127.0.0.1:" in result.stderr


def test_http_error_is_exit_1() -> None:
    with fake_endpoint("error") as (endpoint, _):
        result = run_lod("query", "by-country", "--endpoint", endpoint)
    assert result.code == 1
    assert "HTTP 500" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["--endpoint", "ftp://example.org/sparql"],
     ["--endpoint", "http://127.0.0.1:1/q", "--data", str(CASESTUDIES)]],
)
def test_bad_endpoint_options_are_exit_2(args: list[str]) -> None:
    assert run_lod("query", "by-country", *args).code == 2


def test_list_shows_endpoint_and_params() -> None:
    listed = run_lod("query", "--list")
    assert listed.code == 0
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert len(lines) == len(catalog())
    assert lines["case-studies-in-country"].split()[1:4] == ["local", "country:", "country"]
    assert "[library: qid]" in lines["wikidata-library-identifiers"]
    assert lines["by-country"].split()[1:3] == ["local", "-"]


def test_show_prints_the_file() -> None:
    shown = run_lod("query", "by-region", "--show")
    assert shown.stdout == get_query("by-region").text


# --- lod serve ----------------------------------------------------------------------------------

def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_and_stops_cleanly(tmp_path: Path, stop: signal.Signals,
                                        sigint_ignored: None) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen(
        with_default_signals(
            [sys.executable, "-m", "lod", "serve", "--data", str(CASESTUDIES), "--port", "0"]),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert process.stdout is not None
        endpoint = process.stdout.readline().split()[-1]
        ui = process.stdout.readline().split()[-1]
        assert endpoint.startswith("http://127.0.0.1:") and endpoint.endswith("/query")
        assert ui == endpoint.removesuffix("query")
        server_pids = children(process.pid)
        assert len(server_pids) == 1
        result = run_lod("query", "by-country", "--endpoint", endpoint, "--format", "csv")
        assert result.code == 0, result.stderr
        expected = run_lod("query", "by-country", "--format", "csv")
        assert result.stdout == expected.stdout
        process.send_signal(stop)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not alive(server_pids[0])
    assert list(tmp_path.iterdir()) == []  # the temporary store is gone
    with pytest.raises(QueryError):
        run_endpoint(endpoint, "ASK {}", user_agent=UA, timeout=2)


def test_serve_refuses_a_missing_directory(tmp_path: Path) -> None:
    result = run_lod("serve", "--data", tmp_path / "nope", "--port", "0")
    assert result.code == 1
    assert "no such directory" in result.stderr
