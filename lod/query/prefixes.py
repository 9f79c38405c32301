"""The prefixes every query may use without declaring them, as the Wikidata Query Service does.

The project's own prefixes (``lcs:``, ``libtype:``, ``country:`` …, from
:data:`lod.namespaces.PREFIXES`) plus the Wikidata ones a joined query needs.
A query gets a ``PREFIX`` line only for a prefix it uses and does not declare
itself, so a query that declares everything is sent unchanged, and a query
written for WDQS keeps its own meaning of a prefix it declares.
"""

from __future__ import annotations

import re
from typing import Final

from lod.namespaces import PREFIXES, VOCAB

#: Wikidata's statement prefixes (https://www.mediawiki.org/wiki/Wikibase/Indexing/RDF_Dump_Format).
WIKIDATA_PREFIXES: Final[dict[str, str]] = {
    "wikibase": "http://wikiba.se/ontology#",
    "bd": "http://www.bigdata.com/rdf#",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
}
#: Schemes the dumps carry that no record field names (so the dumps' own prefix map lacks them).
SCHEME_PREFIXES: Final[dict[str, str]] = {
    "region": f"{VOCAB}region/",
    "ifladiv": f"{VOCAB}ifla-division/",
    "vocab": VOCAB,
}
#: Every predefined prefix, project ones first.
PREDEFINED: Final[dict[str, str]] = {**PREFIXES, **SCHEME_PREFIXES, **WIKIDATA_PREFIXES}
_DECLARED_RE = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)
_STRING_OR_IRI_RE = re.compile(r"<[^<>\s]*>|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|#[^\n]*")


def _code(text: str) -> str:
    """``text`` without IRIs, strings and comments, where a ``name:`` is never a prefix."""
    return _STRING_OR_IRI_RE.sub(" ", text)


def missing_prefixes(text: str) -> list[str]:
    """Predefined prefixes ``text`` uses but does not declare, in :data:`PREDEFINED` order."""
    code = _code(text)
    declared = {name or "" for name in _DECLARED_RE.findall(code)}
    return [name for name in PREDEFINED
            if name not in declared and re.search(rf"(?<![\w?$:.-]){re.escape(name)}:", code)]


def with_prefixes(text: str) -> str:
    """``text`` with a ``PREFIX`` line for every predefined prefix it uses and does not declare."""
    missing = missing_prefixes(text)
    if not missing:
        return text
    lines = "".join(f"PREFIX {name}: <{PREDEFINED[name]}>\n" for name in missing)
    return lines + text


def prefix_block() -> str:
    """Every predefined prefix as ``PREFIX`` lines (``lod query --prefixes``, docs/model.md)."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREDEFINED.items())
