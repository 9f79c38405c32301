"""A QuickStatements V1 reader of the tests' own, to check what quickstatements.txt says.

It follows the V1 rules QuickStatements itself applies: TAB-separated
columns; ``CREATE`` then ``LAST``; ``L``/``D``/``A`` + language for terms;
after the value, ``P`` pairs are qualifiers and ``S`` pairs one reference;
values are item ids, ``lang:"text"``, ``+YYYY-MM-DDThh:mm:ssZ/precision`` or
``"text"`` (a string, URL or external id: the property's datatype decides).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ITEM = re.compile(r"(?:local:)?Q[1-9][0-9]*|LAST")
TIME = re.compile(r"([+-]\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)(?:/(\d{1,2}))?")
MONOLINGUAL = re.compile(r'([a-z][a-z0-9-]*):"(.*)"')
STRING = re.compile(r'"(.*)"')


def datatypes() -> dict[str, str]:
    """PID -> datatype, from mappings/wikidata-ids.tsv (the verified table)."""
    with (ROOT / "mappings" / "wikidata-ids.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row["datatype"] for row in csv.DictReader(handle, delimiter="\t")
                if row["kind"] == "property"}


def parse_value(text: str, datatype: str) -> dict[str, Any]:
    if datatype == "wikibase-item":
        if not ITEM.fullmatch(text):
            raise ValueError(f"not an item: {text!r}")
        return {"type": "item", "value": text}
    if datatype == "time":
        match = TIME.fullmatch(text)
        if not match:
            raise ValueError(f"not a time: {text!r}")
        return {"type": "time", "value": match[1], "precision": int(match[2] or 9)}
    if datatype == "monolingualtext":
        match = MONOLINGUAL.fullmatch(text)
        if not match:
            raise ValueError(f"not monolingual text: {text!r}")
        return {"type": "monolingualtext", "value": match[2], "language": match[1]}
    match = STRING.fullmatch(text)
    if not match:
        raise ValueError(f"not a quoted string: {text!r}")
    return {"type": datatype, "value": match[1]}


def parse_v1(text: str) -> list[dict[str, Any]]:
    """The commands of a V1 batch, grouped per item in order."""
    types = datatypes()
    blocks: list[dict[str, Any]] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        cells = line.split("\t")
        if cells == ["CREATE"]:
            blocks.append({"create": True, "item": None, "labels": {}, "descriptions": {},
                           "statements": []})
            continue
        subject = cells[0]
        if subject == "LAST":
            if not blocks or not blocks[-1]["create"]:
                raise ValueError(f"line {number}: LAST without CREATE")
        elif not blocks or blocks[-1]["item"] != subject:
            if not ITEM.fullmatch(subject):
                raise ValueError(f"line {number}: bad subject {subject!r}")
            blocks.append({"create": False, "item": subject, "labels": {}, "descriptions": {},
                           "statements": []})
        block = blocks[-1]
        command = cells[1]
        if command[0] in "LDA" and not command[1:].isdigit():
            if len(cells) != 3:
                raise ValueError(f"line {number}: a term takes one value")
            value = parse_value(cells[2], "string")["value"]
            block["labels" if command[0] == "L" else "descriptions"][command[1:]] = value
            continue
        if not re.fullmatch(r"P[1-9][0-9]*", command) or len(cells) % 2 == 0:
            raise ValueError(f"line {number}: incomplete reference/qualifier list")
        qualifiers, reference = [], []
        for pid, raw in zip(cells[3::2], cells[4::2], strict=True):
            prop = pid if pid.startswith("P") else "P" + pid[1:]
            target = qualifiers if pid.startswith("P") else reference
            if not re.fullmatch(r"[PS][1-9][0-9]*", pid):
                raise ValueError(f"line {number}: bad column {pid!r}")
            target.append((prop, parse_value(raw, types[prop])))
        block["statements"].append((command, parse_value(cells[2], types[command]), qualifiers,
                                    reference))
    return blocks
