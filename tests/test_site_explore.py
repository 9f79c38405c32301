"""The site past the case studies (issue 24, friction 8): pages per institution, activity and
year, what a term means, display names from the vocabularies, the wiki language edition.

Expected values are read here from the YAML records and the vocabulary files
with plain PyYAML and rdflib, not through lod's own views.
"""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path
from typing import Any

import rdflib
import yaml

from conftest import ROOT

SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
PUBLIC = ("reviewed", "published")


def _records(folder: Path) -> list[dict[str, Any]]:
    loaded = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))]
    return [r for r in loaded if r["status"] in PUBLIC]


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_every_institution_has_a_page_with_its_case_studies(site_dir: Path,
                                                            site_data: Path) -> None:
    by_name: dict[str, set[str]] = {}
    nodes = set()  # the graph's institution key: the QID, else the ISIL, else country and name
    for record in _records(site_data):
        for institution in record["institutions"]:
            by_name.setdefault(institution["name"], set()).add(record["id"])
            nodes.add(institution.get("wikidata") or institution.get("isil")
                      or (institution["country"], institution["name"]))
    index = (site_dir / "institutions.html").read_text(encoding="utf-8")
    pages = sorted((site_dir / "institution").glob("*.html"))
    assert len(pages) == len(nodes)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        name = re.search(r"<h1>(.*?)</h1>", html).group(1)  # type: ignore[union-attr]
        name = html_module.unescape(name)
        listed = {link.split("/")[-1].removesuffix(".html") for link in _links(html)
                  if link.startswith("../case/")}
        assert listed and listed <= by_name[name], name
        assert f"institution/{page.name}" in index


def test_a_case_page_links_each_institution_to_its_page(site_dir: Path) -> None:
    html = (site_dir / "case" / "1lib1ref-campaign.html").read_text(encoding="utf-8")
    assert "../institution/Q180.html" in _links(html)
    institution = (site_dir / "institution" / "Q180.html").read_text(encoding="utf-8")
    assert "https://www.wikidata.org/wiki/Q180" in _links(institution)
    assert "../case/1lib1ref-campaign.html" in _links(institution)


def test_activity_and_year_pages_list_what_the_records_say(site_dir: Path,
                                                           site_data: Path) -> None:
    records = _records(site_data)
    for activity in ("training", "editathon"):
        html = (site_dir / "activity" / f"{activity}.html").read_text(encoding="utf-8")
        expected = {r["id"] for r in records if activity in (r.get("activities") or [])}
        assert {link.split("/")[-1][:-5] for link in _links(html)
                if link.startswith("../case/")} == expected
    undated = {r["id"] for r in records if not (r.get("period") or {}).get("start")}
    html = (site_dir / "year" / "undated.html").read_text(encoding="utf-8")
    assert {link.split("/")[-1][:-5] for link in _links(html)
            if link.startswith("../case/")} == undated
    started_2017 = {r["id"] for r in records
                    if str((r.get("period") or {}).get("start", "")).startswith("2017")}
    html = (site_dir / "year" / "2017.html").read_text(encoding="utf-8")
    assert {link.split("/")[-1][:-5] for link in _links(html)
            if link.startswith("../case/")} == started_2017


def test_term_pages_say_what_the_term_means(site_dir: Path) -> None:
    graph = rdflib.Graph().parse(ROOT / "mappings" / "library-types.ttl", format="turtle")
    concept = rdflib.URIRef("https://w3id.org/libcasestudies/vocab/library-type/national")
    definition = str(graph.value(concept, SKOS.definition))
    match = graph.value(concept, SKOS.exactMatch)
    html = (site_dir / "type" / "national.html").read_text(encoding="utf-8")
    assert definition.replace("'", "&#39;") in html
    assert match is not None
    assert f"https://www.wikidata.org/wiki/{str(match).rsplit('/', 1)[1]}" in _links(html)


def test_display_names_come_from_labels_not_ids(site_dir: Path) -> None:
    browse = (site_dir / "browse.html").read_text(encoding="utf-8")
    assert "Special Interest Groups (SIG)" in browse and "Working groups" in browse
    assert not re.search(r">(Sig|Working-group|Section)<", browse)
    assert 'href="institutions.html"' in browse
    assert 'href="activity/editathon.html"' in browse and 'href="year/undated.html"' in browse


def test_a_case_page_shows_its_wiki_language_editions(site_dir: Path, site_data: Path) -> None:
    record = next(r for r in _records(site_data) if r.get("languages"))
    html = (site_dir / "case" / f"{record['id']}.html").read_text(encoding="utf-8")
    assert "Wiki language editions" in html
    for tag in record["languages"]:
        assert f'<span lang="{tag}">{tag}</span>' in html


def test_the_index_offers_the_undated_records_and_several_values(site_dir: Path,
                                                                 site_data: Path) -> None:
    undated = sum(1 for r in _records(site_data) if not (r.get("period") or {}).get("start"))
    html = (site_dir / "index.html").read_text(encoding="utf-8")
    assert f"Also show the {undated} case studies that give no start date" in html
    assert re.search(r'<select id="f-type" name="type" multiple', html)
