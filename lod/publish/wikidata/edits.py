"""One planned item -> the ``data`` of one ``wbeditentity`` call (pure, no I/O).

Add-only by construction: ``data`` holds only the labels, descriptions and
statements to add (new statements carry no GUID), never the item's existing
content, so Wikibase keeps everything that is there; wikibaseintegrator's
``Item.write`` (which sends the whole entity, ``REPLACE_ALL`` by default) is
never used. The snaks are built with wikibaseintegrator's datatypes, so the
JSON is what the client library would send.

:func:`replan` is the re-planning of a single item against its fresh state
(after an edit conflict, or on resume): what is there by now is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from wikibaseintegrator import datatypes
from wikibaseintegrator.models import Qualifiers, Reference, References

from lod.publish.wikidata.model import ItemState, PlannedItem, Statement, Value
from lod.wikidataids import verified_ids

EDITGROUPS: Final = "([[:toolforge:editgroups/b/CB/{batch}|details]])"

IdOf = Callable[[str], str]


def _snak(pid: str, value: Value, wiki: IdOf) -> Any:
    prop = wiki(pid)
    if value.type == "item":
        return datatypes.Item(value=wiki(value.value), prop_nr=prop)
    if value.type == "url":
        return datatypes.URL(value=value.value, prop_nr=prop)
    if value.type == "external-id":
        return datatypes.ExternalID(value=value.value, prop_nr=prop)
    if value.type == "string":
        return datatypes.String(value=value.value, prop_nr=prop)
    if value.type == "monolingualtext":
        return datatypes.MonolingualText(text=value.value, language=value.lang, prop_nr=prop)
    if value.type == "time":
        return datatypes.Time(time=value.value, precision=value.precision, prop_nr=prop)
    raise ValueError(f"cannot write a value of type {value.type!r}")


def statement_json(statement: Statement, wiki: IdOf) -> dict[str, Any]:
    """A new statement (no GUID) with its qualifiers and its one reference."""
    qualifiers = Qualifiers()
    for pid, value in statement.qualifiers:
        qualifiers.add(_snak(pid, value, wiki))
    references = References()
    if statement.reference:
        reference = Reference()
        for pid, value in statement.reference:
            reference.add(_snak(pid, value, wiki))
        references.add(reference)
    claim = _snak(statement.property, statement.value, wiki)
    claim.qualifiers = qualifiers
    claim.references = references
    data: dict[str, Any] = claim.get_json()
    data.pop("id", None)
    return data


def edit_data(planned: PlannedItem, wiki: IdOf) -> dict[str, Any]:
    """The ``data`` parameter of the item's one ``wbeditentity``: only what is added."""
    claims: dict[str, list[dict[str, Any]]] = {}
    for statement in planned.statements:
        claims.setdefault(wiki(statement.property), []).append(statement_json(statement, wiki))
    data: dict[str, Any] = {}
    if planned.labels:
        data["labels"] = {lang: {"language": lang, "value": text}
                          for lang, text in sorted(planned.labels.items())}
    if planned.descriptions:
        data["descriptions"] = {lang: {"language": lang, "value": text}
                                for lang, text in sorted(planned.descriptions.items())}
    if claims:
        data["claims"] = claims
    return data


def replan(planned: PlannedItem, current: ItemState) -> PlannedItem:
    """The item re-planned against its current state: only what it still lacks, as an update."""
    labels = {lang: text for lang, text in planned.labels.items() if lang not in current.labels}
    descriptions = {lang: text for lang, text in planned.descriptions.items()
                    if lang not in current.descriptions}
    statements = [s for s in planned.statements if not current.has(s)]
    action = "update" if (labels or descriptions or statements) else "none"
    return replace(planned, action=action, item=current.id, labels=labels,
                   descriptions=descriptions, statements=statements, current=current)


#: MediaWiki keeps at most 500 characters of a summary (CommentStore); Wikibase puts its own
#: automatic summary in front of ours, so ours stays well below.
SUMMARY_LIMIT: Final = 400
KIND_WORDS: Final = {"case-study": "case study", "institution": "institution", "unit": "IFLA unit",
                     "project": "project", "work": "work"}


#: The reference properties a summary names the source by, by their labels (the verified ids of
#: mappings/wikidata-ids.tsv): a page's URL, or the item it is stated in or imported from.
URL_REFERENCES: Final = frozenset({"reference URL", "Wikimedia import URL"})
ITEM_REFERENCES: Final = {"stated in": "stated in", "imported from Wikimedia project": "imported from"}


def _name(wid: str) -> str:
    """An id's English label (mappings/wikidata-ids.tsv) for summaries in words; else the id."""
    return verified_ids().get(wid, wid)


def record_mark(key: str) -> str:
    """The plan key as it stands in every summary: how a lost edit is found again later."""
    return f"(lod record {key})"


def is_create_of(comment: str, key: str) -> bool:
    """True when an edit's comment is the create of ``key`` (see :func:`summary`)."""
    return record_mark(key) in comment and "new item" in comment


def task_link(url: str) -> str:
    """The task page as a summary shows it: a wiki link for a page of Wikidata, else the URL.

    Edit summaries render wiki links, not bare URLs.
    """
    parts = urlsplit(url)
    if parts.hostname in {"www.wikidata.org", "wikidata.org", "m.wikidata.org"} and \
            parts.path.startswith("/wiki/") and not parts.query:
        title = unquote(parts.path.removeprefix("/wiki/")).replace("_", " ")
        if title and not any(c in title for c in "[]|{}"):
            return f"[[{title}]]"
    return url


def sources(planned: PlannedItem) -> list[str]:
    """The sources the statements cite, in words: the URLs, or the work or project stated in."""
    found: list[str] = []
    for statement in planned.statements:
        for pid, value in statement.reference:
            prop = _name(pid)
            if value.type == "url" and prop in URL_REFERENCES:
                text = value.value
            elif value.type == "item" and prop in ITEM_REFERENCES:
                word = ITEM_REFERENCES[prop]
                text = f"{word} {value.value} ({_name(value.value)})" \
                    if value.value in verified_ids() else f"{word} {value.value}"
            else:
                continue
            if text not in found:
                found.append(text)
    return found


def _listed(names: list[str], room: int) -> str:
    """``names`` joined, cut to fit ``room`` characters with how many were left out."""
    shown: list[str] = []
    for n, name in enumerate(names):
        rest = len(names) - n - 1
        tail = f" and {rest} more" if rest else ""
        if len(", ".join([*shown, name])) + len(tail) > room and shown:
            return ", ".join(shown) + f" and {len(names) - n} more"
        shown.append(name)
    return ", ".join(shown)


def summary(planned: PlannedItem, batch: str, task_page: str = "") -> str:
    """The edit summary: in words what is added and from which source, then the record, the
    task page and the EditGroups link of the batch.

    e.g. ``new item, case study "Edit-a-thon": label [en, fr], description [en], 6 statements
    (instance of, title, ...), source https://example.org/report (lod record casestudy:x); task
    [[Wikidata:Requests for permissions/Bot/LodBot]] ([[:toolforge:editgroups/b/CB/..|details]])``

    The plan key stays (as ``(lod record KEY)``) so that an edit whose answer
    was lost can be found again in the account's contributions (the wiki, not
    the query service, is the truth). The words are cut to fit, never the
    key, the task page or the EditGroups link.
    """
    kind = KIND_WORDS.get(planned.kind, planned.kind)
    parts: list[str] = []
    if planned.labels:
        parts.append(f"label [{', '.join(sorted(planned.labels))}]")
    if planned.descriptions:
        parts.append(f"description [{', '.join(sorted(planned.descriptions))}]")
    properties = list(dict.fromkeys(_name(s.property) for s in planned.statements))
    count = len(planned.statements)
    if planned.action == "create":
        title = next((planned.labels[lang] for lang in sorted(planned.labels)), "")
        head = f'new item, {kind} "{title}"' if title else f"new item, {kind}"
    else:
        head = f"added to the {kind} item"
    cited = sources(planned)
    tail = f" {record_mark(planned.key)}"
    if task_page:
        tail += f"; task {task_link(task_page)}"
    tail += f" {EDITGROUPS.format(batch=batch)}"
    room = max(SUMMARY_LIMIT - len(tail), 80)
    text = head + (": " + ", ".join(parts) if parts else "")
    if count:
        text += (", " if parts else ": ") + f"{count} statement{'s' if count != 1 else ''} ("
        source = f"), source {_listed(cited, 160)}" if cited else ")"
        text += _listed(properties, max(room - len(text) - len(source), 30)) + source
    if len(text) > room:
        text = text[:room - 1].rstrip() + "…"
    return text + tail
