"""Where the curated data directories live, and cached readers for the small ones.

``shapes/``, ``mappings/`` and ``queries/`` sit beside the package in a
checkout and inside it (``lod/_data``) in a wheel; this module is the only
place that knows that.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def shapes_dir() -> Path:
    """The SHACL shapes directory."""
    return _data_dir("shapes")


def mappings_dir() -> Path:
    """The vocabularies and mapping tables directory."""
    return _data_dir("mappings")


def queries_dir() -> Path:
    """The SPARQL query catalogue directory."""
    return _data_dir("queries")


@cache
def ifla_units() -> dict[str, tuple[str, str]]:
    """IFLA unit id -> (kind, English name), from ``mappings/ifla-unit-ids.tsv``."""
    path = mappings_dir() / "ifla-unit-ids.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["unit_id"]: (row["kind"], row["name"]) for row in rows}
