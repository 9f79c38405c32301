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
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lod import resources
from lod.harvest.drafts import DraftStore
from lod.harvest.formanswers import (
    answer_values,
    institution_names,
    is_empty_answer,
    looks_same,
    split_institutions,
    strip_yes,
)
from lod.harvest.wikiharvest import Summary
from lod.harvest.wikimatch import Lexicon, ifla_units, language_tag, make_lexicon, normalize
from lod.harvest.wikirecord import HarvestedFacts, build_record, record_id_from_title
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
        """All cells of one field joined by blank lines ("No", "N/A", "-" are no answer)."""
        return "\n\n".join(
            cell for cell in self.cells.get(key, []) if cell and not is_empty_answer(cell)
        )

    def raw(self, key: str) -> str:
        """The cells of one field as written (a "No" kept: it answers a yes/no question)."""
        return "\n\n".join(cell for cell in self.cells.get(key, []) if cell)


def _cell_values(text: str) -> tuple[str, ...]:
    """A cell's values: one per line (or per ``;``), empty answers ("No", "N/A", "-") left out."""
    return tuple(value.strip(" \t•*-") for value in answer_values(text) if value.strip(" \t•*-"))


def _answers(row: Row, key: str, todos: list[str]) -> tuple[str, ...]:
    """The values one question's answer gives, read as docs/curating.md says.

    "Yes - <unit>" counts as the unit (the submitter and IFLA unit questions
    are yes/no questions that also ask which one); a bare "Yes" names nothing
    and gets a TODO.
    """
    values = _cell_values(row.text(key))
    if key not in ("submitted-by", "ifla-unit"):
        return values
    kept: list[str] = []
    for value in values:
        named = strip_yes(value)
        if named:
            kept.append(named)
        else:
            where = "submitted_by" if key == "submitted-by" else "ifla_units"
            todos.append(f"TODO {where}: the answer {value!r} says yes but names no IFLA unit; "
                         "add the unit, or leave the field out")
    return tuple(kept)


#: The separators spreadsheet exports use, by name (Excel in many locales writes ';').
DELIMITERS = {",": "commas (',')", ";": "semicolons (';')", "\t": "tabs"}


class CsvFormatError(ValueError):
    """The export cannot be read as a form export at all (nothing is written)."""


def detect_delimiter(header: str, path: Path) -> str:
    """The separator of an export, from its header line: the one that gives the most known columns.

    Spreadsheets save "CSV" with ';' where ',' is the decimal mark, and with
    tabs when copied out; the header's column names decide which one was used.
    A header in which no separator gives a known column is refused, naming
    the separator it seems to use, rather than read as one column.
    """
    scores: dict[str, int] = {}
    for delimiter in DELIMITERS:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        scores[delimiter] = sum(1 for cell in cells if column_fields().lookup(cell.strip()))
    best = max(DELIMITERS, key=lambda d: (scores[d], d == ","))
    if scores[best] > 0:
        return best
    used = max(DELIMITERS, key=lambda d: (header.count(d), d == ","))
    raise CsvFormatError(
        f"{path}:1: (header): no column of the header is in mappings/csv-columns.tsv; the header "
        f"seems to be separated by {DELIMITERS[used]} - export the form's responses as CSV "
        "(comma, semicolon or tab separated) with the question texts as the first row"
    )


def _header_line(text: str) -> str:
    for line in io.StringIO(text, newline=""):
        if line.strip():
            return line.rstrip("\r\n")
    return ""


def read_rows(path: Path, problems: list[Problem]) -> Iterator[Row | None]:
    """Readable rows; None for an empty row; unreadable rows go to ``problems``.

    Raises :class:`CsvFormatError` when no separator makes the header a form's header.
    """
    text = read_csv_export(path)
    header_line = _header_line(text)
    delimiter = detect_delimiter(header_line, path) if header_line else ","
    if delimiter != ",":
        problems.append(Problem(path, 1, "(header)",
                                f"the export is separated by {DELIMITERS[delimiter]}; read as such"))
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle, strict=True, delimiter=delimiter)
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


def row_facts(row: Row, source_name: str) -> HarvestedFacts:
    """What one submission states, in the harvester's terms."""
    todos: list[str] = []
    answers = {key: _answers(row, key, todos) for key in WIKI_FIELDS}
    institutions: list[str] = []
    for value in answers["institution"]:
        if ifla_units().lookup(value):  # a unit named where an institution was asked for
            answers["ifla-unit"] += (value,)
            todos.append(f"TODO ifla_units: the institution answer {value!r} is an IFLA unit; "
                         "it was listed as one, not as an institution")
            continue
        names, todo = split_institutions(value)
        institutions += names
        if todo:
            todos.append(f"TODO institutions: {todo}")
    answers["institution"] = tuple(institutions)
    fields = [FieldBullet(key, key, values) for key, values in answers.items() if values]
    start, end = (" ".join(_cell_values(row.text(key))) for key in ("start", "end"))
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
        contact["publish"] = normalize(row.raw("contact-publish")) in _YES
        if name or "email" in contact:
            contacts.append(contact)
    lang = language_tag(row.text("lang")) if row.text("lang") else None
    stamp = row.text("timestamp")
    lines = [
        f"Imported by lod import-csv from {source_name}, row {row.number}"
        + (f" (submitted {stamp})." if stamp else ".")
    ]
    lines += [f"Column {column!r}: {value}" for column, value in row.unmapped]
    return HarvestedFacts(
        title=" ".join(row.text("title").split()),
        fields=fields,
        summary=row.text("summary") or None,
        sections={key: row.text(key) for key in SECTION_KEYS if row.text(key)},
        links=links,
        lang=lang,
        contacts=contacts,
        provenance="\n".join(lines),
        origin="form",
        todos=todos,
    )


def submitter(row: Row) -> str:
    """Who sent a row in: the e-mail address, else the name (case-blind)."""
    return (row.text("contact-email") or row.text("contact-name")).strip().casefold()


def answers_of(row: Row) -> dict[str, str]:
    """Every answer of a row as written, by field (unmapped columns by their heading)."""
    values = {key: "\n\n".join(cells) for key, cells in sorted(row.cells.items())}
    values.update({f"column {name}": value for name, value in row.unmapped})
    return {key: value for key, value in values.items() if value.strip()}


def submission_key(timestamp: str, who: str, title: str) -> str:
    """A submission's identity: its content, never the export's file name or the row's position."""
    return f"{' '.join(timestamp.split())}|{who}|{normalize(title)}"


def same_story(new: dict[str, str], old: dict[str, str]) -> str | None:
    """Why two submissions look like one story (see :func:`looks_same`)."""
    return looks_same(new.get("title", ""), institution_names(new),
                      old.get("title", ""), institution_names(old))


def _from_legacy(state: dict[str, Any], timestamp: str, title: str,
                 answers: dict[str, str]) -> dict[str, Any] | None:
    """A submission imported before imports remembered answers (keyed by file name, timestamp
    and title): its record is adopted, and its answers are taken as the ones last imported."""
    legacy: dict[str, str] = state.get("imports", {})
    for name, record_id in list(legacy.items()):
        if name.split("|", 1)[-1] == f"{timestamp}|{title}":
            for other in [n for n, i in legacy.items() if i == record_id]:
                del legacy[other]
            return {"id": record_id, "answers": answers}
    return None


def _find_known(submissions: dict[str, dict[str, Any]], key: str) -> str | None:
    """The state key of a submission seen before: the same key, or the same timestamp and
    submitter with other answers (an edited response keeps both)."""
    if key in submissions:
        return key
    stamp, who, _ = key.split("|", 2)
    if not stamp.strip():
        return None
    found = [name for name in submissions if name.split("|", 2)[:2] == [stamp, who]]
    return found[0] if len(found) == 1 else None


def import_csv(path: Path, out_dir: Path, *, restore: Collection[str] = ()
               ) -> tuple[Summary, list[Problem]]:
    """Write one draft per new or changed submission of ``path`` into ``out_dir`` (all or nothing).

    The state file keeps each submission's answers as last imported, by the
    submission's identity (:func:`submission_key`): a re-import compares the
    export with those answers, never with the curated file, so it reports and
    writes only what changed in the source. A record whose file the curator
    deleted is not written again unless its id is in ``restore``.
    """
    problems: list[Problem] = []
    summary = Summary()
    store = DraftStore(out_dir)
    submissions: dict[str, dict[str, Any]] = store.state.setdefault("submissions", {})
    seen_now: dict[str, int] = {}
    written_now: set[str] = set()
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
            key = submission_key(row.text("timestamp"), submitter(row), facts.title)
            if key in seen_now:
                summary.skipped["repeated row"] += 1
                summary.notes.append(f"row {row.number} repeats row {seen_now[key]} "
                                     "(same timestamp, submitter and title); read once")
                continue
            seen_now[key] = row.number
            answers = answers_of(row)
            known_key = _find_known(submissions, key)
            known = submissions.pop(known_key) if known_key else None
            if known is None:
                known = _from_legacy(store.state, row.text("timestamp"), facts.title, answers)
            if known is not None:
                record_id = str(known["id"])
                store.claim(record_id, set())
                submissions[key] = known
                if not store.exists(record_id) and record_id not in restore:
                    changed = known.get("answers") != answers
                    summary.not_restored.append(
                        f"row {row.number}: {record_id}.yaml was deleted"
                        + (" (its answers changed since)" if changed else "")
                        + f"; not brought back (to import it again: lod import-csv {path} "
                        f"--out {out_dir} --restore {record_id})")
                    if changed:
                        known["answers"] = answers
                        store.mark_changed()
                    continue
                if known.get("answers") == answers and store.exists(record_id):
                    summary.outcomes["unchanged"] += 1
                    continue
                differs = sorted(set(answers) ^ set(known.get("answers", {}))
                                 | {k for k in answers if answers[k] != known["answers"].get(k)})
                if differs and store.exists(record_id):
                    summary.notes.append(f"row {row.number} ({record_id}): changed in the export "
                                         f"since the last import: {', '.join(differs)}")
            else:
                others = {str(entry.get("id")) for entry in submissions.values()}
                others |= {str(entry.get("id")) for entry in store.pages.values()}
                others |= set(store.state.get("imports", {}).values())
                record_id = store.claim(record_id_from_title(facts.title), others)
                for other in submissions.values():
                    reason = same_story(answers, other.get("answers", {}))
                    other_id = str(other["id"])
                    if reason and (store.exists(other_id) or other_id in written_now):
                        facts.todos.append(
                            f"TODO duplicate: this submission looks like the same story as "
                            f"{other['id']} ({reason}); keep one: move what this one adds "
                            "into the other and delete this file")
                        summary.duplicates.append(
                            f"row {row.number} ({record_id}) looks like the same story as "
                            f"{other['id']} ({reason})")
                        break
            submissions[key] = {"id": record_id, "answers": answers}
            written_now.add(record_id)
            store.mark_changed()
            draft = build_record(record_id, facts)
            written = store.write(record_id, draft.record)
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
