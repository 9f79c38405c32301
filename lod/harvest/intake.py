"""``lod harvest`` and ``lod import-csv``: the two ways submissions come in as draft records.

The options are checked before anything is read (a wrong combination is a
usage error, exit 2); a source that fails part way writes nothing, and says
so, so a curator can run the same command again.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from lod.problems import Failure, Problem, Say

if TYPE_CHECKING:
    from lod.harvest.wikiapi import WikiApi


def check_source(api: str | None, dump: Path | None, category: str | None) -> None:
    """Exactly one source, and only what it can do (a usage Failure otherwise)."""
    if (api is None) == (dump is None):
        raise Failure("give exactly one of --api URL or --dump FILE (or --template)", usage=True)
    if dump is not None and category:
        raise Failure("--category needs --api: a dump does not list category members", usage=True)
    if api is not None and not api.startswith(("http://", "https://")):
        raise Failure(f"--api: expected an http(s) URL of api.php, got {api!r}", usage=True)


def harvest_pages(client: WikiApi | None, dump: Path | None, out: Path, *, prefix: str,
                  category: str | None, restore: tuple[str, ...]) -> str:
    """Drafts from the wiki (``client``) or from its XML ``dump``; the summary to print."""
    from lod.harvest.wikiapi import ApiError
    from lod.harvest.wikiharvest import DumpError, harvest_api, harvest_dump
    from lod.harvest.wikiprogress import progress_bar

    try:
        with progress_bar("harvest", unit="pages" if client is not None else "bytes") as update:
            if client is not None:
                summary = harvest_api(client, out, prefix=prefix, category=category,
                                      today=dt.date.today(), progress=update, restore=restore)
            elif dump is not None:
                summary = harvest_dump(dump, out, prefix=prefix, today=dt.date.today(),
                                       progress=update, restore=restore)
    except (ApiError, DumpError) as error:
        raise Failure(f"harvest failed: {error}", f"nothing was written to {out}") from None
    return summary.render()


def import_form(file: Path, out: Path, *, restore: tuple[str, ...], say: Say, warn: Say) -> None:
    """Drafts from a form export; the rows it could not read fail the command after the summary."""
    from lod.harvest.csvform import CsvFormatError, import_csv

    if not os.path.lexists(file):  # anything else there (a folder, a loop) is named by the reader
        raise Failure(str(Problem(file, 1, "(file)", "no such file")))
    try:
        summary, problems = import_csv(file, out, restore=restore)
    except CsvFormatError as error:
        raise Failure(str(error), f"nothing was written to {out}") from None
    for problem in problems:
        warn(str(problem))
    say(summary.render("rows"))
    if summary.skipped["unreadable row"]:
        raise Failure()
