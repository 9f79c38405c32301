"""`lod harvest` against a real MediaWiki (Debian's package on SQLite, `php -S` on 127.0.0.1).

One wiki serves the whole module: the fixture installs it, creates the case-study
pages of ``tests/data/wiki/`` through the API with a bot password (plus pages
that must be skipped), and removes it afterwards. Every harvest runs the real
command (in this process, so that its waits go through the tests' clock).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import yaml

from lod.harvest.drafts import STATE_FILE
from lod.harvest.wikitemplate import blank_page
from lod.ingest.load import check_document, load_case_studies
from lod.ingest.yamlfile import read_yaml
from tests.conftest import ROOT, Clock, run_lod
from tests.faultproxy import FaultProxy
from tests.servers import MediaWiki, mediawiki_server

DATA = ROOT / "tests" / "data" / "wiki"
PREFIX = "GLAM/IFLA Case Studies/"


@dataclass(frozen=True)
class Expected:
    """What each page states, as the record must say it."""

    file: str
    record_id: str
    lang: str
    title: str
    countries: set[str]
    types: set[str]
    units: set[str]
    period: dict[str, str]
    links: set[str]


CASE_STUDIES = {
    PREFIX + "Bibliowikis": Expected(
        "bibliowikis.wiki",
        "bibliowikis",
        "en",
        "Bibliowikis",
        {"ES"},
        {"public", "non-library"},
        {"public-libraries"},
        {"start": "2012"},
        {
            "https://ca.wikipedia.org/wiki/Viquiprojecte:Bibliowikis",
            "https://biblioteques.gencat.cat/",
        },
    ),
    PREFIX + "National Library of Wales Wikimedian in Residence": Expected(
        "nlw-wir.wiki",
        "national-library-of-wales-wikimedian-in-residence",
        "en",
        "National Library of Wales Wikimedian in Residence",
        {"GB"},
        {"national"},
        {"national-libraries"},
        {"start": "2013-06", "end": "2015"},
        {
            "https://www.library.wales/",
            "https://example.org/nlw-wir-report.pdf",
            "https://commons.wikimedia.org/wiki/Category:Media_contributed_by_the_National_Library_of_Wales",
        },
    ),
    PREFIX + "Biblioteca Nacional de México/es": Expected(
        "bnm-es.wiki",
        "biblioteca-nacional-de-mexico-es",
        "es",
        "Biblioteca Nacional de México",
        {"MX"},
        {"national", "non-library"},
        {"rare-books-and-special-collections"},
        {"start": "2018-03"},
        {"https://www.bnm.unam.mx/"},
    ),
    PREFIX + "Médiathèques de Lyon": Expected(
        "lyon.wiki",
        "mediatheques-de-lyon",
        "fr",
        "Médiathèques de Lyon",
        {"FR"},
        {"public", "non-library"},
        {"metropolitan-libraries"},
        {"start": "2019", "end": "2019"},
        {"https://www.bm-lyon.fr/"},
    ),
    PREFIX + "University of Alberta Wikipedian in Residence": Expected(
        "ualberta.wiki",
        "university-of-alberta-wikipedian-in-residence",
        "en",
        "University of Alberta Wikipedian in Residence",
        {"CA"},
        {"academic", "non-library"},
        {"academic-and-research-libraries"},
        {"start": "2017", "end": "2018"},
        {"https://library.ualberta.ca/"},
    ),
    PREFIX + "Health sciences library edit-a-thon": Expected(
        "health-editathon.wiki",
        "health-sciences-library-edit-a-thon",
        "en",
        "Health sciences library edit-a-thon",
        {"US"},
        {"health"},
        {"health-and-biosciences-libraries", "evidence-for-global-and-disaster-health-sig"},
        {"start": "2016-01", "end": "2016-01"},
        {
            "https://example.org/health-editathon",
            "https://en.wikipedia.org/wiki/Wikipedia:WikiProject_Medicine",
        },
    ),
    PREFIX + "Riverbend newspapers on Wikidata": Expected(
        "footnotes.wiki",
        "riverbend-newspapers-on-wikidata",
        "en",
        "Riverbend newspapers on Wikidata",
        {"IE"},
        {"public"},
        {"public-libraries"},
        {"start": "2021", "end": "2022"},
        set(),  # every link of this page is listed with its text in FOOTNOTE_LINKS
    ),
}
#: The external links of footnotes.wiki, read off the page by hand: lead, a footnote, the
#: Institution bullet, a citation template in a footnote, a named footnote, another section.
FOOTNOTE_LINKS = {
    "https://riverbend-library.example.org/about": None,
    "https://riverbend-library.example.org/news/wikidata-newspapers": "Project announcement",
    "https://riverbend-library.example.org/": "Riverbend Public Library",
    "https://county-archive.example.org/digitisation-2019": "County digitisation programme 2019",
    "https://www.wikidata.org/wiki/Wikidata:WikiProject_Periodicals": "WikiProject Periodicals",
    "https://openrefine.example.org/recipes/newspapers": None,
    "https://riverbend-library.example.org/slides/2022.pdf": None,
}
CASE_STUDIES[PREFIX + "Riverbend newspapers on Wikidata"] = replace(
    CASE_STUDIES[PREFIX + "Riverbend newspapers on Wikidata"], links=set(FOOTNOTE_LINKS))
#: Pages under the prefix that are not case studies, and why.
SKIPPED = {
    "GLAM/IFLA Case Studies": ("index.wiki", "index page"),
    "Talk:GLAM/IFLA Case Studies/Bibliowikis": ("talk.wiki", "talk page"),
    PREFIX + "Bibliowikis (old name)": ("redirect.wiki", "redirect"),
    PREFIX + "Form": (None, "form page"),
    PREFIX + "Untitled draft": (None, "empty page"),
}


@pytest.fixture(scope="module")
def wiki(wikibase_cache: Path) -> Iterator[MediaWiki]:
    """The test wiki with every page of the module created through the API."""
    with mediawiki_server(wikibase_cache) as server:
        for title, expected in CASE_STUDIES.items():
            server.edit(title, (DATA / expected.file).read_text(encoding="utf-8"))
        for title, (file, _reason) in SKIPPED.items():
            server.edit(title, (DATA / file).read_text(encoding="utf-8") if file else blank_page())
        yield server


@dataclass(frozen=True)
class Done:
    """Outcome of one command."""

    code: int
    stdout: str
    stderr: str


def lod(*args: str | Path, env: dict[str, str] | None = None) -> Done:
    """Run ``lod`` as a curator would type it (in this process; the installed command's own
    end-to-end runs are in test_pipeline and test_build_failures)."""
    done = run_lod(*args, env=env)
    return Done(done.code, done.stdout, done.stderr)


def harvest(wiki: MediaWiki, out: Path, *extra: str, env: dict[str, str] | None = None) -> Done:
    """``lod harvest --api`` into ``out``; fails the test on a non-zero exit."""
    done = lod("harvest", "--api", wiki.api_url, "--out", out, *extra, env=env)
    assert done.code == 0, done.stderr
    return done


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file with its modification time and content."""
    return {
        p.name: (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture(scope="module")
def harvested(wiki: MediaWiki, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Done]:
    """One harvest of the untouched wiki, shared by the read-only checks."""
    out = tmp_path_factory.mktemp("harvest") / "drafts"
    return out, harvest(wiki, out)


def test_one_valid_draft_per_case_study_page(harvested: tuple[Path, Done]) -> None:
    out, done = harvested
    files = sorted(p.name for p in out.glob("*.yaml"))
    assert files == sorted(f"{e.record_id}.yaml" for e in CASE_STUDIES.values())
    loaded = load_case_studies([out])
    assert loaded.problems == []
    assert len(loaded.records) == len(CASE_STUDIES)
    assert f"{len(CASE_STUDIES)} new" in done.stdout
    for reason in ("index page: 1", "talk page: 1", "redirect: 1", "form page: 1", "empty page: 1"):
        assert reason in done.stdout, done.stdout


@pytest.mark.parametrize("title", sorted(CASE_STUDIES))
def test_record_says_what_the_page_says(
    wiki: MediaWiki, harvested: tuple[Path, Done], title: str
) -> None:
    out, _ = harvested
    expected = CASE_STUDIES[title]
    record, problems = check_document(read_yaml(out / f"{expected.record_id}.yaml"))
    assert problems == [] and record is not None
    assert record.status == "draft"
    assert record.lang == expected.lang
    assert record.title == {expected.lang: expected.title}
    assert {i.country for i in record.institutions} == expected.countries
    assert {i.type for i in record.institutions} == expected.types
    assert set(record.ifla_units) == expected.units
    assert record.period is not None
    assert record.period.model_dump(exclude_none=True) == expected.period
    assert {link.url for link in record.links} == expected.links
    assert record.source is not None and record.source.revision and record.source.retrieved
    assert record.source.url == full_url(wiki, title)


def full_url(wiki: MediaWiki, title: str) -> str:
    """The page's URL as MediaWiki itself gives it."""
    import requests

    answer = requests.get(
        wiki.api_url,
        params={
            "action": "query",
            "titles": title,
            "prop": "info",
            "inprop": "url",
            "format": "json",
            "formatversion": "2",
        },
        timeout=30,
    ).json()
    return str(answer["query"]["pages"][0]["fullurl"])


def test_category_lists_only_its_members(wiki: MediaWiki, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    done = harvest(wiki, out, "--category", "IFLA case studies")
    assert sorted(p.name for p in out.glob("*.yaml")) == ["bibliowikis.yaml", "mediatheques-de-lyon.yaml"]
    assert "3 pages seen: 2 new" in done.stdout and "talk page: 1" in done.stdout


def test_unresolved_values_become_todo_lines(harvested: tuple[Path, Done]) -> None:
    out, done = harvested
    data = yaml.safe_load(
        (out / "health-sciences-library-edit-a-thon.yaml").read_text(encoding="utf-8")
    )
    assert "TODO activities: 'knitting circle' is not a known activity" in data["notes"]
    assert data["activities"] == ["editathon", "1lib1ref"]
    assert "drafts with to-dos" in done.stdout


def test_the_dump_gives_the_same_records(wiki: MediaWiki, tmp_path: Path) -> None:
    out = tmp_path / "from-api"
    harvest(wiki, out)
    dump = tmp_path / "export.xml"
    dump.write_bytes(wiki.export([*CASE_STUDIES, *SKIPPED]))
    from_dump = tmp_path / "from-dump"
    done = lod("harvest", "--dump", dump, "--out", from_dump)
    assert done.code == 0, done.stderr
    api_files = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.yaml")}
    dump_files = {p.name: p.read_text(encoding="utf-8") for p in from_dump.glob("*.yaml")}
    assert dump_files == api_files
    assert f"{len(CASE_STUDIES)} new" in done.stdout and "talk page: 1" in done.stdout and "redirect: 1" in done.stdout


PREFIX_FORMS = ("GLAM/IFLA Case Studies", "GLAM/IFLA Case Studies/", "GLAM/IFLA_Case_Studies",
                "GLAM/IFLA_Case_Studies/", " GLAM/IFLA Case Studies// ")


def records_in(folder: Path) -> dict[str, dict[str, object]]:
    """Every draft of a folder without its revision (other tests edit pages and put them back)."""
    return {path.name: without_revision(path) for path in sorted(folder.glob("*.yaml"))}


@pytest.fixture(scope="module")
def export(wiki: MediaWiki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The case-study pages and the pages to skip, as a curator would download them."""
    dump = tmp_path_factory.mktemp("export") / "export.xml"
    dump.write_bytes(wiki.export([*CASE_STUDIES, *SKIPPED]))
    return dump


@pytest.mark.parametrize("prefix", PREFIX_FORMS)
def test_every_form_of_the_prefix_gives_the_same_records(
    wiki: MediaWiki, harvested: tuple[Path, Done], export: Path, tmp_path: Path, prefix: str
) -> None:
    expected = records_in(harvested[0])
    titles = {CASE_STUDIES[t].record_id: CASE_STUDIES[t].title for t in CASE_STUDIES}
    for source in (("--api", wiki.api_url), ("--dump", export)):
        out = tmp_path / source[0].strip("-")
        done = run_lod("harvest", *source, "--prefix", prefix, "--out", out)
        assert done.code == 0, done.stderr
        assert f"{len(CASE_STUDIES)} new" in done.stdout, done.stdout
        got = records_in(out)
        assert got == expected, source[0]
        for name, record in got.items():
            title = next(iter(record["title"].values()))  # type: ignore[attr-defined]
            assert not title.startswith("/") and title == titles[name.removesuffix(".yaml")]


def test_links_in_footnotes_and_any_section_reach_links(harvested: tuple[Path, Done]) -> None:
    out, _ = harvested
    data = yaml.safe_load((out / "riverbend-newspapers-on-wikidata.yaml").read_text(encoding="utf-8"))
    links = {link["url"]: link.get("title") for link in data["links"]}
    assert links == FOOTNOTE_LINKS
    assert len(data["links"]) == len(FOOTNOTE_LINKS)  # once each
    # the prose keeps its links, as markdown
    assert ("[Project announcement](https://riverbend-library.example.org/news/wikidata-newspapers)"
            in data["summary"]["en"])
    assert ("[WikiProject Periodicals](https://www.wikidata.org/wiki/Wikidata:WikiProject_Periodicals)"
            in data["sections"]["implementation"])


@pytest.mark.parametrize("title", sorted(CASE_STUDIES))
def test_every_external_link_of_a_page_is_in_links(harvested: tuple[Path, Done], title: str) -> None:
    """Independently of the parser: every http(s) URL written in the page's wikitext is a link."""
    import re

    expected = CASE_STUDIES[title]
    text = (DATA / expected.file).read_text(encoding="utf-8")
    written = {url.rstrip(".,;:)") for url in re.findall(r"https?://[^\s\]|}<]+", text)}
    data = yaml.safe_load((harvested[0] / f"{expected.record_id}.yaml").read_text(encoding="utf-8"))
    assert {link["url"] for link in data.get("links", [])} == written


def test_second_harvest_fetches_and_rewrites_nothing(wiki: MediaWiki, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    harvest(wiki, out)
    before = snapshot(out)
    logged = len(wiki.requests_logged())
    done = harvest(wiki, out)
    assert snapshot(out) == before
    second_run = wiki.requests_logged()[logged:]
    assert second_run and not [line for line in second_run if "rvprop=" in line]
    assert f"{len(CASE_STUDIES)} unchanged" in done.stdout and "0 of them for page content" in done.stdout
    assert "0 files written" in done.stdout


@contextmanager
def page_edited(wiki: MediaWiki, page: str, bundled: str, old: str, new: str) -> Iterator[None]:
    """The case-study page with ``old`` replaced by ``new`` in its bundled text, then put back."""
    title = PREFIX + page
    original = (DATA / bundled).read_text(encoding="utf-8")
    assert old in original, (bundled, old)
    wiki.edit(title, original.replace(old, new))
    try:
        yield
    finally:
        wiki.edit(title, original)


def test_after_one_edit_only_that_record_changes(wiki: MediaWiki, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    harvest(wiki, out)
    before = snapshot(out)
    with page_edited(wiki, "Bibliowikis", "bibliowikis.wiki",
                     "* Dates: 2012–present", "* Dates: 2012–2020"):
        done = harvest(wiki, out)
    after = snapshot(out)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {"bibliowikis.yaml", STATE_FILE}
    record = yaml.safe_load((out / "bibliowikis.yaml").read_text(encoding="utf-8"))
    assert record["period"] == {"start": "2012", "end": "2020"}
    assert "1 changed" in done.stdout and f"{len(CASE_STUDIES) - 1} unchanged" in done.stdout


def test_reviewed_and_hand_edited_records_are_never_overwritten(
    wiki: MediaWiki, harvested: tuple[Path, Done], tmp_path: Path
) -> None:
    out = tmp_path / "casestudies"
    out.mkdir()
    source, _ = harvested
    reviewed = out / "bibliowikis.yaml"
    text = (source / "bibliowikis.yaml").read_text(encoding="utf-8")
    reviewed.write_text(
        text.replace("status: draft", "status: reviewed").replace(
            "Bibliowikis is a programme", "Curated. Bibliowikis is a programme"
        ),
        encoding="utf-8",
    )
    kept = reviewed.read_bytes()
    done = harvest(wiki, out)
    assert reviewed.read_bytes() == kept
    beside = out / "bibliowikis.draft.yaml"
    assert beside.exists()
    assert yaml.safe_load(beside.read_text(encoding="utf-8"))["status"] == "draft"
    assert (
        "bibliowikis.yaml is reviewed: wrote bibliowikis.draft.yaml (differs in: summary)"
        in done.stdout
    )
    assert load_case_studies([out]).problems == []
    # A draft that a curator edited after lod wrote it is protected too, once the page changes.
    hand = out / "mediatheques-de-lyon.yaml"
    hand.write_text(
        hand.read_text(encoding="utf-8").replace("Lyon a organisé", "Lyon (vérifié) a organisé"),
        encoding="utf-8",
    )
    edited = hand.read_bytes()
    with page_edited(wiki, "Médiathèques de Lyon", "lyon.wiki", "* Dates: 2019", "* Dates: 2019–2020"):
        done = harvest(wiki, out)
    assert hand.read_bytes() == edited
    assert "a draft edited by hand: wrote mediatheques-de-lyon.draft.yaml" in done.stdout
    assert reviewed.read_bytes() == kept


def test_transient_failures_are_retried_politely(
    wiki: MediaWiki, harvested: tuple[Path, Done], tmp_path: Path, clock: Clock
) -> None:
    """A 503, a dropped connection and maxlag, in that order, before the wiki answers."""
    with FaultProxy(wiki.url) as proxy:
        proxy.arm("http503", action="*", retry_after=3)
        proxy.arm("drop", action="*")
        proxy.arm("maxlag", action="*", retry_after=4)
        out = tmp_path / "drafts"
        api = f"{proxy.url}/api.php"
        done = lod(
            "harvest",
            "--api",
            api,
            "--out",
            out,
            "--retries",
            "4",
            env={"LOD_CONTACT": "curator@example.org"},
        )
        seen = list(proxy.tally.seen)
    assert done.code == 0, done.stderr
    # Retry-After: 3 after the 503, a doubled backoff (2 s, jittered down to no less than half)
    # after the dropped connection, Retry-After: 4 after maxlag; then no more waiting
    assert len(clock.waits) == 3 and clock.waits[0] == 3.0 and clock.waits[2] == 4.0
    assert 1.0 <= clock.waits[1] <= 2.0
    assert all("maxlag=5" in request.path for request in seen)
    agents = {request.user_agent for request in seen}
    assert len(agents) == 1 and "curator@example.org" in agents.pop()
    expected, _ = harvested  # other tests edit and restore pages: compare all but the revision
    for path in expected.glob("*.yaml"):
        assert without_revision(out / path.name) == without_revision(path)


def without_revision(path: Path) -> dict[str, object]:
    """A record without the fields that name the revision it was read from."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["source"].pop("revision")
    data["notes"] = data["notes"].split(" (revision ")[0]
    return dict(data)


def test_a_truncated_export_fails_and_writes_nothing(wiki: MediaWiki, tmp_path: Path) -> None:
    xml = wiki.export(list(CASE_STUDIES))
    cut = xml[
        : xml.index(b"</page>", xml.index(b"</page>") + 1) + 200
    ]  # two whole pages, then garbage
    dump = tmp_path / "broken.xml"
    dump.write_bytes(cut)
    out = tmp_path / "drafts"
    out.mkdir()
    (out / "keep.txt").write_text("curator file", encoding="utf-8")
    before = snapshot(out)
    done = lod("harvest", "--dump", dump, "--out", out)
    assert done.code == 1
    assert "malformed XML" in done.stderr and f"{dump}:" in done.stderr
    assert "nothing was written" in done.stderr
    assert snapshot(out) == before
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_template_is_the_blank_form(tmp_path: Path) -> None:
    done = lod("harvest", "--template")
    assert done.code == 0
    headings = [line for line in done.stdout.splitlines() if line.startswith("== ")]
    assert len(headings) == 7
    for field in (
        "Institution",
        "Library type",
        "Country",
        "IFLA unit",
        "Dates",
        "Wikimedia projects",
        "Activities",
        "Languages",
        "Submitted by",
    ):
        assert f"* {field}:" in done.stdout
    assert done.stdout == blank_page()


def test_no_test_leaves_staging_directories(harvested: tuple[Path, Done]) -> None:
    out, _ = harvested
    assert not [p for p in out.iterdir() if p.is_dir()]
    assert shutil.which("php")
