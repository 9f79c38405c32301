"""A small, polite MediaWiki Action API reader: list pages, fetch their current wikitext.

Polite as Wikimedia's API etiquette asks, through lod's one HTTP client
(:mod:`lod.http`): a descriptive user agent with a way to reach the operator,
``maxlag`` on every request, ``Retry-After`` honoured, transient failures (5xx,
429, dropped or refused connections, timeouts) retried after a backoff with
jitter; requests one at a time, 50 titles per content request. Anything else,
or running out of tries, raises :class:`ApiError` with a message a curator
can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from lod.http import Policy, PoliteSession, Unavailable

BATCH = 50
#: Longer queries are POSTed: servers refuse URLs much over 8 kB.
MAX_GET = 6000


class ApiError(Exception):
    """The wiki could not be read; the message says why and what was tried."""


@dataclass(frozen=True)
class PageRef:
    """A page as listed: enough to decide whether its content must be fetched."""

    title: str
    namespace: int
    revision: int
    redirect: bool = False


@dataclass(frozen=True)
class PageText:
    """A page's current revision and its wikitext."""

    ref: PageRef
    text: str


@dataclass(frozen=True)
class SiteInfo:
    """What is needed to turn a title into the page's URL."""

    server: str
    article_path: str

    def url(self, title: str) -> str:
        """The page URL MediaWiki itself would give (spaces as underscores, percent-encoded)."""
        return self.server + self.article_path.replace("$1", title_path(title))


def title_path(title: str) -> str:
    """MediaWiki's wfUrlencode of a title with spaces as underscores."""
    from urllib.parse import quote

    return quote(title.replace(" ", "_"), safe=";@$!*(),/~:")


class WikiApi:
    """One wiki's ``api.php``; every request goes through :meth:`get`."""

    def __init__(
        self,
        url: str,
        *,
        user_agent: str,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_wait: float = 300.0,
        maxlag: int = 5,
    ) -> None:
        self.url = url
        self.session = PoliteSession(
            user_agent,
            Policy(timeout=timeout, maxlag=maxlag, retries=retries, backoff=backoff,
                   longest_wait=max_wait),
            api_url=url,
        )
        self.content_requests = 0

    @property
    def requests(self) -> int:
        """API requests sent so far, each try counted."""
        return self.session.sent

    def get(self, params: dict[str, Any]) -> dict[str, Any]:
        """One API call (JSON, format version 2); :mod:`lod.http` retries what may be retried."""
        query = {**params, "format": "json", "formatversion": "2"}
        try:
            if len(urlencode(query)) > MAX_GET:  # 50 long non-ASCII titles: too long a URL
                response = self.session.post(self.url, data=query)
            else:
                response = self.session.get(self.url, params=query)
        except Unavailable as error:
            raise ApiError(str(error)) from None
        if response.status_code != 200:
            raise ApiError(
                f"{self.url}: HTTP {response.status_code} {response.reason or ''}".rstrip()
                + "; expected a MediaWiki api.php URL such as https://outreach.wikimedia.org/w/api.php"
            )
        try:
            data = response.json()
        except ValueError:
            raise ApiError(
                f"{self.url}: the answer is not JSON; is this a MediaWiki api.php URL?"
            ) from None
        if not isinstance(data, dict):
            raise ApiError(f"{self.url}: unexpected answer {str(data)[:80]!r}")
        problem = data.get("error")
        if isinstance(problem, dict):
            code, info = problem.get("code", "?"), problem.get("info", "")
            raise ApiError(f"{self.url}: API error {code}: {info}")
        return data

    def query(self, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every answer of an ``action=query``, following ``continue`` to the end."""
        request = {"action": "query", **params}
        while True:
            data = self.get(request)
            yield data
            more = data.get("continue")
            if not isinstance(more, dict):
                return
            request = {"action": "query", **params, **more}

    def siteinfo(self) -> SiteInfo:
        """Server and article path (``/wiki/$1``), to give every record its page URL."""
        data = self.get({"action": "query", "meta": "siteinfo"})
        general = data.get("query", {}).get("general")
        if not isinstance(general, dict) or "articlepath" not in general:
            raise ApiError(
                f"{self.url}: no site information in the answer; is this a MediaWiki api.php URL?"
            )
        server = str(general.get("server", ""))
        if server.startswith("//"):
            server = "https:" + server
        return SiteInfo(server, str(general["articlepath"]))

    def _refs(self, params: dict[str, Any]) -> Iterator[PageRef]:
        for data in self.query({**params, "prop": "info"}):
            for page in data.get("query", {}).get("pages", []):
                if "missing" in page or "lastrevid" not in page:
                    continue
                yield PageRef(
                    str(page["title"]),
                    int(page["ns"]),
                    int(page["lastrevid"]),
                    bool(page.get("redirect")),
                )

    def pages_with_prefix(
        self, prefix: str, namespaces: Iterable[int] = (0, 1)
    ) -> Iterator[PageRef]:
        """Pages whose title starts with ``prefix`` (the index page itself included)."""
        for namespace in namespaces:
            yield from self._refs(
                {
                    "generator": "allpages",
                    "gapprefix": prefix,
                    "gapnamespace": namespace,
                    "gaplimit": "max",
                }
            )

    def pages_in_category(self, category: str) -> Iterator[PageRef]:
        """Members of a category, any namespace (the caller skips what is not a case study)."""
        title = category if category.casefold().startswith("category:") else f"Category:{category}"
        yield from self._refs(
            {"generator": "categorymembers", "gcmtitle": title, "gcmlimit": "max"}
        )

    def texts(self, refs: list[PageRef]) -> Iterator[PageText]:
        """Current wikitext of the pages, ``BATCH`` titles per request."""
        for start in range(0, len(refs), BATCH):
            batch = {ref.title: ref for ref in refs[start : start + BATCH]}
            params = {
                "prop": "revisions|info",
                "rvprop": "ids|content",
                "rvslots": "main",
                "titles": "|".join(batch),
            }
            for data in self.query(params):
                self.content_requests += 1
                for page in data.get("query", {}).get("pages", []):
                    revisions = page.get("revisions") or []
                    if not revisions or page.get("title") not in batch:
                        continue
                    revision = revisions[0]
                    text = revision.get("slots", {}).get("main", {}).get("content")
                    if text is None:
                        continue
                    ref = PageRef(
                        str(page["title"]),
                        int(page["ns"]),
                        int(revision["revid"]),
                        bool(page.get("redirect")),
                    )
                    yield PageText(ref, str(text))
