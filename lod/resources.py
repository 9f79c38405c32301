"""Where the curated data directories live, and cached readers for the small ones.

``shapes/``, ``mappings/``, ``queries/`` (and the JSON Schema in ``docs/``) sit beside the package in a
checkout and inside it (``lod/_data``) in a wheel; this module is the only
place that knows that.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


#: Environment variables that point lod at other shapes or mappings folders (a curator trying
#: a changed vocabulary or shape on a copy, without touching the installed package).
ENVIRONMENT = {"shapes": "LOD_SHAPES", "mappings": "LOD_MAPPINGS"}


def _data_dir(name: str) -> Path:
    chosen = os.environ.get(ENVIRONMENT.get(name, ""), "")
    if chosen:
        return Path(chosen)
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


def case_study_schema_path() -> Path:
    """The committed JSON Schema of a case-study file (``docs/`` in a checkout)."""
    return _data_dir("docs") / "casestudy.schema.json"


def file_version(path: Path) -> tuple[int, int]:
    """A file's change time and size, the key of a cached table: a changed or damaged table
    is read again, never answered from memory; (0, -1) when it is missing (its reader says so)."""
    try:
        status = path.stat()
    except OSError:
        return 0, -1
    return status.st_ctime_ns, status.st_size


def language_names() -> dict[str, str]:
    """Language code -> English name, from ``mappings/languages.tsv``: the languages the
    submission form offers by name, the names the site shows and the harvester reads."""
    path = mappings_dir() / "languages.tsv"
    return _language_names(path, *file_version(path))


@cache
def _language_names(path: Path, modified: int, size: int) -> dict[str, str]:
    from lod.inputs import read_tsv

    return {row["code"]: row["name"] for row in read_tsv(path, ("code", "name"))}


def ifla_units() -> dict[str, tuple[str, str]]:
    """IFLA unit id -> (kind, English name), from ``mappings/ifla-unit-ids.tsv``.

    Read once per version of the file (:func:`file_version`).
    """
    path = mappings_dir() / "ifla-unit-ids.tsv"
    return _ifla_units(path, *file_version(path))


@cache
def _ifla_units(path: Path, modified: int, size: int) -> dict[str, tuple[str, str]]:
    from lod.inputs import read_tsv

    rows = read_tsv(path, ("unit_id", "kind", "name"))
    return {row["unit_id"]: (row["kind"], row["name"]) for row in rows}
