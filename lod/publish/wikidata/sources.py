"""Sources a patroller accepts: normalised URLs, a blocklist of mirrors and copies, Wikimedia pages.

Wikidata:Verifiability asks for authoritative sources; a Wikipedia mirror or a
third-party copy of a page is not one (en:WP:CIRCULAR, WP:MIRROR), and a fact
read from a Wikimedia wiki is referenced as *imported from* that wiki (P143 with
the page in P4656), never as an external source (P854's own format constraint
forbids wikipedia.org and points to P143/P4656). So every source URL goes
through :func:`classify` before it becomes a reference or a statement value:

- the URL is normalised (:func:`normalise`): lower-case scheme and host, mobile
  hosts of Wikimedia wikis to their desktop host, ``https`` on Wikimedia hosts,
  one canonical percent-encoding, a Wikipedia URL always with its language;
- a host on ``mappings/wikidata-source-blocklist.tsv`` is refused, with the
  reason the table gives;
- a page of a Wikimedia wiki is a Wikimedia source, with the wiki's item when
  ``mappings/wikidata-values.tsv`` has a verified one (kind ``wiki``).

:func:`url_key` is the form two URLs are compared in by the duplicate check
(scheme, ``www.``, a trailing slash and the fragment do not matter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from lod import resources
from lod.inputs import read_tsv

#: Wikimedia's wiki families: a host ending in one of these is a Wikimedia wiki.
WIKIMEDIA_DOMAINS: Final = (
    "wikipedia.org", "wikimedia.org", "wikidata.org", "wikisource.org", "wiktionary.org",
    "wikibooks.org", "wikiquote.org", "wikiversity.org", "wikivoyage.org", "wikinews.org",
    "wikispecies.org", "wikifunctions.org", "mediawiki.org",
)
#: Hosts under wikimedia.org that are not wikis (news blog, mailing lists): ordinary sources.
NOT_WIKIS: Final = ("diff.wikimedia.org", "blog.wikimedia.org", "lists.wikimedia.org",
                    "techblog.wikimedia.org")
#: Characters MediaWiki leaves unescaped in a page URL (its wfUrlencode): the rest is %-encoded.
_MEDIAWIKI_SAFE: Final = ";@$!*(),/~:"
#: RFC 3986 unreserved characters plus the delimiters a path or query keeps as they are.
_GENERIC_SAFE: Final = "/:@!$&'()*+,;=-._~%"
_ESCAPE_RE: Final = re.compile(r"%[0-9a-fA-F]{2}")
_LANGUAGE_RE: Final = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Blocked:
    """A blocklist entry: a host (or a host suffix) and why it is not a source."""

    host: str
    kind: str
    reason: str


@dataclass(frozen=True)
class Source:
    """A normalised source URL and what kind of source it is."""

    url: str
    changed: bool = False
    blocked: Blocked | None = None
    wiki: str | None = None  # the wiki's host when the page is on a Wikimedia wiki
    guessed_language: bool = False  # a language-less Wikipedia URL given a language

    @property
    def wikimedia(self) -> bool:
        """True for a page of a Wikimedia wiki (referenced as imported from it)."""
        return self.wiki is not None


def _is_wikimedia_host(host: str) -> bool:
    return host not in NOT_WIKIS and any(
        host == domain or host.endswith("." + domain) for domain in WIKIMEDIA_DOMAINS)


def _desktop_host(host: str) -> str:
    """``en.m.wikipedia.org`` -> ``en.wikipedia.org``; ``m.wikidata.org`` -> ``www.wikidata.org``."""
    labels = host.split(".")
    if labels[0] == "m" and len(labels) == 3:
        return "www." + ".".join(labels[1:])
    if len(labels) >= 4 and labels[1] in {"m", "zero"}:
        return ".".join([labels[0], *labels[2:]])
    return host


_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _rfc3986(text: str, safe: str) -> str:
    """RFC 3986 section 6.2.2: escapes of unreserved characters decoded, the others in upper
    case, characters that must be escaped escaped; nothing else changes."""
    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(0)[1:], 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return _ESCAPE_RE.sub(one, quote(text, safe=safe))


def _reencode(text: str, safe: str) -> str:
    """One canonical percent-encoding: decode everything, encode again with ``safe`` kept."""
    return quote(unquote(text), safe=safe)


def normalise(url: str, language: str | None = None) -> Source:
    """The canonical form of a source URL (see the module docstring).

    ``language`` is the edition to give a Wikipedia URL that has none
    (``wikipedia.org/wiki/X``); without one such a URL is kept as it is.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    guessed = False
    path, query, fragment = parts.path, parts.query, parts.fragment
    if _is_wikimedia_host(host):
        host = _desktop_host(host)
        if host in {"wikipedia.org", "www.wikipedia.org"} and language:
            edition = language.lower().split("-")[0]
            if _LANGUAGE_RE.fullmatch(edition):
                host, guessed = f"{edition}.wikipedia.org", True
        scheme, port = "https", None
        path = _reencode(path.replace(" ", "_"), _MEDIAWIKI_SAFE)
        if query:
            query = _reencode(query, _MEDIAWIKI_SAFE + "=&")
    else:
        path = _rfc3986(path, _GENERIC_SAFE)
        if query:
            query = _rfc3986(query, _GENERIC_SAFE + "?")
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = path or "/"
    canonical = urlunsplit((scheme, host, path, query, fragment))
    return Source(canonical, canonical != url, blocked_host(host), _wiki_of(host), guessed)


def _wiki_of(host: str) -> str | None:
    return host if _is_wikimedia_host(host) else None


def url_key(url: str) -> str:
    """The comparison form: normalised, then without scheme, ``www.``, fragment, final slash."""
    parts = urlsplit(normalise(url).url)
    host = (parts.netloc or "").removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def wikipedia_without_language(url: str) -> bool:
    """True for a Wikipedia URL that names no language edition."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    return host in {"wikipedia.org", "www.wikipedia.org", "m.wikipedia.org"}


# --- the blocklist ---------------------------------------------------------------------------

BLOCKLIST_COLUMNS: Final = ("host", "kind", "reason")


def read_blocklist(path: Path | None = None) -> tuple[Blocked, ...]:
    """``mappings/wikidata-source-blocklist.tsv``: host, kind (mirror | copy), reason."""
    path = path or resources.mappings_dir() / "wikidata-source-blocklist.tsv"
    rows = []
    for row in read_tsv(path, BLOCKLIST_COLUMNS, exact=True, quoted=False):
        if not all((row.get(c) or "").strip() for c in BLOCKLIST_COLUMNS):
            raise ValueError(f"{path}:{row.line}: every entry needs a host, a kind and a reason")
        rows.append(Blocked(row["host"].strip().lower(), row["kind"].strip(),
                            row["reason"].strip()))
    return tuple(rows)


@cache
def _default_blocklist() -> tuple[Blocked, ...]:
    return read_blocklist()


def blocked_host(host: str, blocklist: tuple[Blocked, ...] | None = None) -> Blocked | None:
    """The entry that blocks ``host`` (the host itself or a parent domain), if any."""
    bare = host.split(":")[0]
    for entry in blocklist if blocklist is not None else _default_blocklist():
        if bare == entry.host or bare.endswith("." + entry.host):
            return entry
    return None


def wikisource_page(url: str) -> tuple[str, str] | None:
    """(site id, page title) of a Wikisource page URL, e.g. ("enwikisource", "Foo/Chapter 1")."""
    parts = urlsplit(normalise(url).url)
    host = parts.hostname or ""
    match = re.fullmatch(r"([a-z]{2,3}(?:-[a-z]+)*)\.wikisource\.org", host)
    if not match or not parts.path.startswith("/wiki/"):
        return None
    title = unquote(parts.path.removeprefix("/wiki/")).replace("_", " ")
    return f"{match.group(1).replace('-', '_')}wikisource", title
