"""The few Wikidata ids the matcher relies on, named by their labels; the ids are in the tables.

A property or class is named here by its English label and its id read from
``mappings/wikidata-ids.tsv``, the verified table (a test keeps each row's label
the real one); a country's item by its ISO code from ``mappings/wikidata-values.tsv``.
No id is written in code (issue 21 point 4): a wrong id would silently turn
every decision of the matcher into noise, so it is written once, where a person
checked it. IFLA's own item is *not* known, so it is never named by id: a parent
counts as IFLA by its official website or its name.
"""

from __future__ import annotations

from typing import Final

from lod import resources
from lod.wikidataids import values_rows, verified_id

INSTANCE_OF: Final = "instance of"
SUBCLASS_OF: Final = "subclass of"
COUNTRY: Final = "country"
ISIL: Final = "ISIL"
VIAF: Final = "VIAF cluster ID"
OFFICIAL_WEBSITE: Final = "official website"
PARENT_ORGANIZATION: Final = "parent organization or unit"
#: The properties the queries use, by their verified English labels.
PROPERTIES: Final = (INSTANCE_OF, SUBCLASS_OF, COUNTRY, ISIL, VIAF, OFFICIAL_WEBSITE,
                     PARENT_ORGANIZATION)

#: Roots (walked with instance of / subclass of*) that make a candidate a library.
LIBRARY_CLASSES: Final = ("library",)
#: Roots that make a candidate an organisation of a kind a case study can name.
ORGANISATION_CLASSES: Final = ("organization", "archive", "museum", "foundation",
                               "international organization", "international association",
                               "university department", "library network")
#: Classes that rule a candidate out whatever else it is.
EXCLUDED_CLASSES: Final = ("human",)

#: How IFLA is recognised as a parent without knowing its QID.
IFLA_HOSTS: Final = ("ifla.org",)
IFLA_NAMES: Final = ("International Federation of Library Associations and Institutions", "IFLA")


def pid(label: str) -> str:
    """The verified property labelled ``label``."""
    return verified_id(label, "property")


def _items(labels: tuple[str, ...]) -> dict[str, str]:
    return {verified_id(label, "item"): label for label in labels}


def library_classes() -> dict[str, str]:
    """The library roots, id -> label."""
    return _items(LIBRARY_CLASSES)


def organisation_classes() -> dict[str, str]:
    """The organisation roots, id -> label."""
    return _items(ORGANISATION_CLASSES)


def excluded_classes() -> dict[str, str]:
    """The classes that rule a candidate out, id -> label."""
    return _items(EXCLUDED_CLASSES)


def class_roots() -> dict[str, str]:
    """Every class the details query tests membership of, id -> label."""
    return {**library_classes(), **organisation_classes(), **excluded_classes()}


def country_items() -> dict[str, str]:
    """ISO 3166-1 alpha-2 -> verified country item; other countries are compared by label."""
    path = resources.mappings_dir() / "wikidata-values.tsv"
    return {code: wid for kind, code, wid, _ in values_rows(path) if kind == "country"}


def country_labels() -> dict[str, str]:
    """Verified country item -> its English label."""
    path = resources.mappings_dir() / "wikidata-values.tsv"
    return {wid: label for kind, _, wid, label in values_rows(path) if kind == "country"}


def verified_ids() -> dict[str, str]:
    """Every id the matcher names, with the label it must have in the verified table."""
    return {**{pid(label): label for label in PROPERTIES}, **class_roots(), **country_labels()}
