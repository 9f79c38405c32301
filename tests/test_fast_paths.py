"""The per-record work's fast forms say exactly what the rules say (issue 26, time).

The build checks every text value of every record and writes every triple of
every record as an N-Triples line; those steps were made faster without a
change of a single output. Each test here states the rule itself (from the
spec, not from the code) and lets Hypothesis throw hostile text at the fast
form: control and bidirectional characters, quotes, backslashes, line breaks,
astral characters and lone surrogates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pyoxigraph import Literal

from lod.ingest.load import MULTILINE_FIELDS, _control_problems, _control_walk
from lod.ingest.yamlfile import YamlDocument
from lod.model.case_study import CaseStudy
from lod.namespaces import DEFAULT_BASE
from lod.rdf.build import case_study_lines, case_study_triples, quoted
from lod.text import FORBIDDEN, LINE_BREAKS, forbidden_in
from tests.conftest import CASESTUDIES

#: Characters near every boundary the rules draw, plus everything else Hypothesis picks.
_AWKWARD = st.sampled_from(
    [chr(c) for c in (*range(0x21), 0x22, 0x5C, 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0x2029,
                      0x202A, 0x202E, 0x202F, 0x2065, 0x2066, 0x2069, 0x206A, 0xD800, 0xDFFF,
                      0xFEFF, 0x1F600, 0x10FFFF)])
HOSTILE = st.text(st.one_of(_AWKWARD, st.characters(codec=None)), max_size=40)


def _first_forbidden(text: str, *, multiline: bool) -> str | None:
    """The rule (lod.text): the first character in FORBIDDEN, tab and newline allowed in
    multi-line text only."""
    for character in text:
        if ord(character) in FORBIDDEN and (not multiline or ord(character) not in LINE_BREAKS):
            return character
    return None


@given(HOSTILE, st.booleans())
def test_forbidden_in_finds_the_first_refused_character(text: str, multiline: bool) -> None:
    assert forbidden_in(text, multiline=multiline) == _first_forbidden(text, multiline=multiline)


_KEYS = st.one_of(st.sampled_from([*MULTILINE_FIELDS, "title", "institutions", "name"]), HOSTILE,
                  st.integers(0, 3))
_VALUES = st.recursive(
    st.one_of(HOSTILE, st.integers(), st.none(), st.booleans()),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=12)


@given(st.dictionaries(_KEYS, _VALUES, max_size=5))
def test_a_clean_record_skips_the_field_walk_only_when_the_walk_finds_nothing(
        data: dict[Any, Any]) -> None:
    """The quick pass over a record's text never hides a problem the field walk reports."""
    document = YamlDocument(Path("r.yaml"), data)
    assert _control_problems(document) == _control_walk(document)


def test_forbidden_in_on_every_boundary() -> None:
    for code in (*range(0xA1), *range(0x2028, 0x2030), *range(0x2064, 0x206B)):
        character = chr(code)
        refused = code in FORBIDDEN
        assert forbidden_in(f"ok{character}ok", multiline=False) == (character if refused else None)
        in_lines = refused and code not in LINE_BREAKS
        assert forbidden_in(f"ok{character}ok", multiline=True) == (character if in_lines else None)


# --- N-Triples lines written as text (lod.rdf.build) --------------------------------------

#: Every character pyoxigraph can print (all but the surrogates, which a Python string read
#: from UTF-8 never holds and pyoxigraph refuses).
EVERY_CHARACTER = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)
PRINTABLE = st.text(st.one_of(_AWKWARD, st.characters(codec="utf-8")), max_size=40)


def test_a_literal_is_quoted_as_pyoxigraph_prints_it_for_every_character() -> None:
    # Escaping is one character at a time, so one string of every character checks each.
    assert quoted(EVERY_CHARACTER) == str(Literal(EVERY_CHARACTER))
    for character in EVERY_CHARACTER[:0x100]:
        assert quoted(character) == str(Literal(character)), hex(ord(character))


@given(PRINTABLE)
def test_a_literal_is_quoted_as_pyoxigraph_prints_it(text: str) -> None:
    assert quoted(text) == str(Literal(text))


#: A real case study, whose text fields the tests below replace with hostile text.
_REAL: dict[str, Any] = yaml.safe_load((CASESTUDIES / "1lib1ref-campaign.yaml").read_text(encoding="utf-8"))


def _record(overrides: dict[str, Any]) -> CaseStudy:
    return CaseStudy.model_validate(_REAL | overrides)


def _clean(text: str) -> str:
    """Hostile text the contract still lets through: no refused character, not blank."""
    kept = "".join(c for c in text if forbidden_in(c, multiline=True) is None).strip()
    return kept or "x"


@given(PRINTABLE, PRINTABLE, PRINTABLE, PRINTABLE, st.sampled_from(["en", "pt-BR", "zh-Hant", "CA"]))
def test_a_records_lines_are_what_pyoxigraph_prints_for_its_triples(
        title: str, section: str, name: str, author: str, tag: str) -> None:
    """Each line reads back (pyoxigraph's parser) as a triple that prints as the same line,
    and every hostile value comes back unchanged: so each line is the text pyoxigraph's
    own terms would have printed."""
    record = _record({
        "lang": tag, "title": {tag: _clean(title)}, "summary": {tag: _clean(section)},
        "sections": {"context": _clean(section), "goals": _clean(title)},
        "institutions": [{"name": _clean(name), "country": "ES", "type": "public", "role": "lead"}],
        "source": {"title": _clean(title), "language": tag, "authors": [_clean(author)]},
    })
    lines = list(case_study_lines(DEFAULT_BASE, record))
    triples = list(case_study_triples(DEFAULT_BASE, record))
    assert [str(triple) for triple in triples] == lines
    literals = {triple.object.value for triple in triples if isinstance(triple.object, Literal)}
    assert {_clean(title), _clean(section), _clean(name), _clean(author)} <= literals
    tags = {triple.object.language for triple in triples if isinstance(triple.object, Literal)}
    assert tag.lower() in tags


def test_an_iri_rdf_refuses_still_stops_the_record() -> None:
    """The contract refuses such a link now (tests/test_model.py); the line writer must not
    print one either if a record reaches it another way (model_copy skips validation)."""
    with pytest.raises(ValueError, match="percent"):
        _record({"links": [{"url": "https://example.org/%zz"}]})
    record = _record({"links": [{"url": "https://example.org/ok"}]})
    record = record.model_copy(update={"links": [record.links[0].model_copy(
        update={"url": "https://example.org/%zz"})]})
    with pytest.raises(ValueError, match="percent"):
        list(case_study_lines(DEFAULT_BASE, record))


# --- line numbers only when a problem needs them (lod.pipeline) ----------------------------


def test_a_clean_collection_is_parsed_once_not_composed_again_for_line_numbers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Line numbers need the YAML composed a second time; a build of clean files never asks."""
    from lod.ingest import yamlfile
    from lod.pipeline import assemble
    from lod.settings import Settings

    composed: list[str] = []
    real = yamlfile._line_map

    def counting(text: str) -> tuple[dict[yamlfile.FieldPath, int], tuple[yamlfile.FieldPath, ...]]:
        composed.append(text)
        return real(text)

    monkeypatch.setattr(yamlfile, "_line_map", counting)
    result = assemble([CASESTUDIES], Settings(), include_drafts=False)
    assert result.ok and result.records
    assert composed == []
