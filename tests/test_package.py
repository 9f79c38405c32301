"""What the installed package holds: the code a command runs, not the code only the tests need."""

from __future__ import annotations

import ast
import tomllib

from conftest import ROOT

PACKAGE = ROOT / "lod"


def _dev_only_modules() -> set[str]:
    """Import names of the dev extra's packages (pyshacl, pytest, hypothesis, ...)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = set()
    for requirement in project["optional-dependencies"]["dev"]:
        name = requirement.split(">")[0].split("=")[0].split("<")[0].strip().lower()
        if not name.startswith("types-"):
            names.add(name.replace("-", "_"))
    return names


def _imported(path: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(path):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0].lower() for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0].lower())
    return found


def test_no_module_imports_a_test_only_dependency() -> None:
    """The pySHACL oracle and the graph shortcuts the tests use live in tests/graphtools.py;
    a user's install has none of the dev extra, so a module importing one would fail there."""
    dev = _dev_only_modules()
    assert {"pyshacl", "pytest", "hypothesis"} <= dev
    offenders = {path.relative_to(ROOT).as_posix(): sorted(_imported(ast.parse(path.read_text("utf-8"))) & dev)
                 for path in sorted(PACKAGE.rglob("*.py"))}
    assert {path: names for path, names in offenders.items() if names} == {}


def _definitions() -> dict[str, list[str]]:
    """Top-level class and function name -> the modules defining it."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef):
                found.setdefault(node.name, []).append(path.relative_to(ROOT).as_posix())
    return found


def test_the_names_issue_21_found_twice_now_name_one_thing() -> None:
    """Two ``Facts``, two ``slug`` giving different results, two ``graph_items`` and two
    ``labels`` modules made a reader guess which one was meant; each now says what it is."""
    definitions = _definitions()
    for name in ("Facts", "slug", "write_atomically", "graph_items", "term_query_href"):
        assert len(definitions.get(name, [])) <= 1, (name, definitions.get(name))
    assert definitions["record_id_from_title"] == ["lod/harvest/wikirecord.py"]
    assert definitions["iri_segment"] == ["lod/rdf/build.py"]
    assert sorted(path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("labels.py")) == [
        "lod/site/labels.py"]
