"""``lod build``: validated records to the RDF dumps, VoID and the report, atomically.

Everything is produced in memory and written to a staging directory first;
only when all files exist is the staging directory swapped in for ``--out``,
so a failure at any point leaves the previous build exactly as it was.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Store, Triple

from lod.problems import InputError
from lod.publish.report import build_report
from lod.publish.void import void_triples
from lod.query.run import load_store
from lod.rdf.serialize import canonical, jsonld_context, to_jsonld, to_ntriples, to_turtle
from lod.reconcile.links import ledger_triples
from lod.settings import Settings
from lod.validate import validate_paths

DUMP_FILES = ("casestudies.ttl", "casestudies.nt", "casestudies.jsonld", "void.ttl", "report.md")
OWN_FILES = (*DUMP_FILES, "context.jsonld")
#: Inside OUT, kept across builds: results of earlier runs, by content hash.
CACHE_DIR = ".cache"


@dataclass
class BuildResult:
    """What a build wrote and what it saw."""

    out_dir: Path
    records: int
    triples: int
    files: list[Path] = field(default_factory=list)
    report: str = ""
    store: Store | None = None


def render_outputs(triples: set[Triple], store: Store, settings: Settings, records: int) -> dict[str, bytes]:
    """Every output file's bytes, keyed by file name (pure: no I/O)."""
    ordered = canonical(triples)
    outputs = {
        "casestudies.ttl": to_turtle(ordered),
        "casestudies.nt": to_ntriples(ordered),
        "casestudies.jsonld": to_jsonld(ordered),
        "context.jsonld": (json.dumps(jsonld_context(), indent=1) + "\n").encode("utf-8"),
    }
    outputs["void.ttl"] = to_turtle(void_triples(ordered.triples, settings.base, DUMP_FILES[:3]))
    outputs["report.md"] = build_report(store, records=records).encode("utf-8")
    return outputs


def write_atomically(out_dir: Path, outputs: dict[str, bytes],
                     *, before_swap: Callable[[Path], None] | None = None) -> list[Path]:
    """Write ``outputs`` into ``out_dir`` all at once; other files already there are kept."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a published dump is for everyone
    try:
        for name, data in sorted(outputs.items()):
            (staging / name).write_bytes(data)
        if before_swap is not None:
            before_swap(staging)
        if out_dir.exists():
            for entry in out_dir.iterdir():
                if entry.name not in outputs and entry.name not in OWN_FILES:
                    entry.replace(staging / entry.name)
            backup = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
            out_dir.replace(backup / "previous")
            staging.replace(out_dir)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            staging.replace(out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in sorted(outputs)]


def build(settings: Settings, *, before_swap: Callable[[Path], None] | None = None) -> BuildResult:
    """Validate the case studies, then write every dump; raise InputError on any problem."""
    if settings.cache_dir is None:
        settings = settings.model_copy(update={"cache_dir": settings.out_dir / CACHE_DIR})
    validated = validate_paths([settings.data_dir], settings, include_drafts=False)
    if validated.loaded.files == 0:
        raise InputError([])  # handled by the CLI as "no case-study files"
    if validated.problems:
        raise InputError(validated.problems)
    # Curator-accepted Wikidata links (mappings/*.sssom.tsv) fill the gaps records leave.
    records_in = [loaded.record for loaded in validated.loaded.records]
    triples = validated.triples | ledger_triples(settings.base, records_in)
    store = load_store(triples)
    records = len(records_in)
    outputs = render_outputs(triples, store, settings, records)
    files = write_atomically(settings.out_dir, outputs, before_swap=before_swap)
    return BuildResult(
        out_dir=settings.out_dir,
        records=records,
        triples=len(triples),
        files=files,
        report=outputs["report.md"].decode("utf-8"),
        store=store,
    )
