"""Every example in the docs is well-formed: Turtle and SPARQL parsed strictly by pyoxigraph.

rdflib forgives what other tools refuse (an undeclared prefix, say), so the
examples are read by the strict parser a user's tools are likelier to be.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from pyoxigraph import RdfFormat, Store, parse

from conftest import ROOT

DOCS = sorted([*(ROOT / "docs").glob("*.md"), ROOT / "README.md"])
_BLOCK_RE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[tuple[str, str]]:
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in _BLOCK_RE.finditer(text):
            if match.group(1) == language:
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"{path.name}:{line}", match.group(2)))
    return found


def test_the_docs_have_examples_to_check() -> None:
    assert blocks("turtle") and blocks("yaml")


@pytest.mark.parametrize(("where", "text"), blocks("turtle"), ids=[w for w, _ in blocks("turtle")])
def test_turtle_examples_parse_strictly(where: str, text: str) -> None:
    list(parse(text.encode("utf-8"), format=RdfFormat.TURTLE))


@pytest.mark.parametrize(("where", "text"), blocks("sparql"), ids=[w for w, _ in blocks("sparql")])
def test_sparql_examples_parse(where: str, text: str) -> None:
    Store().query(text)  # a syntax error raises; an empty store answers nothing


@pytest.mark.parametrize(("where", "text"), blocks("yaml"), ids=[w for w, _ in blocks("yaml")])
def test_yaml_examples_parse(where: str, text: str) -> None:
    yaml.safe_load(text)


@pytest.mark.parametrize(("where", "text"), blocks("json"), ids=[w for w, _ in blocks("json")])
def test_json_examples_parse(where: str, text: str) -> None:
    json.loads(text)
