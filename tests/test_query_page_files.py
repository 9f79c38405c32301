"""The query page's files, without a browser: the vendored engine, the graph it loads, the links.

The browser half is tests/test_query_page.py; here are the facts a reader can
check on disk: the engine is the recorded release, the page's copy of the
graph is the published dump, the page names every catalogue query, and only
what WebAssembly needs is added to the site's policy.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT
from lod.query.catalog import catalog
from lod.site.engine import EngineError, classic_script, engine_script, vendored

ENGINE = {"web.js": "2fcfdcadc79c9146cee98028a273aebc93df3282eb0299c248595bc529deca41",
          "web_bg.wasm": "b95b15accb6b789667b8d8b0b8f139d5de588e572499672ff37ce9ba01c4a428"}


class _Blocks(HTMLParser):
    """The data blocks and script sources of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.config = ""
        self.scripts: list[str] = []
        self.csp = ""
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("id") == "query-config":
            self._in_config = True
        elif tag == "script" and values.get("src"):
            self.scripts.append(values["src"] or "")
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.csp = values.get("content") or ""

    def handle_endtag(self, tag: str) -> None:
        self._in_config = False

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config += data


def _page(site_dir: Path) -> _Blocks:
    page = _Blocks()
    page.feed((site_dir / "query.html").read_text(encoding="utf-8"))
    return page


def test_the_engine_is_the_recorded_release() -> None:
    for name, digest in ENGINE.items():
        assert hashlib.sha256(vendored(name)).hexdigest() == digest, name
    assert b"Permission is hereby granted" in vendored("LICENSE-MIT")
    notes = (ROOT / "lod" / "site" / "static" / "VENDORED.txt").read_text(encoding="utf-8")
    assert "Oxigraph 0.5.11" in notes and all(digest in notes for digest in ENGINE.values())
    assert json.loads(vendored("package.json"))["version"] == "0.5.11"


def test_the_engine_script_is_classic_and_refuses_a_different_module() -> None:
    script = engine_script().decode("utf-8")
    assert "import.meta" not in script
    assert not re.search(r"^\s*(export|import)\b", script, re.MULTILINE)
    assert "initSync({ module: bytes })" in script and "window.oxigraph" in script
    with pytest.raises(EngineError):
        classic_script("export function other() {}\n", b"\0asm")


def test_the_page_loads_the_published_dump_and_lists_every_query(site_dir: Path) -> None:
    graph = (site_dir / "query-graph.js").read_text(encoding="ascii")
    prefix, suffix = 'window.lodGraphGzip = "', '";\n'
    assert graph.startswith(prefix) and graph.endswith(suffix)
    packed = base64.b64decode(graph[len(prefix):-len(suffix)], validate=True)
    assert gzip.decompress(packed) == (site_dir / "data" / "casestudies.nt").read_bytes()
    page = _page(site_dir)
    config = json.loads(page.config)
    assert [q["name"] for q in config["queries"]] == [q.name for q in catalog()]
    assert all(q["title"] and q["description"] and q["group"] for q in config["queries"])
    assert config["prefixes"]["lcs"] == "https://w3id.org/libcasestudies/ns#"
    assert page.scripts == ["query-data.js", "query-graph.js", "static/oxigraph.js",
                            "static/query.js"]
    assert page.csp.replace(" 'wasm-unsafe-eval'", "") == page.csp.replace(
        "script-src 'self' 'wasm-unsafe-eval'", "script-src 'self'")
    assert "connect-src 'none'" in page.csp


def test_labels_link_records_and_terms_to_their_pages(site_dir: Path) -> None:
    text = (site_dir / "query-data.js").read_text(encoding="utf-8")
    labels = json.loads(text[len("window.lodLabels = "):-2])
    record = labels["https://w3id.org/libcasestudies/casestudy/british-library-wir"]
    assert record[1] == "case/british-library-wir.html" and "british-library" not in record[0]
    assert labels["https://w3id.org/libcasestudies/vocab/library-type/law"] == [
        "law library", "type/law.html"]
    for _label, href in labels.values():
        assert href is None or (site_dir / href).is_file(), href


def test_dashboard_and_term_pages_link_to_the_query_behind_each_number(site_dir: Path) -> None:
    dashboard = (site_dir / "dashboard.html").read_text(encoding="utf-8")
    for name in ("by-library-type", "gaps-library-types", "by-country", "by-ifla-unit"):
        assert f'href="query.html#name={name}"' in dashboard, name
    country = (site_dir / "country" / "GB.html").read_text(encoding="utf-8")
    assert 'href="../query.html#name=case-studies-in-country&amp;country=GB"' in country
    for page in site_dir.rglob("*.html"):
        assert "query.html" in page.read_text(encoding="utf-8"), page  # in every page's menu
