"""The curator's loop of issue 27, played end to end as docs/curating.md tells it.

From a messy form export (tests/data/curator/messy-export.csv, written from the
form's rules) to a built site: imports that remember, a duplicate flagged, a
review refused while TODOs remain, reconciliation against a local Oxigraph
holding tests/data/curator/wikidata.ttl (fictional items), a wrong acceptance
withdrawn, a rename that keeps its link, the site's Wikidata column equal to
``lod query institutions``, and ``lod status`` listing exactly what is open at
each step (exit 1 while something blocks publishing, 0 once all is done).

``lod query`` and ``lod site`` read the project's mappings/; this test runs
their functions with the test's own copy of mappings/ (Settings.mappings_dir),
so the project's ledgers are never touched.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from lod.ledgers import read_sssom
from lod.pipeline import assemble
from lod.publish.dumps import build
from lod.query.catalog import get_query
from lod.query.execute import run_in_process
from lod.settings import Settings
from lod.site.build import build_site
from tests.conftest import ROOT, Run, run_lod
from tests.servers import oxigraph_server

DATA = ROOT / "tests" / "data" / "curator"
MESSY = DATA / "messy-export.csv"
CURATOR = "wdu:Test_Curator"
VASCONCELOS = "wikipedia-edit-a-thons-at-biblioteca-vasconcelos"
DUPLICATE = "wikipedia-edit-a-thons-at-the-biblioteca-vasconcelos"
HARBOUR = "photographs-of-the-harbour-on-commons"
GHANA = "wikidata-for-ghanaian-authors"
SCHOOL = "school-library-articles-on-local-history"


class Loop:
    """The curator's folders and the commands as they would type them."""

    def __init__(self, root: Path) -> None:
        self.cs = root / "casestudies"
        self.dist = root / "dist"
        self.mappings = root / "mappings"
        self.proposals = root / "dist-proposals.sssom.tsv"
        shutil.copytree(ROOT / "mappings", self.mappings)
        self.settings = Settings(data_dir=self.cs, out_dir=self.dist, mappings_dir=self.mappings)

    def status(self) -> tuple[Run, set[str], set[str]]:
        done = run_lod("status", "--data", self.cs, "--mappings", self.mappings,
                       "--proposals", self.proposals, "--out", self.dist)
        blocking: set[str] = set()
        opened: set[str] = set()
        section: set[str] | None = None
        for line in done.stdout.splitlines():
            if line.startswith("blocks publishing"):
                section = blocking
            elif line.startswith("open ("):
                section = opened
            elif line.startswith("  ") and section is not None:
                section.add(line.strip())
            else:
                section = None
        return done, blocking, opened

    def review(self, *args: str) -> Run:
        return run_lod("mappings", "review", "--proposals", self.proposals, "--mappings",
                       self.mappings, "--curator", CURATOR, *args)

    def edit(self, record_id: str, *replacements: tuple[str, str], drop_todos: bool = False) -> Path:
        path = self.cs / f"{record_id}.yaml"
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new)
        if drop_todos:
            text = "\n".join(line for line in text.splitlines() if "TODO" not in line) + "\n"
        path.write_text(text, encoding="utf-8")
        return path

    def institutions_query(self) -> dict[str, str | None]:
        graph = assemble([self.cs], self.settings, include_drafts=False)
        assert graph.problems == []
        result = run_in_process(get_query("institutions"), graph.store)
        name, wikidata = result.columns.index("name"), result.columns.index("wikidata")
        return {str(row[name]): (None if row[wikidata] is None else
                                 str(row[wikidata]).rsplit("/", 1)[-1])
                for row in result.values()}

    def site_column(self) -> dict[str, str | None]:
        build_site(self.settings)
        shown: dict[str, str | None] = {}
        for page in (self.dist / "site" / "case").glob("*.html"):
            text = page.read_text(encoding="utf-8")
            for row in re.findall(r'<tr><th scope="row">(.*?)</tr>', text):
                name = html.unescape(re.sub(r"<[^>]+>", "", row.split("</th>", 1)[0]))
                item = re.search(r"Wikidata item (Q\d+)", row)
                assert item or "not known yet" in row
                shown[name] = item.group(1) if item else None
        return shown


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_the_curators_loop(tmp_path: Path) -> None:
    loop = Loop(tmp_path)
    cs = loop.cs

    # 1. Import the export, then again under Google's file name, and a third time.
    assert run_lod("import-csv", MESSY, "--out", cs).code == 0
    first_files = snapshot(cs)
    google = tmp_path / "IFLA case studies (Responses) - Form Responses 1.csv"
    shutil.copy(MESSY, google)
    for export in (google, MESSY, google):
        done = run_lod("import-csv", export, "--out", cs)
        assert "5 unchanged" in done.stdout and "0 files written" in done.stdout
    assert snapshot(cs) == first_files and len(list(cs.glob("*.yaml"))) == 5

    # 2. Status: five drafts with their TODOs and the flagged duplicate; nothing blocks yet.
    done, blocking, opened = loop.status()
    assert done.code == 0 and blocking == set()
    assert opened == {
        f"draft {cs}/{VASCONCELOS}.yaml: 2 TODOs: institutions, institutions[].type",
        f"draft {cs}/{DUPLICATE}.yaml: 2 TODOs: duplicate, lang",
        f"draft {cs}/{HARBOUR}.yaml: 0 TODOs",
        f"draft {cs}/{GHANA}.yaml: 1 TODO: submitted_by",
        f"draft {cs}/{SCHOOL}.yaml: 2 TODOs: ifla_units, institutions[].name",
        (f"possible duplicate: {cs}/{DUPLICATE}.yaml: this submission looks like the same story "
        f"as {VASCONCELOS} (a title with the same words); keep one: move what this one adds "
        "into the other and delete this file"),
    }

    # 3. The duplicate is deleted; a review marked finished with its TODOs left is refused.
    (cs / f"{DUPLICATE}.yaml").unlink()
    path = loop.edit(VASCONCELOS, ("status: draft", "status: reviewed"))
    refused = run_lod("validate", cs)
    assert refused.code == 1 and re.search(
        rf"{re.escape(str(path))}:\d+: notes: status is 'reviewed' but notes still has 2 TODO",
        refused.stderr)
    done, blocking, _ = loop.status()
    assert done.code == 1
    assert blocking == {f"{path}: marked reviewed with 2 TODO lines left in notes"}

    # 4. Each review finished: TODOs resolved and deleted, status reviewed.
    loop.edit(VASCONCELOS, (("- name: Universidad Nacional Autónoma de México\n  country: MX\n"
                            "  type: public"), ("- name: Universidad Nacional Autónoma de México\n"
                            "  country: MX\n  type: academic")), drop_todos=True)
    loop.edit(HARBOUR, ("status: draft", "status: reviewed"))
    loop.edit(GHANA, ("status: draft", "status: reviewed"), drop_todos=True)
    loop.edit(SCHOOL, ("status: draft", "status: reviewed"),
              ("name: School library articles on local history", "name: Minato Elementary School"),
              drop_todos=True)
    assert run_lod("validate", cs).code == 0
    reviewed = snapshot(cs)
    again = run_lod("import-csv", google, "--out", cs)  # after review: nothing comes back
    assert snapshot(cs) == reviewed
    assert f"{DUPLICATE}.yaml was deleted; not brought back" in again.stdout
    done, blocking, opened = loop.status()
    assert (done.code, blocking, opened) == (0, set(), set())

    with oxigraph_server(files=[DATA / "wikidata.ttl"]) as wikidata:
        reconciled = run_lod("reconcile", "--data", cs, "--endpoint", wikidata.query_url,
                             "--out", loop.proposals, "--mappings", loop.mappings, "--no-units")
    assert reconciled.code == 0, reconciled.stderr
    rows = {row.qid: row for row in read_sssom(loop.proposals).rows}
    right, wrong, rotterdam = rows["Q900000501"], rows["Q900000502"], rows["Q900000503"]
    done, blocking, opened = loop.status()
    assert done.code == 0 and opened == {
        ("3 reconciliation proposals for 2 institution(s) or unit(s) to decide (`lod mappings "
        f"review --proposals {loop.proposals}`): Biblioteca Vasconcelos, Stadsbibliotheek Rotterdam")}

    # 5. A wrong acceptance (the namesake abroad), warned about, then withdrawn.
    listed = loop.review("--list").stdout
    assert re.search(r"\n\s+2\s+" + wrong.record_id.split(":")[1], listed)  # numbered as prompted
    accepted = loop.review("--accept", wrong.record_id, "--accept", rotterdam.record_id)
    assert accepted.code == 0
    assert (f"warning: {wrong.record_id} (Biblioteca Vasconcelos -> Q900000502 Biblioteca "
            "Vasconcelos) was ruled out by the matcher: another country") in accepted.stderr
    assert loop.institutions_query()["Biblioteca Vasconcelos"] == "Q900000502"
    assert loop.review("--accept", right.record_id).code == 2  # one item per institution
    withdrawn = loop.review("--withdraw", wrong.record_id)
    assert withdrawn.code == 0 and "1 withdrawn" in withdrawn.stdout
    history = (loop.mappings / "decision-history.tsv").read_text(encoding="utf-8")
    assert (f"withdraw\t{wrong.record_id}\tlcsinst:mx-biblioteca-vasconcelos\tBiblioteca "
            "Vasconcelos\twd:Q900000502\tBiblioteca Vasconcelos\taccepted wd:Q900000502 "
            f"(Biblioteca Vasconcelos) by {CURATOR} on ") in history
    assert loop.review("--accept", right.record_id).code == 0
    ledger = read_sssom(loop.mappings / "institutions.sssom.tsv")
    assert {(row.subject_label, row.qid) for row in ledger.rows} == {
        ("Biblioteca Vasconcelos", "Q900000501"), ("Stadsbibliotheek Rotterdam", "Q900000503")}
    done, blocking, opened = loop.status()
    assert (done.code, blocking, opened) == (0, set(), set())  # the namesake is not open again

    # 6. A rename keeps the link: carried over and said so, then written by relink.
    loop.edit(VASCONCELOS, ("- name: Biblioteca Vasconcelos", "- name: Biblioteca Pública Vasconcelos"))
    assert loop.institutions_query()["Biblioteca Pública Vasconcelos"] == "Q900000501"
    done, blocking, opened = loop.status()
    assert done.code == 0 and opened == {
        ("ledger: lcsinst:mx-biblioteca-vasconcelos ('Biblioteca Vasconcelos' -> Q900000501) "
        "looks renamed to 'Biblioteca Pública Vasconcelos' (lcsinst:mx-biblioteca-publica-"
        "vasconcelos): the link is carried over; `lod mappings relink` writes that into the ledger")}
    relinked = run_lod("mappings", "relink", "--data", cs, "--mappings", loop.mappings,
                       "--curator", CURATOR)
    assert relinked.code == 0 and "1 ledger row moved" in relinked.stdout
    assert {row.subject_id for row in read_sssom(loop.mappings / "institutions.sssom.tsv").rows} == {
        "lcsinst:mx-biblioteca-publica-vasconcelos", "lcsinst:nl-stadsbibliotheek-rotterdam"}

    # 7. The site's Wikidata column says what the query says (ledger links included).
    shown = loop.site_column()
    queried = loop.institutions_query()
    assert shown == queried
    assert shown["Biblioteca Pública Vasconcelos"] == "Q900000501"
    assert shown["Stadsbibliotheek Rotterdam"] == "Q900000503"

    # 8. Built; a reviewed record that disappears blocks until it is back.
    build(loop.settings)
    done, blocking, opened = loop.status()
    assert (done.code, blocking, opened) == (0, set(), set())
    assert done.stdout.strip() == "nothing open: every record is reviewed, every link decided"
    kept = (cs / f"{GHANA}.yaml").read_bytes()
    (cs / f"{GHANA}.yaml").unlink()
    done, blocking, _ = loop.status()
    assert done.code == 1 and len(blocking) == 1 and GHANA in next(iter(blocking))
    (cs / f"{GHANA}.yaml").write_bytes(kept)
    assert loop.status()[0].code == 0
