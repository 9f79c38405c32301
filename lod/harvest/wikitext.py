"""Wikitext of a case-study page -> headings, ``Field: value`` bullets, links and markdown.

The page shape is fixed by ``wiki-page-conventions.md``: seven level-2 headings
(matched whatever their case, spacing, numbering or the usual variants) and
``* Field: value`` bullets in Context/Background. Real pages are messier than
the form, so this module is tolerant: comments and templates disappear, any
heading level counts, headings it does not know stay in the text. Everything
here is a pure function of the wikitext and the label tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from lod.harvest.wikimatch import label_lexicon, link_kinds

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_EMPTY_HEADING = re.compile(r"^=+[ \t]*=+[ \t]*$", re.MULTILINE)
_LIST_ITEM = re.compile(r"^(\s*(?:-|1\.))\s+")
_SPACES = re.compile(r"(?<=\S) {2,}")  # left where templates and comments were removed
_EMPTY_ITEM = re.compile(r"^\s*(?:-|1\.)?\s*$")
_BULLET = re.compile(
    r"^[*#]+\s*(?:'{2,5})?\s*(?P<field>[^:\[\]{}<>|='\n]+?)\s*(?:'{2,5})?\s*:\s*(?:'{2,5}(?!'))?(?P<value>.*)$"
)
_NUMBERING = re.compile(r"^\s*(?:\d+|[ivxlc]+|[a-z])\s*[.):-]\s+|^\s*\d+\s+", re.IGNORECASE)
_LIST_TEMPLATES = frozenset({"hlist", "flatlist", "plainlist", "ubl", "unbulleted list", "ubil"})
_DROPPED_LINKS = frozenset(
    {
        "file",
        "image",
        "category",
        "media",
        "archivo",
        "imagen",
        "categoría",
        "categoria",
        "fichier",
        "catégorie",
        "datei",
        "bild",
        "kategorie",
    }
)
_SKIPPED_TAGS = frozenset(
    {"gallery", "references", "templatedata", "math", "score", "graph", "timeline"}
)
#: Interwiki prefixes dropped from a link target shown as text ("w:en:X" -> "X").
_INTERWIKI = re.compile(
    r"^:?(?:(?:w|wikipedia|c|commons|d|wikidata|m|meta|s|wikisource|wikt|outreach|mw|"
    r"[a-z]{2,3}(?:-[a-z]+)?):)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FieldBullet:
    """One ``* Field: value`` line: the field key, its values and the URLs in it."""

    key: str
    label: str
    values: tuple[str, ...]
    urls: tuple[str, ...] = ()


@dataclass
class ParsedPage:
    """What a case-study page says, before any dictionary matching."""

    lead: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    fields: list[FieldBullet] = field(default_factory=list)
    links: list[tuple[str, str | None]] = field(default_factory=list)
    stray_headings: list[str] = field(default_factory=list)

    @property
    def is_blank(self) -> bool:
        """True for a page with no text and no facts (a form never filled in)."""
        return not (self.lead or self.sections or any(f.values for f in self.fields))


def strip_comments(text: str) -> str:
    """Remove HTML comments (an unterminated one runs to the end, as in MediaWiki).

    A heading left with nothing between its equals signs is removed with them.
    """
    return _EMPTY_HEADING.sub("", _COMMENT.sub("", text))


def heading_key(title: str) -> str | None:
    """The section a heading names ("2. Summary / Abstract" -> summary), or None."""
    text = _NUMBERING.sub("", plain_text(title)).strip().rstrip(":").strip()
    if not text:
        return None
    lexicon = label_lexicon("heading")
    found = lexicon.lookup(text)
    if found:
        return found
    for part in re.split(r"\s*/\s*|\s+and\s+|\s*&\s*", text):  # "Summary/Abstract" parts alone
        found = lexicon.lookup(part) if part else None
        if found:
            return found
    return None


def _link_text(link: Wikilink) -> str | None:
    target = str(link.title).strip()
    namespace = target.lstrip(":").split(":", 1)[0].strip().casefold() if ":" in target else ""
    if namespace in _DROPPED_LINKS and not target.startswith(":"):
        return None
    if link.text is not None:
        return _render(link.text.nodes, inline=True)
    return _INTERWIKI.sub("", target).replace("_", " ")


def _list_prefix(markers: str) -> str:
    depth = len(markers)
    indent = "  " * (depth - 1)
    last = markers[-1]
    if last == "*":
        return f"{indent}- "
    if last == "#":
        return f"{indent}1. "
    return indent  # ':' indentation and ';' terms read as plain lines


def _table(tag: Tag) -> str:
    rows: list[list[str]] = []
    for row in tag.contents.filter_tags(recursive=False, matches=lambda n: str(n.tag) == "tr"):
        cells = [c for c in row.contents.filter_tags(recursive=False) if str(c.tag) in ("td", "th")]
        rows.append([" ".join(_render(c.contents.nodes, inline=True).split()) for c in cells])
    loose = [c for c in tag.contents.filter_tags(recursive=False) if str(c.tag) in ("td", "th")]
    if loose:
        rows.insert(0, [" ".join(_render(c.contents.nodes, inline=True).split()) for c in loose])
    rows = [row for row in rows if any(row)]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
    lines.insert(1, "|" + " --- |" * width)
    return "\n\n" + "\n".join(lines) + "\n\n"


def _tag(node: Tag, *, inline: bool) -> str:
    name = str(node.tag).strip().lower()
    if name in _SKIPPED_TAGS:
        return ""
    if name == "table":
        return _table(node)
    if name == "br":
        return " " if inline else "\n"
    if name == "hr":
        return "\n\n---\n\n"
    inner = _render(node.contents.nodes, inline=inline) if node.contents is not None else ""
    if name in ("b", "strong") and inner.strip():
        return f"**{inner.strip()}**" if not inline else inner
    if name in ("i", "em") and inner.strip():
        return f"*{inner.strip()}*" if not inline else inner
    if name == "ref":
        return f" ({inner.strip()})" if inner.strip() else ""
    if name in ("p", "div", "blockquote", "center", "poem"):
        return f"\n\n{inner.strip()}\n\n" if not inline else inner
    return inner


def _render(nodes: list[Node], *, inline: bool = False) -> str:
    """Markdown (or, with ``inline``, plain text) for a list of parsed nodes."""
    out: list[str] = []
    markers = ""
    for node in nodes:
        if isinstance(node, Tag) and node.wiki_markup in ("*", "#", ":", ";") and not inline:
            markers += str(node.wiki_markup)
            continue
        if markers:
            out.append(_list_prefix(markers))
            markers = ""
        if isinstance(node, Text):
            out.append(str(node.value))
        elif isinstance(node, Wikilink):
            out.append(_link_text(node) or "")
        elif isinstance(node, ExternalLink):
            url = str(node.url).strip()
            title = _render(node.title.nodes, inline=True).strip() if node.title is not None else ""
            out.append(
                url
                if inline and not title
                else title
                if inline
                else f"[{title}]({url})"
                if title
                else url
            )
        elif isinstance(node, HTMLEntity):
            out.append(" " if node.normalize() == "\xa0" else node.normalize())
        elif isinstance(node, Heading):
            title = " ".join(_render(node.title.nodes, inline=True).split())
            out.append(f"\n\n{'#' * max(2, node.level)} {title}\n\n" if not inline else title)
        elif isinstance(node, Tag):
            out.append(_tag(node, inline=inline))
        elif isinstance(node, Template | Comment | Argument):
            continue
        else:
            out.append(str(node))
    if markers:
        out.append(_list_prefix(markers))
    return "".join(out)


def to_markdown(wikitext: str | Wikicode) -> str:
    """Wiki markup as plain markdown: links, emphasis, lists, tables; templates dropped."""
    code = (
        wikitext
        if isinstance(wikitext, Wikicode)
        else mwparserfromhell.parse(strip_comments(wikitext))
    )
    text = _render(code.nodes)
    lines = [
        _LIST_ITEM.sub(r"\1 ", _SPACES.sub(" ", line.rstrip()))
        for line in text.replace("\r", "").split("\n")
    ]
    lines = [line for line in lines if line == "" or not _EMPTY_ITEM.match(line)]
    spaced: list[str] = []
    for line in lines:  # a paragraph right after a list would be read as part of its last item
        if (
            spaced
            and _LIST_ITEM.match(spaced[-1])
            and line
            and not line[0].isspace()
            and not _LIST_ITEM.match(line)
        ):
            spaced.append("")
        spaced.append(line)
    lines = spaced
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_text(wikitext: str | Wikicode) -> str:
    """The text a reader sees, on one line: no markup at all."""
    code = (
        wikitext
        if isinstance(wikitext, Wikicode)
        else mwparserfromhell.parse(strip_comments(str(wikitext)))
    )
    return " ".join(_render(code.nodes, inline=True).replace("'''", "").replace("''", "").split())


def split_values(wikitext: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Values of one bullet: ``{{Hlist|a|b}}`` items and ``;``-separated parts, plus URLs."""
    code = mwparserfromhell.parse(wikitext)
    values: list[str] = []
    for template in code.filter_templates(recursive=False):
        if str(template.name).strip().casefold() in _LIST_TEMPLATES:
            values += [plain_text(str(p.value)) for p in template.params if not p.showkey]
    urls = tuple(str(link.url).strip() for link in code.filter_external_links())
    rest = plain_text(code)
    values += [part.strip() for part in rest.split(";")]
    return tuple(v for v in values if v), urls


def _take_bullets(wikitext: str, fields: list[FieldBullet]) -> str:
    """Move the known ``* Field: value`` lines into ``fields``; return the other lines."""
    lexicon = label_lexicon("field")
    kept: list[str] = []
    for line in wikitext.split("\n"):
        match = _BULLET.match(line.strip())
        key = lexicon.lookup(match.group("field")) if match else None
        if match is None or key is None:
            kept.append(line)
            continue
        value = re.sub(r"^'{2,5}|'{2,5}$", "", match.group("value").strip()).strip()
        values, urls = split_values(value)
        fields.append(FieldBullet(key, match.group("field").strip(), values, urls))
    return "\n".join(kept)


def _link_kinds(wikitext: str) -> list[FieldBullet]:
    """``* Report: [url title]`` lines: the kind of the links on them (key ``link-kind``).

    The lines stay in the section's text, as a reader sees them; a line whose
    field is no link kind ("* Website: ...") is only text, as before.
    """
    lexicon = link_kinds()
    found: list[FieldBullet] = []
    for line in wikitext.split("\n"):
        match = _BULLET.match(line.strip())
        if match is None or lexicon.lookup(match.group("field")) is None:
            continue
        code = mwparserfromhell.parse(match.group("value"))
        urls = tuple(_absolute(str(link.url).strip()) for link in code.filter_external_links())
        if urls:
            label = match.group("field").strip()
            found.append(FieldBullet("link-kind", label, (label,), urls))
    return found


#: Citation templates whose ``url`` parameter is a link and ``title`` its text.
_URL_PARAMS = ("url", "archive-url", "archiveurl")
_TITLE_PARAMS = ("title", "website", "work")


def _absolute(url: str) -> str:
    """A protocol-relative link (``//host/x``) as the https URL a reader's browser opens."""
    return f"https:{url}" if url.startswith("//") else url


def _cited(template: Template) -> list[tuple[str, str | None]]:
    """``{{cite web|url=…|title=…}}`` and the like: the URLs they cite, with the cited title."""
    title = next(
        (plain_text(str(template.get(name).value)) for name in _TITLE_PARAMS
         if template.has(name) and str(template.get(name).value).strip()),
        None,
    )
    found = []
    for name in _URL_PARAMS:
        if template.has(name):
            url = plain_text(str(template.get(name).value)).strip()
            if url:
                found.append((_absolute(url), title if name == "url" else None))
    return found


def page_links(wikitext: str | Wikicode) -> list[tuple[str, str | None]]:
    """Every external link of some wikitext, once each, in page order, with its text as title.

    Links count wherever they sit: any section, a ``* Field:`` bullet, a
    ``<ref>`` footnote, a citation template, a bare URL. ``mailto:`` addresses
    are contacts, not links, and are left out. A URL seen twice keeps the
    first text it was given.
    """
    code = wikitext if isinstance(wikitext, Wikicode) else mwparserfromhell.parse(strip_comments(wikitext))
    found: dict[str, str | None] = {}

    def add(url: str, title: str | None) -> None:
        if not url or url.casefold().startswith("mailto:"):
            return
        if url not in found or (title and not found[url]):
            found[url] = title or None

    for node in code.filter(recursive=True, matches=lambda n: isinstance(n, ExternalLink | Template)):
        if isinstance(node, ExternalLink):
            title = plain_text(str(node.title)) if node.title is not None else None
            add(_absolute(str(node.url).strip()), title)
        elif isinstance(node, Template):
            for url, title in _cited(node):
                add(url, title)
    return list(found.items())


def parse_page(wikitext: str) -> ParsedPage:
    """Split a page into its form sections and facts (see the module docstring)."""
    code = mwparserfromhell.parse(strip_comments(wikitext))
    page = ParsedPage()
    lead_parts: list[str] = []
    chunks: dict[str, list[str]] = {}
    current: str | None = None
    for node in code.nodes:
        if isinstance(node, Heading):
            title = plain_text(str(node.title))
            if not title:
                continue  # a heading of only spaces or comments is no heading
            key = heading_key(title)
            if key is not None:
                current = key
                chunks.setdefault(current, [])
                continue
            if node.level <= 2:
                page.stray_headings.append(title)
        (lead_parts if current is None else chunks.setdefault(current, [])).append(str(node))
    page.links = page_links(code)
    lead = _take_bullets("".join(lead_parts), page.fields)
    page.lead = to_markdown(lead)
    for key, parts in chunks.items():
        text = "".join(parts)
        if key == "context":
            text = _take_bullets(text, page.fields)
        elif key == "resources":
            page.fields += _link_kinds(text)
        markdown = to_markdown(text)
        if markdown:
            page.sections[key] = markdown
    return page
