"""A Special:Export dump is streamed: memory stays flat however large the file is.

The dumps are made here: a few case-study pages among many unrelated pages
(like a full dump of the Outreach wiki), in the export-0.11 shape MediaWiki
writes. `python tests/test_harvest_dump.py OUT.xml N` writes one for benchmarks.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
import tracemalloc
from pathlib import Path
from xml.sax.saxutils import escape

from lod.harvest.wikiharvest import harvest_dump
from lod.ingest.load import load_case_studies

HEAD = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">
  <siteinfo>
    <sitename>Outreach Wiki</sitename>
    <base>https://outreach.wikimedia.org/wiki/Main_Page</base>
    <namespaces><namespace key="0" case="first-letter" /><namespace key="1" case="first-letter">Talk</namespace></namespaces>
  </siteinfo>
"""
CASE_STUDY = """== Summary/Abstract ==
Library number {n} ran an edit-a-thon.

== Context/Background ==
* Institution: Library {n} – public library – Spain
* IFLA unit: Public Libraries Section
* Dates: 2019–2020
* Wikimedia projects: Wikipedia
"""
FILLER = "Unrelated outreach text with [[links]] and {{templates}}. " * 70


def page_xml(title: str, revision: int, text: str, namespace: int = 0) -> str:
    """One <page> as Special:Export writes it."""
    return (
        f"  <page>\n    <title>{escape(title)}</title>\n    <ns>{namespace}</ns>\n    <id>{revision}</id>\n"
        f"    <revision>\n      <id>{revision}</id>\n      <timestamp>2024-01-01T00:00:00Z</timestamp>\n"
        f'      <model>wikitext</model>\n      <format>text/x-wiki</format>\n      <text bytes="{len(text)}" '
        f'xml:space="preserve">{escape(text)}</text>\n    </revision>\n  </page>\n'
    )


def write_dump(path: Path, pages: int, case_studies: int = 20) -> None:
    """``pages`` pages, of which ``case_studies`` (spread evenly) are under the case-study prefix."""
    every = max(1, pages // max(1, case_studies))
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEAD)
        for n in range(1, pages + 1):
            if n % every == 0 and n // every <= case_studies:
                handle.write(
                    page_xml(f"GLAM/IFLA Case Studies/Library {n}", n, CASE_STUDY.format(n=n))
                )
            else:
                handle.write(page_xml(f"Some other page {n}", n, FILLER))
        handle.write("</mediawiki>\n")


def peak_memory(dump: Path, out: Path) -> tuple[int, float]:
    """Peak Python allocation (bytes) and seconds of one harvest of ``dump``."""
    tracemalloc.start()
    started = time.perf_counter()
    harvest_dump(dump, out, today=dt.date(2026, 1, 1))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, seconds


def test_memory_stays_flat_as_the_dump_grows(tmp_path: Path) -> None:
    warm = tmp_path / "warm.xml"
    write_dump(warm, 50, case_studies=2)
    harvest_dump(
        warm, tmp_path / "warm", today=dt.date(2026, 1, 1)
    )  # vocabularies and caches first
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    write_dump(small, 1_000)
    write_dump(large, 8_000)
    peak_small, _ = peak_memory(small, tmp_path / "out-small")
    peak_large, _ = peak_memory(large, tmp_path / "out-large")
    assert large.stat().st_size > 7 * small.stat().st_size
    assert peak_large < peak_small + 2_000_000, (peak_small, peak_large)
    loaded = load_case_studies([tmp_path / "out-large"])
    assert loaded.problems == [] and len(loaded.records) == 20


if __name__ == "__main__":  # benchmark: python tests/test_harvest_dump.py dump.xml 500000
    write_dump(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 200)
