"""Reading the wiki's current state: the only module of the planner that talks to servers.

``wbgetentities`` is the truth (50 ids per request, the API's limit for a
normal account); the SPARQL endpoint only proposes candidates for the duplicate
check, in ``VALUES`` blocks, because a query service lags behind the wiki.
API reads are GET requests (SPARQL: POST, queries are long) through lod's one HTTP
client (:mod:`lod.http`): a timeout, ``maxlag``, ``Retry-After`` and retries with
backoff, in the dry run as in a live run; every failure becomes one
:class:`ReadError` line for the user.

A test Wikibase has ids of its own: :class:`IdMap` translates Wikidata ids
to them on the way out and back on the way in, so the plan speaks Wikidata's
ids. An id the map does not know is written ``local:Q…``, never passed off as
a Wikidata id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Final

from lod.http import Policy, PoliteSession, ReadError, Unavailable
from lod.publish.wikidata.model import Candidate, ItemState, Value

BATCH: Final = 50
VALUES_BLOCK: Final = 50
LOCAL: Final = "local:"


__all__ = ["BATCH", "LOCAL", "VALUES_BLOCK", "IdMap", "Probe", "ReadError", "WikiReader",
           "candidate_queries", "find_candidates"]


@dataclass(frozen=True)
class IdMap:
    """Wikidata id -> the wiki's own id (empty: the wiki is Wikidata)."""

    to_wiki: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> IdMap:
        """A TSV of Wikidata id, tab, local id (what the test Wikibase writes as ids.tsv)."""
        from lod.inputs import read_ids

        return cls(dict(read_ids(path)))

    def wiki(self, wikidata_id: str) -> str:
        """The wiki's id for a plan id."""
        if wikidata_id.startswith(LOCAL):
            return wikidata_id.removeprefix(LOCAL)
        return self.to_wiki.get(wikidata_id, wikidata_id) if self.to_wiki else wikidata_id

    def plan(self, wiki_id: str) -> str:
        """The plan's id for a wiki id."""
        if not self.to_wiki:
            return wiki_id
        return self._back.get(wiki_id, f"{LOCAL}{wiki_id}")

    @cached_property
    def _back(self) -> dict[str, str]:
        return {local: wd for wd, local in self.to_wiki.items()}


def _is_id(text: str) -> bool:
    return len(text) > 1 and text[0] in "PQ" and text[1:].isdigit()


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class WikiReader:
    """GET-only reads of one Wikibase (Action API + SPARQL endpoint).

    ``session``: the live run's logged-in session; without it the reader opens
    its own, with the same policy (the dry run's reads are as polite as a live run's).
    """

    def __init__(self, api_url: str, sparql_url: str, ids: IdMap, *, user_agent: str = "",
                 timeout: float = 30.0, session: PoliteSession | None = None) -> None:
        self.api_url = api_url
        self.sparql_url = sparql_url
        self.ids = ids
        self.session = session or PoliteSession(user_agent, Policy(timeout=timeout),
                                                api_url=api_url)
        self.timeout = self.session.policy.timeout

    def _get(self, url: str, params: Mapping[str, str], what: str,
             headers: Mapping[str, str] | None = None, *, post: bool = False) -> Any:
        try:
            if post:  # a SPARQL query with VALUES blocks outgrows a URL (servers cap at 8 kB)
                answer = self.session.post(url, data=params, headers=headers)
            else:
                answer = self.session.get(url, params=params, headers=headers)
        except Unavailable as error:
            tries = f" ({error.tries} tries)"
            if error.timed_out:
                raise ReadError(f"{what} at {url} did not answer within {self.timeout:g} s"
                                + tries) from None
            if error.response is None:
                raise ReadError(f"cannot reach {what} at {url}: {error.reason}{tries}") from None
            if error.status != 200 and error.asked is None:
                raise ReadError(f"{what} at {url} answered HTTP {error.status}{tries}") from None
            raise ReadError(f"{what} at {error}") from None
        if answer.status_code != 200:
            raise ReadError(f"{what} at {url} answered HTTP {answer.status_code}")
        try:
            return answer.json()
        except ValueError:
            raise ReadError(f"{what} at {url} sent a malformed answer (not JSON)") from None

    def _api(self, params: Mapping[str, str], *, tolerate: str = "") -> dict[str, Any]:
        data = self._get(self.api_url, {**params, "format": "json"}, "the Wikibase API")
        if not isinstance(data, dict):
            raise ReadError(f"the Wikibase API at {self.api_url} sent a malformed answer")
        if tolerate and isinstance(data.get("error"), dict) and \
                data["error"].get("code") == tolerate:
            return {}
        if "error" in data:
            error = data["error"] if isinstance(data["error"], dict) else {}
            raise ReadError(f"the Wikibase API at {self.api_url} refused {params.get('action')}: "
                            f"{error.get('code', '?')}: {error.get('info', '')}")
        return data

    def concept_base(self) -> str:
        """The wiki's entity IRI prefix (``http://www.wikidata.org/entity/`` on Wikidata)."""
        data = self._api({"action": "query", "meta": "siteinfo"})
        try:
            base = data["query"]["general"]["wikibase-conceptbaseuri"]
        except (KeyError, TypeError):
            raise ReadError(f"{self.api_url} is not a Wikibase repository (no concept base URI "
                            "in siteinfo)") from None
        return str(base)

    def entities(self, ids: Iterable[str]) -> dict[str, ItemState]:
        """The current state of the given items (plan ids), 50 per request; absent ones left out."""
        wanted = sorted({self.ids.wiki(i) for i in ids})
        found: dict[str, ItemState] = {}
        for chunk in _chunks(wanted, BATCH):
            data = self._api({"action": "wbgetentities", "ids": "|".join(chunk),
                              "props": "info|labels|descriptions|claims"})
            entities = data.get("entities")
            if not isinstance(entities, dict):
                raise ReadError(f"the Wikibase API at {self.api_url} sent a malformed "
                                "wbgetentities answer (no entities)")
            for entity in entities.values():
                if not isinstance(entity, dict) or "missing" in entity:
                    continue
                try:
                    state = self._state(entity)
                except (KeyError, TypeError, ValueError):
                    raise ReadError(f"the Wikibase API at {self.api_url} sent a malformed entity "
                                    f"({str(entity.get('id'))[:20]})") from None
                found[state.id] = state
        return found

    def search(self, text: str, language: str, limit: int = 10) -> list[str]:
        """Items the wiki's own search finds for ``text`` (``wbsearchentities``: labels and
        aliases, fresher than the query service), as plan ids."""
        data = self._api({"action": "wbsearchentities", "search": text[:250], "language": language,
                          "uselang": language, "type": "item", "limit": str(limit),
                          "strictlanguage": "0"})
        rows = data.get("search")
        if not isinstance(rows, list):
            raise ReadError(f"the Wikibase API at {self.api_url} sent a malformed "
                            "wbsearchentities answer")
        return [self.ids.plan(str(row["id"])) for row in rows
                if isinstance(row, dict) and isinstance(row.get("id"), str)]

    def sitelinked(self, site: str, title: str) -> str | None:
        """The item with a sitelink to ``title`` on ``site`` (e.g. enwikisource), if any; None
        also when the wiki knows no such site (a test Wikibase has no sites table)."""
        data = self._api({"action": "wbgetentities", "sites": site, "titles": title,
                          "props": "info"}, tolerate="badvalue")
        for entity in (data.get("entities") or {}).values():
            if isinstance(entity, dict) and "missing" not in entity and entity.get("id"):
                return self.ids.plan(str(entity["id"]))
        return None

    def _state(self, entity: dict[str, Any]) -> ItemState:
        claims: dict[str, list[Value]] = {}
        for pid, statements in entity.get("claims", {}).items():
            for statement in statements:
                value = self._value(statement["mainsnak"])
                if value is not None:
                    claims.setdefault(self.ids.plan(pid), []).append(value)
        return ItemState(
            id=self.ids.plan(str(entity["id"])),
            labels={k: str(v["value"]) for k, v in entity.get("labels", {}).items()},
            descriptions={k: str(v["value"]) for k, v in entity.get("descriptions", {}).items()},
            claims={pid: tuple(values) for pid, values in claims.items()},
            lastrevid=int(entity.get("lastrevid", 0)),
        )

    def _value(self, snak: dict[str, Any]) -> Value | None:
        if snak.get("snaktype") != "value":
            return None
        datatype = str(snak.get("datatype", ""))
        raw = snak["datavalue"]["value"]
        if datatype == "wikibase-item":
            return Value("item", self.ids.plan(str(raw["id"])))
        if datatype in {"string", "url", "external-id"}:
            return Value(datatype, str(raw))
        if datatype == "monolingualtext":
            return Value("monolingualtext", str(raw["text"]), str(raw["language"]))
        if datatype == "time":
            return Value("time", str(raw["time"]), precision=int(raw["precision"]))
        return Value("other", json.dumps(raw, sort_keys=True))

    def sparql(self, query: str) -> list[dict[str, Any]]:
        """SELECT rows (SPARQL 1.1 JSON results)."""
        data = self._get(self.sparql_url, {"query": query}, "the SPARQL endpoint",
                         {"Accept": "application/sparql-results+json"}, post=True)
        try:
            rows = data["results"]["bindings"]
        except (KeyError, TypeError):
            raise ReadError(f"the SPARQL endpoint at {self.sparql_url} sent a malformed answer "
                            "(no results.bindings)") from None
        if not isinstance(rows, list):
            raise ReadError(f"the SPARQL endpoint at {self.sparql_url} sent a malformed answer")
        return rows


@dataclass(frozen=True)
class Probe:
    """One thing to look for: ``how`` is url, title, label+description, label, isil or website."""

    key: str
    how: str
    property: str
    value: Value
    description: str = ""


def _literal(text: str, lang: str = "") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def _term(value: Value) -> str:
    if value.type == "url":
        return f"<{value.value}>"
    return _literal(value.value, value.lang)


def candidate_queries(probes: Sequence[Probe], concept_base: str, ids: IdMap | None = None) -> list[str]:
    """SPARQL 1.1 queries (standard only: WDQS, QLever and Oxigraph alike), one per block."""
    root = concept_base.removesuffix("entity/")
    queries = []
    for chunk in _chunks(sorted(probes, key=lambda p: (p.key, p.how, p.property, p.value)),
                         VALUES_BLOCK):
        rows = []
        for probe in chunk:
            pid = ids.wiki(probe.property) if ids else probe.property
            predicate = (f"<{root}prop/direct/{pid}>" if probe.property
                         else "<http://www.w3.org/2000/01/rdf-schema#label>")
            description = (_literal(probe.description, probe.value.lang) if probe.description
                           else "UNDEF")
            rows.append(f"({_literal(probe.key)} {_literal(probe.how)} {predicate} "
                        f"{_term(probe.value)} {description})")
        queries.append(
            "SELECT DISTINCT ?key ?how ?item WHERE {\n"
            "  VALUES (?key ?how ?p ?o ?d) {\n    " + "\n    ".join(rows) + "\n  }\n"
            "  ?item ?p ?o .\n"
            "  OPTIONAL { ?item <http://schema.org/description> ?actual }\n"
            "  FILTER(!BOUND(?d) || (BOUND(?actual) && ?actual = ?d))\n"
            f"  FILTER(STRSTARTS(STR(?item), {_literal(concept_base)}))\n"
            "}")
    return queries


def find_candidates(reader: WikiReader, probes: Sequence[Probe], concept_base: str) -> list[Candidate]:
    """Existing items that may be what a planned create describes (to be confirmed by state)."""
    found: set[Candidate] = set()
    for query in candidate_queries(probes, concept_base, reader.ids):
        for row in reader.sparql(query):
            try:
                iri = str(row["item"]["value"])
                found.add(Candidate(str(row["key"]["value"]),
                                    reader.ids.plan(iri.removeprefix(concept_base)),
                                    str(row["how"]["value"])))
            except (KeyError, TypeError):
                raise ReadError(f"the SPARQL endpoint at {reader.sparql_url} sent a malformed "
                                "row") from None
    return sorted(found, key=lambda c: (c.key, c.item, c.how))
