"""Property tests: any valid set of records, built and queried, gives back its own facts.

Hypothesis generates case-study records that pass the contract models, the real
pipeline builds their graph (records plus every vocabulary), the catalogue
queries run on it in process, and each answer is compared with the same fact
computed directly from the records in Python. The private parts of a record
(curator notes, contacts without ``publish: true``) must never reach the output.
"""

from __future__ import annotations

import datetime as dt
import string
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store, Triple

from graphtools import graph_triples, load_store, to_jsonld, to_ntriples
from lod import resources
from lod.model import terms
from lod.model.case_study import CaseStudy, Institution
from lod.model.vocab import (
    ACTIVITIES,
    LIBRARY_TYPES,
    LINK_KINDS,
    NOT_LIBRARY_TYPES,
    PROJECTS,
    ROLES,
    STATUSES,
    SUBMITTER_KINDS,
)
from lod.namespaces import DEFAULT_BASE, SCHEMA, WD, XSD
from lod.problems import Problem
from lod.query.catalog import get_query
from lod.query.run import QueryResult, run_local
from lod.rdf.build import institution_key
from lod.rdf.serialize import to_turtle
from lod.rdf.vocabularies import vocabulary_triples
from lod.validate.shacl import shacl_problems, shapes_text

COUNTRIES = tuple(terms.countries())
UNITS = terms.ifla_unit_ids()
#: Well-formed BCP 47 tags in their usual case (script, region, variant included).
LANGS = ("en", "fr", "es", "ca", "de", "eu", "ar", "ja", "pt-BR", "zh-Hant", "sr-Latn-RS",
         "es-419", "de-CH-1996")  # fmt: skip
BASES = (DEFAULT_BASE, "https://example.org/mirror/lod/")
DATE_TYPES = {4: f"{XSD}gYear", 7: f"{XSD}gYearMonth", 10: f"{XSD}date"}
REAL_NAMES = (
    "Biblioteca de Catalunya",
    "Bibliothèque nationale de France",
    "Österreichische Nationalbibliothek",
    "Národní knihovna České republiky",
    "Российская государственная библиотека",
    "国立国会図書館",
    "مكتبة الإسكندرية",
    "Βιβλιοθήκη της Βουλής",
    "Wikimedia Deutschland e. V.",
    'The "Quoted" Library <&> \\ Archive',
)

#: Keep the suite fast: a few dozen record sets per property.
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def shacl_check(triples: set[Triple]) -> list[Problem]:
    """The project's SHACL check of ``triples`` as one graph."""
    return shacl_problems(to_ntriples(triples).decode("utf-8"), shapes_text(resources.shapes_dir()),
                          {}, fallback=Path("graph"))


@cache
def vocabulary() -> frozenset[Triple]:
    return frozenset(vocabulary_triples())


@cache
def _vocabulary_ntriples() -> bytes:
    return to_ntriples(vocabulary())


def store_with_vocabulary(triples: Iterable[Triple]) -> Store:
    """:func:`graphtools.load_store` of ``triples`` plus every vocabulary: the vocabularies
    go in as the N-Triples written once (oxigraph's parser reads them in a third of the
    time the same triples take one by one), the records' triples one by one."""
    store = Store()
    store.load(_vocabulary_ntriples(), format=RdfFormat.N_TRIPLES)
    graph = DefaultGraph()
    store.bulk_extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return store


# --------------------------------------------------------------------------- strategies


def free_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Non-blank text in any script, punctuation and symbols included."""
    alphabet = st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"))
    return st.text(alphabet, min_size=1, max_size=max_size).map(str.strip).filter(bool)


names = st.one_of(st.sampled_from(REAL_NAMES), free_text())
qids = st.integers(min_value=1, max_value=10**9).map(lambda n: f"Q{n}")
# The three below are the languages of the regular expressions in their comments, built
# from st.text: st.from_regex drew the same strings at several times the cost.
_LOWER = string.ascii_lowercase + string.digits
# [A-Z]{2}-[A-Za-z0-9:/\-]{1,9}
isils = st.builds("{}-{}".format, st.text(string.ascii_uppercase, min_size=2, max_size=2),
                  st.text(string.ascii_letters + string.digits + ":/-", min_size=1, max_size=9))
# [a-z0-9]{1,10}(-[a-z0-9]{1,6}){0,3}
record_ids = st.builds(lambda head, tail: "-".join([head, *tail]),
                       st.text(_LOWER, min_size=1, max_size=10),
                       st.lists(st.text(_LOWER, min_size=1, max_size=6), max_size=3))
# [a-z0-9]{12}
tokens = st.text(_LOWER, min_size=12, max_size=12)


def partial(day: dt.date, width: int) -> str:
    return day.isoformat()[:width]


@st.composite
def periods(draw: st.DrawFn) -> dict[str, str]:
    days = sorted(draw(st.lists(st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)),
                                min_size=2, max_size=2)))  # fmt: skip
    period: dict[str, str] = {}
    if draw(st.booleans()):
        period["start"] = partial(days[0], draw(st.sampled_from((4, 7, 10))))
    if draw(st.booleans()):
        period["end"] = partial(days[1], draw(st.sampled_from((4, 7, 10))))
    return period


@st.composite
def institutions(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": draw(names),
        "country": draw(st.sampled_from(COUNTRIES)),
        "type": draw(st.sampled_from(LIBRARY_TYPES)),
    }
    if draw(st.booleans()):
        data["wikidata"] = draw(qids)
    if draw(st.integers(0, 3)) == 0:
        data["isil"] = draw(isils)
    if draw(st.booleans()):
        data["website"] = "https://example.org/" + draw(tokens)
    return data


def _node_key(data: dict[str, Any]) -> str:
    """Distinct pool entries must be distinct nodes of the graph."""
    return institution_key(Institution.model_validate(data))


@st.composite
def contacts(draw: st.DrawFn, record_id: str, number: int) -> dict[str, Any]:
    publish = draw(st.booleans())
    # 'pub.' / 'priv.' plus the record id and position: no private address can be
    # equal to, or a substring of, a published one.
    contact: dict[str, Any] = {
        "email": f"{'pub' if publish else 'priv'}.{record_id}.{number}@example.org",
    }
    if draw(st.booleans()):
        contact["name"] = draw(free_text())
    if publish or draw(st.booleans()):
        contact["publish"] = publish
    return contact


@st.composite
def record_dicts(draw: st.DrawFn, record_id: str, pool: list[dict[str, Any]]) -> dict[str, Any]:
    lang = draw(st.sampled_from(LANGS))
    extra = draw(st.lists(st.sampled_from(LANGS), max_size=2, unique=True))
    title_langs = list(dict.fromkeys([lang, *extra]))
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
    record: dict[str, Any] = {
        "id": record_id,
        "status": draw(st.sampled_from(STATUSES)),
        "lang": lang,
        "title": {tag: draw(free_text()) for tag in title_langs},
        "summary": {lang: draw(free_text(200))},
        "institutions": [
            {**institution, "role": draw(st.sampled_from(ROLES))} for institution in chosen
        ],
        "wikimedia_projects": draw(st.lists(st.sampled_from(PROJECTS), min_size=1, max_size=4)),
        "activities": draw(st.lists(st.sampled_from(ACTIVITIES), max_size=3)),
        "ifla_units": draw(st.lists(st.sampled_from(UNITS), max_size=3)),
        "languages": draw(st.lists(st.sampled_from(LANGS), max_size=2)),
        "links": [
            {
                "url": f"https://example.org/{record_id}/{n}",
                "kind": draw(st.sampled_from(LINK_KINDS)),
            }
            for n in range(draw(st.integers(0, 2)))
        ],
        "contacts": [draw(contacts(record_id, n)) for n in range(draw(st.integers(0, 3)))],
    }
    if draw(st.booleans()):
        record["period"] = draw(periods())
    if draw(st.booleans()):
        record["wikidata"] = draw(qids)
    if draw(st.booleans()):
        kind = draw(st.sampled_from(SUBMITTER_KINDS))
        submitter: dict[str, Any] = {"kind": kind}
        if kind == "ifla-unit" or draw(st.booleans()):
            submitter["unit"] = draw(st.sampled_from(UNITS))
        if draw(st.booleans()):
            submitter["name"] = draw(free_text())
        record["submitted_by"] = submitter
    if draw(st.booleans()):
        record["notes"] = f"curator-note-{draw(tokens)}: {draw(free_text(80))}"
    return record


@st.composite
def record_sets(draw: st.DrawFn) -> list[CaseStudy]:
    """1-4 valid records with unique ids; institutions drawn from a shared pool."""
    pool = draw(st.lists(institutions(), min_size=1, max_size=6, unique_by=_node_key))
    ids = draw(st.lists(record_ids, min_size=1, max_size=4, unique=True))
    return [CaseStudy.model_validate(draw(record_dicts(record_id, pool))) for record_id in ids]


# --------------------------------------------------------------------------- helpers


def run(store: Any, name: str) -> QueryResult:
    result = run_local(store, get_query(name).text)
    assert result.columns == get_query(name).columns
    return result


def counts_by(
    records: Iterable[CaseStudy], facet: Callable[[CaseStudy], Iterable[str]]
) -> Counter[str]:
    """How many records have each value of ``facet`` (a record counts once per value)."""
    return Counter(value for record in records for value in set(facet(record)))


def units_of(record: CaseStudy) -> set[str]:
    found = set(record.ifla_units)
    if record.submitted_by is not None and record.submitted_by.unit is not None:
        found.add(record.submitted_by.unit)
    return found


def count_rows(result: QueryResult, *, by_key: bool = False) -> dict[str, int]:
    values = result.values()
    table = {key: int(count) for key, count in values}  # type: ignore[arg-type]
    assert len(table) == len(values), f"a key is listed twice: {values}"
    # ORDER BY DESC(count), key -- or, for a time series (by-year), ORDER BY key
    order = sorted(table) if by_key else sorted(table, key=lambda key: (-table[key], key))
    assert [row[0] for row in values] == order
    return table


FACETS: dict[str, Callable[[CaseStudy], Iterable[str]]] = {
    "by-library-type": lambda r: [i.type for i in r.institutions],
    "by-country": lambda r: [i.country for i in r.institutions],
    "by-project": lambda r: r.wikimedia_projects,
    "by-activity": lambda r: r.activities,
    "by-ifla-unit": units_of,
    "by-year": lambda r: [r.period.start[:4]] if r.period and r.period.start else [],
}


# --------------------------------------------------------------------------- the properties


@FAST
@given(records=record_sets(), base=st.sampled_from(BASES))
def test_catalogue_queries_give_back_the_records(records: list[CaseStudy], base: str) -> None:
    store = store_with_vocabulary(graph_triples(base, records))

    # case-studies: one row per record, its title in its own language, its period
    rows = run(store, "case-studies").rows
    assert [row[1].value for row in rows] == sorted(r.id for r in records)  # ORDER BY ?id
    got = {row[1].value: row for row in rows}
    for record in records:
        casestudy, _, title, start, end = got[record.id]
        assert casestudy == NamedNode(f"{base}casestudy/{record.id}")
        assert title.value == record.title[record.lang]
        period = record.period
        for term, value in ((start, period and period.start), (end, period and period.end)):
            if value:
                assert term == Literal(value, datatype=NamedNode(DATE_TYPES[len(value)]))
            else:
                assert term is None

    # counts per facet, and the two gap reports
    for name, facet in FACETS.items():
        by_key = name == "by-year"
        assert count_rows(run(store, name), by_key=by_key) == counts_by(records, facet), name
    used_types = {i.type for r in records for i in r.institutions}
    expected_gaps = sorted(set(LIBRARY_TYPES) - set(NOT_LIBRARY_TYPES) - used_types)
    assert [row[0] for row in run(store, "gaps-library-types").values()] == expected_gaps
    used_units = set().union(*(units_of(r) for r in records))
    assert [row[0] for row in run(store, "gaps-ifla-units").values()] == sorted(
        set(UNITS) - used_units
    )

    # institutions: each distinct institution once, with its facts and how many records name it
    distinct: dict[str, Institution] = {}
    naming: Counter[str] = Counter()
    for record in records:
        for key in {institution_key(i) for i in record.institutions}:
            naming[key] += 1
        for institution in record.institutions:
            distinct.setdefault(institution_key(institution), institution)
    def unbound_first(row: tuple[str | None, ...]) -> tuple[str, ...]:
        return tuple(value or "" for value in row)

    expected = sorted(
        ((i.name, i.country, i.type, f"{WD}{i.wikidata}" if i.wikidata else None, str(naming[key]))
         for key, i in distinct.items()), key=unbound_first)
    result = run(store, "institutions")
    assert sorted((row[1:] for row in result.values()), key=unbound_first) == expected
    iris = {row[0] for row in result.values()}
    assert len(iris) == len(distinct)
    for institution in distinct.values():
        if institution.wikidata:
            assert f"{base}institution/{institution.wikidata}" in iris
        elif institution.isil:
            assert f"{base}institution/isil-{quote(institution.isil, safe='')}" in iris
    for iri in iris:
        assert iri is not None and iri.startswith(f"{base}institution/")


@FAST
@given(records=record_sets())
def test_notes_and_private_contacts_never_reach_the_output(records: list[CaseStudy]) -> None:
    triples = graph_triples(DEFAULT_BASE, records)
    literals = {t.object.value for t in triples if isinstance(t.object, Literal)}
    outputs = {
        "ntriples": to_ntriples(triples).decode("utf-8"),
        "turtle": to_turtle(triples).decode("utf-8"),
        "jsonld": to_jsonld(triples).decode("utf-8"),
    }
    for record in records:
        if record.notes:
            marker = record.notes.split(":")[0]
            assert marker.startswith("curator-note-")
            assert record.notes not in literals
            for name, text in outputs.items():
                assert marker not in text, name
        for contact in record.contacts:
            assert contact.email is not None
            if contact.publish:
                # the positive control: published addresses are there
                assert contact.email in literals
                assert contact.email in outputs["ntriples"]
            else:
                assert contact.email not in literals
                for name, text in outputs.items():
                    assert contact.email not in text, name
        published = [c for c in record.contacts if c.publish]
        contact_points = {
            t.object for t in triples
            if t.predicate.value == f"{SCHEMA}contactPoint"
            and t.subject.value == f"{DEFAULT_BASE}casestudy/{record.id}"
        }  # fmt: skip
        assert len(contact_points) == len(published)


@FAST
@given(records=record_sets())
def test_records_the_contract_accepts_pass_the_shapes(records: list[CaseStudy]) -> None:
    """The two gates agree: a record the models accept never trips a SHACL shape."""
    assert shacl_check(graph_triples(DEFAULT_BASE, records) | vocabulary()) == []


# --------------------------------------------------------------------------- one edge, spelled out


@pytest.mark.parametrize(
    ("lang", "titles"),
    [
        ("en", {"en": "A library edit-a-thon", "EN": "A LIBRARY EDIT-A-THON"}),
        ("pt-BR", {"pt-BR": "Uma maratona", "pt-br": "Outra maratona"}),
    ],
)
def test_title_tags_that_differ_only_in_case(lang: str, titles: dict[str, str]) -> None:
    """BCP 47 tags are case-insensitive and RDF stores lower-case them: 'en' and 'EN' are one
    language. Either the contract refuses two titles in one language, or the record passes the
    shapes and still has one title in its own language (one row of case-studies)."""
    data = {
        "id": "case-tags",
        "status": "draft",
        "lang": lang,
        "title": titles,
        "summary": {lang: "A summary."},
        "institutions": [{"name": "Biblioteca de Catalunya", "country": "ES", "type": "national"}],
        "wikimedia_projects": ["wikipedia"],
    }
    try:
        record = CaseStudy.model_validate(data)
    except ValidationError:
        return  # refused by the contract: fine
    triples = graph_triples(DEFAULT_BASE, [record]) | vocabulary()
    assert shacl_check(triples) == []
    assert len(run(load_store(triples), "case-studies").rows) == 1
