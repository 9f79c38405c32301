"""Stream the pages of a MediaWiki ``Special:Export`` XML dump, in flat memory.

Dumps can be gigabytes, so the file is read with ``iterparse`` and each
``<page>`` element is cleared (and detached from the root) as soon as it has
been handed on; only the current page is ever in memory. Any export schema
version works (the namespace URI is ignored). A file that is not well-formed
XML, or not a MediaWiki export, raises :class:`DumpError` with the line.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # expat >= 2.4 limits entity expansion; no external fetches
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from lod.harvest.wikiapi import PageRef, PageText, SiteInfo
from lod.inputs import InputFileError, open_dump


class DumpError(Exception):
    """The dump cannot be read; the message names the file and the line."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: ET.Element | None) -> str:
    return (element.text or "") if element is not None else ""


def site_from_base(base: str) -> SiteInfo | None:
    """``http://host/wiki/Main_Page`` -> server ``http://host``, article path ``/wiki/$1``."""
    if "://" not in base:
        return None
    scheme, rest = base.split("://", 1)
    host, _, path = rest.partition("/")
    path = "/" + path
    if "title=" in path:
        article = path[: path.index("title=") + len("title=")] + "$1"
    else:
        article = path[: path.rfind("/") + 1] + "$1"
    return SiteInfo(f"{scheme}://{host}", article)


class DumpReader:
    """Pages of one dump file; ``position``/``size`` give progress in bytes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.site: SiteInfo | None = None
        self.size = path.stat().st_size if path.exists() else 0
        self._handle: BinaryIO | None = None

    @property
    def position(self) -> int:
        """Bytes read so far."""
        return (
            self._handle.tell()
            if self._handle is not None and not self._handle.closed
            else self.size
        )

    def _page(self, element: ET.Element) -> PageText | None:
        title = _text(_child(element, "title"))
        namespace = _text(_child(element, "ns")) or "0"
        revision = _child(element, "revision")
        if not title or revision is None:
            return None
        revid = _text(_child(revision, "id"))
        text = _child(revision, "text")
        redirect = _child(element, "redirect") is not None
        if not revid.isdigit() or not namespace.lstrip("-").isdigit():
            raise DumpError(f"{self.path}: page {title!r} has no numeric revision id or namespace")
        ref = PageRef(title, int(namespace), int(revid), redirect)
        return PageText(ref, _text(text))

    def pages(self) -> Iterator[PageText]:
        """Every page with its (last exported) revision, in file order."""
        try:
            handle = open_dump(self.path)
        except InputFileError as error:
            raise DumpError(f"{self.path}: cannot open the dump: {error.problem.message}") from None
        self._handle = handle
        root: ET.Element | None = None
        try:
            with handle:
                for event, element in ET.iterparse(handle, events=("start", "end")):  # noqa: S314
                    name = _local(element.tag)
                    if event == "start":
                        if root is None:
                            if name != "mediawiki":
                                raise DumpError(
                                    f"{self.path}:1: not a MediaWiki export (root element <{name}>)"
                                )
                            root = element
                        continue
                    if name == "base" and self.site is None:
                        self.site = site_from_base(_text(element).strip())
                    elif name == "page":
                        page = self._page(element)
                        element.clear()
                        _detach(root, element)
                        if page is not None:
                            yield page
                    elif name == "siteinfo":
                        _detach(root, element)
        except ET.ParseError as error:
            line, column = error.position
            raise DumpError(
                f"{self.path}:{line}:{column}: malformed XML ({_message(error)})"
            ) from None
        if root is None:
            raise DumpError(f"{self.path}:1: empty file; expected a MediaWiki XML export")


def _detach(root: ET.Element | None, element: ET.Element) -> None:
    """Drop a finished child of the root, so the tree never grows with the file."""
    if root is not None:
        try:
            root.remove(element)
        except ValueError:
            pass


def _message(error: ET.ParseError) -> str:
    return str(error).split(":", 1)[0]
