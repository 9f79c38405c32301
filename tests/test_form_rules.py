"""The submission form's rules as the committed JSON Schema states them (issue 25).

The form takes its limits and patterns from ``docs/casestudy.schema.json``
(through :func:`lod.site.submitform.schema_rules`), so the committed schema
must say what ``lod validate`` checks, and a damaged schema must be refused
with its name rather than give a form without rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lod.harvest.wikimatch import language_tag
from lod.inputs import InputFileError
from lod.model.case_study import _check_id, _check_partial_date
from lod.model.schema import SCHEMA_PATH
from lod.model.terms import language_tag_problem
from lod.resources import language_names
from lod.site.records import language_name
from lod.site.submitform import schema_rules

RULES = schema_rules(SCHEMA_PATH)


def _accepts(check: Any, value: str) -> bool:
    try:
        check(value)
    except ValueError:
        return False
    return True


@given(st.text(alphabet="abz09-_A ", max_size=90))
def test_the_schemas_id_rule_is_the_models(text: str) -> None:
    by_schema = len(text) <= RULES["maxId"] and re.search(RULES["idPattern"], text) is not None
    assert by_schema == _accepts(_check_id, text)


@given(st.from_regex(r"[0-9]{4}(-[0-9]{1,3}(-[0-9]{1,3})?)?x?", fullmatch=True))
def test_the_schemas_date_pattern_lets_through_every_date_the_model_takes(text: str) -> None:
    # The model also wants the date on the calendar; the page checks that itself.
    if _accepts(_check_partial_date, text):
        assert re.search(RULES["datePattern"], text)


def test_the_summary_limit_is_the_models() -> None:
    from lod.model.case_study import MAX_SUMMARY

    assert RULES["maxSummary"] == MAX_SUMMARY


@pytest.mark.parametrize(("damage", "said"), [
    ("", "empty file"),
    ('{"properties": ', "not JSON"),
    ("[1, 2]", "not a case-study JSON Schema"),
    ("no-limit", "states no 'maxLength'"),
])
def test_a_damaged_schema_is_refused_naming_the_file(tmp_path: Path, damage: str, said: str) -> None:
    path = tmp_path / "casestudy.schema.json"
    if damage == "no-limit":
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        del schema["properties"]["summary"]["additionalProperties"]["maxLength"]
        damage = json.dumps(schema)
    path.write_text(damage, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        schema_rules(path)
    assert str(path) in str(caught.value.problem)
    assert said in str(caught.value.problem)


def test_every_listed_language_is_a_tag_read_back_and_shown_by_its_name() -> None:
    """mappings/languages.tsv is the one list: the form offers its names, the harvester reads
    them back as its codes, the site shows its names."""
    listed = language_names()
    assert len(listed) > 150 and {"en", "fi", "sv", "ca", "ast"} <= set(listed)
    for code, name in listed.items():
        assert language_tag_problem(code) is None, code
        assert (language_tag(name), language_tag(code), language_name(code)) == (code, code, name)
