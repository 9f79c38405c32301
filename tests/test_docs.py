"""Every example in the docs is well-formed: Turtle and SPARQL parsed strictly by pyoxigraph.

rdflib forgives what other tools refuse (an undeclared prefix, say), so the
examples are read by the strict parser a user's tools are likelier to be.
"""

from __future__ import annotations

import json
import re

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


CHECKED = [(language, where, text) for language in ("turtle", "sparql", "yaml", "json")
           for where, text in blocks(language)]


@pytest.mark.parametrize(("language", "where", "text"), CHECKED, ids=[w for _, w, _ in CHECKED])
def test_examples_parse_strictly(language: str, where: str, text: str) -> None:
    if language == "turtle":
        list(parse(text.encode("utf-8"), format=RdfFormat.TURTLE))
    elif language == "sparql":
        # `lod query` predefines the project's prefixes, as the docs say; a block of
        # PREFIX lines alone (the copyable prefix block) is checked as a prologue.
        from lod.query.prefixes import with_prefixes

        query = with_prefixes(text)
        if not re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", query, re.IGNORECASE):
            query += "ASK {}"
        Store().query(query)  # a syntax error raises; an empty store answers nothing
    elif language == "yaml":
        yaml.safe_load(text)
    else:
        json.loads(text)
