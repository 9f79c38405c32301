"""Harvest case-study pages (from the API or a dump) into draft records, incrementally.

The steps are the same for both sources: list pages, skip what is not a case
study (and count it), skip pages whose revision is the one already harvested
(no content is fetched for them), turn the rest into records and hand them to
:class:`~lod.harvest.drafts.DraftStore`, which writes all or nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lod.harvest.drafts import DraftStore, Written
from lod.harvest.formanswers import institution_names, looks_same
from lod.harvest.wikiapi import PageRef, PageText, SiteInfo, WikiApi
from lod.harvest.wikidump import DumpError, DumpReader
from lod.harvest.wikirecord import HarvestedFacts, build_record, record_id_from_title
from lod.harvest.wikitext import parse_page
from lod.model import terms
from lod.model.case_study import CaseStudy

DEFAULT_PREFIX = "GLAM/IFLA Case Studies/"
#: Sub-pages that belong to the collection but are not case studies.
FORM_PAGES = frozenset({"form", "template", "preload"})
Progress = Callable[[int, int | None], None]


@dataclass
class Summary:
    """Counts for the end-of-run report."""

    seen: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    with_todos: int = 0
    not_valid: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    #: Records the curator deleted whose source is still there (never written again).
    not_restored: list[str] = field(default_factory=list)
    #: Submissions that look like the same story as another one.
    duplicates: list[str] = field(default_factory=list)
    #: Other things worth a line: what changed in the source since the last import.
    notes: list[str] = field(default_factory=list)
    requests: int | None = None
    content_requests: int | None = None
    written: list[Path] = field(default_factory=list)

    def render(self, what: str = "pages") -> str:
        """The lines printed at the end of a run."""
        skipped = sum(self.skipped.values())
        detail = ", ".join(f"{reason}: {count}" for reason, count in sorted(self.skipped.items()))
        lines = [
            f"{self.seen} {what} seen: {self.outcomes['new']} new, {self.outcomes['changed']} changed, "
            f"{self.outcomes['unchanged']} unchanged, {skipped} skipped"
            + (f" ({detail})" if detail else ""),
            f"{self.with_todos} draft{'s' if self.with_todos != 1 else ''} with to-dos (TODO lines in notes)",
        ]
        if self.not_valid:
            lines.append(
                f"{len(self.not_valid)} draft(s) do not validate yet (`lod validate` names the fields): "
                + ", ".join(self.not_valid)
            )
        lines += self.notes
        lines += [f"kept: {line}" for line in self.kept]
        lines += [f"not brought back: {line}" for line in self.not_restored]
        lines += [f"possible duplicate: {line}" for line in self.duplicates]
        lines += [f"no longer a case-study page (record left as it is): {t}" for t in self.gone]
        if self.requests is not None:
            lines.append(
                f"{self.requests} API requests, {self.content_requests} of them for page content"
            )
        lines.append(f"{len(self.written)} file{'s' if len(self.written) != 1 else ''} written")
        return "\n".join(lines)


def normalise_prefix(prefix: str) -> str:
    """The title prefix of the case-study pages, as MediaWiki writes titles, ending in one ``/``.

    Curators type the index page's name as they see it: with or without the
    trailing slash, with underscores (from a URL) or spaces. Titles are cut
    after this prefix, so without the slash every title would start with ``/``.

    >>> normalise_prefix("GLAM/IFLA_Case_Studies")
    'GLAM/IFLA Case Studies/'
    """
    base = " ".join(prefix.replace("_", " ").split()).strip("/").strip()
    return f"{base}/" if base else ""


def skip_reason(ref: PageRef, prefix: str, *, require_prefix: bool = True) -> str | None:
    """Why a listed page is not a case study, or None when it is one.

    A category may hold pages anywhere, so ``require_prefix`` is off there;
    a prefix listing also returns "<prefix> 2016/..." siblings, which are not ours.
    """
    if ref.namespace % 2 == 1:
        return "talk page"
    if ref.namespace != 0:
        return "not in the main namespace"
    if ref.redirect:
        return "redirect"
    base = prefix.rstrip("/")
    if ref.title == base:
        return "index page"
    if require_prefix and not ref.title.startswith(prefix):
        return "not under the prefix"
    if (
        ref.title.startswith(prefix)
        and ref.title[len(prefix) :].rsplit("/", 1)[-1].casefold() in FORM_PAGES
    ):
        return "form page"
    return None


def _bare_title(title: str, namespace: int) -> str:
    return title.split(":", 1)[1] if namespace != 0 and ":" in title else title


#: The language of a translation sub-page ("Bibliowikis/ca", "Bibliowikis/ast", "Bibliowikis/zh-hans"),
#: as the Translate extension names them: a two- or three-letter ISO 639 code (checked against the
#: code list, so "Project/faq" stays a title), with an optional subtag. A page without one is in
#: English. The submission form titles its pages with the same pattern, so every language it offers
#: (mappings/languages.tsv has "ast", "yue", ...) comes back as that language.
LANG_SUBPAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?")
UNMARKED_LANG = "en"


def page_lang_and_title(title: str, prefix: str) -> tuple[str, str | None, str]:
    """(text for the id, language of a ``/xx`` translation sub-page, title to show)."""
    under_prefix = title.startswith(prefix)
    rest = title[len(prefix) :] if under_prefix else title
    head, _, last = rest.rpartition("/")
    is_lang = (
        bool(LANG_SUBPAGE.fullmatch(last))
        and terms.language_tag_problem(last) is None
    )
    lang = last if head and is_lang else None
    body = head if lang else rest
    shown = body if under_prefix else body.rsplit("/", 1)[-1]
    return rest, lang, shown.strip() or rest


def page_facts(page: PageText, prefix: str, site: SiteInfo | None, today: dt.date) -> HarvestedFacts:
    """What a page says, with its provenance."""
    parsed = parse_page(page.text)
    _, lang, title = page_lang_and_title(page.ref.title, prefix)
    url = site.url(page.ref.title) if site else None
    source: dict[str, object] = {"revision": page.ref.revision, "retrieved": today}
    if url:
        source = {"url": url, **source}
    facts = HarvestedFacts(
        title=title,
        fields=parsed.fields,
        summary=parsed.sections.pop("summary", None),
        lead=parsed.lead,
        sections=parsed.sections,
        links=parsed.links,
        lang=lang,
        source=source,
        provenance=f"Draft written by lod harvest from {url or page.ref.title} (revision {page.ref.revision}) on {today}.",
    )
    return facts


def source_values(record: dict[str, Any]) -> dict[str, Any]:
    """What a source said, as remembered in the state file: the draft without lod's own notes.

    A re-harvest compares a page with these values, never with the curated
    file, so a curator's fixes are never reported as changes on the wiki.
    """
    kept = {key: value for key, value in record.items() if key not in ("notes", "source", "status")}
    return dict(json.loads(json.dumps(kept, default=str, sort_keys=True)))


class Harvest:
    """One run over one output directory (see the module docstring)."""

    def __init__(
        self, out_dir: Path, *, prefix: str, today: dt.date, require_prefix: bool = True,
        restore: Collection[str] = (),
    ) -> None:
        self.store = DraftStore(out_dir)
        self.restore = frozenset(restore)
        self.prefix = prefix
        self.require_prefix = require_prefix
        self.today = today
        self.summary = Summary()
        self.site: SiteInfo | None = None
        self.listed: set[str] = set()
        #: Records this run writes for the first time (duplicates are looked for among them too).
        self.new_ids: set[str] = set()

    def wants(self, ref: PageRef) -> bool:
        """Count the page; True when its content must be read (a case study that changed)."""
        self.summary.seen += 1
        reason = skip_reason(ref, self.prefix, require_prefix=self.require_prefix)
        if reason:
            self.summary.skipped[reason] += 1
            return False
        self.listed.add(ref.title)
        known = self.store.pages.get(ref.title)
        record_id = str(known.get("id")) if known and known.get("id") else None
        if record_id and not self._exists(record_id) and record_id not in self.restore:
            moved = " (the page changed since)" if known and known.get("revision") != ref.revision else ""
            self.summary.not_restored.append(
                f"{ref.title}: {record_id}.yaml was deleted{moved}; not brought back (to harvest "
                f"it again, add --restore {record_id})")
            return False
        if not known or known.get("revision") != ref.revision:
            return True
        if known.get("skipped"):  # e.g. a blank page: not read again until it is edited
            self.summary.skipped[str(known["skipped"])] += 1
            return False
        if self._exists(str(known.get("id"))):
            self.summary.outcomes["unchanged"] += 1
            return False
        return True

    def _exists(self, record_id: str) -> bool:
        out = self.store.out_dir
        return (out / f"{record_id}.yaml").exists() or (out / f"{record_id}.draft.yaml").exists()

    def add(self, page: PageText) -> None:
        """Turn one case-study page into a staged draft."""
        facts = page_facts(page, self.prefix, self.site, self.today)
        if not (
            facts.summary or facts.lead or facts.sections or any(b.values for b in facts.fields)
        ):
            self.summary.skipped["empty page"] += 1
            self.store.pages[page.ref.title] = {
                "revision": page.ref.revision,
                "skipped": "empty page",
            }
            self.store.mark_changed()
            return
        known = self.store.pages.get(page.ref.title)
        if known and known.get("id"):
            record_id = self.store.claim(str(known["id"]), set())
        else:
            others = {
                str(entry.get("id"))
                for title, entry in self.store.pages.items()
                if title != page.ref.title
            }
            others |= set(self.store.state.get("imports", {}).values())  # lod import-csv ids
            others |= {str(entry.get("id"))
                       for entry in self.store.state.get("submissions", {}).values()}
            record_id = self.store.claim(
                record_id_from_title(page_lang_and_title(page.ref.title, self.prefix)[0]), others
            )
        if not known:
            self._flag_duplicate(page, facts, record_id)
        draft = build_record(record_id, facts)
        self.new_ids.add(record_id)
        values = source_values(draft.record)
        self.store.pages[page.ref.title] = {"revision": page.ref.revision, "id": record_id,
                                            "values": values}
        self.store.mark_changed()
        last = known.get("values") if known else None
        if last == values and self._exists(record_id):
            # A new revision that changed nothing lod reads: the curated file is left alone.
            self.summary.outcomes["unchanged"] += 1
            return
        if isinstance(last, dict) and self._exists(record_id):
            differs = [key for key in dict.fromkeys([*last, *values]) if last.get(key) != values.get(key)]
            self.summary.notes.append(f"{page.ref.title} ({record_id}): changed on the wiki since "
                                      f"the last harvest: {', '.join(differs)}")
        written = self.store.write(record_id, draft.record)
        self._count(written, draft.todos, draft.record)

    def _flag_duplicate(self, page: PageText, facts: HarvestedFacts, record_id: str) -> None:
        """A new page that looks like a story already here (a page or a form submission)."""
        base = page_lang_and_title(page.ref.title, self.prefix)[0].rsplit("/", 1)[0]
        mine = set(facts.values("institution"))
        others: list[tuple[str, str, set[str]]] = []
        for title, entry in self.store.pages.items():
            values = entry.get("values")
            if title == page.ref.title or not isinstance(values, dict):
                continue
            if page_lang_and_title(title, self.prefix)[0].rsplit("/", 1)[0] == base:
                continue  # a translation of the same page
            names = {str(i.get("name", "")) for i in values.get("institutions", [])
                     if isinstance(i, dict)}
            for text in dict(values.get("title") or {}).values():
                others.append((str(entry.get("id")), str(text), names))
        for entry in self.store.state.get("submissions", {}).values():
            answers = entry.get("answers", {})
            others.append((str(entry.get("id")), str(answers.get("title", "")),
                           institution_names(answers)))
        for other_id, title, names in others:
            if not (self._exists(other_id) or other_id in self.new_ids):
                continue
            reason = looks_same(facts.title, mine, title, names)
            if reason:
                facts.todos.append(f"TODO duplicate: this page looks like the same story as "
                                   f"{other_id} ({reason}); keep one: move what this one adds "
                                   "into the other and delete this file")
                self.summary.duplicates.append(
                    f"{page.ref.title} ({record_id}) looks like the same story as {other_id} "
                    f"({reason})")
                return

    def _count(self, written: Written, todos: list[str], record: dict[str, object]) -> None:
        outcome = "changed" if written.outcome == "kept" else written.outcome
        if written.outcome == "kept":
            self.summary.kept.append(written.describe())
        self.summary.outcomes[outcome] += 1
        if todos:
            self.summary.with_todos += 1
        try:
            CaseStudy.model_validate(record)
        except ValidationError:
            self.summary.not_valid.append(written.record_id)

    def finish(self, *, complete_listing: bool) -> Summary:
        """Write everything staged; note harvested pages that are no longer listed."""
        if complete_listing:
            self.summary.gone = sorted(set(self.store.pages) - self.listed)
        self.summary.written = self.store.commit()
        return self.summary


def harvest_api(
    api: WikiApi,
    out_dir: Path,
    *,
    prefix: str = DEFAULT_PREFIX,
    category: str | None = None,
    today: dt.date,
    progress: Progress | None = None,
    restore: Collection[str] = (),
) -> Summary:
    """Harvest from a live wiki; raises ApiError (nothing written) when the wiki fails us."""
    prefix = normalise_prefix(prefix)
    harvest = Harvest(out_dir, prefix=prefix, today=today, require_prefix=category is None,
                      restore=restore)
    try:
        harvest.site = api.siteinfo()
        listing: Iterable[PageRef] = (
            api.pages_in_category(category)
            if category
            else api.pages_with_prefix(prefix.rstrip("/"))
        )
        wanted = [ref for ref in listing if harvest.wants(ref)]
        for done, page in enumerate(api.texts(wanted), start=1):
            # it may have become a redirect since it was listed
            reason = skip_reason(page.ref, prefix, require_prefix=category is None)
            if reason:
                harvest.summary.skipped[reason] += 1
            else:
                harvest.add(page)
            if progress:
                progress(done, len(wanted))
        summary = harvest.finish(complete_listing=category is None)
    except BaseException:
        harvest.store.abort()
        raise
    summary.requests, summary.content_requests = api.requests, api.content_requests
    return summary


def harvest_dump(
    path: Path,
    out_dir: Path,
    *,
    prefix: str = DEFAULT_PREFIX,
    today: dt.date,
    progress: Progress | None = None,
    restore: Collection[str] = (),
) -> Summary:
    """Harvest from a ``Special:Export`` file; raises DumpError (nothing written) on a bad file."""
    prefix = normalise_prefix(prefix)
    reader = DumpReader(path)
    harvest = Harvest(out_dir, prefix=prefix, today=today, restore=restore)
    base = prefix.rstrip("/")
    try:
        for count, page in enumerate(reader.pages(), start=1):
            if progress and count % 1024 == 0:
                progress(reader.position, reader.size)
            if not _bare_title(page.ref.title, page.ref.namespace).startswith(base):
                continue
            harvest.site = reader.site
            if harvest.wants(page.ref):
                harvest.add(page)
        if progress:
            progress(reader.size, reader.size)
        summary = harvest.finish(complete_listing=True)
    except BaseException:
        harvest.store.abort()
        raise
    return summary


__all__ = ["DEFAULT_PREFIX", "DumpError", "Summary", "harvest_api", "harvest_dump", "normalise_prefix"]
