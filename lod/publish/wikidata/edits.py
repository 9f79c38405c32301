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

from wikibaseintegrator import datatypes
from wikibaseintegrator.models import Qualifiers, Reference, References

from lod.publish.wikidata.model import ItemState, PlannedItem, Statement, Value

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


def summary(planned: PlannedItem, batch: str) -> str:
    """The edit summary: what and which record, then the EditGroups link of the batch.

    The plan key is in every summary so that an edit whose answer was lost can
    be found again in the account's contributions (the wiki, not the query
    service, is the truth).
    """
    what = "new item" if planned.action == "create" else (
        f"{len(planned.statements)} statements")
    return f"lod: {planned.key}: {what} {EDITGROUPS.format(batch=batch)}"
