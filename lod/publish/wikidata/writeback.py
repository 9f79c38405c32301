"""The QIDs of created case-study items written back into their records (``wikidata:``).

Only ids of Wikidata itself are written: an item made on a test Wikibase has an
id of that wiki, which must never pass for a Wikidata id in a record. A record
that names a QID in its top-level ``wikidata`` already is left as it is; one whose
``wikidata`` is a create decision (``{create: ...}``, on one line or as an
indented block) gets the new QID in place of the decision, so that the next plan
updates that item instead of creating another. Otherwise the change is one
added line after the ``id:`` line, ending as that line ends (LF or CRLF); every
other byte, the comments, the key order and the quoting stay as the curator
wrote them, and :func:`lod.files.write_atomic` keeps the file's mode and owner.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from lod.files import write_atomic
from lod.inputs import read_case_study

_ID_LINE = re.compile(rb"^id:[ \t]*\S")
_DECISION_LINE = re.compile(rb"^wikidata:")


def _top_level(data: bytes) -> dict[str, object] | None:
    """The record's top-level mapping, or None when the file is not a YAML mapping."""
    try:
        loaded = yaml.safe_load(data)
    except yaml.YAMLError:
        return None
    return loaded if isinstance(loaded, dict) else None


def record_files(data_dir: Path) -> dict[str, Path]:
    """Record id -> its YAML file."""
    found: dict[str, Path] = {}
    for path in sorted(data_dir.glob("*.yaml")):
        record = _top_level(read_case_study(path))
        if record is not None and isinstance(record.get("id"), str):
            found.setdefault(str(record["id"]), path)
    return found


def with_qid(data: bytes, qid: str) -> bytes | None:
    """``data`` with ``wikidata: <qid>`` added after its ``id:`` line; None when it cannot be.

    Works on bytes so that nothing is re-encoded and no line ending is
    translated; the new line copies the ``id:`` line's ending.
    """
    lines = data.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if _ID_LINE.match(line):
            ending = line[len(line.rstrip(b"\r\n")):]
            if not ending:  # the id line is the file's last line, without an ending
                ending = b"\r\n" if b"\r\n" in data else b"\n"
                lines[number] = line + ending
                return b"".join([*lines, f"wikidata: {qid}".encode(), ])
            lines.insert(number + 1, f"wikidata: {qid}".encode() + ending)
            return b"".join(lines)
    return None


def replacing_decision(data: bytes, qid: str) -> bytes | None:
    """``data`` with its top-level ``wikidata:`` block (a create decision) replaced by
    ``wikidata: <qid>``; None when there is no such line."""
    lines = data.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if _DECISION_LINE.match(line):
            end = number + 1
            while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
                end += 1  # the indented lines of a block mapping
            ending = line[len(line.rstrip(b"\r\n")):]
            return b"".join([*lines[:number], f"wikidata: {qid}".encode() + ending, *lines[end:]])
    return None


def write_back(data_dir: Path, created: Mapping[str, str]) -> list[Path]:
    """Add ``wikidata: Q…`` to each record whose case-study item was created (record id -> QID)."""
    files = record_files(data_dir)
    written = []
    for record, qid in sorted(created.items()):
        path = files.get(record)
        if path is None or not re.fullmatch(r"Q[1-9]\d*", qid):
            continue
        data = read_case_study(path)
        current = _top_level(data)
        if current is None or current.get("id") != record or (
                "wikidata" in current and not isinstance(current["wikidata"], dict)):
            continue
        changed = (replacing_decision(data, qid) if "wikidata" in current
                   else with_qid(data, qid))
        if changed is None or _top_level(changed) != {**current, "wikidata": qid}:
            continue  # an id line lod cannot place a line after safely: left for a curator
        write_atomic(path, changed)
        written.append(path)
    return written


def ledger_back(ledger: Path, created: Mapping[str, tuple[str, str]], today: str,
                account: str) -> bool:
    """Accepted rows for institutions whose items were created (institution key -> (QID, name)).

    The item was made from the plan a curator reviewed and published with
    ``account`` (named as author and reviewer, ``wdu:``), so the row is a manual
    curation, dated today; a subject that has an accepted row already keeps it.
    """
    curator = "wdu:" + account.replace(" ", "_")
    from lod.ledgers import (
        MappingRow,
        empty_set,
        institution_subject,
        read_sssom,
        record_id,
        write_sssom,
    )

    current = read_sssom(ledger) if ledger.exists() else empty_set(ledger.name.split(".")[0])
    accepted = {row.subject_id for row in current.rows if not row.negated}
    rows = list(current.rows)
    for key, (qid, name) in sorted(created.items()):
        subject = institution_subject(key)
        if subject in accepted or not re.fullmatch(r"Q[1-9]\d*", qid):
            continue
        rows.append(MappingRow(
            record_id=record_id(subject, f"wd:{qid}"), subject_id=subject, subject_label=name,
            object_id=f"wd:{qid}", object_label=name,
            mapping_justification="semapv:ManualMappingCuration", author_id=curator,
            reviewer_id=curator, mapping_tool="lod publish",
            mapping_date=today, comment="item created by lod publish wikidata --live"))
    if len(rows) == len(current.rows):
        return False
    write_sssom(ledger, current.with_rows(rows))
    return True
