"""One record policy: with drafts among the records, every output counts the same case studies.

The policy (lod/model/policy.py, chosen through Settings) says which statuses
are public. The expectations here come from the records' own status lines,
not from an earlier run: the dump, VoID, the report, ``lod query``, the
site's pages and dashboard must all count the public records, and the
site's data files must be the build's dumps, byte for byte.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from conftest import ROOT, VALID_RECORD, run_lod, write_record
from lod.pipeline import assemble
from lod.settings import Settings

STATUSES = {"first-kept": "reviewed", "second-draft": "draft", "third-kept": "published",
            "fourth-draft": "draft", "fifth-kept": "reviewed"}
PUBLIC = sorted(key for key, status in STATUSES.items() if status != "draft")


def _folder(tmp_path: Path) -> Path:
    data = tmp_path / "cs"
    for record_id, status in STATUSES.items():
        write_record(data, record_id, VALID_RECORD.format(id=record_id).replace(
            "status: reviewed", f"status: {status}"))
    return data


def _case_studies_in(ntriples: str) -> set[str]:
    kind = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/libcasestudies/ns#CaseStudy>"
    return {line.split(" ", 1)[0].rsplit("/", 1)[-1].rstrip(">")
            for line in ntriples.splitlines() if kind in line}


def test_with_drafts_every_output_counts_the_same_case_studies(tmp_path: Path) -> None:
    data = _folder(tmp_path)
    out = tmp_path / "dist"
    built = run_lod("build", "--data", data, "--out", out)
    assert built.code == 0, built.stderr
    site = run_lod("site", "--data", data, "--out", out)
    assert site.code == 0, site.stderr
    queried = run_lod("query", "case-studies", "--data", data, "--format", "csv")
    assert queried.code == 0, queried.stderr

    dump = (out / "casestudies.nt").read_text(encoding="utf-8")
    assert sorted(_case_studies_in(dump)) == PUBLIC
    assert f"{len(PUBLIC)} case studies, " in (out / "report.md").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(queried.stdout)))
    assert [row["id"] for row in rows] == PUBLIC
    pages = sorted(path.stem for path in (out / "site" / "case").glob("*.html"))
    assert pages == PUBLIC
    dashboard = (out / "site" / "dashboard.html").read_text(encoding="utf-8")
    assert f"{len(PUBLIC)} case studies are counted (reviewed or published)" in dashboard
    assert re.search(r'<tr data-term="public"><th scope="row"><a [^>]*>public library</a></th>'
                     rf'<td class="number">{len(PUBLIC)}</td>', dashboard)
    index = (out / "site" / "index.html").read_text(encoding="utf-8")
    assert f"All {len(PUBLIC)} case studies" in index
    assert "-draft" not in (out / "site" / "search-data.js").read_text(encoding="utf-8")
    published = sorted(path.name for path in (out / "site" / "data").iterdir())
    assert published == sorted(["casestudies.ttl", "casestudies.nt", "casestudies.jsonld",
                                "void.ttl", "report.md", "context.jsonld"])
    for name in published:
        assert (out / "site" / "data" / name).read_bytes() == (out / name).read_bytes(), name
    # lod validate still reads every record, drafts too.
    assert run_lod("validate", data).stdout.startswith(f"{len(STATUSES)} files checked")


def test_the_policy_is_chosen_through_settings(tmp_path: Path) -> None:
    data = _folder(tmp_path)
    only_published = assemble([data], Settings(public_statuses=("published",)))
    assert [item.id for item in only_published.records] == ["third-kept"]
    assert only_published.statuses == ("published",)
    everything = assemble([data], Settings(), every_status=True)
    assert len(everything.records) == len(STATUSES)
    with pytest.raises(ValidationError, match="unknown status 'done'"):
        Settings(public_statuses=("reviewed", "done"))
    with pytest.raises(ValidationError, match="at least one"):
        Settings(public_statuses=())


@pytest.mark.parametrize(("extra", "count"), [((), len(PUBLIC)), (("--drafts",), len(STATUSES))])
def test_lod_serve_serves_the_public_records_unless_given_drafts(
        tmp_path: Path, extra: tuple[str, ...], count: int) -> None:
    data = _folder(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "lod", "serve", "--data", str(data), "--port", "0", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        assert process.stdout is not None
        endpoint = process.stdout.readline().split()[-1]
        process.stdout.readline()
        assert f"from {count} case studies" in process.stdout.readline()
        served = run_lod("query", "case-studies", "--endpoint", endpoint, "--format", "csv")
        assert served.code == 0, served.stderr
        assert len(list(csv.DictReader(io.StringIO(served.stdout)))) == count
    finally:
        process.terminate()
        process.wait(timeout=60)
