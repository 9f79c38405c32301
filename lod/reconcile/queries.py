"""SPARQL 1.1 text for the matcher: batched ``VALUES`` lookups, no engine extensions.

No label service and no ``mwapi``, so the same queries run on the Wikidata
Query Service, QLever and a local Oxigraph. Every lookup is by exact term
(a literal with its language tag, an identifier string, a website IRI), which
is an index hit on every engine; the texts are deterministic for a given
input, because the on-disk cache is keyed by them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lod.namespaces import RDFS, SKOS, WD, WDT
from lod.reconcile import wikidata as w

#: Wikidata's RDF uses http://schema.org/ (not https) for descriptions.
WIKIDATA_SCHEMA = "http://schema.org/"
PREFIXES = (
    f"PREFIX wd: <{WD}>\n"
    f"PREFIX wdt: <{WDT}>\n"
    f"PREFIX rdfs: <{RDFS}>\n"
    f"PREFIX skos: <{SKOS}>\n"
    f"PREFIX schema: <{WIKIDATA_SCHEMA}>\n"
)
#: Wikidata's language-neutral labels (``mul``) count in every language.
NEUTRAL_LANGUAGE = "mul"

_LANG_RE = re.compile(r"[a-z]{1,8}(?:-[a-z0-9]{1,8})*")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_QID_RE = re.compile(r"Q[1-9][0-9]*")


def string_literal(text: str) -> str:
    """A SPARQL string literal (ECHAR escapes), safe for any text."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def lang_literal(text: str, lang: str) -> str:
    """``"text"@lang`` (language tags lower-cased, as Wikidata stores them)."""
    tag = lang.lower()
    if not _LANG_RE.fullmatch(tag):
        raise ValueError(f"invalid language tag {lang!r}")
    return f"{string_literal(text)}@{tag}"


def iri(value: str) -> str | None:
    """``<value>``, or None when the text cannot be an IRI (then it is simply not looked up)."""
    if not value or _IRI_FORBIDDEN.search(value):
        return None
    return f"<{value}>"


def item(qid: str) -> str:
    """``wd:Q…`` for a checked QID."""
    if not _QID_RE.fullmatch(qid):
        raise ValueError(f"invalid QID {qid!r}")
    return f"wd:{qid}"


def _values(terms: Iterable[str]) -> str:
    return " ".join(sorted(set(terms)))


def label_query(literals: Iterable[tuple[str, str]]) -> str:
    """Items whose label or alias is one of the (text, language) pairs."""
    values = _values(lang_literal(text, lang) for text, lang in literals)
    return (
        f"{PREFIXES}SELECT DISTINCT ?item ?name WHERE {{\n"
        f"  VALUES ?name {{ {values} }}\n"
        "  ?item rdfs:label|skos:altLabel ?name .\n"
        "}\n"
    )


def identifier_query(*, isils: Iterable[str] = (), viafs: Iterable[str] = (),
                     websites: Iterable[str] = ()) -> str | None:
    """Items holding one of the ISILs (P791), VIAF ids (P214) or websites (P856); None if none given."""
    branches = []
    for key, pid, terms in (
        ("isil", w.pid(w.ISIL), [string_literal(v) for v in isils]),
        ("viaf", w.pid(w.VIAF), [string_literal(v) for v in viafs]),
        ("website", w.pid(w.OFFICIAL_WEBSITE), [t for t in map(iri, websites) if t]),
    ):
        if terms:
            branches.append(
                f'  {{ VALUES ?value {{ {_values(terms)} }} ?item wdt:{pid} ?value . '
                f'BIND("{key}" AS ?key) }}'
            )
    if not branches:
        return None
    body = "\n  UNION\n".join(branches)
    return f"{PREFIXES}SELECT DISTINCT ?item ?key ?value WHERE {{\n{body}\n}}\n"


def details_query(qids: Iterable[str], languages: Iterable[str], roots: Iterable[str] = ()) -> str:
    """Everything the scorer weighs about some items, one (item, field, value) row per fact.

    ``class`` rows say which of the ``roots`` (and of :func:`wikidata.class_roots`)
    an item belongs to through ``P31/P279*``; ``instance`` rows give its direct
    classes, with English labels, so that a curator can read them.
    """
    items = _values(item(q) for q in qids)
    langs = sorted({lang.lower() for lang in languages} | {NEUTRAL_LANGUAGE, "en"})
    for tag in langs:
        if not _LANG_RE.fullmatch(tag):
            raise ValueError(f"invalid language tag {tag!r}")
    in_langs = ", ".join(string_literal(tag) for tag in langs)
    classes = _values(item(q) for q in {*w.class_roots(), *roots})
    in_langs = f"FILTER(LANG(?value) IN ({in_langs}))"
    patterns = {
        "label": f"?item rdfs:label ?value . {in_langs}",
        "alias": f"?item skos:altLabel ?value . {in_langs}",
        "description": f"?item schema:description ?value . {in_langs}",
        "country": f"?item wdt:{w.pid(w.COUNTRY)} ?value .",
        "country_label": f'?item wdt:{w.pid(w.COUNTRY)} ?c . ?c rdfs:label ?value . FILTER(LANG(?value) = "en")',
        "isil": f"?item wdt:{w.pid(w.ISIL)} ?value .",
        "viaf": f"?item wdt:{w.pid(w.VIAF)} ?value .",
        "website": f"?item wdt:{w.pid(w.OFFICIAL_WEBSITE)} ?value .",
        "parent_label": f"?item wdt:{w.pid(w.PARENT_ORGANIZATION)} ?p . ?p rdfs:label|skos:altLabel ?value . "
        f"{in_langs}",
        "parent_website": f"?item wdt:{w.pid(w.PARENT_ORGANIZATION)} ?p . ?p wdt:{w.pid(w.OFFICIAL_WEBSITE)} ?value .",
        "instance": f"?item wdt:{w.pid(w.INSTANCE_OF)} ?value .",
        "instance_label": f'?item wdt:{w.pid(w.INSTANCE_OF)} ?c . ?c rdfs:label ?value . FILTER(LANG(?value) = "en")',
        "class": f"VALUES ?value {{ {classes} }} ?item wdt:{w.pid(w.INSTANCE_OF)}/wdt:{w.pid(w.SUBCLASS_OF)}* ?value .",
    }
    branches = [f'{{ {pattern} BIND("{name}" AS ?field) }}' for name, pattern in patterns.items()]
    body = "\n  UNION ".join(branches)
    return (
        f"{PREFIXES}SELECT DISTINCT ?item ?field ?value WHERE {{\n"
        f"  VALUES ?item {{ {items} }}\n"
        f"  {body}\n"
        "}\n"
    )
