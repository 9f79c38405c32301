"""``lod publish wikidata --only`` / ``--only-from``: the plan and review page of one batch (issue 27 point 8).

Run against the session's test Wikibase (tests/wikibase), as the other dry-run tests are.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CASESTUDIES, Run, run_lod
from publish_seed import SMU
from wikibase import Wikibase

pytestmark = pytest.mark.usefixtures("only_localhost")
BATCH = ("1lib1ref-campaign", SMU)  # a project decided, and a record without a decision


def _publish(wiki: Wikibase, data: Path, out: Path, *extra: str | Path) -> Run:
    return run_lod("publish", "wikidata", "--data", data, "--api", wiki.api_url, "--sparql",
                   wiki.sparql_url, "--ids", wiki.ids_file, "--out", out, *extra)


def test_the_review_page_shows_the_batch_at_hand(test_wikibase: Wikibase, tmp_path: Path) -> None:
    data = tmp_path / "casestudies"
    shutil.copytree(CASESTUDIES, data)
    batch = tmp_path / "batch.txt"
    batch.write_text(f"# this week's batch\n{BATCH[0]}\n\n", encoding="utf-8")
    out = tmp_path / "out"
    done = _publish(test_wikibase, data, out, "--only-from", batch, "--only", BATCH[1])
    assert done.code == 0, done.stderr
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    cases = {item["key"] for item in plan["items"] if item["key"].startswith("casestudy:")}
    assert cases == {f"casestudy:{BATCH[0]}"}
    assert [u["record"] for u in plan["undecided"]] == [BATCH[1]]  # listed, nothing planned
    page = (out / "review.html").read_text(encoding="utf-8")
    assert "#1Lib1Ref" in page  # the project's name
    assert "Enhance the Visibility of Digitized" not in page  # Ball State's work: not this batch


def test_a_batch_naming_an_unknown_record_is_refused(test_wikibase: Wikibase, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _publish(test_wikibase, CASESTUDIES, out, "--only", "no-such-record")
    assert done.code == 1
    assert "not a reviewed or published record" in done.stderr
    assert "no-such-record" in done.stderr and not out.exists()
