"""Comparison keys for names, websites and identifiers.

Wikidata and the case studies write the same thing in slightly different ways
(``http://www.x.org`` vs ``https://x.org/``; ``us-dlc`` vs ``US-DLC``). The
SPARQL side can only look up exact terms, so for websites we also generate the
handful of spellings to put in a ``VALUES`` block, then compare keys in Python.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def name_key(text: str) -> str:
    """Unicode-normalised, case-folded name with single spaces: how names are compared."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def isil_key(value: str) -> str:
    """ISILs are case-insensitive (ISO 15511)."""
    return value.strip().upper()


def viaf_key(value: str) -> str:
    """VIAF cluster ids are digits; leading zeros and spaces do not matter."""
    return value.strip().lstrip("0")


def website_key(url: str) -> str:
    """Host without ``www.`` and path without trailing slash; scheme, port 80/443, fragment dropped.

    >>> website_key("HTTPS://www.Example.org:443/lib/?a=1#top")
    'example.org/lib?a=1'
    >>> website_key("http://example.org/")
    'example.org'
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port not in (None, 80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def website_variants(url: str) -> list[str]:
    """The spellings of a website Wikidata may hold (scheme, ``www.``, trailing slash), sorted.

    >>> website_variants("https://example.org")[:2]
    ['http://example.org', 'http://example.org/']
    """
    key = website_key(url)
    host, _, rest = key.partition("/")
    path = f"/{rest}" if rest else ""
    if "?" in host:
        host, _, query = host.partition("?")
        path = f"?{query}"
    found = set()
    for scheme in ("http", "https"):
        for prefix in ("", "www."):
            base = f"{scheme}://{prefix}{host}{path}"
            found.add(base)
            if "?" not in path:
                found.add(f"{base}/")
    return sorted(found)


def host_of(url: str) -> str:
    """The host of a URL without ``www.``, lower case."""
    return (urlsplit(url.strip()).hostname or "").lower().removeprefix("www.")
