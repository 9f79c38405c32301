"""The failures issue 20 lists, each as a user meets it, and the rule that only lod.inputs opens inputs."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, VALID_RECORD, Run, run_lod, write_record
from faultproxy import FaultProxy
from lod.text import FORBIDDEN
from servers import Oxigraph, oxigraph_server

PACKAGE = ROOT / "lod"
RECONCILE = ROOT / "tests" / "data" / "reconcile"

# --- nothing but lod/inputs.py opens an input file ------------------------------------------------

#: Calls that open or parse a file by path.
_OPENERS = {"open", "read_text", "read_bytes", "iterparse", "fdopen", "safe_load", "load"}
#: Where a module may still open files, and why: none of these reads a kind of input the issue
#: lists (they write outputs, hold locks, or read the package's own files).
_ALLOWED = {
    "lod/inputs.py": "the readers themselves",
    "lod/files.py": "the atomic writer and the lock (issue 19); reads /proc/self/status",
    "lod/publish/outdir.py": "writes OUT, holds its lock, reads its own swap note",
    "lod/publish/wikidata/verify.py": "writes verify.md",
    "lod/publish/wikidata/journal.py": "issue 19's journal (its reader is issue 19's)",
    "lod/publish/wikidata/planfile.py": "issue 19's plan.json reader",
    "lod/publish/wikidata/livecommands.py": "issue 19: the plan's digest",
    "lod/query/server.py": "the Oxigraph server's own log",
    "lod/query/catalog.py": "the package's SPARQL catalogue (queries/*.rq)",
    "lod/query/docs.py": "a maintainer's script regenerating docs/queries.md",
    "lod/site/pages.py": "the package's static files",
    "lod/site/querypage.py": "the package's vendored Oxigraph files",
    "lod/site/engine.py": "the package's vendored Oxigraph files",
    "lod/site/linked.py": "the pipeline's graph file (made in the run), read a resource at a time",
    "lod/spool.py": "the pipeline's own work files (spool, sorted runs, graph file), made in the run",
    "lod/status.py": "reads lod's own last dump (OUT/casestudies.nt); its record reads use lod.inputs",
    "lod/harvest/drafts.py": "writes staged drafts (its reads go through lod.inputs)",
}


def _openers(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):  # a bare name: the builtin open(), or a reader imported by name
            name = func.id if func.id == "open" else ""
        else:
            name = func.attr if isinstance(func, ast.Attribute) else ""
        first = node.args[0] if node.args else None
        if name == "load" and not any(k.arg == "path" for k in node.keywords):
            continue  # Store.load(path=...) reads a file; json.loads, Store.load(data) do not
        if name in {"safe_load", "iterparse"} and isinstance(first, ast.Name):
            continue  # parses text or a handle a reader opened; a path expression would be caught
        if name in _OPENERS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}()")
    return found


def test_only_the_readers_open_input_files() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if relative in _ALLOWED:
            continue
        offenders += _openers(path)
    assert offenders == [], "open input files through lod.inputs:\n" + "\n".join(offenders)


def test_the_walk_finds_an_open() -> None:
    """The check above can fail: it sees every way this module opens files."""
    assert len(_openers(Path(__file__))) >= 1
    assert _openers(PACKAGE / "inputs.py")


# --- nothing is read when a module is imported -------------------------------------------------

#: Imports every lod module under an audit hook, then reads one table on purpose (the proof
#: that the hook sees a read); prints each path opened, and a line between the two phases.
_IMPORT_EVERY_MODULE = """
import importlib, os, pkgutil, sys
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, os.PathLike)):
        print(os.fspath(args[0]))
sys.addaudithook(hook)
import lod
for module in pkgutil.walk_packages(lod.__path__, "lod."):
    importlib.import_module(module.name)
print("-- imported --")
from lod.resources import ifla_units
ifla_units()
"""


def test_importing_every_module_reads_no_data_file() -> None:
    """A read at import time makes every command pay for it, and fails before the CLI can
    name the damaged file; values come from the readers when a command asks for them."""
    done = subprocess.run([sys.executable, "-c", _IMPORT_EVERY_MODULE], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    imports, _, after = done.stdout.partition("-- imported --\n")
    data = [PACKAGE, ROOT / "mappings", ROOT / "shapes", ROOT / "queries", ROOT / "casestudies"]

    def data_files(lines: str) -> list[str]:
        return [line for line in lines.splitlines()
                if Path(line).suffix not in {".py", ".pyc"}
                and any(Path(line).resolve().is_relative_to(folder) for folder in data)]

    assert data_files(imports) == []
    assert data_files(after) == [str(ROOT / "mappings" / "ifla-unit-ids.tsv")]


# --- reconcile: an answer with variables it did not ask for ---------------------------------------


def _extra_variables(answer: bytes) -> bytes:
    """Every answer gains a variable and a row of only that variable (what some endpoints and
    old cache files hold)."""
    data = json.loads(answer)
    data["head"]["vars"].append("extra")
    extra = {"type": "literal", "value": "not asked for"}
    for row in data["results"]["bindings"]:
        row["extra"] = extra
    data["results"]["bindings"].append({"extra": extra})
    return json.dumps(data).encode()


@pytest.fixture(scope="module")
def wikidata() -> Iterator[Oxigraph]:
    with oxigraph_server(files=[RECONCILE / "wikidata.ttl"]) as server:
        yield server


def _mappings(tmp: Path) -> Path:
    folder = tmp / "mappings"
    shutil.copytree(ROOT / "mappings", folder)
    return folder


def _reconcile(endpoint: str, out: Path, mappings: Path, *extra: str) -> Run:
    return run_lod("reconcile", "--data", RECONCILE / "casestudies", "--endpoint", endpoint,
                   "--out", out, "--mappings", mappings, *extra)


def test_reconcile_ignores_variables_it_did_not_ask_for(wikidata: Oxigraph, tmp_path: Path) -> None:
    mappings = _mappings(tmp_path)
    clean = _reconcile(wikidata.query_url, tmp_path / "a" / "p.sssom.tsv", mappings)
    assert clean.code == 0, clean.stderr
    with FaultProxy(wikidata.url, rewrite=_extra_variables) as proxy:
        out = tmp_path / "b" / "p.sssom.tsv"
        odd = _reconcile(proxy.query_url, out, mappings)
        assert odd.code == 0, odd.stderr
        assert proxy.requests > 0
        assert out.read_bytes() == (tmp_path / "a" / "p.sssom.tsv").read_bytes()
        again = _reconcile(proxy.query_url, out, mappings)  # now from the cache, extra variables and all
        assert again.code == 0 and out.read_bytes() == (tmp_path / "a" / "p.sssom.tsv").read_bytes()


def test_the_cache_expires_and_refresh_asks_again(wikidata: Oxigraph, tmp_path: Path) -> None:
    mappings = _mappings(tmp_path)
    out = tmp_path / "out" / "p.sssom.tsv"
    with FaultProxy(wikidata.url, rewrite=_extra_variables) as proxy:
        assert _reconcile(proxy.query_url, out, mappings).code == 0
        asked = proxy.requests
        assert _reconcile(proxy.query_url, out, mappings).code == 0
        assert proxy.requests == asked, "a fresh cache answers everything"
        assert _reconcile(proxy.query_url, out, mappings, "--refresh").code == 0
        assert proxy.requests == 2 * asked, "--refresh asks every question again"
        eight_days_ago = time.time() - 8 * 86_400
        for entry in (out.parent / "reconcile-cache").rglob("*.json"):
            os.utime(entry, (eight_days_ago, eight_days_ago))
        first = out.read_bytes()
        assert _reconcile(proxy.query_url, out, mappings).code == 0
        assert proxy.requests == 3 * asked, "entries older than 7 days are asked again"
        assert out.read_bytes() == first


# --- mappings review on binary files ---------------------------------------------------------------


def test_mappings_review_on_a_binary_ledger_or_proposals(tmp_path: Path) -> None:
    mappings = _mappings(tmp_path)
    proposals = tmp_path / "proposals.sssom.tsv"
    shutil.copy(mappings / "institutions.sssom.tsv", proposals)
    (mappings / "institutions.sssom.tsv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff" * 20)
    done = run_lod("mappings", "review", "--proposals", proposals, "--mappings", mappings,
                   "--reject", "lcsmap:x", "--curator", "wdu:Someone")
    assert done.code == 1 and "Traceback" not in done.stderr
    assert f"{mappings / 'institutions.sssom.tsv'}:1: (file): not UTF-8 text" in done.stderr
    proposals.write_bytes(b"\xff\xfe\x00binary")
    done = run_lod("mappings", "review", "--proposals", proposals, "--mappings", mappings, "--list")
    assert done.code == 1 and f"{proposals}:1: (file): not UTF-8 text" in done.stderr


# --- validate, build and site on a damaged vocabulary, shapes file or ledger -------------------------


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _own_copies(folder: Path) -> dict[str, str]:
    """Copies of mappings/ and shapes/ in ``folder``, and the environment that points lod at them."""
    for name in ("mappings", "shapes"):
        if not (folder / name).exists():
            shutil.copytree(ROOT / name, folder / name)
    return {"LOD_MAPPINGS": str(folder / "mappings"), "LOD_SHAPES": str(folder / "shapes")}


@pytest.fixture(scope="module")
def built_and_sited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One record, the copies, and the OUT a good build and site made of them (once a module;
    each case copies it: what lod writes does not depend on where the copies are)."""
    folder = tmp_path_factory.mktemp("built-and-sited")
    env = _own_copies(folder)
    data, out = folder / "data", folder / "out"
    write_record(data, "lyon-editathon")
    assert run_lod("build", "--data", data, "--out", out, env=env).code == 0
    assert run_lod("site", "--data", data, "--out", out, env=env).code == 0
    return folder


@pytest.mark.parametrize("damaged", ["mappings/library-types.ttl", "shapes/institution.shapes.ttl",
                                     "mappings/institutions.sssom.tsv"])
def test_validate_build_and_site_name_the_damaged_file(damaged: str, built_and_sited: Path,
                                                       tmp_path: Path) -> None:
    shutil.copytree(built_and_sited, tmp_path, dirs_exist_ok=True)
    env = _own_copies(tmp_path)
    data, out = tmp_path / "data", tmp_path / "out"
    before = _hashes(out)
    target = tmp_path / damaged
    target.write_bytes(target.read_bytes()[:100] + b"\xc3\x28 ;; {{ \x00")
    for command in (["validate", data], ["build", "--data", data, "--out", out],
                    ["site", "--data", data, "--out", out]):
        done = run_lod(*command, env=env)
        assert done.code == 1, (command, done.stdout, done.stderr)
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{target}:"), (command, done.stderr)
        assert _hashes(out) == before


# --- control and bidi characters --------------------------------------------------------------------


@pytest.mark.parametrize(("escape", "name"), [("\\e", "U+001B"), ("\\a", "U+0007"),
                                               ("\\u202e", "U+202E"), ("\\x85", "U+0085"),
                                               ("\\x7f", "U+007F"), ("\\u2066", "U+2066")])
def test_the_contract_refuses_controls_in_a_title(escape: str, name: str, tmp_path: Path) -> None:
    text = VALID_RECORD.format(id="lyon-editathon").replace(
        "  en: A library edit-a-thon", f'  en: "A library {escape}edit-a-thon"')
    path = write_record(tmp_path, "lyon-editathon", text)
    done = run_lod("validate", path)
    assert done.code == 1
    line = text.splitlines().index(f'  en: "A library {escape}edit-a-thon"') + 1
    assert f"{path}:{line}: title.en: {name}" in done.stderr


def test_tabs_and_newlines_only_in_multiline_text(tmp_path: Path) -> None:
    text = VALID_RECORD.format(id="lyon-editathon").replace(
        "  en: A public library ran an edit-a-thon on local history.",
        '  en: "A public library\\n\\tran an edit-a-thon."').replace(
        "  - name: Wikimédia France", '  - name: "Wikimédia\\tFrance"')
    path = write_record(tmp_path, "lyon-editathon", text)
    done = run_lod("validate", path)
    assert done.code == 1
    assert "institutions[1].name: U+0009" in done.stderr
    assert ": summary.en:" not in done.stderr


def test_the_site_and_terminal_never_write_controls_raw(tmp_path: Path) -> None:
    """A vocabulary label (not a record) holding U+202E and ESC: visible on every page, raw nowhere."""
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    vocab = mappings / "library-types.ttl"
    text = vocab.read_text(encoding="utf-8")
    assert '"public library"@en' in text
    vocab.write_text(text.replace('"public library"@en', '"public \\u202Elibrary\\u001B[2J"@en'),
                     encoding="utf-8")
    data, out = tmp_path / "data", tmp_path / "out"
    write_record(data, "lyon-editathon")
    env = {"LOD_MAPPINGS": str(mappings)}
    done = run_lod("site", "--data", data, "--out", out, env=env)
    assert done.code == 0, done.stderr
    pages = list((out / "site").rglob("*.html"))
    shown = [p for p in pages if "public \\u202elibrary" in p.read_text(encoding="utf-8")]
    assert shown, "the label is on the pages, made visible"
    for page in pages:
        assert not {ord(c) for c in page.read_text(encoding="utf-8")} & (FORBIDDEN - {0x09, 0x0A}), page
    report = run_lod("build", "--data", data, "--out", out, env=env)
    assert report.code == 0
    assert not {ord(c) for c in report.stdout} & (FORBIDDEN - {0x09, 0x0A})
    assert not {ord(c) for c in (out / "report.md").read_text(encoding="utf-8")} & (FORBIDDEN - {0x0A})


# --- validate: say what was found --------------------------------------------------------------------


def test_validate_on_a_folder_without_case_studies(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a case study\n", encoding="utf-8")
    done = run_lod("validate", tmp_path)
    assert done.code == 1
    assert f"{tmp_path}: no case-study files" in done.stderr


def test_validate_lists_a_dangling_symlink_and_a_folder(tmp_path: Path) -> None:
    write_record(tmp_path, "lyon-editathon")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "gone.yaml")
    (tmp_path / "folder.yaml").mkdir()
    done = run_lod("validate", tmp_path)
    assert done.code == 1
    assert f"{tmp_path / 'dangling.yaml'}:1: (file): no such file (or a symlink to nothing)" in done.stderr
    assert f"{tmp_path / 'folder.yaml'}:1: (file): is a folder" in done.stderr
    assert "2 problems found" in done.stderr


# --- the fallback swap (no renameat2) ------------------------------------------------------------------


def _fallback_env() -> dict[str, str]:
    return {"LOD_SWAP": "rename"}


def test_a_build_with_the_fallback_swap_keeps_carried_over_files(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    write_record(data, "lyon-editathon")
    out.mkdir()
    (out / "journal.jsonl").write_text('{"event": "kept"}\n', encoding="utf-8")
    done = run_lod("build", "--data", data, "--out", out, env=_fallback_env())
    assert done.code == 0, done.stderr
    assert (out / "journal.jsonl").read_text(encoding="utf-8") == '{"event": "kept"}\n'
    assert (out / "casestudies.ttl").is_file()
    assert not list(tmp_path.glob(".out.*-*"))


def _killed_between_renames(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """The state a run killed between the two renames leaves: OUT aside, the new build staged."""
    from lod.publish.outdir import set_aside

    data, out = tmp_path / "data", tmp_path / "out"
    write_record(data, "lyon-editathon")
    assert run_lod("build", "--data", data, "--out", out).code == 0
    (out / "journal.jsonl").write_text('{"event": "carried over"}\n', encoding="utf-8")
    before = _hashes(out)
    stage = tmp_path / ".out.stage-killed"
    stage.mkdir()
    (stage / "casestudies.ttl").write_text("# half a build\n", encoding="utf-8")
    set_aside(stage, out)
    assert not out.exists()
    return data, out, {k.replace(str(out), "OUT"): v for k, v in before.items()}


def test_a_run_killed_between_the_renames_loses_nothing(tmp_path: Path) -> None:
    data, out, before = _killed_between_renames(tmp_path)
    done = run_lod("build", "--data", data, "--out", out, env=_fallback_env())
    assert done.code == 0, done.stderr
    assert (out / "journal.jsonl").read_text(encoding="utf-8") == '{"event": "carried over"}\n'
    assert {k.replace(str(out), "OUT"): v for k, v in _hashes(out).items()} == before
    assert not list(tmp_path.glob(".out.*-*"))


def test_an_output_made_after_the_kill_is_refused_and_both_are_kept(tmp_path: Path) -> None:
    data, out, before = _killed_between_renames(tmp_path)
    out.mkdir()
    (out / "made-since.txt").write_text("by hand\n", encoding="utf-8")
    done = run_lod("build", "--data", data, "--out", out, env=_fallback_env())
    assert done.code == 1
    assert "interrupted" in done.stderr and "previous" in done.stderr
    kept = next(tmp_path.glob(".out.old-*")) / "previous"
    assert {k.replace(str(kept), "OUT"): v for k, v in _hashes(kept).items()} == before
    assert (out / "made-since.txt").read_text(encoding="utf-8") == "by hand\n"


def test_the_review_page_never_writes_controls_raw() -> None:
    """Labels read from the wiki (another source than the records) reach review.html visibly."""
    from test_planfile import _valid_plan

    from lod.publish.wikidata.render import review_html

    plan = _valid_plan()
    labels = {"Q23308": "Ashcombe \u202egnp.exe\u001b[2J", "Q7": "Burford\u0007"}
    page = review_html(plan, labels).decode("utf-8")
    assert "Ashcombe \\u202egnp.exe\\x1b[2J" in page
    assert not {ord(c) for c in page} & (FORBIDDEN - {0x09, 0x0A})
