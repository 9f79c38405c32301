"""The record policy: which statuses make a record public, said once for every output.

A record's ``status`` says how far curation got (``draft``, ``reviewed``,
``published``). Everything that counts or publishes records (the dumps, VoID,
the report, ``lod query --data``, ``lod serve``, the site and its data files,
the Wikidata plan) keeps only the public ones, so that a number on the
dashboard, a row count of ``lod query`` and a triple count in VoID always
describe the same set. ``lod validate`` is the exception: it checks every
record, drafts included, because a draft is what a curator is working on.

The statuses that are public are chosen through :class:`lod.settings.Settings`
(``public_statuses``); this module holds the default and the one test of a
record against it, so no other module decides it again.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from lod.model.vocab import STATUSES

#: Public by default: a curator has looked at the record (reviewed) or published it.
PUBLIC_STATUSES: Final = ("reviewed", "published")
#: A curator's work: never overwritten by a harvest or an import (they write a draft beside it).
CURATED_STATUSES: Final = ("reviewed", "published")


def check_statuses(statuses: Collection[str]) -> tuple[str, ...]:
    """The statuses in the vocabulary's order; ValueError names an unknown or missing one."""
    unknown = sorted(set(statuses) - set(STATUSES))
    if unknown:
        raise ValueError(f"unknown status {', '.join(map(repr, unknown))}; "
                         f"expected some of: {', '.join(STATUSES)}")
    if not statuses:
        raise ValueError(f"give at least one public status of: {', '.join(STATUSES)}")
    return tuple(status for status in STATUSES if status in statuses)


def is_public(status: str, public: Collection[str]) -> bool:
    """True when a record with ``status`` belongs in the published outputs."""
    return status in public
