"""The few Wikidata ids the matcher relies on, each a verified row of ``mappings/wikidata-ids.tsv``.

Kept as data with their labels so that a test can compare every id and label
with the verified table: a wrong id here would silently turn every decision
of the matcher into noise. IFLA's own item is *not* known, so it is never
named by id: a parent counts as IFLA by its official website or its name.
"""

from __future__ import annotations

from typing import Final

INSTANCE_OF: Final = "P31"
SUBCLASS_OF: Final = "P279"
COUNTRY: Final = "P17"
ISIL: Final = "P791"
VIAF: Final = "P214"
OFFICIAL_WEBSITE: Final = "P856"
PARENT_ORGANIZATION: Final = "P749"

#: Properties used by the queries -> their verified English labels.
PROPERTIES: Final[dict[str, str]] = {
    INSTANCE_OF: "instance of",
    SUBCLASS_OF: "subclass of",
    COUNTRY: "country",
    ISIL: "ISIL",
    VIAF: "VIAF cluster ID",
    OFFICIAL_WEBSITE: "official website",
    PARENT_ORGANIZATION: "parent organization or unit",
}

HUMAN: Final = "Q5"
#: Roots (walked with P31/P279*) that make a candidate a library.
LIBRARY_CLASSES: Final[dict[str, str]] = {"Q7075": "library"}
#: Roots that make a candidate an organisation of a kind a case study can name.
ORGANISATION_CLASSES: Final[dict[str, str]] = {
    "Q43229": "organization",
    "Q166118": "archive",
    "Q33506": "museum",
    "Q157031": "foundation",
    "Q484652": "international organization",
    "Q29300714": "international association",
    "Q2467461": "university department",
    "Q28324850": "library network",
}
#: Classes that rule a candidate out whatever else it is.
EXCLUDED_CLASSES: Final[dict[str, str]] = {HUMAN: "human"}

#: ISO 3166-1 alpha-2 -> verified country item; other countries are compared by label.
COUNTRY_ITEMS: Final[dict[str, str]] = {
    "AU": "Q408",
    "CA": "Q16",
    "DE": "Q183",
    "ES": "Q29",
    "FI": "Q33",
    "FR": "Q142",
    "GB": "Q145",
    "NL": "Q55",
    "SE": "Q34",
    "US": "Q30",
}
COUNTRY_LABELS: Final[dict[str, str]] = {
    "Q408": "Australia",
    "Q16": "Canada",
    "Q183": "Germany",
    "Q29": "Spain",
    "Q33": "Finland",
    "Q142": "France",
    "Q145": "United Kingdom",
    "Q55": "Netherlands",
    "Q34": "Sweden",
    "Q30": "United States of America",
}

#: How IFLA is recognised as a parent without knowing its QID.
IFLA_HOSTS: Final = ("ifla.org",)
IFLA_NAMES: Final = ("International Federation of Library Associations and Institutions", "IFLA")


def class_roots() -> dict[str, str]:
    """Every class the details query tests membership of, id -> label."""
    return {**LIBRARY_CLASSES, **ORGANISATION_CLASSES, **EXCLUDED_CLASSES}


def verified_ids() -> dict[str, str]:
    """Every id this package names, with the label it must have in the verified table."""
    return {**PROPERTIES, **class_roots(), **COUNTRY_LABELS}
