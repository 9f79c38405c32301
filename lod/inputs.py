"""One reader per kind of input file: the only code in the package that opens them.

Curators edit YAML records, vocabularies, shapes and ledgers by hand, and a
crash or a copy can leave any file damaged: empty, cut short, binary, a
folder or a symlink loop in its place, unreadable. Each kind of file is read
here, by one function that checks it and returns typed values, or raises
:class:`InputFileError` naming the file (and the line and field where there
is one). The commands turn that error into one line on stderr and exit 1, so
no damaged file ever reaches a user as a traceback, and no other module needs
its own ``try``/``except`` around ``open``. A test walks the package's syntax
tree and fails when a module outside this one opens a file of these kinds.

The reconcile response cache is the exception that proves the rule: it is a
copy of an answer that can be asked for again, so :func:`read_cache_entry`
never raises; a damaged or expired entry is simply a miss.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from lod.problems import Problem

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SCHEME_TYPES = frozenset({
    "http://www.w3.org/2004/02/skos/core#ConceptScheme",
    "http://www.w3.org/2002/07/owl#Ontology",
})
_SHAPE_TYPES = frozenset({
    "http://www.w3.org/ns/shacl#NodeShape",
    "http://www.w3.org/ns/shacl#PropertyShape",
})
#: How long a cached reconcile answer is used before it is asked again: Wikidata changes
#: every day, but a week-old answer is good enough to propose a match a curator will check.
CACHE_MAX_AGE_DAYS = 7


class InputFileError(Exception):
    """One input file cannot be used at all; ``problem`` names it (and the line, field)."""

    def __init__(self, path: Path, message: str, *, line: int = 1, field: str = "(file)") -> None:
        self.problem = Problem(path, line, field, message)
        super().__init__(str(self.problem))


# --- bytes and text -----------------------------------------------------------------------


def _os_reason(error: OSError) -> str:
    import errno

    reasons = {
        errno.ENOENT: "no such file (or a symlink to nothing)",
        errno.EISDIR: "is a folder, not a file",
        errno.EACCES: "cannot read this file: permission denied",
        errno.EPERM: "cannot read this file: permission denied",
        errno.ELOOP: "is a symlink loop",
    }
    return reasons.get(error.errno or 0, f"cannot read this file: {error.strerror or error}")


def read_bytes(path: Path, *, what: str = "file") -> bytes:
    """The bytes of a file; any reason it cannot be read is an :class:`InputFileError`."""
    try:
        if path.is_dir():
            raise InputFileError(path, f"is a folder, not a {what}")
        return path.read_bytes()
    except OSError as error:
        raise InputFileError(path, _os_reason(error)) from None


def decode(path: Path, data: bytes) -> str:
    """UTF-8 text (a leading BOM dropped); bytes that are not UTF-8 are named by their line."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputFileError(path, f"not UTF-8 text (byte {error.start + 1}: {error.reason})",
                             line=line) from None


def read_text(path: Path, *, what: str = "file") -> str:
    """The UTF-8 text of a file (an :class:`InputFileError` when it is not that)."""
    return decode(path, read_bytes(path, what=what))


def _require_content(path: Path, text: str, what: str) -> None:
    if not text.strip():
        raise InputFileError(path, f"empty file; expected {what}")


# --- case-study YAML ---------------------------------------------------------------------------


def read_case_study(path: Path) -> bytes:
    """A case-study file's bytes (the loader parses and checks them, collecting every problem)."""
    return read_bytes(path, what="case-study file")


# --- the contract as JSON Schema ---------------------------------------------------------------


def read_case_study_schema(path: Path) -> dict[str, Any]:
    """The committed JSON Schema of a case-study file (``docs/casestudy.schema.json``).

    The site's submission form takes its limits and patterns from it, so a
    damaged copy is refused with its line rather than giving a form without rules.
    """
    text = read_text(path, what="JSON Schema")
    _require_content(path, text, "the case-study JSON Schema")
    try:
        data = json.loads(text)
    except ValueError as error:
        raise InputFileError(path, f"not JSON ({error})", line=getattr(error, "lineno", 1)) from None
    if not isinstance(data, dict) or not isinstance(data.get("properties"), dict) \
            or not isinstance(data.get("$defs"), dict):
        raise InputFileError(path, "not a case-study JSON Schema (an object with properties "
                                   "and $defs); regenerate it with `python -m lod.model.schema`")
    return data


# --- Turtle: vocabularies, the ontology, the shapes ---------------------------------------------


def read_turtle(path: Path, *, what: str = "Turtle file") -> tuple[Triple, ...]:
    """The triples of a Turtle file; a syntax error names its line."""
    data = read_bytes(path, what=what)
    text = decode(path, data)
    _require_content(path, text, what)
    try:
        return tuple(quad.triple for quad in parse(data, format=RdfFormat.TURTLE))
    except SyntaxError as error:
        message = str(error).split(": ", 1)[-1]
        raise InputFileError(path, f"not valid Turtle: {message}", line=error.lineno or 1) from None


def read_vocabulary(path: Path) -> tuple[Triple, ...]:
    """A vocabulary (``mappings/*.ttl``): Turtle that declares a SKOS scheme or the ontology."""
    what = "a SKOS vocabulary in Turtle"
    triples = read_turtle(path, what=what)
    declared = {t.object.value for t in triples
                if t.predicate.value == _RDF_TYPE and isinstance(t.object, NamedNode)}
    if not declared & _SCHEME_TYPES:
        raise InputFileError(path, "declares no skos:ConceptScheme (nor owl:Ontology); "
                             f"expected {what}")
    return triples


def read_shapes(directory: Path) -> str:
    """The shapes files of ``directory`` (``*.ttl``, sorted) as one Turtle document.

    Each file is parsed on its own first, so that a syntax error names its file
    and line rather than a line of the joined text.
    """
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise InputFileError(directory, "no SHACL shapes files (*.ttl) in this folder")
    texts = []
    for path in files:
        triples = read_turtle(path, what="SHACL shapes in Turtle")
        declared = {t.object.value for t in triples
                    if t.predicate.value == _RDF_TYPE and isinstance(t.object, NamedNode)}
        if not declared & _SHAPE_TYPES:
            raise InputFileError(path, "declares no sh:NodeShape; expected SHACL shapes in Turtle")
        texts.append(read_text(path))
    return "\n".join(texts)


# --- tab-separated tables in mappings/ ----------------------------------------------------------


@dataclass(frozen=True)
class TsvRow:
    """One row of a table, by column name, and the line it is on (for messages)."""

    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def get(self, column: str, default: str | None = None) -> str | None:
        """The value of ``column``, or ``default`` when the table has no such column."""
        return self.values.get(column, default)


def read_tsv(path: Path, columns: Sequence[str], *, exact: bool = False,
             quoted: bool = True) -> list[TsvRow]:
    """A table with a header row naming at least ``columns`` (exactly them when ``exact``).

    Every row must have as many fields as the header; blank lines are skipped.
    ``quoted=False`` reads ``"`` as an ordinary character (csv.QUOTE_NONE).
    """
    text = read_text(path, what="table")
    _require_content(path, text, f"a tab-separated table with columns {', '.join(columns)}")
    if not text.endswith("\n"):  # every line of a table ends; one that does not was cut short
        raise InputFileError(path, "the last line has no line end: was the file cut short?",
                             line=text.count("\n") + 1, field="(row)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t",
                        quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE, strict=True)
    try:
        header = next(reader)
        if (tuple(header) != tuple(columns)) if exact else not set(columns) <= set(header):
            raise InputFileError(path, f"the header must name the columns {', '.join(columns)}; "
                                 f"got {', '.join(header)[:200]}", field="(header)")
        rows = []
        for values in reader:
            if not any(values):
                continue
            if len(values) != len(header):
                raise InputFileError(path, f"{len(values)} fields; expected {len(header)} "
                                     "(tab-separated)", line=reader.line_num, field="(row)")
            rows.append(TsvRow(reader.line_num, dict(zip(header, values, strict=True))))
    except csv.Error as error:
        raise InputFileError(path, f"not a tab-separated table: {error}",
                             line=reader.line_num) from None
    return rows


# --- SSSOM ledgers and proposals ------------------------------------------------------------


def read_sssom_text(path: Path) -> str:
    """The text of an SSSOM TSV file (a ledger or the proposals); :mod:`lod.ledgers` parses it."""
    text = read_text(path, what="SSSOM mapping file")
    _require_content(path, text, "an SSSOM TSV file (# metadata, a header row, rows)")
    return text


# --- harvest state ------------------------------------------------------------------------------


def read_harvest_state(path: Path) -> dict[str, Any] | None:
    """The harvester's state file (None when there is none).

    A damaged state file is refused rather than ignored: ignoring it would
    fetch every page again and report curated records as changed drafts.
    """
    if not os.path.lexists(path):
        return None
    text = read_text(path, what="harvest state file")
    hint = "; delete it to harvest every page again"
    try:
        data = json.loads(text)
    except ValueError as error:
        line = getattr(error, "lineno", 1)
        raise InputFileError(path, f"not JSON ({error}){hint}", line=line) from None
    if not isinstance(data, dict) or not isinstance(data.get("pages", {}), dict) \
            or not isinstance(data.get("files", {}), dict):
        raise InputFileError(path, f"not a harvest state (a JSON object of pages and files){hint}")
    return data


# --- reconcile response cache -----------------------------------------------------------------


def read_cache_entry(path: Path, *, max_age_days: float = CACHE_MAX_AGE_DAYS,
                     now: float | None = None) -> bytes | None:
    """A cached answer, or None: absent, older than ``max_age_days``, or unreadable.

    Never raises: the caller parses the bytes and treats a bad parse as a miss too.
    """
    if max_age_days <= 0:
        return None
    try:
        if not path.is_file():
            return None
        age = (time.time() if now is None else now) - path.stat().st_mtime
        if age > max_age_days * 86_400:
            return None
        return path.read_bytes()
    except OSError:
        return None


# --- MediaWiki dumps -------------------------------------------------------------------------


def open_dump(path: Path) -> BinaryIO:
    """An open ``Special:Export`` file (the caller streams it; it can be gigabytes)."""
    try:
        if path.is_dir():
            raise InputFileError(path, "is a folder, not a MediaWiki XML export")
        return path.open("rb")
    except OSError as error:
        raise InputFileError(path, _os_reason(error)) from None


# --- ids files ---------------------------------------------------------------------------------


def _is_id(text: str) -> bool:
    return len(text) > 1 and text[0] in "PQ" and text[1:].isdigit()


def read_ids(path: Path) -> list[tuple[str, str]]:
    """``--ids``: Wikidata id, tab, the wiki's own id, a pair a line (``#`` comments)."""
    text = read_text(path, what="ids file")
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not all(_is_id(p) for p in parts):
            raise InputFileError(path, "expected 'Wikidata id<TAB>local id'", line=number)
        pairs.append((parts[0], parts[1]))
    if not pairs:
        raise InputFileError(path, "no ids; expected lines of 'Wikidata id<TAB>local id'")
    return pairs


# --- CSV exports (the import's rules are in lod.harvest.csvform) -----------------------------------


def read_csv_export(path: Path) -> str:
    """A form export's text, BOM dropped; the importer splits it into rows.

    Bytes that are not UTF-8 are kept as surrogates (``surrogateescape``) so the
    importer can skip just the rows holding them and say which.
    """
    text = read_bytes(path, what="CSV export").decode("utf-8", errors="surrogateescape")
    _require_content(path, text, "a CSV export with a header row")
    return text.removeprefix("\ufeff")
