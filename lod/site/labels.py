"""What a person reads instead of ids: term labels, regions and IFLA divisions, from the graph.

The vocabularies are part of the pipeline's one graph, so the site asks that
graph (one query per kind of fact) rather than reading ``mappings/`` again;
a label changed in a vocabulary file shows on the next build.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import Store

from lod.model.vocab import ACTIVITIES, LIBRARY_TYPES, PROJECTS
from lod.namespaces import (
    SCHEME_ACTIVITY,
    SCHEME_COUNTRY,
    SCHEME_IFLA_UNIT,
    SCHEME_LIBRARY_TYPE,
    SCHEME_PROJECT,
    VOCAB,
)
from lod.query.run import run_local
from lod.resources import ifla_units

_LABELS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?scheme ?term ?label WHERE {
  ?concept skos:inScheme ?scheme ; skos:notation ?term ; skos:prefLabel ?label .
  FILTER(LANG(?label) = "en" || LANG(?label) = "")
}
"""

#: Country -> its continent (top concept of the region scheme), as M49 places it.
_CONTINENTS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX lcs: <https://w3id.org/libcasestudies/ns#>
SELECT ?country ?region WHERE {
  ?countryConcept skos:inScheme <https://w3id.org/libcasestudies/vocab/country> ;
    skos:notation ?country ; lcs:inRegion/skos:broader* ?regionConcept .
  ?regionConcept skos:topConceptOf <https://w3id.org/libcasestudies/vocab/region> ;
    skos:notation ?region .
}
"""

#: IFLA unit -> the divisions a source places it in, with the structure (era) of each.
_DIVISIONS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX lcs: <https://w3id.org/libcasestudies/ns#>
SELECT ?unit ?division ?era WHERE {
  ?unitConcept skos:inScheme <https://w3id.org/libcasestudies/vocab/ifla-unit> ;
    skos:notation ?unit ; lcs:inDivision ?divisionConcept .
  ?divisionConcept skos:prefLabel ?division ; lcs:era/skos:prefLabel ?era .
  FILTER(LANG(?division) = "en" && LANG(?era) = "en")
}
"""

REGION_SCHEME = "region"
#: Term orders of the closed vocabularies the model lists (the contract's order, not
#: alphabetical); the IFLA units' order is their table's, read with the labels.
ORDERS: dict[str, tuple[str, ...]] = {
    SCHEME_LIBRARY_TYPE: LIBRARY_TYPES,
    SCHEME_PROJECT: PROJECTS,
    SCHEME_ACTIVITY: ACTIVITIES,
}


@dataclass(frozen=True)
class Unit:
    """An IFLA unit as a person sees it."""

    id: str
    name: str
    kind: str
    #: "division label (structure label)" for every division a source states.
    divisions: tuple[str, ...] = ()


@dataclass
class Labels:
    """Term id -> English label per scheme, plus the facts pages need about terms."""

    terms: dict[str, dict[str, str]] = field(default_factory=dict)
    continent: dict[str, str] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)

    def label(self, scheme: str, term: str) -> str:
        """The term's label; the id itself only where the vocabulary has none."""
        return self.terms.get(scheme, {}).get(term, term)

    def library_type(self, term: str) -> str:
        """'public library' for 'public'."""
        return self.label(SCHEME_LIBRARY_TYPE, term)

    def project(self, term: str) -> str:
        """'Wikimedia Commons' for 'commons'."""
        return self.label(SCHEME_PROJECT, term)

    def activity(self, term: str) -> str:
        """'edit-a-thon' for 'editathon'."""
        return self.label(SCHEME_ACTIVITY, term)

    def country(self, code: str) -> str:
        """'United Kingdom' for 'GB'."""
        return self.label(SCHEME_COUNTRY, code)

    def region(self, code: str) -> str:
        """'Europe' for '150'."""
        return self.label(REGION_SCHEME, code)

    def unit(self, unit_id: str) -> str:
        """The unit's name."""
        found = self.units.get(unit_id)
        return found.name if found else unit_id

    def order(self, scheme: str) -> tuple[str, ...]:
        """The scheme's terms in the contract's order; () for a scheme without one."""
        if scheme == SCHEME_IFLA_UNIT:
            return tuple(self.units)  # read_labels fills it in the table's order
        return ORDERS.get(scheme, ())

    def countries(self) -> list[str]:
        """Every country code, ordered by name."""
        return sorted(self.terms.get(SCHEME_COUNTRY, {}), key=lambda c: (self.country(c), c))

    def continents(self) -> list[str]:
        """The continents (top regions), ordered by name."""
        return sorted(set(self.continent.values()), key=lambda r: (self.region(r), r))


def read_labels(store: Store) -> Labels:
    """Read every label, continent and division from the graph in ``store``."""
    labels = Labels()
    for scheme, term, label in run_local(store, _LABELS).values():
        if scheme is None or term is None or label is None or not scheme.startswith(VOCAB):
            continue
        labels.terms.setdefault(scheme[len(VOCAB):], {}).setdefault(term, label)
    for country, region in run_local(store, _CONTINENTS).values():
        if country and region:
            labels.continent[country] = region
    divisions: dict[str, list[str]] = {}
    for unit, division, era in run_local(store, _DIVISIONS).values():
        if unit and division and era:
            divisions.setdefault(unit, []).append(f"{division} ({era})")
    for unit_id, (kind, name) in ifla_units().items():
        shown = labels.terms.get(SCHEME_IFLA_UNIT, {}).get(unit_id, name)
        labels.units[unit_id] = Unit(unit_id, shown, kind, tuple(sorted(divisions.get(unit_id, []))))
    return labels
