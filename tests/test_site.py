"""``lod site`` on disk: links, embedded JSON-LD, re-runs, drafts, errors (no browser here)."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import ROOT, VALID_RECORD, run_installed, run_lod, write_record

Triple = tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]

MINISEARCH = ("7.2.0", "03c27931eb603af1d3358579e9885eafdb6a2f5fa9929557b3e77d7e99d06d03")
QUERY_NAMES = {path.stem for path in (ROOT / "queries").glob("*.rq")}
CSP_RE = re.compile(r"default-src 'none'; script-src 'self'; style-src 'self';")


class _Page(HTMLParser):
    """Every link, id, script and the html element's lang of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.lang: str | None = None
        self.csp: str | None = None
        self.jsonld: list[str] = []
        self.inline_scripts = 0
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.csp = values.get("content")
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.links.append(values[name] or "")
        if tag == "script":
            if values.get("type") == "application/ld+json":
                self._in_jsonld = True
                self.jsonld.append("")
            elif values.get("src") is None and values.get("type") != "application/json":
                self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld[-1] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def pages(site_dir: Path) -> dict[Path, _Page]:
    """Every HTML page of the site, parsed."""
    return {path: _parse(path) for path in sorted(site_dir.rglob("*.html"))}


def test_no_broken_internal_link_or_anchor(site_dir: Path, pages: dict[Path, _Page]) -> None:
    broken = []
    checked = 0
    resolved: dict[tuple[Path, str], Path] = {}  # pages of a folder share most of their links
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                continue
            assert not parts.scheme and not parts.netloc, f"{path}: {link}"
            assert not link.startswith("/"), f"{path}: absolute link {link}"
            if parts.path:
                key = (path.parent, parts.path)
                if key not in resolved:
                    resolved[key] = (path.parent / unquote(parts.path)).resolve()
                target = resolved[key]
            else:
                target = path
            checked += 1
            if not target.is_file() or site_dir.resolve() not in target.parents:
                broken.append(f"{path.relative_to(site_dir)}: {link}")
            elif target.name == "query.html" and parts.fragment.startswith("name="):  # a query
                named = parse_qs(parts.fragment).get("name", [])
                if not named or named[0] not in QUERY_NAMES:
                    broken.append(f"{path.relative_to(site_dir)}: {link} (no such query)")
            elif parts.fragment:
                ids = pages[target].ids if target in pages else _parse(target).ids
                if parts.fragment not in ids:
                    broken.append(f"{path.relative_to(site_dir)}: {link} (no such anchor)")
    assert checked > 1000
    assert broken == []


def test_every_page_is_lang_tagged_and_carries_the_strict_policy(
        site_dir: Path, pages: dict[Path, _Page]) -> None:
    for path, page in pages.items():
        assert page.lang == "en", path
        assert page.csp is not None, path
        policy = page.csp
        if path == site_dir / "query.html":  # the query engine is WebAssembly: only that is added
            policy = policy.replace("script-src 'self' 'wasm-unsafe-eval';", "script-src 'self';")
        assert CSP_RE.match(policy) and "wasm" not in policy, path
        assert "http" not in page.csp, path  # no other origin is allowed
        assert page.inline_scripts == 0, path


def _record_part(dumps: rdflib.Graph, by_subject: dict[str, list[Triple]], iri: str) -> rdflib.Graph:
    """The record's triples in the dumps: its own nodes and the institutions it involves
    (``by_subject``: the dumps' triples by their subject, made once for every record)."""
    node = rdflib.URIRef(iri)
    lcs = rdflib.Namespace("https://w3id.org/libcasestudies/ns#")
    subjects = {str(o) for o in dumps.objects(node, lcs.involves)}
    part = rdflib.Graph()
    for subject, triples in by_subject.items():
        if subject == iri or subject.startswith(iri + "#") or subject in subjects:
            for triple in triples:
                part.add(triple)
    return part


def test_each_case_page_embeds_json_ld_isomorphic_to_its_part_of_the_dumps(
        site_dir: Path, site_data: Path, pages: dict[Path, _Page]) -> None:
    dumps = rdflib.Graph().parse(site_dir / "data" / "casestudies.nt", format="nt")
    by_subject: dict[str, list[Triple]] = {}
    for triple in dumps:
        by_subject.setdefault(str(triple[0]), []).append(triple)
    ids = sorted(path.stem for path in site_data.glob("*.yaml"))
    for record_id in ids:
        path = site_dir / "case" / f"{record_id}.html"
        page = pages[path]
        assert len(page.jsonld) == 1, path
        embedded = rdflib.Graph().parse(data=page.jsonld[0], format="json-ld")
        expected = _record_part(dumps, by_subject, f"https://w3id.org/libcasestudies/casestudy/{record_id}")
        assert len(expected) > 10
        assert isomorphic(embedded, expected), record_id
        assert f"{record_id}.ttl" in page.links and f"{record_id}.jsonld" in page.links
        turtle = rdflib.Graph().parse(path.with_suffix(".ttl"), format="turtle")
        assert isomorphic(turtle, expected), record_id
        as_file = rdflib.Graph().parse(path.with_suffix(".jsonld"), format="json-ld")
        assert isomorphic(as_file, expected), record_id


def test_the_dumps_void_and_context_are_published_with_the_site(site_dir: Path) -> None:
    for name in ("casestudies.ttl", "casestudies.nt", "casestudies.jsonld", "void.ttl",
                 "context.jsonld"):
        assert (site_dir / "data" / name).stat().st_size > 0, name
    context = json.loads((site_dir / "data" / "context.jsonld").read_text(encoding="utf-8"))
    assert context["@context"]["schema"] == "https://schema.org/"


def test_pages_show_labels_not_ids(site_dir: Path) -> None:
    page = (site_dir / "case" / "british-library-wir.html").read_text(encoding="utf-8")
    assert "United Kingdom" in page and "national library" in page
    assert "Wikidata item Q23308" in page
    law = (site_dir / "type" / "law.html").read_text(encoding="utf-8")
    assert "No case study yet" in law and "submit.html" in law
    unit = (site_dir / "unit" / "school-libraries.html").read_text(encoding="utf-8")
    assert "School Libraries Section" in unit and "script-title-test" in unit


def _tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_rerun_is_byte_identical_and_drops_stale_files(site_dir: Path, site_data: Path,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "dist"
    first = run_installed("site", "--data", site_data, "--out", out)  # the installed command
    assert first.code == 0, first.stderr
    index = out / "site" / "index.html"
    assert first.stdout.strip().splitlines()[-1] == f"open {index}"
    before = _tree(out / "site")
    assert before == _tree(site_dir)  # another folder, another process, same bytes
    (out / "site" / "stale.html").write_text("left from an older site", encoding="utf-8")
    again = run_lod("site", "--data", site_data, "--out", out)
    assert again.code == 0, again.stderr
    assert _tree(out / "site") == before


def test_drafts_never_appear_and_are_not_counted(tmp_path: Path) -> None:
    data = tmp_path / "cs"
    write_record(data, "shown-record")
    write_record(data, "draft-record",
                 VALID_RECORD.format(id="draft-record").replace("status: reviewed",
                                                                "status: draft"))
    result = run_lod("site", "--data", data, "--out", tmp_path / "out")
    assert result.code == 0, result.stderr
    site = tmp_path / "out" / "site"
    assert (site / "case" / "shown-record.html").is_file()
    assert not (site / "case" / "draft-record.html").exists()
    everything = b"".join(_tree(site).values())
    assert b"draft-record" not in everything
    dashboard = (site / "dashboard.html").read_text(encoding="utf-8")
    assert re.search(r'<tr data-term="public"><th scope="row"><a [^>]*>public library</a></th>'
                     r'<td class="number">1</td>', dashboard)


def test_bad_input_is_one_line_and_exit_1(tmp_path: Path) -> None:
    missing = run_lod("site", "--data", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert missing.code == 1 and "no such directory" in missing.stderr
    write_record(tmp_path / "bad", "bad-record", "id: bad-record\nstatus: reviewed\n")
    bad = run_lod("site", "--data", tmp_path / "bad", "--out", tmp_path / "out")
    assert bad.code == 1 and "bad-record.yaml" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert not (tmp_path / "out" / "site").exists()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    write_record(tmp_path / "good")
    blocked = run_lod("site", "--data", tmp_path / "good", "--out", tmp_path / "file")
    assert blocked.code == 1 and blocked.stderr.startswith("lod site: ")


def test_the_bundled_search_library_is_the_recorded_release() -> None:
    from lod.site.pages import static_file, vendored_file

    version, digest = MINISEARCH
    assert hashlib.sha256(vendored_file("minisearch.js")).hexdigest() == digest
    assert b"Permission is hereby granted, free of charge" in vendored_file("minisearch.LICENSE.txt")
    assert version in static_file("VENDORED.txt").decode("utf-8")


def test_a_rebuild_after_one_edit_writes_only_the_files_that_show_it(tmp_path: Path) -> None:
    data = tmp_path / "cs"
    write_record(data, "first-record")
    write_record(data, "second-record",
                 VALID_RECORD.format(id="second-record").replace("country: FR", "country: BE", 1))
    out = tmp_path / "out"
    assert run_lod("site", "--data", data, "--out", out).code == 0
    before = {path: path.stat().st_ino for path in (out / "site").rglob("*") if path.is_file()}
    path = data / "second-record.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "en: A library edit-a-thon", "en: A renamed edit-a-thon"), encoding="utf-8")
    assert run_lod("site", "--data", data, "--out", out).code == 0
    changed = {p.relative_to(out / "site").as_posix() for p, inode in before.items()
               if p.stat().st_ino != inode}
    assert "case/second-record.html" in changed
    assert "case/first-record.html" not in changed
    assert "country/BE.html" in changed and "country/FR.html" in changed  # both list it
    assert "country/DE.html" not in changed and "static/site.css" not in changed
    assert "type/law.html" not in changed


def test_worker_processes_render_the_same_bytes(site_data: Path) -> None:
    from lod.pipeline import assemble
    from lod.settings import Settings
    from lod.site.casepages import render_records
    from lod.site.labels import read_labels
    from lod.site.linked import lines_by_resource, record_lines
    from lod.site.pages import Common

    assembled = assemble([site_data], Settings(data_dir=site_data), include_drafts=False,
                         shacl=False)
    groups = lines_by_resource(assembled.lines)
    inputs = [(item.record, tuple(record_lines(assembled.base, item.record, groups)))
              for item in assembled.records]
    common = Common(len(inputs), None, read_labels(assembled.store))
    alone = list(render_records(assembled.base, common, inputs, workers=1))
    shared = list(render_records(assembled.base, common, inputs, workers=2, parallel_from=1))
    assert [o.files for o in shared] == [o.files for o in alone]
    assert [o.item for o in shared] == [o.item for o in alone]
    assert len(alone) == len(inputs) > 30
