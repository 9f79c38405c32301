"""The seed of the session's test Wikibase: existing items the publish tests plan against.

In Wikidata's ids (the fixture translates them): an item for the Ball State
work (its title, its URL written another way (https, as P953) and some
statements already), the British Library as a national library with a
country of its own, an unrelated item with the label and description the
Bibliowikis project would get (a clash), and an item with the name of Ball
State's library (a namesake for --create-institutions).
"""

from __future__ import annotations

from typing import Any

import yaml

from conftest import CASESTUDIES

SMU = "smu-anthropology"
WORK = "ball-state-sheet-music-links"
CLASH = "catalonia-bibliowikis"
#: The Catalan description the Bibliowikis project item gets (docs/wikidata-model.md, Projects).
CLASH_DESCRIPTION = "projecte de biblioteques sobre Wikipedia i Wikimedia Commons des de 2012"
#: The Ball State article's URL as another editor stored it (https, not the record's http).
WORK_URL = "https://www.dlib.org/dlib/march13/szajewski/03szajewski.html"


def record_yaml(record_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CASESTUDIES / f"{record_id}.yaml").read_text(encoding="utf-8"))
    return data


def _snak(pid: str, kind: str, value: Any) -> dict[str, Any]:
    if kind == "wikibase-item":
        datavalue = {"type": "wikibase-entityid",
                     "value": {"entity-type": "item", "numeric-id": int(value[1:]), "id": value}}
    elif kind == "url":
        datavalue = {"type": "string", "value": value}
    else:
        raise ValueError(kind)
    return {"snaktype": "value", "property": pid, "datatype": kind, "datavalue": datavalue}


def _claims(*snaks: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for snak in snaks:
        out.setdefault(snak["property"], []).append(
            {"mainsnak": snak, "type": "statement", "rank": "normal"})
    return out


def _term(text: str, lang: str = "en") -> dict[str, dict[str, str]]:
    return {lang: {"language": lang, "value": text}}


def seed_entities() -> list[dict[str, Any]]:
    work = record_yaml(WORK)
    return [
        {"labels": _term(work["source"]["title"]), "descriptions": _term("an existing case-study item"),
         "claims": _claims(_snak("P31", "wikibase-item", "Q155207"),
                           _snak("P953", "url", WORK_URL),
                           _snak("P407", "wikibase-item", "Q1860"))},
        {"id": "Q23308", "claims": _claims(_snak("P17", "wikibase-item", "Q145"),
                                           _snak("P31", "wikibase-item", "Q22806"))},
        {"labels": _term("Bibliowikis", "ca"), "descriptions": _term(CLASH_DESCRIPTION, "ca")},
        {"labels": _term(work["institutions"][0]["name"]), "descriptions": _term("a namesake")},
    ]
