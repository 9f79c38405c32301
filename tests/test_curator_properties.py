"""The form-reading rules of docs/curating.md as properties (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lod.harvest.formanswers import (
    EMPTY_ANSWERS,
    answer_values,
    is_empty_answer,
    split_institutions,
    strip_yes,
)
from lod.harvest.wikimatch import normalize

WORD = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=2, max_size=9)
NAME = st.lists(WORD, min_size=1, max_size=4).map(" ".join).filter(
    lambda text: not is_empty_answer(text) and normalize(text) not in {"yes", "y", "si", "oui", "ja", "sim"})
SEPARATOR = st.sampled_from([";", "; ", " ; ", "\n", "\r\n", " | "])


@settings(deadline=None)
@given(st.lists(NAME, min_size=1, max_size=5), SEPARATOR)
def test_values_separated_unambiguously_come_back_whole(names: list[str], separator: str) -> None:
    assert answer_values(separator.join(names)) == names


@settings(deadline=None)
@given(st.lists(NAME, min_size=1, max_size=4), st.sampled_from(sorted(EMPTY_ANSWERS - {""})))
def test_an_empty_answer_among_values_is_dropped(names: list[str], empty: str) -> None:
    assert answer_values("; ".join([*names, empty.upper()])) == names


@settings(deadline=None)
@given(NAME, st.sampled_from(["Yes - ", "yes: ", "Yes, ", "YES – "]))
def test_yes_in_front_of_a_value_leaves_the_value(name: str, prefix: str) -> None:
    assert strip_yes(prefix + name) == name


@settings(deadline=None)
@given(st.lists(NAME, min_size=1, max_size=4))
def test_splitting_an_institution_cell_never_loses_or_invents_text(names: list[str]) -> None:
    cell = ", ".join(names)
    parts, todo = split_institutions(cell)
    assert ", ".join(parts) == cell
    assert (todo is None) == ("," not in cell)
