"""A form export (CSV: one row per submission, one column per question) -> draft records.

Which column feeds which field is data (``mappings/csv-columns.tsv``), so a
new form is a new row there. Exports are read as they come from spreadsheet
tools: a UTF-8 byte-order mark, cells over several lines, multi-choice answers
joined with commas or one per line, empty rows. A row that cannot be read (a
broken quote, the wrong number of cells, bytes that are not UTF-8, no title)
is reported with its row number and skipped; the other rows are written, all
at once, through the same :class:`~lod.harvest.drafts.DraftStore` rules as the
harvester (curated records are never overwritten).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lod import resources
from lod.harvest.drafts import DraftStore
from lod.harvest.wikiharvest import Summary
from lod.harvest.wikimatch import Lexicon, language_tag, make_lexicon, normalize
from lod.harvest.wikirecord import Facts, build_record, slug
from lod.harvest.wikitext import FieldBullet
from lod.inputs import read_csv_export, read_tsv
from lod.model.case_study import EMAIL_RE, CaseStudy
from lod.model.vocab import SECTION_KEYS
from lod.problems import Problem

WIKI_FIELDS = (
    "institution",
    "library-type",
    "country",
    "ifla-unit",
    "dates",
    "wikimedia-projects",
    "activities",
    "languages",
    "submitted-by",
)
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]")
_YES = frozenset({"yes", "y", "true", "1", "si", "oui", "ja", "sim"})


@cache
def column_fields() -> Lexicon:
    """Normalised column heading -> field, from ``mappings/csv-columns.tsv``."""
    path = resources.mappings_dir() / "csv-columns.tsv"
    return make_lexicon((row["column"], row["field"]) for row in read_tsv(path, ("column", "field")))


@dataclass
class Row:
    """One readable submission: its number (the header is row 1), first line and cells."""

    number: int
    line: int
    cells: dict[str, list[str]] = field(default_factory=dict)
    unmapped: list[tuple[str, str]] = field(default_factory=list)

    def text(self, key: str) -> str:
        """All cells of one field joined by blank lines."""
        return "\n\n".join(cell for cell in self.cells.get(key, []) if cell)


def _cell_values(text: str) -> tuple[str, ...]:
    """A multi-line cell holds one value per line."""
    return tuple(line.strip(" \t•*-") for line in text.splitlines() if line.strip(" \t•*-"))


def read_rows(path: Path, problems: list[Problem]) -> Iterator[Row | None]:
    """Readable rows; None for an empty row; unreadable rows go to ``problems``."""
    with io.StringIO(read_csv_export(path), newline="") as handle:
        reader = csv.reader(handle, strict=True)
        header: list[str | None] | None = None
        names: list[str] = []
        number, last_line = 0, 0
        while True:
            start = last_line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                number += 1
                last_line = reader.line_num
                problems.append(
                    Problem(path, start, f"row {number}", f"cannot read the row ({error}); skipped")
                )
                continue
            number += 1
            last_line = reader.line_num
            if header is None:
                if not any(cell.strip() for cell in cells):
                    number -= 1
                    continue
                names = [cell.strip() for cell in cells]
                header = [column_fields().lookup(name) for name in names]
                for name, key in zip(names, header, strict=True):
                    if key is None:
                        problems.append(
                            Problem(
                                path,
                                start,
                                "(header)",
                                f"column {name!r} is not in "
                                "mappings/csv-columns.tsv; its answers go to notes",
                            )
                        )
                continue
            if not any(cell.strip() for cell in cells):
                yield None
                continue
            if any(re.search(r"[\udc80-\udcff]", cell) for cell in cells):
                problems.append(Problem(path, start, f"row {number}", "not UTF-8 text; skipped"))
                continue
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        path,
                        start,
                        f"row {number}",
                        f"{len(cells)} cells but the header has {len(header)}; skipped",
                    )
                )
                continue
            row = Row(number, start)
            for name, key, cell in zip(names, header, cells, strict=True):
                if key is None:
                    if cell.strip():
                        row.unmapped.append((name, cell.strip()))
                elif key != "ignore":
                    row.cells.setdefault(key, []).append(cell.strip())
            yield row


def row_facts(row: Row, source_name: str) -> Facts:
    """What one submission states, in the harvester's terms."""
    fields = [
        FieldBullet(key, key, _cell_values(row.text(key))) for key in WIKI_FIELDS if row.text(key)
    ]
    start, end = row.text("start"), row.text("end")
    if start or end:
        fields.append(FieldBullet("dates", "dates", (f"{start} – {end}" if end else f"{start} –",)))
    links_text = row.text("links") + "\n" + row.text("resources")
    links: list[tuple[str, str | None]] = [
        (url, None) for url in dict.fromkeys(_URL.findall(links_text))
    ]
    contacts: list[dict[str, Any]] = []
    name, email = row.text("contact-name"), row.text("contact-email")
    if name or email:
        contact: dict[str, Any] = {"name": name} if name else {}
        if email and EMAIL_RE.fullmatch(email):
            contact["email"] = email
        contact["publish"] = normalize(row.text("contact-publish")) in _YES
        if name or "email" in contact:
            contacts.append(contact)
    lang = language_tag(row.text("lang")) if row.text("lang") else None
    stamp = row.text("timestamp")
    lines = [
        f"Imported by lod import-csv from {source_name}, row {row.number}"
        + (f" (submitted {stamp})." if stamp else ".")
    ]
    lines += [f"Column {column!r}: {value}" for column, value in row.unmapped]
    return Facts(
        title=" ".join(row.text("title").split()),
        fields=fields,
        summary=row.text("summary") or None,
        sections={key: row.text(key) for key in SECTION_KEYS if row.text(key)},
        links=links,
        lang=lang,
        contacts=contacts,
        provenance="\n".join(lines),
    )


def import_csv(path: Path, out_dir: Path) -> tuple[Summary, list[Problem]]:
    """Write one draft per readable row of ``path`` into ``out_dir`` (all or nothing)."""
    problems: list[Problem] = []
    summary = Summary()
    store = DraftStore(out_dir)
    imports: dict[str, str] = store.state.setdefault("imports", {})
    try:
        for row in read_rows(path, problems):
            summary.seen += 1
            if row is None:
                summary.skipped["empty row"] += 1
                continue
            facts = row_facts(row, path.name)
            if not facts.title:
                problems.append(Problem(path, row.line, f"row {row.number}", "no title; skipped"))
                summary.skipped["unreadable row"] += 1
                continue
            key = f"{path.name}|{row.text('timestamp')}|{facts.title}"
            others = {value for name, value in imports.items() if name != key}
            others |= {str(entry.get("id")) for entry in store.pages.values()}
            record_id = store.claim(imports.get(key) or slug(facts.title), others)
            imports[key] = record_id
            draft = build_record(record_id, facts)
            written = store.write(record_id, draft.record)
            store.mark_changed()
            summary.outcomes["changed" if written.outcome == "kept" else written.outcome] += 1
            if written.outcome == "kept":
                summary.kept.append(written.describe())
            summary.with_todos += bool(draft.todos)
            try:
                CaseStudy.model_validate(draft.record)
            except ValidationError:
                summary.not_valid.append(record_id)
        summary.written = store.commit()
    except BaseException:
        store.abort()
        raise
    unreadable = sum(
        1 for p in problems if p.field.startswith("row ") and "no title" not in p.message
    )
    summary.skipped["unreadable row"] += unreadable
    summary.seen += unreadable
    return summary, problems
