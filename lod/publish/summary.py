"""The few lines a curator reads after ``lod build``: counts, gaps, where the files are."""

from __future__ import annotations

from lod.publish.dumps import BuildResult
from lod.publish.report import gap_lists
from lod.query.catalog import get_query
from lod.query.run import run_local


def summary(result: BuildResult) -> str:
    """Counts and gaps of a finished build, and the files it wrote."""
    lines = [f"Built {result.records} case studies ({result.triples} triples)."]
    if result.store is not None:
        store = result.store
        for label, name in (("institutions", "institutions"), ("countries", "by-country"),
                            ("IFLA units", "by-ifla-unit")):
            count = len(run_local(store, get_query(name).text).rows)
            lines.append(f"  {label}: {count}")
        for what, terms in gap_lists(store).items():
            shown = ", ".join(terms[:12]) + (" ..." if len(terms) > 12 else "")
            lines.append(f"  gaps, {what} with no case study ({len(terms)}): {shown or 'none'}")
    lines.append(f"Wrote to {result.out_dir}/:")
    lines += [f"  {path.name}" for path in result.files]
    return "\n".join(lines)
