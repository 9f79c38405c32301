"""The seed of the session's test Wikibase: existing items the publish tests plan against.

In Wikidata's ids (the fixture translates them): an item for the SMU case
study (its title, its source URL and some statements already), the British
Library with a country of its own, and an unrelated item with the label and
description the UCD case study would get (a clash), and an item with the
name of SMU's library (a namesake for --create-institutions).
"""

from __future__ import annotations

from typing import Any

import yaml

from conftest import CASESTUDIES

SMU = "smu-anthropology"
UCD = "ucd-digicomp"
UCD_DESCRIPTION = "case study of University College Dublin Library and Wikipedia, 2011"


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


def _term(text: str) -> dict[str, dict[str, str]]:
    return {"en": {"language": "en", "value": text}}


def seed_entities() -> list[dict[str, Any]]:
    smu = record_yaml(SMU)
    ucd = record_yaml(UCD)
    return [
        {"labels": _term(smu["title"]["en"]), "descriptions": _term("an existing case-study item"),
         "claims": _claims(_snak("P31", "wikibase-item", "Q155207"),
                           _snak("P973", "url", smu["source"]["url"]),
                           _snak("P407", "wikibase-item", "Q1860"))},
        {"id": "Q23308", "claims": _claims(_snak("P17", "wikibase-item", "Q145"))},
        {"labels": _term(ucd["title"]["en"]), "descriptions": _term(UCD_DESCRIPTION)},
        {"labels": _term(smu["institutions"][0]["name"]), "descriptions": _term("a namesake")},
    ]
