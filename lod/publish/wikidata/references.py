"""How the plan's statements cite the record's source, and what it says when it cannot.

Wikidata:Verifiability asks each statement for a reference to an authoritative
source. Every referenced statement of a record's items cites the record's own
source, normalised (:mod:`lod.publish.wikidata.sources`): an external page as
reference URL, a page of a Wikimedia wiki as *imported from* that wiki
(Help:Sources). Without an acceptable source nothing is said at all: an item
whose statements could cite nothing is blocked, with what to fix.
"""

from __future__ import annotations

from lod.publish.wikidata.builder import ERROR, INFO, PlanBuilder
from lod.publish.wikidata.facts import RecordFacts, Values
from lod.publish.wikidata.model import Snak, Value, day, item
from lod.publish.wikidata.sources import Source, normalise, wikipedia_without_language


def record_source(record: RecordFacts) -> Source | None:
    """The record's source URL, normalised in the work's language (or the record's)."""
    if not record.source_url:
        return None
    language = record.work.language or record.lang
    return normalise(record.source_url, language)


def reference(record: RecordFacts, values: Values) -> tuple[Snak, ...]:
    """The reference the model names: the record's source, as an external page (P854) or, on a
    Wikimedia wiki, imported from that wiki (P143 when the wiki's item is verified, P4656 the
    page); P813 only when the record gives the day it was read."""
    source = record_source(record)
    if source is None or source.blocked:
        return ()
    snaks: list[Snak] = []
    pid = values.properties
    if source.wiki:
        wiki_item = values.wikis.get(source.wiki)
        if wiki_item:
            snaks.append((pid("imported from Wikimedia project"), item(wiki_item)))
        snaks.append((pid("Wikimedia import URL"), Value("url", source.url)))
    else:
        snaks.append((pid("reference URL"), Value("url", source.url)))
    if record.retrieved:
        snaks.append((pid("retrieved"), day(record.retrieved)))
    return tuple(snaks)


def blocked_by_source(planner: PlanBuilder, record: RecordFacts, key: str, kind: str,
                      source: Source | None) -> bool:
    """Block the item when no statement could cite its source (none, or a mirror or copy)."""
    if source is None:
        planner.warn(record.id, "no-source",
                     f"{key}: no source.url: its statements could not name a source; add "
                     "source.url (the page that describes it)", ERROR)
        planner.blocked(key, record.id, kind)
        return True
    if source.blocked:
        planner.warn(record.id, "blocked-source",
                     f"{key}: source.url {record.source_url} is a {source.blocked.kind} "
                     f"({source.blocked.reason}); no statement can cite it: replace source.url "
                     "with the original page", ERROR)
        planner.blocked(key, record.id, kind)
        return True
    return False


def note_source(planner: PlanBuilder, record: RecordFacts, source: Source) -> None:
    """Say how the source was rewritten or what its references will lack (never blocking)."""
    pid = planner.values.properties
    if source.changed:
        planner.warn(record.id, "url-normalised",
                     f"source.url {record.source_url} is written {source.url} (desktop host, "
                     "scheme, encoding)", INFO)
    if record.source_url and wikipedia_without_language(record.source_url):
        planner.warn(record.id, "url-language",
                     f"source.url {record.source_url} names no Wikipedia edition; read as "
                     f"{source.url}: write the URL with its language", "warning")
    if record.retrieved is None:
        planner.warn(record.id, "no-retrieved-date",
                     "source.retrieved is not given: references cite the URL alone (no "
                     f"{pid('retrieved')}); add the day the page was read", INFO)
    if source.wikimedia and source.wiki not in planner.values.wikis:
        planner.warn(record.id, "wiki-item-unknown",
                     f"{source.wiki} has no verified item: references give the page "
                     f"({pid('Wikimedia import URL')}) without imported from "
                     f"({pid('imported from Wikimedia project')})", INFO)
