"""Run catalogue queries in process (pyoxigraph) and shape their results.

Results are kept as RDF terms (``None`` when unbound) so that every output
format decides for itself how to write IRIs and literals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Store,
    Triple,
    Variable,
)

#: A result term; blank nodes only come back from remote endpoints.
Term = NamedNode | Literal | BlankNode


class QueryError(Exception):
    """The query could not be run (syntax, engine or endpoint error)."""


@dataclass(frozen=True)
class QueryResult:
    """Column names and rows of a SELECT query."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]

    def values(self) -> list[tuple[str | None, ...]]:
        """Rows as plain strings: IRIs in full, literals as their lexical form."""
        return [tuple(None if t is None else t.value for t in row) for row in self.rows]


@dataclass(frozen=True)
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query, in the order the engine gave them."""

    triples: tuple[Triple, ...]

    def ntriples(self) -> str:
        """The triples as N-Triples, one a line (what ``--also`` reads back)."""
        return "".join(f"{triple} .\n" for triple in self.triples)


def run_local(
    store: Store, text: str, *, bindings: Mapping[str, Term] | None = None
) -> QueryResult:
    """Run a SELECT query on ``store``; ``bindings`` fix variables to RDF terms safely."""
    answer = run_any(store, text, bindings=bindings)
    if not isinstance(answer, QueryResult):
        raise QueryError("only SELECT queries are supported in the catalogue")
    return answer


def run_any(store: Store, text: str, *, bindings: Mapping[str, Term] | None = None
            ) -> QueryResult | GraphResult | bool:
    """Run any query form: SELECT rows, CONSTRUCT/DESCRIBE triples, or an ASK answer."""
    substitutions: dict[Variable, NamedNode | BlankNode | Literal | Triple] = {
        Variable(name): term for name, term in (bindings or {}).items()
    }
    try:
        solutions = store.query(text, substitutions=substitutions)
    except SyntaxError as error:
        raise QueryError(f"SPARQL syntax error: {error}") from None
    except (OSError, ValueError) as error:
        raise QueryError(f"query failed: {error}") from None
    if isinstance(solutions, QueryBoolean):
        return bool(solutions)
    if isinstance(solutions, QueryTriples):
        return GraphResult(tuple(solutions))
    if not isinstance(solutions, QuerySolutions):
        raise QueryError("unexpected query result")
    columns = tuple(v.value for v in solutions.variables)
    rows = tuple(
        tuple(_as_term(solution[index]) for index in range(len(columns))) for solution in solutions
    )
    return QueryResult(columns, rows)


def _as_term(value: object) -> Term | None:
    if value is None or isinstance(value, NamedNode | Literal | BlankNode):
        return value
    raise QueryError(f"unexpected result term {value!r}")
