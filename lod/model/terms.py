"""Checks of single terms against external standards, with messages a curator can act on.

Language tags follow BCP 47 (RFC 5646) syntax and their primary subtag must be
a real ISO 639 code; countries are ISO 3166-1 alpha-2. The registries come
from ``pycountry``, loaded once on first use.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cache

from lod import resources

# RFC 5646 'langtag' (grandfathered and private-use-only tags left out):
# language[-extlang] [-script] [-region] *(-variant) *(-extension) [-privateuse]
_LANGTAG_RE = re.compile(
    r"(?P<language>[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3})"
    r"(?:-(?P<script>[A-Za-z]{4}))?"
    r"(?:-(?P<region>[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?"
)
#: User-assigned codes in common use for places ISO 3166-1 does not list.
_EXTRA_COUNTRIES = {"XK": "Kosovo"}
_SPDX_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+\-]*")


@cache
def _iso639() -> frozenset[str]:
    import pycountry

    codes: set[str] = set()
    for language in pycountry.languages:
        codes.add(language.alpha_3)
        alpha_2 = getattr(language, "alpha_2", None)
        if alpha_2:
            codes.add(alpha_2)
    return frozenset(codes)


@cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English short name."""
    import pycountry

    found = {country.alpha_2: country.name for country in pycountry.countries}
    found.update(_EXTRA_COUNTRIES)
    return dict(sorted(found.items()))


#: ISO 3166-1 "exceptionally reserved" codes people type for a country whose code differs.
_RESERVED_CODES = {"UK": "GB", "EL": "GR"}


def country_code_for(value: str) -> str | None:
    """The alpha-2 code ``value`` names: a code in any case, an exceptionally reserved code
    (``UK``), or an English short, common or official name (``Canada``); else None."""
    import pycountry

    known = countries()
    text = value.strip()
    if text.upper() in known:
        return text.upper()
    if text.upper() in _RESERVED_CODES:
        return None
    folded = text.casefold()
    for code, name in known.items():
        if name.casefold() == folded:
            return code
    for country in pycountry.countries:
        names = (getattr(country, "common_name", ""), getattr(country, "official_name", ""))
        if folded in {n.casefold() for n in names if n}:
            return str(country.alpha_2)
    return None


def reserved_code_hint(value: str) -> str | None:
    """The code to use instead of an exceptionally reserved one (``UK`` -> ``GB``)."""
    return _RESERVED_CODES.get(value.strip().upper())


def ifla_unit_ids() -> tuple[str, ...]:
    """The IFLA unit ids of the contract, in table order."""
    return tuple(resources.ifla_units())


def closest(value: str, allowed: Iterable[str]) -> str | None:
    """The allowed term nearest to a misspelt one, if any is near enough."""
    options = list(allowed)
    lowered = {option.lower(): option for option in options}
    if value.lower() in lowered:
        return lowered[value.lower()]
    match = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def unknown_term_message(what: str, value: str, allowed: Iterable[str]) -> str:
    """'unknown library type 'publik'; did you mean 'public'? expected one of: ...'."""
    options = list(allowed)
    message = f"unknown {what} {value!r}"
    suggestion = closest(value, options)
    if suggestion is not None:
        message += f"; did you mean {suggestion!r}?"
    if len(options) <= 20:
        message += f" (expected one of: {', '.join(options)})"
    else:
        message += " (see the vocabulary in mappings/)"
    return message


def language_tag_problem(tag: str) -> str | None:
    """Why ``tag`` is not a usable BCP 47 language tag, or None when it is."""
    expected = "expected a BCP 47 language tag such as 'en', 'ca', 'pt-BR' or 'zh-Hant'"
    match = _LANGTAG_RE.fullmatch(tag)
    if not match:
        return f"invalid language tag {tag!r}; {expected}"
    primary = match.group("language").split("-")[0].lower()
    if primary not in _iso639():
        return f"invalid language tag {tag!r}: '{primary}' is not an ISO 639 language code; {expected}"
    return None


def country_problem(code: str) -> str | None:
    """Why ``code`` is not an ISO 3166-1 alpha-2 code, or None when it is."""
    known = countries()
    if code in known:
        return None
    if code.upper() in known:
        return f"country code {code!r} must be upper case: {code.upper()!r}"
    by_name = {name.lower(): alpha_2 for alpha_2, name in known.items()}
    hint = by_name.get(code.lower()) or reserved_code_hint(code)
    message = f"unknown country {code!r}; expected an ISO 3166-1 alpha-2 code such as 'ES' or 'GB'"
    if hint:
        message += f"; did you mean {hint!r}?"
    return message


def check_spdx(value: str) -> str:
    """An SPDX licence id is letters, digits, '.', '+' and '-' (e.g. 'CC-BY-SA-4.0')."""
    if not _SPDX_RE.fullmatch(value):
        raise ValueError(f"invalid licence {value!r}; expected an SPDX id such as 'CC-BY-SA-4.0'")
    return value
