"""The contract models used directly, as the harvester and importer do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from conftest import VALID_RECORD, run_lod, write_record
from lod.model import CaseStudy
from lod.model.schema import SCHEMA_PATH, json_schema
from lod.model.terms import closest, language_tag_problem


def record(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(VALID_RECORD.format(id="lyon-editathon"))
    data.update(changes)
    return data


def test_defaults_apply() -> None:
    data = record()
    del data["period"]
    model = CaseStudy.model_validate(data)
    assert model.license == "CC-BY-SA-4.0"
    assert model.institutions[1].role is None  # absent is absent: no default role
    assert model.contacts[0].publish is False


def test_models_are_frozen() -> None:
    model = CaseStudy.model_validate(record())
    with pytest.raises(ValidationError):
        model.status = "draft"  # type: ignore[misc]


def test_summary_length_limit() -> None:
    with pytest.raises(ValidationError) as caught:
        CaseStudy.model_validate(record(summary={"en": "x" * 1501}))
    assert caught.value.errors()[0]["loc"] == ("summary", "en")
    CaseStudy.model_validate(record(summary={"en": "x" * 1500}))


def test_submitter_unit_required_for_ifla_unit() -> None:
    with pytest.raises(ValidationError, match="'unit' is required"):
        CaseStudy.model_validate(record(submitted_by={"kind": "ifla-unit"}))
    ok = CaseStudy.model_validate(
        record(submitted_by={"kind": "ifla-unit", "unit": "school-libraries"})
    )
    assert ok.units == ["public-libraries", "school-libraries"]


@pytest.mark.parametrize("tag", ["en", "ca", "pt-BR", "zh-Hant", "sr-Latn-RS", "de-CH-1996", "ast"])
def test_good_language_tags(tag: str) -> None:
    assert language_tag_problem(tag) is None


@pytest.mark.parametrize("tag", ["english", "e", "en_US", "xx", "en-", "123"])
def test_bad_language_tags(tag: str) -> None:
    assert language_tag_problem(tag) is not None


def test_closest_term() -> None:
    assert closest("Commons", ["wikipedia", "commons"]) == "commons"
    assert closest("zzzz", ["wikipedia", "commons"]) is None


def test_committed_json_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == json_schema(), (
        "docs/casestudy.schema.json is stale: run `python -m lod.model.schema`"
    )


@pytest.mark.parametrize("url", ["https://example.org/%zz", "https://example.org/a%2", "http://example.org:port/"])
def test_a_url_the_graph_cannot_hold_is_refused_by_the_contract(url: str) -> None:
    """A link becomes an IRI in the graph: what RFC 3987 refuses is a contract error naming
    the field and the escape rule, not a traceback of the build."""
    data = yaml.safe_load(VALID_RECORD)
    data["links"][0]["url"] = url
    with pytest.raises(ValidationError) as caught:
        CaseStudy.model_validate(data)
    assert "links.0.url" in str(caught.value)
    assert "%20" in str(caught.value)


def test_lod_validate_names_the_line_of_a_url_the_graph_cannot_hold(tmp_path: Path) -> None:
    path = write_record(tmp_path, "lyon-editathon",
                        VALID_RECORD.replace("https://example.org/report", "https://example.org/%zz"))
    done = run_lod("validate", str(tmp_path))  # a traceback fails the test (run_lod)
    assert done.code == 1
    line = VALID_RECORD.splitlines().index("  - url: https://example.org/report") + 1
    assert f"{path}:{line}: links[0].url: invalid URL 'https://example.org/%zz'" in done.stdout + done.stderr


@given(st.text(alphabet="%09afAFzg/-_.~?#=&+:é", max_size=12))
def test_every_url_the_contract_accepts_is_an_iri_the_graph_takes(path: str) -> None:
    from pyoxigraph import NamedNode

    url = "https://example.org/" + path
    data = yaml.safe_load(VALID_RECORD)
    data["links"][0]["url"] = url
    try:
        CaseStudy.model_validate(data)
    except ValidationError:
        return
    NamedNode(url)  # raises on an IRI the graph cannot hold
