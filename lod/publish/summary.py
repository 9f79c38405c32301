"""The few lines a curator reads after ``lod build``: counts, gaps, where the files are."""

from __future__ import annotations

from lod.publish.dumps import BuildResult


def summary(result: BuildResult) -> str:
    """Counts and gaps of a finished build, and the files it wrote."""
    lines = [f"Built {result.records} case studies ({result.triples} triples)."]
    data = result.data
    if data is not None:
        for label, name in (("institutions", "institutions"), ("countries", "by-country"),
                            ("IFLA units", "by-ifla-unit")):
            lines.append(f"  {label}: {len(data.rows(name))}")
        for what, terms in data.gaps().items():
            column = "type" if what == "library types" else "unit"
            shown = ", ".join(data.shown(column, term) for term in terms[:12]) + (
                " ..." if len(terms) > 12 else "")
            lines.append(f"  gaps, {what} with no case study ({len(terms)}): {shown or 'none'}")
        lines += [f"  {sentence}" for sentence in data.unused()]
    lines.append(f"Wrote to {result.out_dir}/:")
    lines += [f"  {path.name}" for path in result.files]
    return "\n".join(lines)
