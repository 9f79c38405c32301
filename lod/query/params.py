"""``--param K=V``: turn user text into typed RDF terms, never into query text.

A parameter value is only ever used as an RDF term: in process it is handed
to Oxigraph as a variable substitution, and for a remote endpoint it is
written as a trailing ``VALUES`` clause by the term's own N-Triples
serialisation, which escapes quotes, backslashes and line breaks. Whatever a
value contains (quotes, braces, ``#``), it stays one literal or one IRI and
cannot change the shape of the query.

Every parameter of a catalogue query is one of its result columns (the lint
test checks this), so the two ways of binding give the same rows: a
substitution restricts the pattern, a trailing ``VALUES`` keeps the result
rows with that value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pyoxigraph import Literal, NamedNode

from lod.model import vocab
from lod.model.case_study import ID_RE, QID_RE
from lod.model.terms import (
    closest,
    countries,
    country_code_for,
    ifla_unit_ids,
    reserved_code_hint,
)
from lod.namespaces import WD
from lod.query.catalog import VOCABULARY_KINDS, CatalogQuery, Param
from lod.query.run import Term

#: A QID as typed: bare, as a CURIE or as the full entity IRI.
_QID_RE = re.compile(r"(?:wd:|" + re.escape(WD) + f")?({QID_RE.pattern})")
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")


class ParamError(ValueError):
    """A ``--param`` is unknown, malformed, missing or of the wrong kind (a usage error)."""


def vocabulary(kind: str) -> tuple[str, ...]:
    """The term ids a vocabulary kind of parameter accepts (the contract's own tuples)."""
    terms: dict[str, tuple[str, ...]] = {
        "library type": vocab.LIBRARY_TYPES, "project": vocab.PROJECTS,
        "activity": vocab.ACTIVITIES, "role": vocab.ROLES,
        "submitter kind": vocab.SUBMITTER_KINDS, "link kind": vocab.LINK_KINDS,
    }
    return ifla_unit_ids() if kind == "ifla unit" else terms[kind]


def unknown_value(param: Param, what: str, value: str, allowed: Iterable[str], *,
                  why: str | None = None) -> ParamError:
    """The usage error for a value that names nothing, with ``lod validate``'s "did you mean"."""
    options = list(allowed)
    message = f"--param {param.name}: " + (why or f"unknown {what} {value!r}")
    suggestion = closest(value, options)
    if suggestion is not None:
        message += f"; did you mean {suggestion!r}?"
    if len(options) <= 20:
        message += f" (expected one of: {', '.join(options)})"
    return ParamError(message)


def _country(param: Param, value: str) -> Literal:
    import pycountry

    code = country_code_for(value)
    if code is not None:
        return Literal(code)
    hint = reserved_code_hint(value)
    if hint is None and len(value) == 3:
        found = pycountry.countries.get(alpha_3=value.upper())
        hint = str(found.alpha_2) if found is not None else None
    if hint is None and len(value) > 3:
        hint = closest(value, countries().values())
    why = f"{value!r} is not an ISO 3166-1 alpha-2 code (nor a country name)"
    if hint is not None:
        raise ParamError(f"--param {param.name}: {why}; did you mean {hint!r}?")
    raise unknown_value(param, "country code", value, countries(), why=why)


def term_for(param: Param, value: str) -> Term:
    """The RDF term for ``value`` read as a ``param.kind``; raise ParamError when it is not one.

    Vocabulary terms and countries are checked here against the contract's
    lists, so a misspelt value is a usage error with a suggestion, never an
    empty answer; record ids need the data and are checked by :func:`check_ids`.
    """
    kind = param.kind
    if kind in VOCABULARY_KINDS:
        allowed = vocabulary(kind)
        if value not in allowed:
            # Term ids are written like record ids: a value that is not one is not a typo of one.
            why = None if ID_RE.fullmatch(value) else f"{value!r} is not a vocabulary term id"
            raise unknown_value(param, kind, value, allowed, why=why)
        return Literal(value)
    if kind == "country code":
        return _country(param, value)
    if kind == "qid":
        match = _QID_RE.fullmatch(value)
        if not match:
            raise ParamError(f"--param {param.name}: {value!r} is not a Wikidata item id (Q…)")
        return NamedNode(WD + match.group(1))
    if kind == "iri":
        if not value.startswith(("http://", "https://", "urn:")):
            raise ParamError(f"--param {param.name}: {value!r} is not an absolute IRI")
        try:
            return NamedNode(value)
        except ValueError as error:
            raise ParamError(f"--param {param.name}: invalid IRI: {error}") from None
    if kind == "integer":
        if not _INTEGER_RE.fullmatch(value):
            raise ParamError(f"--param {param.name}: {value!r} is not an integer")
        return Literal(int(value))
    return Literal(value)


def bind_params(query: CatalogQuery, assignments: Iterable[str]) -> dict[str, Term]:
    """Read ``K=V`` strings against the query's declared params; check required ones are given."""
    declared = {param.name: param for param in query.params}
    bound: dict[str, Term] = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        name = name.strip().lstrip("?")
        if not sep or not name:
            raise ParamError(f"--param {assignment!r}: expected NAME=VALUE")
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise ParamError(f"query {query.name!r} has no parameter {name!r} (it has: {known})")
        if name in bound:
            raise ParamError(f"--param {name} is given twice")
        bound[name] = term_for(declared[name], value)
    missing = [p.name for p in query.params if not p.optional and p.name not in bound]
    if missing:
        needs = " ".join(f"--param {name}=…" for name in missing)
        raise ParamError(f"query {query.name!r} needs {needs}")
    return bound


def check_ids(query: CatalogQuery, bindings: Mapping[str, Term], known: Iterable[str]) -> None:
    """Every ``record id`` parameter names a record of ``known``; else a ParamError with a hint."""
    ids = sorted(known)
    for param in query.params:
        term = bindings.get(param.name)
        if param.kind == "record id" and term is not None and term.value not in ids:
            raise unknown_value(param, "record id", term.value, ids)


def values_clause(bindings: Mapping[str, Term]) -> str:
    """A trailing ``VALUES`` clause fixing each variable to its term ('' when there is none)."""
    if not bindings:
        return ""
    names = " ".join(f"?{name}" for name in bindings)
    # str() of a pyoxigraph term is its N-Triples form: IRIs checked, literals escaped.
    terms = " ".join(str(term) for term in bindings.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"


def values_list(name: str, terms: Iterable[Term]) -> str:
    """A trailing ``VALUES ?name { t1 t2 … }`` clause: one variable, many values."""
    return f"\nVALUES ?{name} {{ {' '.join(str(term) for term in terms)} }}\n"


def with_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query text with its parameters fixed by a trailing ``VALUES`` clause."""
    return text.rstrip("\n") + "\n" + values_clause(bindings) if bindings else text
