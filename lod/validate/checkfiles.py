"""``lod validate``: check the given files or folders, every status included, and say what holds.

Unlike the steps that publish, validation reads drafts too (a curator checks a
draft before reviewing it), and over whole folders it also names the ledger
rows no record uses any more (renamed or orphaned institutions): notes, not
problems, since a rename is repaired with ``lod mappings relink``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lod.problems import Failure, InputError, Problem, Say, report_lines
from lod.settings import Settings

if TYPE_CHECKING:
    from lod.pipeline import Assembled


def check_files(targets: list[Path], settings: Settings, *, note: Say) -> str:
    """The line that says all is valid; InputError or Failure (exit 1) otherwise."""
    from lod.pipeline import assemble

    missing = [p for p in targets if not p.exists()]
    if missing:
        raise Failure(*report_lines([Problem(p, 1, "(file)", "no such file or directory")
                                     for p in missing]))
    result = assemble(targets, settings, include_drafts=True, every_status=True)
    if all(target.is_dir() for target in targets):  # one file alone would orphan every row
        for line in _ledger_notes(result, settings.mappings_dir):
            note(line)
    if result.problems:
        raise InputError(result.problems)
    if not result.loaded.files:
        where = ", ".join(str(p) for p in targets)
        raise Failure(f"{where}: no case-study files (*.yaml, *.yml) found; nothing was checked")
    return f"{result.loaded.files} files checked: all valid"


def _ledger_notes(result: Assembled, folder: Path | None) -> list[str]:
    """Ledger rows no record names: carried over to a renamed institution, or orphaned."""
    from lod.ledgers import LEDGERS, MappingFileError, read_ledger
    from lod.reconcile.renames import unlinked_rows

    try:
        ledger = read_ledger(folder)
    except (MappingFileError, OSError, UnicodeDecodeError):
        return []  # the assembled result reports an unreadable ledger already
    name = next(iter(LEDGERS))
    return [f"mappings/{name}: {item.message()}"
            for item in unlinked_rows((r.record for r in result.records), ledger)]
