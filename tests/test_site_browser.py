"""The built site in a real headless Chromium (Debian's chromium + chromium-driver, Selenium).

One browser for the module. Every page is opened from disk (file://) and
through a plain static server on 127.0.0.1 under a path prefix; each visit
must log no console error, fail no request and ask no other host for
anything. The expected filter results are computed here from the YAML files
(and mappings/regions.ttl for continents), not from the site.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import rdflib
import yaml
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from chromium import serious_violations
from conftest import ROOT, run_lod

PUBLIC = ("reviewed", "published")
#: Pages of the browser itself (its new-tab page loads while it starts).
_BROWSER_SCHEMES = ("chrome", "chrome-untrusted", "devtools")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def server(site_dir: Path) -> Iterator[str]:
    """A static server on 127.0.0.1 whose root is two folders above the site (a path prefix)."""
    root = site_dir.parent.parent
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    prefix = site_dir.relative_to(root).as_posix()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/{prefix}/"
    httpd.shutdown()
    httpd.server_close()


def _problems(driver: webdriver.Chrome, allowed_host: str | None) -> list[str]:
    """Console errors, failed requests and requests elsewhere since the last call."""
    found = [f"console: {entry['message']}" for entry in driver.get_log("browser")
             if entry["level"] in ("SEVERE", "WARNING")]
    ours: set[str] = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message["method"], message.get("params", {})
        if method == "Network.requestWillBeSent":
            if urlsplit(params.get("documentURL", "")).scheme in _BROWSER_SCHEMES:
                continue  # the browser's own start page, not the site
            ours.add(params["requestId"])
            url = params["request"]["url"]
            parts = urlsplit(url)
            if parts.scheme == "data":
                continue
            if allowed_host is None and parts.scheme != "file":
                found.append(f"request off disk: {url}")
            if allowed_host is not None and parts.netloc != allowed_host:
                found.append(f"request to another host: {url}")
        elif method == "Network.loadingFailed" and params["requestId"] in ours:
            found.append(f"failed request: {params.get('errorText')} {params.get('type')}")
        elif method == "Network.responseReceived" and params["response"].get("status", 200) >= 400:
            found.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
    return found


def _visit(driver: webdriver.Chrome, url: str) -> None:
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(url)
    ready = driver.execute_script("return document.readyState")
    assert ready == "complete"


PAGES = ("index.html", "dashboard.html", "browse.html", "submit.html", "data.html",
         "case/script-title-test.html", "case/british-library-wir.html", "type/academic.html",
         "type/law.html", "country/KE.html", "unit/school-libraries.html",
         "project/wiktionary.html")


@pytest.mark.parametrize("mode", ["file", "http"])
def test_pages_load_cleanly_from_disk_and_from_a_server(
        browser: webdriver.Chrome, site_dir: Path, server: str, mode: str) -> None:
    base = site_dir.as_uri() + "/" if mode == "file" else server
    host = None if mode == "file" else urlsplit(server).netloc
    for page in PAGES:
        _visit(browser, base + page)
        assert browser.find_element(By.TAG_NAME, "h1").text.strip(), page
        problems = _problems(browser, host)
        assert problems == [], f"{mode} {page}: {problems}"
        if page == "index.html":  # the script ran: filters shown, the no-JS note hidden
            assert browser.find_element(By.ID, "filters").is_displayed()
            assert not browser.find_element(By.ID, "js-note").is_displayed()


# --- the filters, against the YAML -------------------------------------------------------


def _continents() -> dict[str, str]:
    """Country code -> continent name, read from the regions vocabulary with rdflib."""
    graph = rdflib.Graph().parse(ROOT / "mappings" / "regions.ttl", format="turtle")
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    lcs = rdflib.Namespace("https://w3id.org/libcasestudies/ns#")
    tops = set(graph.subjects(skos.topConceptOf, None))
    found = {}
    for country, region in graph.subject_objects(lcs.inRegion):
        while region not in tops:
            region = next(graph.objects(region, skos.broader))
        found[str(country).rsplit("/", 1)[1]] = str(graph.value(region, skos.notation))
    return found


def _records(folder: Path) -> list[dict[str, Any]]:
    loaded = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in folder.glob("*.yaml")]
    return [record for record in loaded if record["status"] in PUBLIC]


def _facets(record: dict[str, Any], continents: dict[str, str]) -> dict[str, set[str]]:
    units = set(record.get("ifla_units", []))
    if record.get("submitted_by", {}).get("unit"):
        units.add(record["submitted_by"]["unit"])
    countries = {item["country"] for item in record["institutions"]}
    return {
        "type": {item["type"] for item in record["institutions"]},
        "country": countries,
        "region": {continents[c] for c in countries if c in continents},
        "unit": units,
        "project": set(record["wikimedia_projects"]),
        "activity": set(record.get("activities", [])),
    }


def _years(record: dict[str, Any]) -> tuple[int | None, float]:
    period = record.get("period") or {}
    start = int(str(period["start"])[:4]) if period.get("start") else None
    end = int(str(period["end"])[:4]) if period.get("end") else float("inf")
    return start, end


def _expected(records: list[dict[str, Any]], chosen: dict[str, str],
              years: tuple[int, int] | None = None) -> set[str]:
    continents = _continents()
    found = set()
    for record in records:
        facets = _facets(record, continents)
        if any(value not in facets[name] for name, value in chosen.items()):
            continue
        if years is not None:
            start, end = _years(record)
            if start is None or start > years[1] or end < years[0]:
                continue
        found.add(record["id"])
    return found


def _shown(driver: webdriver.Chrome) -> set[str]:
    """The records the list shows: its items that are rendered and visible (not hidden, not
    display:none, not transparent, themselves or by an ancestor), asked in one script rather
    than two WebDriver commands an item."""
    shown: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#results > li'))"
        ".filter(li => li.checkVisibility({opacityProperty: true, visibilityProperty: true}))"
        ".map(li => li.getAttribute('data-id') || '');")
    return set(shown)


def test_filters_narrow_the_list_to_the_expected_records_and_live_in_the_url(
        browser: webdriver.Chrome, site_dir: Path, site_data: Path) -> None:
    records = _records(site_data)
    index = site_dir.as_uri() + "/index.html"
    _visit(browser, index)
    assert _shown(browser) == {record["id"] for record in records}
    Select(browser.find_element(By.ID, "f-type")).select_by_value("academic")
    Select(browser.find_element(By.ID, "f-country")).select_by_value("US")
    expected = _expected(records, {"type": "academic", "country": "US"})
    assert expected and len(expected) < len(records)
    assert _shown(browser) == expected
    count = browser.find_element(By.ID, "count").text
    assert count == f"{len(expected)} of {len(records)} case studies match"
    bookmark = browser.current_url
    assert "type=academic" in bookmark and "country=US" in bookmark
    _visit(browser, site_dir.as_uri() + "/browse.html")
    _visit(browser, bookmark)  # a bookmarked view opens filtered
    assert _shown(browser) == expected
    assert Select(browser.find_element(By.ID, "f-type")).first_selected_option.text == \
        "academic library"
    assert _problems(browser, None) == []


def test_region_project_unit_activity_and_years_filters(
        browser: webdriver.Chrome, site_dir: Path, site_data: Path) -> None:
    records = _records(site_data)
    cases: list[tuple[dict[str, str], tuple[int, int] | None]] = [
        ({"region": "150"}, None),
        ({"project": "wikidata"}, None),
        ({"unit": "school-libraries"}, None),
        ({"activity": "editathon", "region": "019"}, None),
        ({}, (2010, 2013)),
        ({"type": "national"}, (2015, 2030)),
    ]
    for chosen, years in cases:
        fragment = "&".join(f"{name}={value}" for name, value in chosen.items())
        if years:
            fragment += f"&from={years[0]}&to={years[1]}"
        _visit(browser, site_dir.as_uri() + "/index.html#" + fragment.lstrip("&"))
        expected = _expected(records, chosen, years)
        assert expected, (chosen, years)
        assert _shown(browser) == expected, (chosen, years)
    assert _problems(browser, None) == []


def test_filters_work_by_keyboard_alone(browser: webdriver.Chrome, site_dir: Path,
                                        site_data: Path) -> None:
    records = _records(site_data)
    _visit(browser, site_dir.as_uri() + "/index.html")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)  # the skip link first
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to the content"
    search = browser.find_element(By.ID, "q")
    for _ in range(12):  # tab through the site navigation to the search field
        if browser.switch_to.active_element == search:
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element == search
    search.send_keys("wikisource")
    words = re.compile(r"[\w']+")
    expected = {
        record["id"] for record in records
        if any(word.lower().startswith("wikisource")
               for word in words.findall(record["title"][record["lang"]] + " "
                                         + record["summary"][record["lang"]]))
    }
    assert expected
    assert _shown(browser) == expected
    search.send_keys(Keys.TAB)  # to the library type; arrow keys choose an option
    browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    chosen = Select(browser.find_element(By.ID, "f-type")).first_selected_option.get_attribute(
        "value")
    assert chosen
    both = {rid for rid in expected if rid in _expected(records, {"type": chosen or ""})}
    assert _shown(browser) == both


# --- escaping, dashboard, screenshots, axe ------------------------------------------------


def test_a_title_holding_a_script_renders_as_text(browser: webdriver.Chrome,
                                                  site_dir: Path) -> None:
    _visit(browser, site_dir.as_uri() + "/case/script-title-test.html")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith('<script>alert("title")</script>')
    assert browser.execute_script("return document.querySelectorAll('main script').length") == 0
    assert "<script>" in browser.find_element(By.ID, "main").text
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert _problems(browser, None) == []


def _csv(name: str, data: Path) -> list[list[str]]:
    result = run_lod("query", name, "--data", data, "--format", "csv")
    assert result.code == 0, result.stderr
    return list(csv.reader(io.StringIO(result.stdout)))[1:]


#: Checked through the command itself; the others through what the command runs
#: (``assemble`` then ``run_in_process``: each ``lod query`` would build the graph again).
CLI_QUERIES = ("by-library-type", "gaps-library-types", "by-country")


def _answers(names: list[str], data: Path) -> dict[str, list[list[str]]]:
    from lod.pipeline import assemble
    from lod.query.catalog import get_query
    from lod.query.execute import run_in_process
    from lod.settings import Settings

    store = assemble([data], Settings(data_dir=data), include_drafts=False).store
    answers = {name: [[value or "" for value in row]
                      for row in run_in_process(get_query(name), store).values()]
               for name in names}
    for name in CLI_QUERIES:
        assert _csv(name, data) == answers[name], name
    return answers


def test_dashboard_numbers_equal_lod_query(browser: webdriver.Chrome, site_dir: Path,
                                           site_data: Path) -> None:
    _visit(browser, site_dir.as_uri() + "/dashboard.html")

    def table(key: str) -> dict[str, int]:
        rows = browser.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]))"
            ".map(tr => [tr.dataset.term, tr.querySelector('td').textContent])",
            f"#h-{key} ~ .chart-pair tr[data-term]")
        return {term: int(count) for term, count in rows}

    checks = {"types": ("by-library-type", "gaps-library-types"),
              "countries": ("by-country", None),
              "units": ("by-ifla-unit", "gaps-ifla-units"),
              "projects": ("by-project", "gaps-projects"),
              "activities": ("by-activity", "gaps-activities"),
              "years": ("by-year", None),
              "regions": ("by-region", None)}
    names = [name for pair in checks.values() for name in pair if name]
    answers = _answers(names, site_data)
    for key, (counts, gaps) in checks.items():
        expected = {row[0]: int(row[-1]) for row in answers[counts]}
        shown = table(key)
        assert {k: v for k, v in shown.items() if v} == expected, key
        if gaps:
            assert {k for k, v in shown.items() if not v} == {r[0] for r in answers[gaps]}
    # A gap is said in words, with labels, not ids.
    text = browser.find_element(By.ID, "main").text
    assert "Library types with no case study yet" in text
    assert "law library" in text and "gaps-library" not in text.split("Case studies by")[0]
    svg_names = browser.execute_script(
        "return Array.from(document.querySelectorAll('svg[role=img]'))"
        ".map(s => s.getAttribute('aria-labelledby').split(' ')"
        ".map(id => document.getElementById(id).textContent).join(' '))")
    assert len(svg_names) == len(checks) and all(name.strip() for name in svg_names)


def test_screenshots_of_index_and_dashboard(browser: webdriver.Chrome, site_dir: Path,
                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("site-screenshots")
    for page in ("index.html", "dashboard.html"):
        _visit(browser, site_dir.as_uri() + "/" + page)
        target = folder / page.replace(".html", ".png")
        assert browser.save_screenshot(str(target))
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"\nsite screenshots: {folder}", file=sys.stderr)
    keep = ROOT / ".pytest_cache" / "site-screenshots"
    shutil.rmtree(keep, ignore_errors=True)
    shutil.copytree(folder, keep)


AXE_PAGES = ("index.html", "dashboard.html", "browse.html", "submit.html", "data.html",
             "case/script-title-test.html", "type/academic.html", "type/law.html")


@pytest.mark.parametrize("page", AXE_PAGES)
def test_axe_finds_no_serious_or_critical_violation(browser: webdriver.Chrome, site_dir: Path,
                                                    page: str) -> None:
    _visit(browser, site_dir.as_uri() + "/" + page)
    bad = serious_violations(browser)
    assert bad == [], f"{page}: {bad}"


# --- several values per filter, and the undated records (issue 24, friction 8) -----------------


def test_a_filter_takes_several_values(browser: webdriver.Chrome, site_dir: Path,
                                       site_data: Path) -> None:
    records = _records(site_data)
    _visit(browser, site_dir.as_uri() + "/index.html#type=academic,national")
    expected = _expected(records, {"type": "academic"}) | _expected(records, {"type": "national"})
    assert _shown(browser) == expected
    chosen = [o.get_attribute("value") for o in
              Select(browser.find_element(By.ID, "f-type")).all_selected_options]
    assert chosen == ["academic", "national"]


def test_the_year_filter_says_what_it_leaves_out_and_offers_it(
        browser: webdriver.Chrome, site_dir: Path, site_data: Path) -> None:
    records = _records(site_data)
    undated = {r["id"] for r in records if _years(r)[0] is None}
    assert undated
    _visit(browser, site_dir.as_uri() + "/index.html#from=2010&to=2030")
    dated = _expected(records, {}, (2010, 2030))
    assert _shown(browser) == dated
    count = browser.find_element(By.ID, "count").text
    assert f"{len(undated)} without a start date left out" in count
    browser.find_element(By.ID, "f-undated").click()
    assert _shown(browser) == dated | undated
    assert "undated=yes" in browser.current_url
