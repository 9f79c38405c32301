"""The QIDs of created case-study items written back into their records (``wikidata:``).

Only ids of Wikidata itself are written: an item made on a test Wikibase has an
id of that wiki, which must never pass for a Wikidata id in a record. A record
whose ``wikidata:`` is a create decision (``{create: ...}``, on one line or as
an indented block) gets the new QID in its place, so that the next plan updates
that item instead of creating another; a record that names a QID already is left
as it is. Each file is replaced atomically (temporary file, then rename),
keeping every other byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from lod.publish.wikidata.verify import write_atomically

_ID_LINE = re.compile(r"^id:\s*(\S+)\s*$", re.MULTILINE)
_HAS_QID = re.compile(r"^wikidata:\s*Q[1-9]\d*\s*(?:#.*)?$", re.MULTILINE)
#: A create decision: the ``wikidata:`` line and the indented lines of its block.
_DECISION = re.compile(r"^wikidata:.*\n(?:[ \t]+.*\n|[ \t]*\n(?=[ \t]))*", re.MULTILINE)


def record_files(data_dir: Path) -> dict[str, Path]:
    """Record id -> its YAML file."""
    found: dict[str, Path] = {}
    for path in sorted(data_dir.glob("*.yaml")):
        match = _ID_LINE.search(path.read_text(encoding="utf-8"))
        if match:
            found[match.group(1).strip("\"'")] = path
    return found


def write_back(data_dir: Path, created: Mapping[str, str]) -> list[Path]:
    """Add ``wikidata: Q…`` to each record whose case-study item was created (record id -> QID)."""
    files = record_files(data_dir)
    written = []
    for record, qid in sorted(created.items()):
        path = files.get(record)
        if path is None or not re.fullmatch(r"Q[1-9]\d*", qid):
            continue
        text = path.read_text(encoding="utf-8")
        if _HAS_QID.search(text):
            continue
        decision = _DECISION.search(text if text.endswith("\n") else text + "\n")
        if decision is not None:
            text = f"{text[:decision.start()]}wikidata: {qid}\n{text[decision.end():]}"
        else:
            match = _ID_LINE.search(text)
            if match is None:
                continue
            text = f"{text[:match.end()]}\nwikidata: {qid}{text[match.end():]}"
        write_atomically(path, text)
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
