"""The per-record work's fast forms say exactly what the rules say (issue 26, time).

The build checks every text value of every record and writes every triple of
every record as an N-Triples line; those steps were made faster without a
change of a single output. Each test here states the rule itself (from the
spec, not from the code) and lets Hypothesis throw hostile text at the fast
form: control and bidirectional characters, quotes, backslashes, line breaks,
astral characters and lone surrogates.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lod.text import FORBIDDEN, LINE_BREAKS, forbidden_in

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


def test_forbidden_in_on_every_boundary() -> None:
    for code in (*range(0xA1), *range(0x2028, 0x2030), *range(0x2064, 0x206B)):
        character = chr(code)
        refused = code in FORBIDDEN
        assert forbidden_in(f"ok{character}ok", multiline=False) == (character if refused else None)
        in_lines = refused and code not in LINE_BREAKS
        assert forbidden_in(f"ok{character}ok", multiline=True) == (character if in_lines else None)
