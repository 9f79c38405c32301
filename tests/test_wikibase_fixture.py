"""The test Wikibase itself: a real Wikibase with Wikidata's layout, a bot password, the
properties of the property table and a query service loaded from the wiki's own RDF."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests
from wikibaseintegrator import WikibaseIntegrator, wbi_login

from conftest import ROOT
from lod.propertytable import read_property_table


def _sparql(url: str, query: str) -> list[dict[str, dict[str, str]]]:
    answer = requests.post(url, data={"query": query},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
    answer.raise_for_status()
    rows: list[dict[str, dict[str, str]]] = answer.json()["results"]["bindings"]
    return rows


def test_properties_have_the_tables_datatypes(test_wikibase) -> None:
    wanted = {}
    for row in read_property_table(ROOT / "mappings" / "wikidata-properties.tsv"):
        wanted[row.property] = row.datatype
    local = "|".join(test_wikibase.ids[pid] for pid in wanted)
    answer = requests.get(test_wikibase.api_url, params={
        "action": "wbgetentities", "ids": local, "props": "datatype", "format": "json"},
        timeout=30).json()
    for pid, datatype in wanted.items():
        assert answer["entities"][test_wikibase.ids[pid]]["datatype"] == datatype, pid


def test_items_live_in_the_main_namespace_and_files_are_written(test_wikibase) -> None:
    local = test_wikibase.ids["Q155207"]
    answer = requests.get(test_wikibase.api_url, params={
        "action": "wbgetentities", "ids": local, "format": "json"}, timeout=30).json()
    entity = answer["entities"][local]
    assert entity["title"] == local  # not "Item:Q.."
    assert entity["labels"]["en"]["value"] == "case study"
    lines = (test_wikibase.workdir / "ids.tsv").read_text(encoding="utf-8").splitlines()
    assert f"Q155207\t{local}" in lines
    env = (test_wikibase.workdir / "bot.env").read_text(encoding="utf-8")
    assert f"LOD_WIKIBASE_USER={test_wikibase.user}\n" in env
    assert f"LOD_WIKIBASE_PASSWORD={test_wikibase.password}\n" in env


def test_the_bot_password_logs_in_through_wikibaseintegrator(test_wikibase) -> None:
    login = wbi_login.Login(user=test_wikibase.user, password=test_wikibase.password,
                            mediawiki_api_url=test_wikibase.api_url, user_agent="lod-tests/0.1")
    item = WikibaseIntegrator(login=login).item.get(test_wikibase.ids["Q52"],
                                                    mediawiki_api_url=test_wikibase.api_url)
    assert item.labels.get("en").value == "Wikipedia"


def test_the_query_service_holds_the_wikis_rdf(test_wikibase) -> None:
    local = test_wikibase.ids["Q1860"]
    rows = _sparql(test_wikibase.sparql_url,
                   "SELECT ?label WHERE { ?item <http://www.w3.org/2000/01/rdf-schema#label> ?label "
                   f"FILTER(STRENDS(STR(?item), '/entity/{local}')) }}")
    assert [row["label"]["value"] for row in rows] == ["English"]


def test_the_command_line_starts_it_in_the_foreground(tmp_path: Path, wikibase_cache: Path) -> None:
    """What a person types; the seed (Wikidata ids) lands translated to the wiki's own ids."""
    from tests.ports import unused_port

    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps([{"labels": {"en": {"language": "en", "value": "Seeded thing"}},
                                 "claims": {"P31": [{"mainsnak": {
                                     "snaktype": "value", "property": "P31", "datatype": "wikibase-item",
                                     "datavalue": {"type": "wikibase-entityid", "value": {
                                         "entity-type": "item", "numeric-id": 155207, "id": "Q155207"}}},
                                     "type": "statement", "rank": "normal"}]}}]), encoding="utf-8")
    port = unused_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.wikibase", "--port", str(port), "--workdir",
         str(tmp_path / "wiki"), "--seed", str(seed), "--cache", str(wikibase_cache)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        printed = []
        for line in process.stdout:
            printed.append(line)
            if line.startswith("ready"):
                break
        text = "".join(printed)
        assert f"API:    http://127.0.0.1:{port}/api.php\n" in text, text + process.stderr.read()
        assert "SPARQL: http://127.0.0.1:" in text
        ids = dict(line.split("\t") for line in
                   (tmp_path / "wiki" / "ids.tsv").read_text(encoding="utf-8").splitlines())
        seeded = (tmp_path / "wiki" / "seeded.tsv").read_text(encoding="utf-8").split()[1]
        answer = requests.get(f"http://127.0.0.1:{port}/api.php", params={
            "action": "wbgetentities", "ids": seeded, "format": "json"}, timeout=30).json()
        claims = answer["entities"][seeded]["claims"]
        assert list(claims) == [ids["P31"]]
        assert claims[ids["P31"]][0]["mainsnak"]["datavalue"]["value"]["id"] == ids["Q155207"]
    finally:
        process.terminate()
        process.wait(timeout=30)
