"""What the duplicate check looks for before any create (pure: facts in, probes out).

A work is looked for by its URL in every form a page is commonly written in
(scheme, ``www.``, a trailing slash, mobile host, encoding: P953 work available
at URL, P973 described at URL), by its DOI (P356, upper and lower case), by its
title (P1476) and by label plus description; a project by its source URL (P973),
its name and label plus description; an institution to create by its ISIL
(P791), its website (P856) and its name. The query service only proposes; the
plan confirms each candidate against the item's current data from
wbgetentities. The wiki's own search and sitelinks (:func:`searches`,
:func:`sitelinks`) are asked besides, because the query service lags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from lod.publish.wikidata.builder import case_study_key, institution_key
from lod.publish.wikidata.decisions import Options
from lod.publish.wikidata.facts import RecordFacts
from lod.publish.wikidata.model import Value
from lod.publish.wikidata.pids import Properties
from lod.publish.wikidata.reads import Probe
from lod.publish.wikidata.sources import normalise, wikisource_page


def url_variants(url: str, language: str | None = None) -> list[str]:
    """The forms one page's URL is commonly stored in (normalised, as written, other scheme,
    with and without ``www.`` and a trailing slash)."""
    written = {url.strip(), normalise(url, language).url}
    found = set(written)
    for text in sorted(written):
        parts = urlsplit(text)
        for scheme in ("http", "https"):
            hosts = {parts.netloc}
            hosts.add(parts.netloc.removeprefix("www.") if parts.netloc.startswith("www.")
                      else f"www.{parts.netloc}")
            for host in hosts:
                for path in {parts.path or "/", (parts.path or "/").rstrip("/") or "/",
                             (parts.path or "").rstrip("/") + "/"}:
                    found.add(urlunsplit((scheme, host, path, parts.query, "")))
    return sorted(found)


def probes(facts: Sequence[RecordFacts], terms: Mapping[str, tuple[dict[str, str], dict[str, str]]],
           options: Options, pid: Properties) -> list[Probe]:
    """Every SPARQL probe for the records' would-be creates (``pid``: the plan's properties)."""
    out: list[Probe] = []
    for record in facts:
        key = case_study_key(record.id)
        if record.decision in {"work", "project"} and record.source_url:
            pids = [pid("described at URL")]
            if record.decision == "work":
                pids.append(pid("work available at URL"))
            for url in url_variants(record.source_url, record.work.language or record.lang):
                for prop in pids:
                    out.append(Probe(key, "url", prop, Value("url", url)))
        if record.decision == "work":
            if record.work.doi:
                for doi in sorted({record.work.doi, record.work.doi.upper(),
                                   record.work.doi.lower()}):
                    out.append(Probe(key, "doi", pid("DOI"), Value("external-id", doi)))
            if record.work.title and record.work.language:
                out.append(Probe(key, "title", pid("title"),
                                 Value("monolingualtext", record.work.title, record.work.language)))
        labels, descriptions = terms.get(key, ({}, {}))
        for lang, label in sorted(labels.items()):
            if lang in descriptions:
                out.append(Probe(key, "label+description", "",
                                 Value("monolingualtext", label, lang), descriptions[lang]))
            if record.decision == "project":
                out.append(Probe(key, "label", "", Value("monolingualtext", label, lang)))
        if not options.create_institutions:
            continue
        for participant in record.participants:
            if participant.qid or participant.key not in options.decisions:
                continue
            ikey = institution_key(participant.key)
            if participant.isil:
                out.append(Probe(ikey, "isil", pid("ISIL"), Value("external-id", participant.isil)))
            if participant.website:
                for url in url_variants(participant.website):
                    out.append(Probe(ikey, "website", pid("official website"), Value("url", url)))
            out.append(Probe(ikey, "label", "", Value("monolingualtext", participant.name,
                                                      record.lang.lower())))
    return sorted(set(out), key=lambda p: (p.key, p.how, p.property, p.value, p.description))


def searches(facts: Sequence[RecordFacts],
             terms: Mapping[str, tuple[dict[str, str], dict[str, str]]],
             options: Options) -> list[tuple[str, str, str]]:
    """(plan key, text, language) to ask the wiki's own search (wbsearchentities) about."""
    out: set[tuple[str, str, str]] = set()
    for record in facts:
        key = case_study_key(record.id)
        labels, _ = terms.get(key, ({}, {}))
        for lang, label in labels.items():
            out.add((key, label, lang))
        if not options.create_institutions:
            continue
        for participant in record.participants:
            if participant.qid is None and participant.key in options.decisions:
                out.add((institution_key(participant.key), participant.name, record.lang.lower()))
    return sorted(out)


def sitelinks(facts: Sequence[RecordFacts]) -> list[tuple[str, str, str]]:
    """(plan key, site id, page title) for works whose source is a Wikisource page: an item
    with that sitelink is the work already."""
    out = []
    for record in facts:
        if record.decision == "work" and record.source_url:
            page = wikisource_page(record.source_url)
            if page:
                out.append((case_study_key(record.id), *page))
    return sorted(out)
