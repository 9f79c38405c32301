"""Fill a fresh test Wikibase: the properties publishing needs, the base items, optional seeds.

Properties get the datatypes of ``mappings/wikidata-properties.tsv`` (and of
``mappings/wikidata-ids.tsv`` for the reference properties); base items are the
items of ``mappings/wikidata-ids.tsv``. Every entity is written through
wikibaseintegrator over real HTTP, the client people use. The local ids differ
from Wikidata's; the returned map (Wikidata id -> local id) is what ``ids.tsv``
holds.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from wikibaseintegrator import wbi_helpers, wbi_login

from lod.propertytable import read_property_table

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = ROOT / "mappings"
USER_AGENT = "lod-tests/0.1 (test Wikibase fixture; 127.0.0.1 only)"
#: Properties a plan uses beyond the table's rows: stated in, parent organisation.
EXTRA_PROPERTIES = ("P248", "P749")


def _ids_table() -> list[dict[str, str]]:
    with (MAPPINGS / "wikidata-ids.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def needed_properties() -> dict[str, tuple[str, str]]:
    """Wikidata PID -> (English label, datatype) for every property a plan can use."""
    known = {row["id"]: (row["label"], row["datatype"]) for row in _ids_table()
             if row["kind"] == "property"}
    wanted: dict[str, tuple[str, str]] = {}
    for row in read_property_table(MAPPINGS / "wikidata-properties.tsv"):
        for pid in row.pids():
            label = known.get(pid, (row.label, row.datatype))[0]
            datatype = row.datatype if pid == row.property else known[pid][1]
            wanted.setdefault(pid, (label, datatype))
    for pid in EXTRA_PROPERTIES:
        wanted.setdefault(pid, known[pid])
    return dict(sorted(wanted.items(), key=lambda kv: int(kv[0][1:])))


def base_items() -> dict[str, str]:
    """Wikidata QID -> English label of the items a plan can refer to.

    The values table (classes, countries, languages, wikis), the vocabularies'
    Wikidata matches (projects, library types), the institution classes and the
    organisations the bundled records name; labels from mappings/wikidata-ids.tsv.
    """
    labels = {row["id"]: row["label"] for row in _ids_table() if row["kind"] == "item"}
    wanted = {row["id"] for row in _values_table()}
    for name in ("projects.ttl", "library-types.ttl"):
        wanted |= set(re.findall(r"wd:(Q[1-9][0-9]*)", (MAPPINGS / name).read_text(encoding="utf-8")))
    classes = (MAPPINGS / "wikidata-institution-classes.tsv").read_text(encoding="utf-8")
    wanted |= set(re.findall(r"^[^\t]+\t(Q[1-9][0-9]*)\t", classes, re.MULTILINE))
    for path in (ROOT / "casestudies").glob("*.yaml"):
        wanted |= set(re.findall(r"wikidata: (Q[1-9][0-9]*)", path.read_text(encoding="utf-8")))
    return {qid: labels[qid] for qid in sorted(wanted, key=lambda q: int(q[1:]))}


def _values_table() -> list[dict[str, str]]:
    with (MAPPINGS / "wikidata-values.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


class Writer:
    """A logged-in bot that creates entities on one wiki."""

    def __init__(self, api_url: str, user: str, password: str) -> None:
        self.api_url = api_url
        self.login = wbi_login.Login(user=user, password=password, mediawiki_api_url=api_url,
                                     user_agent=USER_AGENT)

    def edit(self, data: dict[str, Any], *, new: str | None = None, entity: str | None = None) -> str:
        """Create (``new``) or extend (``entity``) one entity; return its id."""
        answer = wbi_helpers.edit_entity(
            data=data, id=entity, type=new, login=self.login,
            summary="lod test fixture", mediawiki_api_url=self.api_url, user_agent=USER_AGENT,
            max_retries=3, retry_after=1)
        return str(answer["entity"]["id"])


def _term(text: str) -> dict[str, dict[str, str]]:
    return {"en": {"language": "en", "value": text}}


def create_properties(writer: Writer) -> dict[str, str]:
    """Create the properties one after another (ids in order); return Wikidata PID -> local PID."""
    mapping: dict[str, str] = {}
    for pid, (label, datatype) in needed_properties().items():
        data = {"labels": _term(label), "datatype": datatype,
                "descriptions": _term(f"test copy of Wikidata's {pid}")}
        mapping[pid] = writer.edit(data, new="property")
    return mapping


def create_items(writer: Writer, items: dict[str, str]) -> dict[str, str]:
    """Create the base items (4 at a time: php -S runs 4 workers); return QID -> local QID."""
    def one(qid: str) -> tuple[str, str]:
        data = {"labels": _term(items[qid]), "descriptions": _term(f"test copy of Wikidata's {qid}")}
        return qid, writer.edit(data, new="item")

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, sorted(items, key=lambda q: int(q[1:]))))


def translate(value: Any, mapping: Callable[[str], str]) -> Any:
    """Wikidata ids -> local ids throughout a piece of Wikibase JSON (keys, snaks, values)."""
    if isinstance(value, list):
        return [translate(item, mapping) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        new_key = mapping(key) if _is_entity_id(key) else key
        if key in {"property", "id"} and isinstance(item, str) and _is_entity_id(item):
            out[new_key] = mapping(item)
        elif key in {"snaks-order", "qualifiers-order"}:
            out[new_key] = [mapping(pid) for pid in item]
        elif key == "numeric-id":
            continue  # rebuilt from "id" below
        else:
            out[new_key] = translate(item, mapping)
    if value.get("entity-type") in {"item", "property"} and "id" in out:
        out["numeric-id"] = int(str(out["id"])[1:])
    return out


def _is_entity_id(text: str) -> bool:
    return len(text) > 1 and text[0] in "PQ" and text[1:].isdigit()


def seed(writer: Writer, path: Path, ids: dict[str, str]) -> list[str]:
    """Add the entities of a Wikibase JSON file (a list, or ``{"entities": {...}}``).

    The file speaks Wikidata's ids. An entity whose ``id`` is a base item
    extends that item; any other entity is created and gets a fresh local id.
    Returns the local ids in file order.
    """
    loaded = json.loads(path.read_text(encoding="utf-8"))
    entities = list(loaded["entities"].values()) if isinstance(loaded, dict) else list(loaded)
    local: list[str] = []
    for entity in entities:
        data = translate({k: v for k, v in entity.items() if k not in {"id", "type"}},
                         lambda i: ids.get(i, i))
        target = ids.get(str(entity.get("id", "")))
        local.append(writer.edit(data, entity=target) if target else writer.edit(data, new="item"))
    return local


def write_files(workdir: Path, ids: dict[str, str], user: str, password: str,
                seeded: list[str]) -> list[Path]:
    """DIR/ids.tsv (Wikidata id, tab, local id), DIR/bot.env and DIR/seeded.tsv."""
    ids_path = workdir / "ids.tsv"
    ordered = sorted(ids.items(), key=lambda kv: (kv[0][0], int(kv[0][1:])))
    ids_path.write_text("".join(f"{wd}\t{local}\n" for wd, local in ordered), encoding="utf-8")
    env_path = workdir / "bot.env"
    env_path.write_text(f"LOD_WIKIBASE_USER={user}\nLOD_WIKIBASE_PASSWORD={password}\n",
                        encoding="utf-8")
    env_path.chmod(0o600)
    seeded_path = workdir / "seeded.tsv"
    seeded_path.write_text("".join(f"{n}\t{qid}\n" for n, qid in enumerate(seeded)), encoding="utf-8")
    return [ids_path, env_path, seeded_path]
