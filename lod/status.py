"""``lod status``: the curator's open work at a glance, and whether anything blocks publishing.

Everything is read from the files a curator commits (the case-study folder,
the ledgers, the proposals file) and from the last build's N-Triples dump (to
notice a reviewed record that disappeared since). Nothing is written.

Blocking (exit 1): a file that does not validate, a record marked reviewed or
published that still carries TODO lines, and a reviewed or published record
of the last build whose file is gone. Open but not blocking: drafts and their
TODOs, likely duplicates, orphaned or renamed ledger rows and proposals
waiting for a decision (drafts are never published, and an unlinked
institution is published without its link).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lod.ingest.load import discover, is_draft_file, load_case_studies, stem_id, todo_lines
from lod.inputs import InputFileError, read_text
from lod.ledgers import (
    INSTITUTION_PREFIX,
    MappingFileError,
    institution_subject,
    read_ledger,
    read_sssom,
)
from lod.rdf.build import institution_key
from lod.reconcile.renames import unlinked_rows

PUBLISHABLE = ("reviewed", "published")
_TODO_KIND = re.compile(r"TODO\s+([^:]+):")
_STATUS_LINE = re.compile(
    r'^<[^>]*/casestudy/([^>#]+)> <https://schema\.org/creativeWorkStatus> "(reviewed|published)"')


def todo_kind(line: str) -> str:
    """``TODO institutions[0].type: ...`` -> ``institutions[].type`` (indexes do not make a kind)."""
    found = _TODO_KIND.match(line)
    return re.sub(r"\[\d+\]", "[]", found.group(1).strip()) if found else "other"


@dataclass
class Status:
    """What is open; ``blocking`` lines keep ``lod publish`` from being safe."""

    blocking: list[str] = field(default_factory=list)
    open: list[str] = field(default_factory=list)
    #: Counts over the open items (not items themselves).
    summary: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing blocks publishing."""
        return not self.blocking

    def render(self) -> str:
        """The report printed by ``lod status``."""
        if not self.blocking and not self.open:
            return "nothing open: every record is reviewed, every link decided"
        lines: list[str] = []
        if self.blocking:
            lines.append(f"blocks publishing ({len(self.blocking)}):")
            lines += [f"  {line}" for line in self.blocking]
        if self.open:
            lines.append(f"open ({len(self.open)}):")
            lines += [f"  {line}" for line in self.open]
        lines += self.summary
        return "\n".join(lines)


def _raw(path: Path) -> dict[str, object] | None:
    try:
        text = read_text(path)
        data = yaml.safe_load(text)
    except (InputFileError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def last_build_ids(out_dir: Path) -> list[str]:
    """Ids of the reviewed and published records in the last build's N-Triples dump."""
    dump = out_dir / "casestudies.nt"
    found: list[str] = []
    try:
        with dump.open(encoding="utf-8") as handle:
            for line in handle:
                match = _STATUS_LINE.match(line)
                if match:
                    found.append(match.group(1))
    except (OSError, UnicodeDecodeError):
        return []
    return sorted(set(found))


def collect_status(data: Path, *, mappings: Path | None, proposals: Path, out_dir: Path) -> Status:
    """Everything open in ``data`` and around it (see the module docstring)."""
    status = Status()
    files = discover([data])
    loaded = load_case_studies([data])
    for problem in loaded.problems:
        if problem.field == "notes" and "TODO" in problem.message:
            continue  # listed below with its record
        status.blocking.append(f"does not validate: {problem}")
    kinds: Counter[str] = Counter()
    drafts: list[str] = []
    duplicates: list[str] = []
    present: set[str] = set()
    for path in files:
        raw = _raw(path)
        if raw is None:
            continue
        present.add(stem_id(path))
        todos = todo_lines(str(raw.get("notes") or ""))
        state = raw.get("status")
        if state in PUBLISHABLE and todos:
            status.blocking.append(f"{path}: marked {state} with {len(todos)} TODO line"
                                   f"{'s' if len(todos) != 1 else ''} left in notes")
        elif state == "draft" or is_draft_file(path):
            found = Counter(todo_kind(line) for line in todos)
            detail = (": " + ", ".join(f"{kind} x{count}" if count > 1 else kind
                                       for kind, count in sorted(found.items()))) if todos else ""
            drafts.append(f"draft {path}: {len(todos)} TODO{'s' if len(todos) != 1 else ''}{detail}")
            kinds.update(found)
        duplicates += [f"{path}: {line.removeprefix('TODO duplicate: ')}"
                       for line in todos if todo_kind(line) == "duplicate"]
    for record_id in last_build_ids(out_dir):
        if record_id not in present:
            status.blocking.append(
                f"{record_id}: reviewed in the last build ({out_dir}/casestudies.nt) but its file "
                f"is gone from {data}; restore it from version control, or build again to "
                "confirm it is withdrawn")
    status.open += drafts
    if kinds:
        status.summary.append(f"{len(drafts)} draft{'s' if len(drafts) != 1 else ''}, TODOs by "
                              "kind: " + ", ".join(f"{kind}: {count}"
                                                   for kind, count in sorted(kinds.items())))
    status.open += [f"possible duplicate: {line}" for line in duplicates]
    try:
        ledger = read_ledger(mappings)
        status.open += [f"ledger: {item.message()}"
                        for item in unlinked_rows((r.record for r in loaded.records), ledger)]
    except (MappingFileError, OSError, UnicodeDecodeError) as error:
        status.blocking.append(f"ledger cannot be read: {error}")
    if proposals.exists():
        try:
            linked = {row.subject_id for row in read_ledger(mappings).rows if not row.negated}
            named = {institution_subject(institution_key(institution))
                     for item in loaded.records for institution in item.record.institutions}
            # A proposal for an institution no record names any more (renamed) is stale.
            pending = [row for row in read_sssom(proposals).rows if row.subject_id not in linked
                       and (row.subject_id in named
                            or not row.subject_id.startswith(f"{INSTITUTION_PREFIX}:"))]
        except (MappingFileError, OSError, UnicodeDecodeError) as error:
            status.blocking.append(f"proposals cannot be read: {error}")
        else:
            subjects = sorted({row.subject_label for row in pending})
            if pending:
                status.open.append(
                    f"{len(pending)} reconciliation proposal{'s' if len(pending) != 1 else ''} "
                    f"for {len(subjects)} institution(s) or unit(s) to decide "
                    f"(`lod mappings review --proposals {proposals}`): " + ", ".join(subjects))
    return status
