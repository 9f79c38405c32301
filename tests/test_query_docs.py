"""``docs/queries.md`` is generated from the query headers and must be current."""

from __future__ import annotations

from pathlib import Path

from lod.query.catalog import catalog
from lod.query.docs import DOCS, main, render


def test_docs_are_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/queries.md is stale: run `.venv/bin/python -m lod.query.docs`"
    )


def test_every_query_has_a_section_with_an_example() -> None:
    page = DOCS.read_text(encoding="utf-8")
    for query in catalog():
        section = page.split(f"## `{query.name}`\n", 1)[1].split("\n## ", 1)[0]
        assert query.description in section
        assert "Example:" in section
        if query.form == "select":
            assert f"| {' | '.join(query.columns)} |" in section
        else:
            assert "triples" in section


def test_check_mode_reports_a_stale_page(tmp_path: Path) -> None:
    stale = tmp_path / "queries.md"
    stale.write_text("old\n", encoding="utf-8")
    assert main(["--check", "--out", str(stale)]) == 1
    assert main(["--out", str(stale)]) == 0
    assert main(["--check", "--out", str(stale)]) == 0
