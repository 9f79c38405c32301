"""The site's query page in a real headless Chromium: the catalogue run in the browser.

Every locally runnable catalogue query is opened as ``query.html#name=NAME``
and its table compared, row for row, with ``lod query NAME --data ...
--format csv`` on the same records; an edited query with a typo, a
``#sparql=`` address, the CSV download, the Wikidata link, the keyboard, axe,
and ``lod serve`` showing the same page against its endpoint.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
import yaml
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from chromium import serious_violations
from conftest import ROOT, run_lod
from lod.query.catalog import CatalogQuery, catalog
from test_site_browser import _problems, _QuietHandler, _visit

LOCAL = [q for q in catalog() if q.endpoint != "wikidata"]
PUBLIC = ("reviewed", "published")
_WAIT = 120.0


#: Seconds the module's browser waits at most (a limit against a hang).
BROWSER_LIMIT = 120


def _settled(driver: webdriver.Chrome) -> dict[str, str | None]:
    """Wait until the page has shown a result or an error for the address it was given."""
    deadline = time.monotonic() + _WAIT
    while True:
        state: dict[str, str | None] = driver.execute_script(
            "var t = document.getElementById('results'), e = document.getElementById('query-error');"
            "return {rows: t.hidden ? null : t.dataset.rows, error: e.hidden ? null : e.textContent,"
            " status: document.getElementById('query-status').textContent,"
            " ready: document.getElementById('query-form').dataset.ready || null};")
        done = state["rows"] is not None or state["error"] is not None
        if done or time.monotonic() > deadline or "could not start" in str(state["status"]):
            return state
        time.sleep(0.05)


def _wait(driver: webdriver.Chrome, script: str) -> None:
    """Wait until ``script`` returns something true (the page works asynchronously)."""
    deadline = time.monotonic() + _WAIT
    while not driver.execute_script(script):
        assert time.monotonic() < deadline, f"timed out waiting for: {script}"
        time.sleep(0.05)


def _forget(driver: webdriver.Chrome) -> None:
    """Hide the last answer, so that waiting for the next one cannot see it."""
    driver.execute_script("var t = document.getElementById('results');"
                          "if (t) { t.hidden = true; } var e = document.getElementById('query-error');"
                          "if (e) { e.hidden = true; }")


def _go(driver: webdriver.Chrome, url: str) -> dict[str, str | None]:
    """Open ``url`` (a new address, or a new fragment of the same page) and wait for its answer."""
    _forget(driver)
    driver.get(url)
    return _settled(driver)


def _table(driver: webdriver.Chrome) -> list[list[str]]:
    """The results table as the header and the cells' values (IRIs in full, lexical forms)."""
    found: list[list[str]] = driver.execute_script(
        "var t = document.getElementById('results');"
        "var rows = [Array.from(t.tHead.rows[0].cells).map(c => c.textContent)];"
        "Array.from(t.tBodies[0].rows).forEach(r => rows.push("
        " Array.from(r.cells).map(c => c.dataset.value)));"
        "return rows;")
    return found


#: Compared with the command itself (run in this process); with its --param examples.
CLI_CHECKED = ("by-library-type", "case-studies-in-country", "case-study-institutions")


@pytest.fixture(scope="module")
def lod_query(site_data: Path) -> Callable[[CatalogQuery], str]:
    """What ``lod query NAME --data DATA --format csv --param ...`` prints, for a query.

    Computed by the command's own ``perform`` on one graph of ``site_data`` built once: each
    ``lod query`` would build the graph again, 29 times. The test compares :data:`CLI_CHECKED`
    with the command itself, so a difference between the two ways shows.
    """
    from lod.query.command import Context, Request, perform, public_graph
    from lod.settings import Settings

    settings = Settings(data_dir=site_data)
    context = Context(catalogue=functools.cache(lambda: public_graph(settings).store),
                      stdin=lambda: "", note=lambda _: None, user_agent=settings.agent,
                      timeout=settings.timeout)

    @functools.cache
    def text(query: CatalogQuery) -> str:
        return perform(Request(name=query.name, data=site_data, params=query.example, fmt="csv"),
                       context)

    return text


def _cli_csv(query: CatalogQuery, data: Path) -> str:
    params = [item for pair in query.example for item in ("--param", pair)]
    result = run_lod("query", query.name, "--data", data, "--format", "csv", *params)
    assert result.code == 0, result.stderr
    return result.stdout


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _address(query: CatalogQuery) -> str:
    extra = "".join(f"&{quote(pair.split('=', 1)[0])}={quote(pair.split('=', 1)[1])}"
                    for pair in query.example)
    return f"query.html#name={query.name}{extra}"


def test_every_local_catalogue_query_gives_the_rows_of_lod_query(
        browser: webdriver.Chrome, site_dir: Path, site_data: Path,
        lod_query: Callable[[CatalogQuery], str]) -> None:
    by_name = {query.name: query for query in LOCAL}
    for name in CLI_CHECKED:
        assert lod_query(by_name[name]) == _cli_csv(by_name[name], site_data), name
    _visit(browser, site_dir.as_uri() + "/query.html")
    ready = "return document.getElementById('query-form').dataset.ready"
    _wait(browser, ready)
    first = browser.execute_script(ready)
    differing = []
    for query in LOCAL:
        state = _go(browser, site_dir.as_uri() + "/" + _address(query))
        assert state["error"] is None, (query.name, state)
        expected = _rows(lod_query(query))
        if _table(browser) != expected:
            differing.append(query.name)
        assert int(state["rows"] or -1) == len(expected) - 1, query.name
    assert differing == []
    # One visit loaded the engine and the data once: the page was never reloaded.
    assert browser.execute_script(ready) == first
    assert _problems(browser, None) == []


def test_iris_show_as_labels_linked_to_the_sites_pages(browser: webdriver.Chrome,
                                                       site_dir: Path) -> None:
    _go(browser, site_dir.as_uri() + "/query.html#name=case-studies")
    link = browser.find_element(By.CSS_SELECTOR, "#results td[data-value$='/casestudy/nls-wir'] a")
    assert link.get_attribute("href") == site_dir.as_uri() + "/case/nls-wir.html"
    assert link.text and "nls-wir" not in link.text  # the title, not the IRI
    _go(browser, site_dir.as_uri() + "/query.html#name=by-library-type")
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert rows and all(row.find_elements(By.TAG_NAME, "td")[1].text.isdigit() for row in rows)
    caption = browser.find_element(By.ID, "results-caption").text
    assert f"{len(rows)} rows in " in caption and " ms" in caption


def test_a_typo_gives_one_line_with_its_position(browser: webdriver.Chrome, site_dir: Path) -> None:
    _go(browser, site_dir.as_uri() + "/query.html#name=case-studies")
    editor = browser.find_element(By.ID, "sparql")
    editor.click()
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys("SELECT ?id WHERE {\n  ?cs a lcs:CaseStudy ; dcterms:identifier ?id\n"
                     "ORDER BY ?id")
    _forget(browser)
    browser.find_element(By.ID, "run").click()
    state = _settled(browser)
    error = state["error"] or ""
    assert re.fullmatch(r"Syntax error at line 3, column \d+ \(.+\): .+", error), error
    assert "\n" not in error and "\\u{" not in error and len(error) < 300, error
    assert "#sparql=" in browser.current_url  # the edited query is in the address
    # The status line (announced to screen readers) says it too.
    assert "error" in (state["status"] or "")


def test_an_edited_query_runs_from_its_address(browser: webdriver.Chrome, site_dir: Path,
                                               site_data: Path) -> None:
    text = ("SELECT ?id WHERE { ?cs a lcs:CaseStudy ; dcterms:identifier ?id } ORDER BY ?id")
    state = _go(browser, site_dir.as_uri() + "/query.html#sparql=" + quote(text, safe=""))
    assert state["error"] is None, state
    expected = sorted(
        record["id"] for record in (yaml.safe_load(path.read_text(encoding="utf-8"))
                                    for path in site_data.glob("*.yaml"))
        if record["status"] in PUBLIC)
    assert _table(browser) == [["id"]] + [[item] for item in expected]
    assert browser.find_element(By.ID, "sparql").get_attribute("value") == text


def test_the_csv_download_is_what_lod_query_writes(
        browser: webdriver.Chrome, site_dir: Path, downloads: Path,
        lod_query: Callable[[CatalogQuery], str]) -> None:
    by_name = {query.name: query for query in LOCAL}
    for name in ("institutions", "case-studies"):
        _go(browser, site_dir.as_uri() + f"/query.html#name={name}")
        browser.find_element(By.ID, "download-csv").click()
        target = downloads / f"{name}.csv"
        deadline = time.monotonic() + _WAIT
        while not target.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert target.read_bytes() == lod_query(by_name[name]).encode("utf-8"), name
    json_link = browser.find_element(By.ID, "download-json")
    assert json_link.get_attribute("download") == "case-studies.json"


def test_wikidata_queries_open_in_the_query_service_and_are_not_run(
        browser: webdriver.Chrome, site_dir: Path) -> None:
    for query in (q for q in catalog() if q.endpoint == "wikidata"):
        _visit(browser, site_dir.as_uri() + f"/query.html#name={query.name}")
        _wait(browser, "return document.getElementById('query-status').textContent"
                       ".includes('not run here')")
        link = browser.find_element(By.ID, "wdqs-link")
        assert link.is_displayed() and link.text == "Open in the Wikidata Query Service"
        href = link.get_attribute("href") or ""
        assert href.startswith("https://query.wikidata.org/#")
        assert unquote(urlsplit(href).fragment) == query.text
        assert not browser.find_element(By.ID, "results").is_displayed()


@contextlib.contextmanager
def _static_server(root: Path) -> Iterator[str]:
    """A plain static server on 127.0.0.1 serving ``root``; yields its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_from_a_server_under_a_path_prefix_with_no_other_host(
        browser: webdriver.Chrome, site_dir: Path) -> None:
    root = site_dir.parent.parent
    with _static_server(root) as base:
        url = base + site_dir.relative_to(root).as_posix() + "/query.html#name=by-project"
        _visit(browser, url)
        state = _settled(browser)
        assert state["error"] is None and state["rows"], state
        assert _problems(browser, urlsplit(base).netloc) == []


def test_keyboard_alone_chooses_runs_and_reads(browser: webdriver.Chrome, site_dir: Path) -> None:
    _visit(browser, site_dir.as_uri() + "/query.html")
    _wait(browser, "return document.getElementById('query-form').dataset.ready")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(60):  # Tab, one key press at a time, until the focus is on the query's button
        if browser.execute_script("return document.activeElement.dataset.name") == "by-region":
            break
        ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.get_attribute("data-name") == "by-region"
    _forget(browser)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    state = _settled(browser)
    assert state["rows"] and "rows in" in (state["status"] or "")
    assert parse_qs(urlsplit(browser.current_url).fragment)["name"] == ["by-region"]
    # From the editor, Ctrl+Enter runs what is there.
    editor = browser.find_element(By.ID, "sparql")
    editor.send_keys(Keys.CONTROL, Keys.END)
    editor.send_keys("\n# edited")
    _forget(browser)
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    _settled(browser)
    assert "#sparql=" in browser.current_url


def test_axe_finds_no_serious_or_critical_violation(browser: webdriver.Chrome,
                                                    site_dir: Path) -> None:
    _go(browser, site_dir.as_uri() + "/query.html#name=case-studies")
    bad = serious_violations(browser)
    assert bad == [], bad


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="lod serve stops its server by prctl")
def test_lod_serve_opens_on_the_query_page_and_runs_a_catalogue_query(
        browser: webdriver.Chrome, tmp_path: Path) -> None:
    data = ROOT / "casestudies"
    process = subprocess.Popen(
        [sys.executable, "-m", "lod", "serve", "--data", str(data), "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        assert process.stdout is not None
        endpoint = process.stdout.readline().split()[-1]
        ui = process.stdout.readline().split()[-1]
        _visit(browser, ui)
        assert browser.find_element(By.TAG_NAME, "h1").text == "Query the catalogue"
        state = _go(browser, ui + "#name=by-country")
        assert state["error"] is None, state
        expected = run_lod("query", "by-country", "--data", data, "--format", "csv")
        assert _table(browser) == list(csv.reader(io.StringIO(expected.stdout)))
        # The page asked the served endpoint, on the same origin, and nothing else.
        assert _problems(browser, urlsplit(endpoint).netloc) == []
    finally:
        process.terminate()
        process.wait(timeout=60)
