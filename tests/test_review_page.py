"""review.html read in a real headless Chromium, as a patroller reads it before a batch.

Two pages: the dry run of the bundled case studies against the session's test Wikibase (what
a user gets), and a plan written here from the rules of Help:Description, Help:Sources and the
constraints table, so that every check of OpenRefine's list has something to find. Expected
values come from plan.json, the YAML rules and the Wikibase time format, not from the renderer;
dates are turned into words here with the calendar module, independently of lod.
"""

from __future__ import annotations

import calendar
import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from conftest import CASESTUDIES, run_lod
from lod.publish.wikidata.dryrun import constraints, known_labels
from lod.publish.wikidata.model import ItemState, Plan, PlannedItem, Statement, Value, Warning
from lod.publish.wikidata.render import WikiLinks, review_html
from lod.resources import mappings_dir

RAW_TIME = re.compile(r"[+-]\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _open(driver: webdriver.Chrome, page: Path) -> None:
    """Open the page from disk; it must log no console error (a CSP refusal is one) and ask for
    nothing at all (no script, no style sheet, no image from anywhere)."""
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(page.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    requested = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if url != page.as_uri():
                requested.append(url)
    assert requested == []


def _readable(value: dict[str, Any]) -> str:
    """A Wikibase time in words, from its format (``+YYYY-MM-DDT00:00:00Z``, precision 9-11)."""
    year, month, day = (int(part) for part in value["value"][1:11].split("-"))
    if value["precision"] == 11:
        return f"{day} {calendar.month_name[month]} {year}"
    if value["precision"] == 10:
        return f"{calendar.month_name[month]} {year}"
    return str(year)


def _section(driver: webdriver.Chrome, key: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f'section.item[id="{key}"]')


def _text(driver: webdriver.Chrome, element: WebElement) -> str:
    """The element's text as rendered (the browser's innerText: what WebElement.text
    approximates with a script of its own, many times slower on a long section)."""
    text: str = driver.execute_script("return arguments[0].innerText;", element)
    return text


def _texts(driver: webdriver.Chrome, element: WebElement, css: str) -> list[str]:
    """The rendered text of each of the element's descendants that ``css`` selects."""
    texts: list[str] = driver.execute_script(
        "return Array.from(arguments[0].querySelectorAll(arguments[1])).map(e => e.innerText);",
        element, css)
    return texts


# --- the dry run a user gets ------------------------------------------------------------------


@pytest.fixture(scope="module")
def dry_run(test_wikibase: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``lod publish wikidata`` on the bundled case studies: OUT with plan.json and review.html."""
    out = tmp_path_factory.mktemp("review") / "out"
    result = run_lod("publish", "wikidata", "--data", CASESTUDIES, "--api", test_wikibase.api_url,
                     "--sparql", test_wikibase.sparql_url, "--ids", test_wikibase.ids_file,
                     "--out", out)
    assert result.code in (0, 1), result.stderr
    assert (out / "review.html").exists(), result.stderr
    return out


def test_the_summary_comes_first_with_the_counts_of_plan_json(browser: webdriver.Chrome,
                                                               dry_run: Path) -> None:
    plan = json.loads((dry_run / "plan.json").read_text(encoding="utf-8"))
    _open(browser, dry_run / "review.html")
    sections = browser.find_elements(By.CSS_SELECTOR, "main > section")
    assert sections[0].get_attribute("id") == "summary"
    rows = {row.get_attribute("data-action"): row.find_elements(By.TAG_NAME, "td")[-1].text
            for row in browser.find_elements(By.CSS_SELECTOR, "#changes tbody tr")}
    for action in ("create", "update", "none", "blocked"):
        assert rows[action] == str(sum(1 for i in plan["items"] if i["action"] == action))
    codes: dict[str, int] = {}
    for warning in plan["warnings"]:
        codes[warning["code"]] = codes.get(warning["code"], 0) + 1
    shown = {row.get_attribute("data-warning"): int(row.find_elements(By.TAG_NAME, "td")[1].text)
             for row in browser.find_elements(By.CSS_SELECTOR, "#warning-counts tr[data-warning]")}
    assert shown == codes  # grouped by kind, with counts
    for code, count in codes.items():  # and each group lists them
        group = browser.find_element(By.ID, f"warning-{code}")
        assert len(group.find_elements(By.TAG_NAME, "li")) == count


def test_records_without_a_decision_are_listed_with_what_to_add(browser: webdriver.Chrome,
                                                                dry_run: Path) -> None:
    plan = json.loads((dry_run / "plan.json").read_text(encoding="utf-8"))
    undecided = plan.get("undecided", [])
    assert undecided  # most bundled records carry no decision yet
    _open(browser, dry_run / "review.html")
    count = browser.find_element(By.ID, "undecided-count").text
    assert f": {len(undecided)}" in count
    for row in undecided:
        entry = browser.find_element(By.ID, f"undecided-{row['record']}")
        shown = [text.strip() for text in _texts(browser, entry, "li")]
        assert shown == row["choices"]


def test_dates_are_words_labels_are_shown_and_values_link_to_the_wiki(
        browser: webdriver.Chrome, dry_run: Path, test_wikibase: Any) -> None:
    plan = json.loads((dry_run / "plan.json").read_text(encoding="utf-8"))
    _open(browser, dry_run / "review.html")
    text = browser.find_element(By.TAG_NAME, "body").text
    assert RAW_TIME.search(text) is None  # no +2016-01-00T00:00:00Z anywhere
    names = known_labels(mappings_dir())
    checked = 0
    for item in plan["items"]:
        if not item["statements"]:
            continue
        section = _text(browser, _section(browser, item["key"]))
        for statement in item["statements"]:
            for value in [statement["value"], *(q["value"] for q in statement["qualifiers"]),
                          *(r["value"] for r in statement["reference"])]:
                if value["type"] == "time":
                    assert _readable(value) in section, (item["key"], value)
                    checked += 1
            if statement["property"] in names:
                assert names[statement["property"]] in section
    assert checked > 0
    links: list[tuple[str, str]] = [(href, text.strip()) for href, text in browser.execute_script(
        "return Array.from(document.querySelectorAll(\"section.item td a[href*='index.php']\"))"
        ".map(a => [a.href, a.innerText]);")]
    assert links
    for href, _ in links[:5]:  # an item's or a property's page on this wiki, under its own id
        answer = requests.get(href, timeout=60)
        assert answer.status_code == 200, href
        local = href.split("title=", 1)[1]
        assert local.split(":")[-1] in answer.text
    bare = [text for _, text in links if re.fullmatch(r"(local:)?[PQ]\d+", text)]
    assert bare == []  # every item and property shown by its label, its id beside it
    local_ids = set(test_wikibase.ids.values())
    titles = {href.split("title=", 1)[1] for href, _ in links}
    assert {t.removeprefix("Property:") for t in titles} & local_ids  # the wiki's own ids


def test_each_warning_stands_beside_its_item(browser: webdriver.Chrome, dry_run: Path) -> None:
    plan = json.loads((dry_run / "plan.json").read_text(encoding="utf-8"))
    _open(browser, dry_run / "review.html")
    first: dict[str, str] = {}
    for item in plan["items"]:
        first.setdefault(item["record"], item["key"])
    for warning in plan["warnings"]:
        if warning["record"] in first:
            section = _section(browser, first[warning["record"]])
            shown = [text.strip() for text in
                     _texts(browser, section, "ul.findings li[data-warning]")]
            assert any(warning["message"] in line for line in shown), warning
        else:
            assert warning["message"] in browser.find_element(By.ID,
                                                              "records-without-item").text


def test_the_page_keeps_a_strict_content_security_policy(browser: webdriver.Chrome,
                                                         dry_run: Path) -> None:
    _open(browser, dry_run / "review.html")
    policy = browser.find_element(By.CSS_SELECTOR, "meta[http-equiv='Content-Security-Policy']")
    content = policy.get_attribute("content") or ""
    assert "default-src 'none'" in content and "script-src" not in content
    assert "'unsafe-inline'" not in content
    assert browser.find_elements(By.TAG_NAME, "script") == []
    header = browser.find_element(By.CSS_SELECTOR, "th")  # the style sheet applied: its hash holds
    assert header.value_of_css_property("background-color") == "rgba(234, 236, 240, 1)"


# --- every check, from the rules --------------------------------------------------------------

REF = (("P854", Value("url", "https://example.org/report")),
       ("P813", Value("time", "+2026-11-20T00:00:00Z", precision=11)))


def _rules_plan() -> Plan:
    """One item per rule broken (Help:Description, Help:Sources, OpenRefine's new-item checks,
    the single-value and format constraints of mappings/wikidata-constraints.tsv)."""
    return Plan([
        PlannedItem("case-study:capital", "capital", "case-study", "create", None,
                    {"en": "Wiki Loves Libraries"}, {"en": "Campaign of libraries in 2019"},
                    [Statement("P31", Value("item", "Q155207"), reference=REF)]),
        PlannedItem("case-study:article", "article", "case-study", "create", None,
                    {"en": "Bibliowikis"}, {"en": "the project of libraries in Catalonia"},
                    [Statement("P31", Value("item", "Q155207"), reference=REF)]),
        PlannedItem("case-study:stop", "stop", "case-study", "create", None,
                    {"en": "Wikipedian in residence"}, {"en": "residency at a library, 2012."},
                    [Statement("P31", Value("item", "Q155207"), reference=REF)]),
        PlannedItem("case-study:long", "long", "case-study", "create", None,
                    {"en": "Lists"}, {"en": " ".join(["word"] * 13)},
                    [Statement("P31", Value("item", "Q155207"), reference=REF)]),
        PlannedItem("case-study:same", "same", "case-study", "create", None,
                    {"en": "edit-a-thon"}, {"en": "edit-a-thon"},
                    [Statement("P31", Value("item", "Q155207"), reference=REF)]),
        PlannedItem("case-study:untyped", "untyped", "case-study", "create", None,
                    {"en": "An item without class"}, {},
                    [Statement("P580", Value("time", "+2016-01-00T00:00:00Z", precision=10))]),
        PlannedItem("institution:twice", "twice", "institution", "update", "Q42", {}, {},
                    [Statement("P580", Value("time", "+2017-00-00T00:00:00Z", precision=9),
                               reference=REF)],
                    ItemState("Q42", {"en": "A library"}, {},
                              {"P580": (Value("time", "+2015-03-04T00:00:00Z", precision=11),)},
                              7)),
        PlannedItem("case-study:mirror", "mirror", "case-study", "create", None,
                    {"en": "From a mirror"}, {"en": "case study of a library"},
                    [Statement("P31", Value("item", "Q155207"), reference=(
                        ("P854", Value("url", "https://en.wikipedia.org/wiki/Library")),))]),
    ], [Warning("capital", "no-source", "no retrieved date: the reference is the URL alone"),
        Warning("undecided", "undecided", "no decision: add wikidata: {create: work}")])


EXPECTED = {  # item key -> the checks that must be listed beside it
    "case-study:capital": {"description-capital"},
    "case-study:article": {"description-article"},
    "case-study:stop": {"description-punctuation"},
    "case-study:long": {"description-too-long"},
    "case-study:same": {"description-equals-label"},
    "case-study:untyped": {"new-item-without-type", "new-item-without-description",
                           "unsourced-statement"},
    "institution:twice": {"single-value"},
    "case-study:mirror": {"format"},
}


def test_every_check_is_beside_its_item_and_counted(browser: webdriver.Chrome,
                                                    tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    page.write_bytes(review_html(_rules_plan(), known_labels(mappings_dir()),
                                 WikiLinks.for_api("https://www.wikidata.org/w/api.php",
                                                   _no_ids()), constraints()))
    _open(browser, page)
    for key, codes in EXPECTED.items():
        shown = {li.get_attribute("data-check") for li in _section(browser, key).find_elements(
            By.CSS_SELECTOR, "ul.findings li[data-check]")}
        assert shown == codes, key
    counts = {row.get_attribute("data-check"): int(row.find_elements(By.TAG_NAME, "td")[1].text)
              for row in browser.find_elements(By.CSS_SELECTOR, "#check-counts tr[data-check]")}
    for code in {c for codes in EXPECTED.values() for c in codes}:
        assert counts[code] == sum(1 for codes in EXPECTED.values() if code in codes), code
    twice = _section(browser, "institution:twice").text
    assert "4 March 2015" in twice and "2017" in twice  # current beside added, dates in words
    assert "January 2016" in _section(browser, "case-study:untyped").text
    link = _section(browser, "case-study:capital").find_element(
        By.CSS_SELECTOR, "a[href='https://www.wikidata.org/wiki/Q155207']")
    assert link.text == "case study"  # the label, linked to the item on Wikidata
    prop = browser.find_element(By.CSS_SELECTOR,
                                "a[href='https://www.wikidata.org/wiki/Property:P31']")
    assert prop.text == "instance of"
    assert "no decision" in browser.find_element(By.ID, "records-without-item").text


def _no_ids() -> Any:
    from lod.publish.wikidata.reads import IdMap

    return IdMap()


# --- the constraints table and the description rules, without a browser -----------------------

def test_the_constraints_table_names_real_ids_with_their_labels_and_a_source() -> None:
    import csv

    from lod.publish.wikidata.checks import Constraints

    names = known_labels(mappings_dir())
    path = mappings_dir() / "wikidata-constraints.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows
    for row in rows:
        assert names[row["property"]] == row["label"]  # a verified property, its real label
        assert row["source"].strip()
    table = Constraints.read(path)
    # Wikidata's single-value and format constraint items, one per kind
    assert table.items == {"single value": "Q19474404", "format": "Q21502404"}
    assert table.of("P854", "format") and table.of("P580", "single value")


def test_a_broken_constraints_row_is_named_by_file_and_line(tmp_path: Path) -> None:
    from lod.publish.wikidata.checks import Constraints

    path = tmp_path / "c.tsv"
    path.write_text("property\tlabel\tconstraint\tconstraint_item\tparameter\tstatus\tsource\n"
                    "P854\treference URL\tformat\tQ21502404\t(unclosed\t\tsomewhere\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"c\.tsv:2: parameter"):
        Constraints.read(path)


_words = st.lists(st.text("abcdefghij", min_size=1, max_size=8), min_size=1, max_size=20)


@given(_words, st.sampled_from(["", ".", ",", "!", ";"]), st.booleans())
def test_description_rules_for_any_english_description(words: list[str], end: str,
                                                       capital: bool) -> None:
    from lod.publish.wikidata.checks import Constraints, item_findings

    text = " ".join(words) + end
    if capital:
        text = text[0].upper() + text[1:]
    planned = PlannedItem("k", "r", "case-study", "create", None, {"en": "label x"},
                          {"en": text}, [Statement("P31", Value("item", "Q155207"), reference=REF)])
    codes = {f.code for f in item_findings(planned, Constraints())}
    assert ("description-too-long" in codes) == (len(words) > 12)
    assert ("description-punctuation" in codes) == bool(end)
    assert ("description-capital" in codes) == capital
    assert ("description-article" in codes) == (words[0] in {"a", "an", "the"})
    assert "new-item-without-type" not in codes and "unsourced-statement" not in codes
