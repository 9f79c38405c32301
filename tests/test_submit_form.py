"""The submission form (issue 25) in a real headless Chromium, round-tripped through lod.

The form is filled by its controls' labels, as a person would; its wiki text
is saved on the suite's real MediaWiki (php -S) and read back with
``lod harvest --api``; the draft is compared field by field with the record
the page offers for download, which ``lod validate`` must accept.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from chromium import serious_violations
from conftest import ROOT, run_lod
from lod.model.terms import closest
from lod.model.vocab import DEFAULT_LICENSE
from lod.resources import language_names
from test_site_browser import _problems, _visit
from tests.servers import mediawiki_server

_WAIT = 60.0
PREFIX = "GLAM/IFLA Case Studies/"
TITLE = "Reading circles on Wikisource in Finnish school libraries"
SUMMARY = ("Pupils of two school libraries in Helsinki transcribed and proofread Finnish folk tales "
           "on Wikisource, then wrote articles on Wikipedia about the collectors of the tales. "
           "Teachers and librarians ran the sessions together, once a week for a school year.")
#: Fields of the record a page on a public wiki must not or cannot carry: the contact is
#: private unless ticked, and the text saved on the wiki is under the wiki's licence.
NOT_ON_THE_PAGE = ("contacts", "license")


class _StrictHandler(SimpleHTTPRequestHandler):
    """Serves the built site and sends each page's own CSP (its meta tag) as a header too,
    as a server configured for the site would."""

    def end_headers(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.suffix == ".html" and path.is_file():
            meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"',
                             path.read_text(encoding="utf-8"))
            assert meta, f"{path.name} has no CSP"
            self.send_header("Content-Security-Policy", html.unescape(meta.group(1)))
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(site_dir: Path) -> Iterator[str]:
    """The built site from a threaded http.server on 127.0.0.1."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_StrictHandler, directory=str(site_dir)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


#: The one control whose label starts with ``arguments[0]`` (XPath's normalize-space on the
#: label's text), or why there is none; with ``arguments[1]`` it is focused and its text
#: selected, and it must then hold the focus (shown and enabled, as a person's click needs).
#: One script instead of the three or four WebDriver commands of a lookup.
_CONTROL = """
const [wanted, focus] = arguments, squeeze = text => text.replace(/[ \\t\\r\\n]+/g, ' ').trim();
const found = Array.from(document.querySelectorAll('label'))
  .filter(label => squeeze(label.textContent).startsWith(wanted));
if (found.length !== 1) { return found.length + ' labels start with ' + JSON.stringify(wanted); }
const control = found[0].htmlFor && document.getElementById(found[0].htmlFor);
if (!control) { return 'label ' + JSON.stringify(wanted) + ' names no control'; }
if (focus) {
  control.focus();
  control.select();
  if (document.activeElement !== control) { return JSON.stringify(wanted) + ' does not take the focus'; }
}
return control;
"""


def _control(driver: webdriver.Chrome, label: str, *, focus: bool = False) -> WebElement:
    """The one control whose label starts with ``label`` (fails when none or several)."""
    found = driver.execute_script(_CONTROL, label, focus)
    assert isinstance(found, WebElement), found
    return found


def _type(driver: webdriver.Chrome, label: str, text: str, *, keys: bool = False) -> None:
    """Put ``text`` in the field labelled ``label`` (replacing what is there), then Tab away.

    With ``keys`` every character is a key press. Otherwise the field is focused and the
    text goes in as one trusted input, as an input method or a paste sends it: the page sees
    the same ``input`` and, on the Tab, ``change`` events, for a fraction of the browser's
    work (a key press costs it a round of events, layout and paint).
    """
    if keys:
        field = _control(driver, label)
        field.clear()
        field.send_keys(text, Keys.TAB)
        return
    _control(driver, label, focus=True)
    driver.execute_cdp_cmd("Input.insertText", {"text": text})
    ActionChains(driver).send_keys(Keys.TAB).perform()


def _tick(driver: webdriver.Chrome, label: str) -> None:
    box = _control(driver, label)
    if not box.is_selected():
        box.send_keys(Keys.SPACE)
    assert box.is_selected()


def _choose(driver: webdriver.Chrome, label: str, option: str) -> None:
    Select(_control(driver, label)).select_by_visible_text(option)


def _open(driver: webdriver.Chrome, url: str) -> None:
    _visit(driver, url)
    deadline = time.monotonic() + _WAIT
    while not driver.execute_script("return document.getElementById('submit-form').dataset.ready"):
        assert time.monotonic() < deadline, "the form's script did not start"
        time.sleep(0.05)


def _add_another(driver: webdriver.Chrome, what: str) -> None:
    """Show one more row of a repeatable part, by keyboard, as a person would."""
    driver.find_element(By.XPATH, f"//button[normalize-space()='Add another {what}']").send_keys(Keys.ENTER)


def _fill(driver: webdriver.Chrome) -> None:
    _type(driver, "Title", TITLE)
    _type(driver, "Summary", SUMMARY)
    _type(driver, "Name of institution 1", "Helsinki City Library")
    _choose(driver, "Kind of library of institution 1", "school library")
    _type(driver, "Country of institution 1", "Finland")
    _choose(driver, "Role of institution 1", "lead")
    _add_another(driver, "institution")
    _type(driver, "Name of institution 2", "Wikimedia Suomi")
    _choose(driver, "Kind of library of institution 2", "non-library organisation")
    _type(driver, "Country of institution 2", "Finland")
    _type(driver, "Find an IFLA unit", "school")
    _tick(driver, "School Libraries Section")
    for project in ("Wikisource", "Wikipedia"):
        _tick(driver, project)
    for activity in ("transcription", "training"):
        _tick(driver, activity)
    _type(driver, "Wiki language edition 1", "Finnish")
    _add_another(driver, "language")
    _type(driver, "Wiki language edition 2", "swedish")
    _type(driver, "Started", "2019-09")
    _type(driver, "Ended", "2020-05")
    _type(driver, "Address of link 1", "https://example.org/reading-circles/report.pdf")
    _type(driver, "Name of link 1", "Final report")
    _choose(driver, "Kind of link 1", "report")
    _add_another(driver, "link")
    _type(driver, "Address of link 2", "https://fi.wikisource.org/wiki/Wikiaineisto:Lukupiirit")
    _type(driver, "Context/Background", "The city's school libraries had no staff time for "
          "Wikimedia work before a grant paid for one librarian.")
    _type(driver, "Goals", "Pupils were to read old Finnish texts closely.")
    _type(driver, "Reflection and lessons learned", "Proofreading suits short sessions better "
          "than writing articles does.")
    _choose(driver, "Submitted by", "an IFLA unit")
    _type(driver, "Name of the submitter", "School Libraries Section")
    _type(driver, "Contact name", "Aino Virtanen")
    _type(driver, "Contact e-mail", "aino@example.org")


def _fill_required(driver: webdriver.Chrome) -> None:
    """Only what the form cannot do without (a title, a summary, one institution, one project):
    for a test about one field, with the rest of the form valid."""
    _type(driver, "Title", TITLE)
    _type(driver, "Summary", SUMMARY)
    _type(driver, "Name of institution 1", "Helsinki City Library")
    _choose(driver, "Kind of library of institution 1", "school library")
    _type(driver, "Country of institution 1", "Finland")
    _tick(driver, "Wikisource")


def _make(driver: webdriver.Chrome) -> tuple[str, str]:
    """Press the button; the two results, or fail with the page's list of problems."""
    driver.find_element(By.XPATH, "//button[normalize-space()="
                        "'Make the page text and the record']").send_keys(Keys.ENTER)
    errors = driver.find_element(By.ID, "form-errors")
    assert not errors.is_displayed(), errors.text
    wiki = driver.find_element(By.ID, "wiki-text").get_attribute("value") or ""
    record = driver.find_element(By.ID, "yaml-text").get_attribute("value") or ""
    return wiki, record


def test_round_trip_the_form_gives_a_page_lod_harvests_into_the_record_lod_validates(
        browser: webdriver.Chrome, site_dir: Path, downloads: Path, tmp_path: Path,
        wikibase_cache: Path) -> None:
    _open(browser, (site_dir / "submit.html").as_uri())
    _fill(browser)
    wiki, shown = _make(browser)
    for old in downloads.iterdir():
        old.unlink()
    browser.find_element(By.LINK_TEXT, "Download the record").click()
    saved = downloads / "reading-circles-on-wikisource-in-finnish-school-libraries.yaml"
    deadline = time.monotonic() + _WAIT
    while not saved.exists():
        assert time.monotonic() < deadline, f"no download: {sorted(downloads.iterdir())}"
        time.sleep(0.05)
    assert saved.read_text(encoding="utf-8") == shown
    record: dict[str, Any] = yaml.safe_load(shown)
    assert record["status"] == "draft"
    assert record["contacts"] == [{"name": "Aino Virtanen", "email": "aino@example.org",
                                   "publish": False}]
    assert record["institutions"][0]["role"] == "lead"
    assert record["lang"] == "en" and record["languages"] == ["fi", "sv"]  # names in, codes out
    assert "* Languages: Finnish; Swedish" in wiki
    assert _problems(browser, None) == []
    link = browser.find_element(By.ID, "wiki-link").get_attribute("href") or ""
    assert link.startswith("https://outreach.wikimedia.org/w/index.php?title=GLAM%2FIFLA_Case_Studies%2F")
    assert link.endswith("&action=edit")

    # The same story written in Finnish goes on the page's Finnish sub-page.
    _type(browser, "Language you write in", "Finnish")
    wiki_fi, shown_fi = _make(browser)
    record_fi: dict[str, Any] = yaml.safe_load(shown_fi)
    link_fi = browser.find_element(By.ID, "wiki-link").get_attribute("href") or ""
    title_fi = parse_qs(urlsplit(link_fi).query)["title"][0].replace("_", " ")
    assert title_fi == PREFIX + TITLE + "/fi" and record_fi["lang"] == "fi"

    data = tmp_path / "casestudies"
    data.mkdir()
    shutil.copy(saved, data / saved.name)
    (data / f"{record_fi['id']}.yaml").write_text(shown_fi, encoding="utf-8")
    checked = run_lod("validate", data)
    assert checked.code == 0, checked.stdout + checked.stderr

    drafts = tmp_path / "drafts"
    with mediawiki_server(wikibase_cache) as wiki_server:
        wiki_server.edit(PREFIX + TITLE, wiki)
        wiki_server.edit(title_fi, wiki_fi)
        harvested = run_lod("harvest", "--api", wiki_server.api_url, "--out", drafts)
    assert harvested.code == 0, harvested.stderr
    draft_fi: dict[str, Any] = yaml.safe_load(
        (drafts / f"{record_fi['id']}.yaml").read_text(encoding="utf-8"))
    assert {k: v for k, v in draft_fi.items() if k not in ("notes", "source")} == {
        k: v for k, v in record_fi.items() if k not in NOT_ON_THE_PAGE}
    assert [n for n in draft_fi["notes"].splitlines() if n.startswith("TODO")] == []
    draft: dict[str, Any] = yaml.safe_load(
        (drafts / saved.name).read_text(encoding="utf-8"))
    assert record["institutions"][1].get("role") is None  # not stated: absent, never a default
    assert record["links"][0]["kind"] == "report" and "kind" not in record["links"][1]
    for key, value in record.items():  # every field the form filled, whatever it is
        if key not in NOT_ON_THE_PAGE:
            assert draft.get(key) == value, key
    assert set(draft) - set(record) == {"notes", "source"}
    assert "aino@example.org" not in wiki and "Aino" not in wiki
    assert record["license"] == DEFAULT_LICENSE and "license" not in draft  # the wiki's own
    todos = [line for line in str(draft.get("notes", "")).splitlines() if line.startswith("TODO")]
    assert todos == []


def test_the_form_works_from_a_web_server_under_the_sites_csp(browser: webdriver.Chrome,
                                                             served: str) -> None:
    _open(browser, served + "submit.html?unit=school-libraries")
    assert _control(browser, "School Libraries Section").is_selected()
    _fill(browser)
    wiki, shown = _make(browser)
    assert "* Institution: Helsinki City Library – school library – Finland – lead" in wiki
    assert yaml.safe_load(shown)["ifla_units"] == ["school-libraries"]
    assert (browser.find_element(By.LINK_TEXT, "Download the record").get_attribute("href") or ""
            ).startswith("blob:" + served.rstrip("/"))
    browser.find_element(By.ID, "copy-wiki").send_keys(Keys.ENTER)
    assert browser.find_element(By.ID, "copy-status").text == "Copied."
    # No CSP violation (logged as a console error), no request to any other host.
    assert _problems(browser, urlsplit(served).netloc) == []


def test_a_prefilled_address_opens_the_form_with_its_values(browser: webdriver.Chrome,
                                                            site_dir: Path) -> None:
    _open(browser, (site_dir / "submit.html").as_uri()
          + "?unit=school-libraries&type=school&country=FI&lang=ca&languages=ca,es")
    assert _control(browser, "School Libraries Section").is_selected()
    kind = Select(_control(browser, "Kind of library of institution 1")).first_selected_option
    assert kind.text == "school library"
    assert _control(browser, "Country of institution 1").get_attribute("value") == "Finland"
    assert _control(browser, "Language you write in").get_attribute("value") == "Catalan"
    assert [_control(browser, f"Wiki language edition {n}").get_attribute("value")
            for n in (1, 2)] == ["Catalan", "Spanish"]


def test_term_pages_link_to_the_form_prefilled_with_their_term(browser: webdriver.Chrome,
                                                              site_dir: Path) -> None:
    gaps = [page for page in sorted((site_dir / "type").glob("*.html"))
            if "submit it" in page.read_text(encoding="utf-8")]
    assert gaps, "no library type without a case study in the test data"
    page = gaps[0]
    assert f'href="../submit.html?type={page.stem}"' in page.read_text(encoding="utf-8")
    _visit(browser, page.as_uri())
    browser.find_element(By.LINK_TEXT, "submit it").click()
    _open(browser, browser.current_url)
    chosen = Select(_control(browser, "Kind of library of institution 1")).first_selected_option
    assert chosen.get_attribute("value") == page.stem


def test_a_misspelt_country_gets_a_did_you_mean(browser: webdriver.Chrome, site_dir: Path) -> None:
    _open(browser, (site_dir / "submit.html").as_uri())
    _type(browser, "Name of institution 1", "Helsinki City Library")
    _type(browser, "Country of institution 1", "Finlnad", keys=True)
    message = browser.find_element(By.ID, "f-inst-0-msg").text
    assert 'did you mean "Finland"?' in message
    _type(browser, "Find an IFLA unit", "Scool Libraries Section", keys=True)
    assert 'did you mean "School Libraries Section"?' in browser.find_element(By.ID, "f-unit-msg").text
    _type(browser, "Wiki language edition 1", "Finnsh", keys=True)
    assert 'did you mean "Finnish"?' in browser.find_element(By.ID, "f-languages-msg").text
    _type(browser, "Language you write in", "Englsh", keys=True)
    assert 'did you mean "English"?' in browser.find_element(By.ID, "f-lang-msg").text


def test_a_summary_over_the_limit_is_refused_with_its_count(browser: webdriver.Chrome,
                                                           site_dir: Path) -> None:
    _open(browser, (site_dir / "submit.html").as_uri())
    _fill_required(browser)
    _make(browser)  # the form is valid: a summary over the limit is the one reason to refuse it
    _type(browser, "Summary", "x" * 1501)
    assert browser.find_element(By.ID, "f-summary-count").text == "1,501 of 1,500 characters"
    browser.find_element(By.ID, "make").send_keys(Keys.ENTER)
    errors = browser.find_element(By.ID, "form-errors")
    assert errors.is_displayed()
    assert "Summary: 1,501 characters; a summary has at most 1,500" in errors.text
    assert not browser.find_element(By.ID, "results").is_displayed()


def test_a_vocabulary_and_a_limit_changed_in_a_copy_show_in_the_form_after_lod_site(
        browser: webdriver.Chrome, site_data: Path, tmp_path: Path) -> None:
    """A new IFLA unit in a copy's mappings/ is offered, and goes into the record by its id;
    a summary limit changed in the copy's committed JSON Schema is the form's limit."""
    copy = tmp_path / "repo"
    for folder in ("lod", "mappings", "shapes", "queries", "docs"):
        shutil.copytree(ROOT / folder, copy / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "_data"))
    units = copy / "mappings" / "ifla-unit-ids.tsv"
    with units.open("a", encoding="utf-8") as handle:
        handle.write("prison-libraries-test\tsig\tPrison Reading Rooms Special Interest Group\n")
    schema_file = copy / "docs" / "casestudy.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["properties"]["summary"]["additionalProperties"]["maxLength"] == 1500
    schema["properties"]["summary"]["additionalProperties"]["maxLength"] = 300
    schema_file.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "lod", "site", "--data", str(site_data),
                           "--out", str(out)], cwd=copy, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(copy)}, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    _open(browser, (out / "site" / "submit.html").as_uri())
    _type(browser, "Find an IFLA unit", "Prison Reading")
    _tick(browser, "Prison Reading Rooms Special Interest Group")
    _type(browser, "Find an IFLA unit", "school")
    _tick(browser, "School Libraries Section")
    _fill_required(browser)
    _, shown = _make(browser)
    assert sorted(yaml.safe_load(shown)["ifla_units"]) == ["prison-libraries-test", "school-libraries"]
    _type(browser, "Summary", "x" * 301)
    assert browser.find_element(By.ID, "f-summary-count").text == "301 of 300 characters"
    browser.find_element(By.ID, "make").send_keys(Keys.ENTER)
    assert "Summary: 301 characters; a summary has at most 300" in browser.find_element(
        By.ID, "form-errors").text
    assert "at most 300 characters" in _control(browser, "Summary").accessible_name
    # The site built from the repository itself does not know the term.
    assert "prison-libraries-test" not in (ROOT / "mappings" / "ifla-unit-ids.tsv").read_text(
        encoding="utf-8")


def test_axe_finds_no_serious_or_critical_violation_with_results_shown(
        browser: webdriver.Chrome, site_dir: Path) -> None:
    _open(browser, (site_dir / "submit.html").as_uri())
    _fill(browser)
    _make(browser)
    bad = serious_violations(browser)
    assert bad == [], bad


def _misspellings(label: str, rng: random.Random) -> list[str]:
    """Typing slips a person makes: a letter dropped, doubled, swapped or wrong, a word left
    out, the case changed, and two slips at once."""
    def slip(text: str) -> str:
        at = rng.randrange(len(text))
        kind = rng.randrange(4)
        if kind == 0 or len(text) < 2:
            return text[:at] + text[at + 1:] or text
        if kind == 1:
            return text[:at] + text[at] + text[at:]
        if kind == 2 and at + 1 < len(text):
            return text[:at] + text[at + 1] + text[at] + text[at + 2:]
        return text[:at] + rng.choice("aeiorstnx ") + text[at + 1:]

    words = label.split()
    return [label.upper(), slip(label), slip(label), slip(slip(label)),
            " ".join(words[:-1]) if len(words) > 1 else label[: len(label) // 2],
            "".join(rng.sample(label, len(label)))]


def test_the_pages_did_you_mean_is_lod_validates(browser: webdriver.Chrome, site_dir: Path) -> None:
    """The page's matcher (submit.js) gives what lod.model.terms.closest gives, on a table of
    misspellings of every vocabulary the form offers (the labels and the ids)."""
    _open(browser, (site_dir / "submit.html").as_uri())
    rules: dict[str, Any] = browser.execute_script("return window.lodForm")
    vocabularies = {name: [entry["label"] for entry in rules[name]] for name in
                     ("countries", "units", "types", "projects", "activities", "roles", "linkKinds",
                      "languages")}
    # The languages the page offers are the committed list the Python side reads.
    assert {entry["id"]: entry["label"] for entry in rules["languages"]} == language_names()
    vocabularies.update({f"{name} ids": [entry["id"] for entry in rules[name]]
                         for name in ("countries", "units", "types", "activities")})
    rng = random.Random(25)  # noqa: S311 - a fixed table, not a secret
    cases = [(typed, name) for name, labels in sorted(vocabularies.items())
             for label in rng.sample(labels, min(len(labels), 30))
             for typed in _misspellings(label, rng)]
    cases += [("", "types"), ("zzzz", "countries"), ("Ünïcödé", "countries")]
    found = browser.execute_script(
        "const [cases, lists] = arguments;"
        "return cases.map(([typed, name]) => window.lodMatch.closest(typed, lists[name]));",
        cases, vocabularies)
    expected = [closest(typed, vocabularies[name]) for typed, name in cases]
    differing = [(case, js, py) for case, js, py in zip(cases, found, expected, strict=True)
                 if js != py]
    assert differing == []
    # The table reaches every branch: exact matches, near ones, other terms, and none.
    assert {None} < set(expected)
    assert sum(1 for (typed, _), got in zip(cases, expected, strict=True)
               if got and got.lower() == typed.lower()) > 10
    assert sum(1 for (typed, _), got in zip(cases, expected, strict=True)
               if got and got.lower() != typed.lower()) > 100
