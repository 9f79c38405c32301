"""An institution's role and a link's kind, as a person writes them on a case-study page.

The layout (``lod harvest --template``): a role is a last part of the
Institution bullet ("Helsinki City Library – school library – Finland – lead"),
a link's kind is the field of its Resources line ("* Report: [url title]").
Both are optional: absent means not stated, with no to-do line; a part that
is no type, country or role gets a to-do, as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from lod.harvest.wikiapi import PageRef, PageText
from lod.harvest.wikiharvest import page_facts
from lod.harvest.wikirecord import build_record
from lod.harvest.wikitemplate import blank_page

PREFIX = "GLAM/IFLA Case Studies/"
#: The roles and link kinds of the contract (docs/casestudy-format.md) with words a person
#: would write for them (mappings/roles.ttl and link-kinds.ttl give these labels).
ROLE_WORDS = {"lead": ["lead", "Lead institution", "coordinator"],
              "partner": ["partner", "Partner institution"],
              "funder": ["funder", "Sponsor"], "host": ["host", "Host institution", "venue"]}
KIND_WORDS = {"project-page": ["Project page", "Project website"], "report": ["Report", "Final report"],
              "dataset": ["Dataset", "Data set"], "media": ["Media", "Video"],
              "article": ["Article", "Blog post"], "other": ["Other link"]}


def _draft(text: str) -> tuple[dict[str, Any], list[str]]:
    page = PageText(PageRef(PREFIX + "Reading circles", 0, 7), text)
    draft = build_record("reading-circles", page_facts(page, PREFIX, None, dt.date(2026, 1, 1)))
    return draft.record, draft.todos


def _page(institutions: list[str], resources: list[str]) -> str:
    """The blank page of ``lod harvest --template`` with its bullets filled in by hand."""
    text = blank_page().replace("* Institution: ", "\n".join(f"* Institution: {i}" for i in institutions)
                                + "\n<!-- ", 1)
    text = text.replace("* Wikimedia projects: ", "* Wikimedia projects: Wikisource <!-- ", 1)
    text = text.replace("== Summary/Abstract ==\n", "== Summary/Abstract ==\nPupils of the school read the old tales and wrote about them with the librarians.\n", 1)
    return text + "\n".join(resources) + "\n"


@given(role=st.sampled_from(sorted(ROLE_WORDS)), data=st.data())
def test_a_role_written_after_the_country_is_read_without_a_todo(role: str, data: st.DataObject) -> None:
    words = data.draw(st.sampled_from(ROLE_WORDS[role]))
    record, todos = _draft(_page([f"Helsinki City Library – school library – Finland – {words}",
                                  "Wikimedia Suomi – non-library organisation – Finland"], []))
    assert record["institutions"] == [
        {"name": "Helsinki City Library", "country": "FI", "type": "school", "role": role},
        {"name": "Wikimedia Suomi", "country": "FI", "type": "non-library"},  # absent: not stated
    ]
    assert todos == []


@given(kind=st.sampled_from(sorted(KIND_WORDS)), data=st.data())
def test_a_link_kind_written_before_the_link_is_read_without_a_todo(kind: str, data: st.DataObject) -> None:
    words = data.draw(st.sampled_from(KIND_WORDS[kind]))
    record, todos = _draft(_page(["Helsinki City Library – school library – Finland"], [
        f"* {words}: [https://example.org/a Reading circles]",
        "* [https://example.org/b Photos]",
        "* Website: https://example.org/c",
    ]))
    assert record["links"] == [
        {"url": "https://example.org/a", "title": "Reading circles", "kind": kind},
        {"url": "https://example.org/b", "title": "Photos"},
        {"url": "https://example.org/c"},  # "Website" is no kind: the line is only text
    ]
    assert f"- {words}: [Reading circles](https://example.org/a)" in record["sections"]["resources"]
    assert todos == []


def test_a_misspelt_role_is_a_todo_with_a_suggestion_and_no_role() -> None:
    record, todos = _draft(_page(["Helsinki City Library – school library – Finland – leed"], []))
    assert "role" not in record["institutions"][0]
    assert todos == [("TODO institutions[0]: 'leed' in 'Helsinki City Library – school library – "
                      "Finland – leed' is not a role lod knows (lead, partner, funder, host); "
                      "did you mean 'lead'?")]


def test_the_template_shows_both_and_a_page_without_them_states_neither() -> None:
    text = blank_page()
    assert "– Spain – lead" in text
    assert "* Report: [https://example.org/report Final report]" in text
    record, _ = _draft(_page(["Helsinki City Library – school library – Finland"], []))
    assert "role" not in record["institutions"][0] and "links" not in record
