"""Read ``queries/*.rq`` and their metadata headers.

Each file starts with ``# key: value`` lines (title, description, endpoint,
params, columns); the header is data for ``lod query --list``, the docs and
the lint test, so it is parsed in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lod import resources

_HEADER_RE = re.compile(r"#\s*([a-z_]+)\s*:\s*(.*)")
ENDPOINT_KINDS = ("local", "wikidata", "both")
#: Vocabulary kinds a ``# params:`` entry may declare: the value must be a term of that vocabulary.
VOCABULARY_KINDS = ("library type", "project", "activity", "ifla unit", "role", "submitter kind",
                    "link kind")
#: Kinds a ``# params:`` entry may declare; each maps to one RDF term type (see params.py).
PARAM_KINDS = ("string", "term", "country code", "qid", "iri", "integer", "record id",
               *VOCABULARY_KINDS)
#: ``term`` alone names its vocabulary by the parameter's name (``?activity (term)``).
_TERM_BY_NAME = {"type": "library type", "project": "project", "activity": "activity",
                 "unit": "ifla unit", "role": "role"}


class CatalogError(Exception):
    """A query file is missing or its header is malformed."""


@dataclass(frozen=True)
class Param:
    """A query parameter: ``name`` (a SPARQL variable without '?') and its kind."""

    name: str
    kind: str
    optional: bool


@dataclass(frozen=True)
class CatalogQuery:
    """One query of the catalogue."""

    name: str
    path: Path
    title: str
    description: str
    endpoint: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str
    #: ``K=V`` parameters for the example in docs/queries.md (optional ``# example:`` line).
    example: tuple[str, ...] = ()
    #: ``# fill: ?var from QUERY.COLUMN``: the values of ?var come from a catalogue query
    #: run on the catalogue (e.g. the institutions' items for a Wikidata extract).
    fill: tuple[str, str, str] | None = None

    @property
    def form(self) -> str:
        """``select``, ``construct``, ``ask`` or ``describe``: the query's form."""
        body = "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith("PREFIX")
                         else "" for line in self.text.splitlines())
        found = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", body, re.IGNORECASE)
        return found.group(1).lower() if found else "select"


_FILL_RE = re.compile(r"\?([A-Za-z_]\w*)\s+from\s+([a-z0-9-]+)\.([A-Za-z_]\w*)")


def _parse_fill(value: str | None, source: str) -> tuple[str, str, str] | None:
    if value is None:
        return None
    match = _FILL_RE.fullmatch(value.strip())
    if not match:
        raise CatalogError(f"{source}: '# fill:' must read '?var from QUERY.COLUMN'")
    variable, query, column = match.groups()
    return variable, query, column


def _parse_params(value: str) -> tuple[Param, ...]:
    if value.strip().lower() in ("", "none", "-"):
        return ()
    params = []
    # Split on the commas between parameters, not those inside "(kind, optional)".
    for chunk in re.split(r",(?![^(]*\))", value):
        match = re.fullmatch(r"\s*\??([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(([^)]*)\))?\s*", chunk)
        if not match:
            raise CatalogError(f"cannot read parameter {chunk.strip()!r}")
        name, spec = match.groups()
        words = [w.strip() for w in (spec or "string").split(",")]
        kind = words[0] or "string"
        if kind not in PARAM_KINDS:
            raise CatalogError(
                f"parameter {name!r} has unknown kind {kind!r}; use one of {', '.join(PARAM_KINDS)}"
            )
        if kind == "term":
            if name not in _TERM_BY_NAME:
                raise CatalogError(f"parameter {name!r}: say which vocabulary "
                                   f"({', '.join(VOCABULARY_KINDS)}) instead of 'term'")
            kind = _TERM_BY_NAME[name]
        params.append(Param(name, kind, "optional" in words[1:]))
    return tuple(params)


def _header(text: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER_RE.fullmatch(line.strip())
        if match:
            header[match.group(1)] = match.group(2).strip()
    return header


def read_query(path: Path) -> CatalogQuery:
    """Parse one ``.rq`` file of the catalogue (header and text)."""
    text = path.read_text(encoding="utf-8")
    header = _header(text)
    missing = [k for k in ("title", "description", "endpoint", "params", "columns") if k not in header]
    if missing:
        raise CatalogError(f"{path}: header lacks {', '.join(missing)}")
    endpoint = header["endpoint"].split()[0]
    if endpoint not in ENDPOINT_KINDS:
        raise CatalogError(f"{path}: endpoint must be one of {', '.join(ENDPOINT_KINDS)}")
    try:
        params = _parse_params(header["params"])
    except CatalogError as error:
        raise CatalogError(f"{path}: {error}") from None
    columns = tuple(c.strip().lstrip("?") for c in header["columns"].split(",") if c.strip())
    return CatalogQuery(
        name=path.stem,
        path=path,
        title=header["title"],
        description=header["description"],
        endpoint=endpoint,
        params=params,
        columns=columns,
        text=text,
        example=tuple(header.get("example", "").split()),
        fill=_parse_fill(header.get("fill"), str(path)),
    )


def own_query(text: str, source: str) -> CatalogQuery:
    """A researcher's own query (a file or standard input): every header line is optional.

    A ``# params:`` line types its parameters exactly as in the catalogue, so a
    researcher's query gets the same checks; without one it takes none.
    """
    header = _header(text)
    try:
        params = _parse_params(header.get("params", ""))
    except CatalogError as error:
        raise CatalogError(f"{source}: {error}") from None
    endpoint = (header.get("endpoint", "local").split() or ["local"])[0]
    if endpoint not in ENDPOINT_KINDS:
        raise CatalogError(f"{source}: endpoint must be one of {', '.join(ENDPOINT_KINDS)}")
    columns = tuple(c.strip().lstrip("?") for c in header.get("columns", "").split(",") if c.strip())
    return CatalogQuery(name=source, path=Path(source), title=header.get("title", source),
                        description=header.get("description", ""), endpoint=endpoint,
                        params=params, columns=columns, text=text,
                        example=tuple(header.get("example", "").split()),
                        fill=_parse_fill(header.get("fill"), source))


def find_query(spec: str, stdin_text: str | None = None) -> CatalogQuery:
    """``NAME`` of the catalogue, a ``FILE.rq`` (any path to a file) or ``-`` (``stdin_text``)."""
    if spec == "-":
        if stdin_text is None or not stdin_text.strip():
            raise CatalogError("no query on standard input")
        return own_query(stdin_text, "<stdin>")
    path = Path(spec)
    if spec.endswith(".rq") or "/" in spec or path.is_file():
        if not path.is_file():
            raise CatalogError(f"{spec}: no such query file")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CatalogError(f"{spec}: cannot read the query ({error})") from None
        return own_query(text, spec)
    return get_query(spec)


def catalog(directory: Path | None = None) -> list[CatalogQuery]:
    """Every query of the catalogue, sorted by name."""
    folder = directory or resources.queries_dir()
    return [read_query(path) for path in sorted(folder.glob("*.rq"))]


def get_query(name: str, directory: Path | None = None) -> CatalogQuery:
    """One query by name; the error lists the names that exist."""
    folder = directory or resources.queries_dir()
    path = folder / f"{name}.rq"
    if not path.is_file():
        names = ", ".join(sorted(p.stem for p in folder.glob("*.rq")))
        raise CatalogError(f"no query named {name!r} (give a .rq file or - for standard input); "
                           f"the catalogue has: {names}")
    return read_query(path)


def params_text(query: CatalogQuery) -> str:
    """Parameters as ``--list`` and the docs show them: ``country (country code)``, ``[id]``."""
    if not query.params:
        return "-"
    shown = [f"[{p.name}: {p.kind}]" if p.optional else f"{p.name}: {p.kind}" for p in query.params]
    return ", ".join(shown)


def list_line(query: CatalogQuery) -> str:
    """One line of ``lod query --list``: name, endpoint, params, title."""
    return f"{query.name:<37} {query.endpoint:<8} {params_text(query):<26} {query.title}"
