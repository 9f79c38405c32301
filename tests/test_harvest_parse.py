"""The pure parts of the harvester: wikitext, dictionary matching, periods, draft writing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lod.harvest import wikimatch
from lod.harvest.drafts import DraftStore, render_yaml
from lod.harvest.wikiapi import PageRef
from lod.harvest.wikidump import site_from_base
from lod.harvest.wikiharvest import page_lang_and_title, skip_reason
from lod.harvest.wikiperiod import parse_period
from lod.harvest.wikirecord import HarvestedFacts, build_record, record_id_from_title, resolve_terms
from lod.harvest.wikitemplate import blank_page
from lod.harvest.wikitext import FieldBullet, heading_key, parse_page, to_markdown
from lod.model.case_study import CaseStudy


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Summary/Abstract", "summary"),
        ("1. Summary / Abstract", "summary"),
        ("ABSTRACT", "summary"),
        ("  context /background ", "context"),
        ("2) Context", "context"),
        ("Goals:", "goals"),
        ("Implementation/Steps", "implementation"),
        ("Outcomes", "outcomes"),
        ("Reflection and lessons learned", "lessons"),
        ("Lessons learned", "lessons"),
        ("Resources/Links/Additional Context", "resources"),
        ("'''Resources'''", "resources"),
        ("Resumen", "summary"),
        ("Mise en œuvre/Étapes", "implementation"),
        ("Mission and focus", None),
    ],
)
def test_headings_are_matched_tolerantly(heading: str, key: str | None) -> None:
    assert heading_key(heading) == key


def test_bullets_sections_and_links() -> None:
    page = parse_page(
        "Lead text.\n== Summary ==\nShort.\n==<!-- empty -->==\n== Context ==\n"
        "* Institution : [[w:es:Biblioteca X|Biblioteca X]] – public library – Spain\n"
        "*'''Country:''' Spain\n* Wikimedia projects: {{Hlist|Wikipedia|Wikidata}}; Commons\n"
        "* Not a field: kept\nText after.\n== Resources ==\n* [https://example.org/a A] https://example.org/b\n"
    )
    assert page.lead == "Lead text."
    assert page.sections["summary"] == "Short."
    assert page.sections["context"] == "- Not a field: kept\n\nText after."
    assert [(f.key, f.values) for f in page.fields] == [
        ("institution", ("Biblioteca X – public library – Spain",)),
        ("country", ("Spain",)),
        ("wikimedia-projects", ("Wikipedia", "Wikidata", "Commons")),
    ]
    assert page.links == [("https://example.org/a", "A"), ("https://example.org/b", None)]


def test_markup_becomes_markdown() -> None:
    text = (
        "'''Bold''' and ''it'' [[Page|label]] [[File:x.jpg|thumb]] [[Category:X]] {{cite|x}}"
        "<!-- c --> [https://e.org E] a&nbsp;b<ref>note</ref>\n* one\n** two\n# first\n"
        "{|\n! h1 !! h2\n|-\n| a || b\n|}"
    )
    assert to_markdown(text) == (
        "**Bold** and *it* label [E](https://e.org) a b (note)\n- one\n  - two\n1. first\n\n"
        "| h1 | h2 |\n| --- | --- |\n| a | b |"
    )


def test_the_blank_template_is_a_blank_page() -> None:
    from lod.inputs import read_case_study_schema

    page = parse_page(blank_page())
    assert page.is_blank
    # The summary's hint states the limit the contract and the form apply.
    schema = read_case_study_schema(Path(__file__).resolve().parents[1] / "docs" / "casestudy.schema.json")
    limit = schema["properties"]["summary"]["additionalProperties"]["maxLength"]
    assert f"At most {limit} characters." in blank_page()
    assert {f.key for f in page.fields} == {
        "institution",
        "library-type",
        "country",
        "ifla-unit",
        "dates",
        "wikimedia-projects",
        "activities",
        "languages",
        "submitted-by",
    }


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Spain", "ES"),
        ("España", "ES"),
        ("ES", "ES"),
        ("Wales (United Kingdom)", "GB"),
        ("UK", "GB"),
        ("Deutschland", "DE"),
        ("United States", "US"),
        ("Korea, Republic of", "KR"),
        ("Narnia", None),
    ],
)
def test_countries_from_pycountry(text: str, code: str | None) -> None:
    assert wikimatch.country_code(text) == code


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("National library", "national"),
        ("bibliothèque publique", "public"),
        ("Biblioteca pública", "public"),
        ("Öffentliche Bibliothek", "public"),
        ("Health sciences library", "health"),
        ("library association", "non-library"),
        ("university library", "academic"),
        ("bakery", None),
    ],
)
def test_library_types_in_four_languages(text: str, term: str | None) -> None:
    assert wikimatch.library_types().lookup(text) == term


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("IFLA Public Libraries Section", "public-libraries"),
        ("Public Libraries", "public-libraries"),
        ("Rare Books and Manuscripts", "rare-books-and-special-collections"),
        ("Genealogy and Local History Section", "local-history-and-genealogy"),
        ("IFLA LGBTQ Users SIG", "lgbtq-users-sig"),
        ("INTAMEL", "metropolitan-libraries"),
        ("Knitting Section", None),
    ],
)
def test_ifla_units_by_current_and_former_names(text: str, unit: str | None) -> None:
    assert wikimatch.ifla_units().lookup(text) == unit


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2016", "2016", "2016"),
        ("2016–2018", "2016", "2018"),
        ("2016-2018", "2016", "2018"),
        ("2019–", "2019", None),
        ("2019 - present", "2019", None),
        ("since 2015", "2015", None),
        ("March 2019 – June 2020", "2019-03", "2020-06"),
        ("marzo de 2018 – actualidad", "2018-03", None),
        ("2019-03 – 2020", "2019-03", "2020"),
        ("von 2017 bis 2019", "2017", "2019"),
    ],
)
def test_periods(text: str, start: str, end: str | None) -> None:
    parsed = parse_period(text)
    assert (parsed.start, parsed.end, parsed.problem) == (start, end, None)


@pytest.mark.parametrize("text", ["2018–2016", "sometime", "2012, 2014, 2016"])
def test_periods_that_cannot_be_read(text: str) -> None:
    parsed = parse_period(text)
    assert parsed.start is None and parsed.problem


def test_lists_split_only_where_no_name_spans_the_separator() -> None:
    found, unresolved = resolve_terms(
        ["Environment, Sustainability and Libraries; Cataloguing, Nothing"],
        wikimatch.ifla_units().lookup,
    )
    assert found == ["environment-sustainability-and-libraries", "cataloguing"]
    assert unresolved == ["Nothing"]


def test_titles_ids_and_translation_subpages() -> None:
    prefix = "GLAM/IFLA Case Studies/"
    assert page_lang_and_title(prefix + "Bibliowikis/es", prefix) == (
        "Bibliowikis/es",
        "es",
        "Bibliowikis",
    )
    assert page_lang_and_title(prefix + "A/B", prefix) == ("A/B", None, "A/B")
    assert page_lang_and_title(prefix + "Bibliowikis/ast", prefix)[1:] == ("ast", "Bibliowikis")
    assert page_lang_and_title(prefix + "Bibliowikis/zh-hans", prefix)[1:] == ("zh-hans", "Bibliowikis")
    # Not a language code: part of the title.
    assert page_lang_and_title(prefix + "Project/faq", prefix)[1:] == (None, "Project/faq")
    assert page_lang_and_title(prefix + "Project/Old", prefix)[1:] == (None, "Project/Old")
    assert record_id_from_title("Bibliowikis/es") == "bibliowikis-es"
    assert record_id_from_title("Médiathèques de Lyon (2019)") == "mediatheques-de-lyon-2019"
    assert len(record_id_from_title("word " * 40)) <= 80


def test_every_language_the_form_offers_comes_back_from_its_sub_page() -> None:
    """The form titles a page not in English "Title/<code>" when the code matches the
    harvester's pattern (``subpagePattern`` in its rules), else leaves it unmarked, which the
    harvester reads as English: each offered language must match, or its text is labelled English."""
    from lod.harvest.wikiharvest import LANG_SUBPAGE, UNMARKED_LANG
    from lod.resources import language_names

    prefix = "GLAM/IFLA Case Studies/"
    offered = sorted(set(language_names()) - {UNMARKED_LANG})
    assert len(offered) > 200
    lost = [code for code in offered
            if not LANG_SUBPAGE.fullmatch(code)
            or page_lang_and_title(f"{prefix}Title/{code}", prefix)[1] != code]
    assert lost == []


def test_site_from_dump_base() -> None:
    site = site_from_base("https://outreach.wikimedia.org/wiki/Main_Page")
    assert site is not None
    assert (
        site.url("GLAM/IFLA Case Studies/X y")
        == "https://outreach.wikimedia.org/wiki/GLAM/IFLA_Case_Studies/X_y"
    )


def test_missing_facts_become_todos_and_nothing_is_invented() -> None:
    facts = HarvestedFacts(
        title="A page",
        fields=[
            FieldBullet("institution", "Institution", ("Somewhere Library",)),
            FieldBullet("dates", "Dates", ("sometime",)),
        ],
        summary="The library worked with volunteers on local history.",
    )
    draft = build_record("a-page", facts)
    record = draft.record
    assert record["institutions"] == [{"name": "Somewhere Library"}]
    assert "period" not in record and "wikimedia_projects" not in record
    assert any(line.startswith("TODO institutions[0].country:") for line in draft.todos)
    assert any(line.startswith("TODO wikimedia_projects:") for line in draft.todos)
    assert any(line.startswith("TODO period:") for line in draft.todos)
    assert all(line in record["notes"] for line in draft.todos)
    with pytest.raises(ValueError, match="country"):
        CaseStudy.model_validate(record)


def test_yaml_quotes_dates_and_keeps_multiline_text_readable() -> None:
    text = render_yaml({"period": {"start": "2019-03"}, "notes": "one\ntwo"})
    assert 'start: "2019-03"' in text and "notes: |-\n  one\n  two" in text
    assert yaml.safe_load(text) == {"period": {"start": "2019-03"}, "notes": "one\ntwo"}


def test_an_aborted_store_leaves_the_directory_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "new"
    store = DraftStore(out)
    store.write("x", {"id": "x"})
    assert out.exists()
    store.abort()
    assert not out.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.yaml").write_text("id: keep\n", encoding="utf-8")
    store = DraftStore(existing)
    store.write("keep", {"id": "keep", "status": "draft"})
    store.abort()
    assert [p.name for p in existing.iterdir()] == ["keep.yaml"]
    assert (existing / "keep.yaml").read_text(encoding="utf-8") == "id: keep\n"


@pytest.mark.parametrize(
    ("title", "namespace", "redirect", "reason"),
    [
        ("GLAM/IFLA Case Studies/X", 0, False, None),
        ("GLAM/IFLA Case Studies", 0, False, "index page"),
        ("GLAM/IFLA Case Studies/Form", 0, False, "form page"),
        ("GLAM/IFLA Case Studies/X", 0, True, "redirect"),
        ("Talk:GLAM/IFLA Case Studies/X", 1, False, "talk page"),
        ("User:Someone/GLAM/IFLA Case Studies/X", 2, False, "not in the main namespace"),
        ("GLAM/IFLA Case Studies 2016/X", 0, False, "not under the prefix"),
    ],
)
def test_pages_that_are_not_case_studies(
    title: str, namespace: int, redirect: bool, reason: str | None
) -> None:
    ref = PageRef(title, namespace, 1, redirect)
    assert skip_reason(ref, "GLAM/IFLA Case Studies/") == reason


@pytest.mark.parametrize(
    "typed",
    ["GLAM/IFLA Case Studies", "GLAM/IFLA Case Studies/", "GLAM/IFLA_Case_Studies",
     "GLAM/IFLA_Case_Studies/", "  GLAM/IFLA  Case Studies//"],
)
def test_the_prefix_is_the_index_page_name_however_typed(typed: str) -> None:
    from lod.harvest.wikiharvest import normalise_prefix, page_lang_and_title

    prefix = normalise_prefix(typed)
    assert prefix == "GLAM/IFLA Case Studies/"
    assert page_lang_and_title("GLAM/IFLA Case Studies/Bibliowikis", prefix) == (
        "Bibliowikis", None, "Bibliowikis")
    assert page_lang_and_title("GLAM/IFLA Case Studies/Lyon/fr", prefix)[1:] == ("fr", "Lyon")


def test_links_come_from_footnotes_citations_and_every_section() -> None:
    page = parse_page(
        "Lead https://lead.example/x.\n== Summary ==\nText.<ref>[https://ref.example/a Report]</ref>\n"
        "== Outcomes ==\nDone.<ref>{{cite web |url=https://cite.example/b |title=Cited}}</ref> "
        "[//proto.example/c Proto] [mailto:someone@example.org write]\n"
        "== Resources ==\n* [https://ref.example/a Report again]\n<references />\n"
    )
    assert page.links == [
        ("https://lead.example/x", None),
        ("https://ref.example/a", "Report"),
        ("https://cite.example/b", "Cited"),
        ("https://proto.example/c", "Proto"),
    ]
    assert "[Report](https://ref.example/a)" in page.sections["summary"]
