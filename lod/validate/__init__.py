"""Validation: the contract (pydantic) first, then the SHACL shapes on the graph."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

from pyoxigraph import Triple

from lod.ingest import Loaded, LoadedRecord, is_draft_file, load_case_studies
from lod.ingest.cache import RecordCache
from lod.problems import Problem
from lod.rdf.build import graph_triples
from lod.rdf.vocabularies import vocabulary_triples
from lod.settings import Settings
from lod.validate.institutions import institution_lines
from lod.validate.records import (
    validate_records,
    vocabulary_problems,
)
from lod.validate.shacl_cache import ShaclCache


@dataclass
class Validated:
    """Records that passed, every problem, and (on demand) their graph."""

    loaded: Loaded
    problems: list[Problem] = field(default_factory=list)
    base: str = ""
    #: One record per id (a reviewed record wins over its draft): the graph's records.
    unique: list[LoadedRecord] = field(default_factory=list)
    #: What ``on_text`` returned, by record id (records whose check was cached are absent).
    sidecar: dict[str, object] = field(default_factory=dict)
    #: Every institution line (N-Triples, with its " .\n"), merged over the records, sorted.
    institution_lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @cached_property
    def triples(self) -> set[Triple]:
        """The records' graph with the vocabularies: made only when asked for.

        ``lod build`` never asks: it streams cached per-record blocks instead
        of holding the whole graph.
        """
        return graph_triples(self.base, (item.record for item in self.unique)) | vocabulary_triples()


def validate_paths(
    paths: Iterable[Path], settings: Settings, *, include_drafts: bool = True,
    on_text: Callable[[LoadedRecord, str], object] | None = None,
) -> Validated:
    """Check files against the contract, then the graph of the valid ones against SHACL.

    ``on_text`` (see :func:`validate_records`) sees every record the shapes
    check, with its N-Triples; what it returns is in ``Validated.sidecar``.
    """
    cache_dir = settings.cache_dir
    records_cache = RecordCache.open(cache_dir / "records.sqlite" if cache_dir else None)
    loaded = load_case_studies(paths, include_drafts=include_drafts, cache=records_cache,
                               derive=partial(institution_lines, settings.base))
    result = Validated(loaded, problems=list(loaded.problems), base=settings.base)
    # A draft shares its record's id: check it, but put only one of them in the graph.
    chosen: dict[str, LoadedRecord] = {}
    for item in loaded.records:
        current = chosen.get(item.id)
        if current is None or is_draft_file(current.path):
            chosen[item.id] = item
    unique = result.unique = list(chosen.values())
    vocabulary = vocabulary_triples()
    cache = ShaclCache.open(settings.cache_dir / "shacl.sqlite" if settings.cache_dir else None)
    result.problems += vocabulary_problems(vocabulary, cache)
    if unique:
        result.problems += validate_records(
            unique, base=settings.base, vocabulary=vocabulary, cache=cache,
            on_text=on_text, sidecar=result.sidecar, institutions_out=result.institution_lines,
        )
    result.problems.sort()
    return result
