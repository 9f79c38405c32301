"""Rewrite the Wikidata label service for SPARQL stores that do not have it.

The Wikidata Query Service fills ``?xLabel`` / ``?xDescription`` variables
through ``SERVICE wikibase:label { bd:serviceParam wikibase:language "…" }``.
Oxigraph, QLever and other stores have no such service, so the catalogue's
Wikidata queries would fail there. This module replaces the service block by
plain SPARQL 1.1 with the same meaning: one ``OPTIONAL`` per language in the
order given, then ``COALESCE`` to take the first language that has a value,
falling back to the item id for labels (what the service itself does). The
queries in ``queries/`` keep the service, so they run unchanged on WDQS and
their ``--link`` opens the query as written.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lod.namespaces import RDFS, WD

_SERVICE_RE = re.compile(
    r"SERVICE\s+(?:wikibase:label|<http://wikiba\.se/ontology#label>)\s*\{", re.IGNORECASE
)
_LANGUAGE_RE = re.compile(r"wikibase:language\s+\"([^\"]*)\"")
_MANUAL_RE = re.compile(r"\?(\w+)\s+(rdfs:label|schema:description|skos:altLabel)\s+\?(\w+)")
_AUTO_RE = re.compile(r"\?(\w+?)(Label|Description|AltLabel)\b")
_DEFAULT_LANGUAGE = "en"
_UNBOUND = "urn:x-lod:unbound"
#: Predicates the service reads; Wikidata's schema.org namespace is http, not https.
_PREDICATES = {
    "Label": f"<{RDFS}label>",
    "Description": "<http://schema.org/description>",
    "AltLabel": "<http://www.w3.org/2004/02/skos/core#altLabel>",
}
_MANUAL_KIND = {"rdfs:label": "Label", "schema:description": "Description", "skos:altLabel": "AltLabel"}


def uses_label_service(text: str) -> bool:
    """True when the query calls the Wikidata label service."""
    return _SERVICE_RE.search(_strip_comments(text)) is not None


def has_label_service(endpoint: str) -> bool:
    """True for the Wikidata Query Service hosts, which provide ``wikibase:label`` themselves."""
    host = urlsplit(endpoint).hostname or ""
    return host.startswith("query") and host.endswith(".wikidata.org")


def _strip_comments(text: str) -> str:
    # Whole-line comments are blanked to spaces, so offsets still match the original text.
    lines = text.split("\n")
    return "\n".join(" " * len(line) if line.lstrip().startswith("#") else line for line in lines)


def _block_end(text: str, start: int) -> int:
    """Index just after the '}' that closes the '{' at ``start - 1``."""
    depth = 1
    index = start
    while depth and index < len(text):
        char = text[index]
        if char == '"':
            index = text.index('"', index + 1)
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        index += 1
    if depth:
        raise ValueError("unbalanced braces in the label service block")
    return index


def _languages(block: str) -> list[str]:
    match = _LANGUAGE_RE.search(block)
    raw = match.group(1) if match else _DEFAULT_LANGUAGE
    found: list[str] = []
    for item in raw.split(","):
        code = item.strip().replace("[AUTO_LANGUAGE]", _DEFAULT_LANGUAGE)
        if code and code not in found:
            found.append(code)
    return found or [_DEFAULT_LANGUAGE]


def _key_binding(entity: str) -> str:
    # An OPTIONAL on an unbound ?entity would match every labelled resource, so the
    # lookups join on a key that is never unbound (a placeholder IRI matches nothing).
    return f"  BIND(COALESCE(?{entity}, <{_UNBOUND}>) AS ?{entity}_labelkey)"


def _lookup(entity: str, out: str, kind: str, languages: list[str]) -> str:
    predicate = _PREDICATES[kind]
    parts = []
    candidates = []
    for number, language in enumerate(languages):
        var = f"?{out}_lang{number}"
        candidates.append(var)
        parts.append(
            f"  OPTIONAL {{ ?{entity}_labelkey {predicate} {var} . "
            f'FILTER(LANG({var}) = "{language}") }}'
        )
    if kind == "Label":
        # The service labels an item without a label by its id, and a literal by itself.
        candidates.append(
            f'IF(STRSTARTS(STR(?{entity}), "{WD}"), STRAFTER(STR(?{entity}), "{WD}"), STR(?{entity}))'
        )
    parts.append(f"  BIND(COALESCE({', '.join(candidates)}) AS ?{out})")
    return "\n".join(parts)


def rewrite_label_service(text: str) -> str:
    """``text`` with every ``SERVICE wikibase:label`` block replaced by standard SPARQL."""
    source = _strip_comments(text)
    if _SERVICE_RE.search(source) is None:
        return text
    pieces: list[str] = []
    position = 0
    for match in _SERVICE_RE.finditer(source):
        if match.start() < position:
            continue
        end = _block_end(source, match.end())
        block = source[match.end() : end - 1]
        pieces.append(text[position : match.start()])
        pieces.append(_replacement(block, source[: match.start()] + source[end:]))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _replacement(block: str, rest: str) -> str:
    languages = _languages(block)
    manual = _MANUAL_RE.findall(block)
    if manual:
        targets = [(entity, out, _MANUAL_KIND[pred]) for entity, pred, out in manual]
    else:
        variables = set(re.findall(r"\?(\w+)", rest))
        targets = []
        for entity, kind in sorted(set(_AUTO_RE.findall(rest))):
            if entity in variables and (entity, f"{entity}{kind}", kind) not in targets:
                targets.append((entity, f"{entity}{kind}", kind))
    lookups = [_key_binding(entity) for entity in dict.fromkeys(t[0] for t in targets)]
    lookups += [_lookup(entity, out, kind, languages) for entity, out, kind in targets]
    return "\n".join(lookups).strip() or "# (label service: no label variables)"
