"""The contract's closed vocabularies, as ordered tuples of term ids.

They mirror the SKOS files in ``mappings/`` (a test keeps both in step); the
models validate against these tuples so that a typo is caught before any RDF
is made.
"""

from __future__ import annotations

from typing import Final

STATUSES: Final = ("draft", "reviewed", "published")

LIBRARY_TYPES: Final = (
    "public",
    "academic",
    "research",
    "national",
    "school",
    "special",
    "government",
    "parliamentary",
    "health",
    "law",
    "art",
    "museum",
    "archive",
    "community",
    "non-library",
    "other",
)

PROJECTS: Final = (
    "wikipedia",
    "wikidata",
    "commons",
    "wikisource",
    "wiktionary",
    "wikibooks",
    "wikiquote",
    "wikiversity",
    "wikivoyage",
    "wikinews",
    "wikispecies",
    "wikifunctions",
    "meta",
    "outreach",
)

ACTIVITIES: Final = (
    "editathon",
    "wikimedian-in-residence",
    "training",
    "campaign",
    "1lib1ref",
    "media-upload",
    "data-upload",
    "authority-linking",
    "reference-linking",
    "transcription",
    "content-creation",
    "research",
    "community-building",
    "other",
)

ROLES: Final = ("lead", "partner", "funder", "host")

LINK_KINDS: Final = ("project-page", "report", "dataset", "media", "article", "other")

SUBMITTER_KINDS: Final = ("ifla-unit", "individual", "library", "wikimedia-affiliate", "other")

SECTION_KEYS: Final = ("context", "goals", "implementation", "outcomes", "lessons", "resources")

#: Library types left out of the gap report: they are not kinds of library.
NOT_LIBRARY_TYPES: Final = ("non-library", "other")

DEFAULT_LICENSE: Final = "CC-BY-SA-4.0"
