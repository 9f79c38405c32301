"""Every kind of input file, damaged every way a person or a crash can damage it (issue 20).

The table crosses each file kind lod reads with each damage (empty, cut in
half, random bytes, UTF-8 that is not the format, the right syntax with the
wrong shape, a folder in its place, mode 000, a symlink loop), runs the
command a user would run on it (in process, as the other CLI tests do), and
checks what the user sees: exit 1, the file named on stderr (with the line
where the damage has one), no traceback, and every other file of the data,
mappings and output folders byte for byte as it was. The reconcile cache is
the one kind where damage is no error: an entry that cannot be used is asked
again and the proposals are the same.

What a case starts from (an output folder a first good build made, the drafts a
first harvest made, the proposals and cache a first reconcile made) is made
once for the module, its good run asserted there, and copied into each case:
each case damages and watches its own copy.

plan.json and journal.jsonl are read by issue 19's readers (planfile.py,
journal.py); they are in the table through ``lod publish wikidata --live``,
which must stop before any request (a listener on 127.0.0.1 counts them). Two
damages of the journal are what issue 19 reads as valid on purpose (see
``VALID_BY_DESIGN``): an empty journal is a folder nothing was published from,
and a journal cut at its end is what a killed run leaves (the edit in doubt is
looked up on the wiki, so the run goes on).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_harvest_dump import HEAD, page_xml

from conftest import ROOT, VALID_RECORD, Run, run_installed, run_lod, write_record
from servers import Oxigraph, oxigraph_server

AS_ROOT = os.geteuid() == 0
RANDOM_BYTES = bytes(range(256))[::-1] * 3 + b"\x00\xff\xfe\x80"


def snapshot(*folders: Path, skip: Path | None = None) -> dict[str, str]:
    """SHA-256 of every file under ``folders`` (but ``skip``), by path."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path == skip or (skip is not None and skip in path.parents):
                continue
            if path.is_symlink() or not path.is_file():
                continue
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# --- damages ------------------------------------------------------------------------------


def _empty(path: Path, shape: bytes) -> None:
    path.write_bytes(b"")


def _cut(path: Path, shape: bytes) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _random(path: Path, shape: bytes) -> None:
    path.write_bytes(RANDOM_BYTES)


def _not_the_format(path: Path, shape: bytes) -> None:
    path.write_text("Ceci n'est pas une pipe: {[ <\n\tthe quick brown fox »\n", encoding="utf-8")


def _wrong_shape(path: Path, shape: bytes) -> None:
    path.write_bytes(shape)


def _folder(path: Path, shape: bytes) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside.txt").write_text("a folder where a file should be\n", encoding="utf-8")


def _unreadable(path: Path, shape: bytes) -> None:
    path.chmod(0)


def _loop(path: Path, shape: bytes) -> None:
    path.unlink()
    other = path.with_name(path.name + ".other")
    other.symlink_to(path.name)
    path.symlink_to(other.name)


DAMAGES: dict[str, Callable[[Path, bytes], None]] = {
    "empty": _empty,
    "cut in half": _cut,
    "random bytes": _random,
    "UTF-8, not the format": _not_the_format,
    "right syntax, wrong shape": _wrong_shape,
    "a folder in its place": _folder,
    "mode 000": _unreadable,
    "a symlink loop": _loop,
}


# --- kinds -----------------------------------------------------------------------------------

RECORD_WITH_UNIT = VALID_RECORD.replace("ifla_units: [public-libraries]", "ifla_units: [public-libraries]")


@dataclass
class Setup:
    """A world for one case: the file to damage, the folders to watch and the command."""

    target: Path
    watched: tuple[Path, ...]
    run: Callable[[], Run]
    #: The right syntax for the kind, the wrong shape (what ``_wrong_shape`` writes).
    shape: bytes
    #: Requests the command sent to the (local) wiki, where it talks to one.
    requests: Callable[[], int] = lambda: 0


def _mappings_copy(tmp: Path) -> Path:
    folder = tmp / "mappings"
    shutil.copytree(ROOT / "mappings", folder)
    return folder


def _shapes_copy(tmp: Path) -> Path:
    folder = tmp / "shapes"
    shutil.copytree(ROOT / "shapes", folder)
    return folder


def _first_build(tmp: Path) -> None:
    """A data folder with one record, and an output folder a first build made (once a module).

    The build's output does not depend on where its mappings or shapes folder is (only on
    what the files say), so one build stands for the cases that point lod at copies.
    """
    data, out = tmp / "data", tmp / "out"
    write_record(data, "lyon-editathon")
    (out).mkdir()
    (out / "journal.jsonl").write_text('{"kept": "a file the build does not make"}\n', encoding="utf-8")
    first = run_lod("build", "--data", data, "--out", out)
    assert first.code == 0, first.stderr


def _first_harvest(tmp: Path) -> None:
    """A dump, and the drafts folder (with its state file) a first harvest of it made."""
    dump, out = tmp / "export.xml", tmp / "drafts"
    dump.write_text(DUMP, encoding="utf-8")
    first = run_lod("harvest", "--dump", dump, "--out", out)
    assert first.code == 0, first.stderr
    assert (out / ".harvest-state.json").is_file()


#: Where the module's first runs are (set by the ``made`` fixture; copied, never changed).
MADE: dict[str, Path] = {}


def _copy_of(made: str, tmp: Path) -> None:
    """Everything the module's first ``made`` run left, copied into ``tmp``."""
    shutil.copytree(MADE[made], tmp, dirs_exist_ok=True)


def _built(tmp: Path) -> tuple[Path, Path]:
    """A data folder with one record, and an output folder a first build made."""
    _copy_of("build", tmp)
    return tmp / "data", tmp / "out"


def _build_with(tmp: Path, *, mappings: bool = False, shapes: bool = False,
                name: str) -> Setup:
    env: dict[str, str] = {}
    watched = []
    if mappings:
        env["LOD_MAPPINGS"] = str(_mappings_copy(tmp))
    if shapes:
        env["LOD_SHAPES"] = str(_shapes_copy(tmp))
    data, out = _built(tmp)
    folder = Path(env["LOD_MAPPINGS"] if mappings else env["LOD_SHAPES"])
    watched = [data, out, folder]
    shape = {
        "ttl": b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n",
        "tsv": b"one\ttwo\n1\t2\n",
    }[name.rsplit(".", 1)[-1]]
    if name.endswith(".sssom.tsv"):
        shape = b"# mapping_set_id: x\nsubject_id\tobject_id\nlcsinst:a\twd:Q1\n"
    return Setup(folder / name, tuple(watched),
                 lambda: run_lod("build", "--data", data, "--out", out, env=env), shape)


def case_study(tmp: Path) -> Setup:
    data, out = _built(tmp)
    target = write_record(data, "paris-editathon")
    return Setup(target, (data, out), lambda: run_lod("build", "--data", data, "--out", out),
                 b"- just\n- a list\n")


def vocabulary(tmp: Path) -> Setup:
    return _build_with(tmp, mappings=True, name="roles.ttl")


def ontology(tmp: Path) -> Setup:
    return _build_with(tmp, mappings=True, name="ontology.ttl")


def shapes(tmp: Path) -> Setup:
    return _build_with(tmp, shapes=True, name="case_study.shapes.ttl")


def ledger(tmp: Path) -> Setup:
    return _build_with(tmp, mappings=True, name="institutions.sssom.tsv")


def table(tmp: Path) -> Setup:
    return _build_with(tmp, mappings=True, name="ifla-unit-ids.tsv")


def proposals(tmp: Path) -> Setup:
    mappings = _mappings_copy(tmp)
    target = tmp / "out" / "proposals.sssom.tsv"
    target.parent.mkdir()
    shutil.copy(mappings / "institutions.sssom.tsv", target)
    return Setup(target, (mappings, target.parent),
                 lambda: run_lod("mappings", "review", "--proposals", target, "--mappings", mappings,
                                 "--list"),
                 b"# mapping_set_id: x\nsubject_id\tobject_id\nlcsinst:a\twd:Q1\n")


DUMP = HEAD + page_xml("GLAM/IFLA Case Studies/Library 1", 11, "== Summary/Abstract ==\nA library.\n") \
    + "</mediawiki>\n"


def harvest_state(tmp: Path) -> Setup:
    _copy_of("harvest", tmp)
    dump, out = tmp / "export.xml", tmp / "drafts"
    target = out / ".harvest-state.json"
    return Setup(target, (out, tmp), lambda: run_lod("harvest", "--dump", dump, "--out", out),
                 b'["a JSON list, not the state object"]\n')


def dump(tmp: Path) -> Setup:
    target, out = tmp / "export.xml", tmp / "drafts"
    target.write_text(DUMP, encoding="utf-8")
    out.mkdir()
    write_record(out, "kept-record")
    return Setup(target, (out,), lambda: run_lod("harvest", "--dump", target, "--out", out),
                 b'<?xml version="1.0"?>\n<rss><channel><title>not an export</title></channel></rss>\n')


def ids(tmp: Path) -> Setup:
    data, out = tmp / "data", tmp / "out"
    write_record(data, "lyon-editathon")
    out.mkdir()
    (out / "plan.json").write_text("{}\n", encoding="utf-8")
    target = tmp / "ids.tsv"
    # lines of equal length, an odd number of them: the middle byte is in the middle of a line
    target.write_text("".join(f"Q{n}\tQ{n + 1000}\n" for n in range(1001, 1040)), encoding="utf-8")
    return Setup(target, (data, out),
                 lambda: run_lod("publish", "wikidata", "--data", data, "--out", out, "--ids", target,
                                 "--api", "http://127.0.0.1:9/w/api.php",
                                 "--sparql", "http://127.0.0.1:9/sparql", "--timeout", "1"),
                 b"Q1 Q2\n")


def _live(tmp: Path, name: str, shape: bytes) -> Setup:
    """OUT holding a reviewed plan.json and a journal; ``lod publish wikidata --live`` on it."""
    import json

    from test_planfile import VALID, _listener, live_on

    from lod.publish.wikidata.journal import Journal

    data, out = tmp / "data", tmp / "out"
    write_record(data, "lyon-editathon")
    out.mkdir()
    (out / "plan.json").write_text(json.dumps(VALID, indent=1), encoding="utf-8")
    journal = Journal(out / "journal.jsonl")
    journal.write("batch", batch="abc", api="http://127.0.0.1/api.php", ids={}, plan="p")
    journal.write("intended", key="casestudy:a", action="create", item=None)
    journal.write("done", key="casestudy:a", action="create", item="Q5", revision=7)
    journal.close()
    sent: list[int] = []

    def run() -> Run:
        with _listener() as (url, seen):
            result = live_on(url, data, out)
        sent.extend(seen)
        return result

    return Setup(out / name, (data, out), run, shape, requests=lambda: len(sent))


def plan_file(tmp: Path) -> Setup:
    return _live(tmp, "plan.json", b'{"format": "something else", "items": 3}\n')


def journal(tmp: Path) -> Setup:
    return _live(tmp, "journal.jsonl", b'{"event": "done", "key": 3}\n')


def csv_export(tmp: Path) -> Setup:
    target, out = tmp / "export.csv", tmp / "drafts"
    shutil.copy(ROOT / "tests" / "data" / "csv" / "form-export.csv", target)
    out.mkdir()
    write_record(out, "kept-record")
    return Setup(target, (out,), lambda: run_lod("import-csv", target, "--out", out),
                 b"a,b\n1,2\n")


KINDS: dict[str, Callable[[Path], Setup]] = {
    "case-study YAML": case_study,
    "vocabulary (mappings/*.ttl)": vocabulary,
    "ontology (mappings/ontology.ttl)": ontology,
    "SHACL shapes": shapes,
    "SSSOM ledger": ledger,
    "SSSOM proposals": proposals,
    "TSV table in mappings/": table,
    "harvest state": harvest_state,
    "MediaWiki dump": dump,
    "ids file": ids,
    "CSV export": csv_export,
    "plan.json": plan_file,
    "journal.jsonl": journal,
}
#: (kind, damage) pairs where the damaged file is a valid file of its kind (see the docstring).
VALID_BY_DESIGN = {("journal.jsonl", "empty"), ("journal.jsonl", "cut in half")}


@pytest.fixture(scope="module", autouse=True)
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The module's first good runs (:data:`MADE`), each asserted once, for the cases to copy."""
    for name, first in (("build", _first_build), ("harvest", _first_harvest)):
        MADE[name] = tmp_path_factory.mktemp(f"first-{name}")
        first(MADE[name])
    yield
    MADE.clear()


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_damaged_input(kind: str, damage: str, tmp_path: Path,
                       record_property: Callable[[str, object], None]) -> None:
    """Counted in the summary line of the test run (tests/conftest.py)."""
    setup = KINDS[kind](tmp_path)
    DAMAGES[damage](setup.target, setup.shape)
    before = snapshot(*setup.watched, skip=setup.target)
    try:
        result = setup.run()
    finally:
        if setup.target.exists() and not setup.target.is_symlink():
            setup.target.chmod(0o755 if setup.target.is_dir() else 0o644)
    record_property("damage case", f"{kind} x {damage}")
    if damage == "mode 000" and AS_ROOT:
        # root reads a mode-000 file like any other: the command goes on as with the intact file
        assert "Traceback" not in result.stderr
        return
    if (kind, damage) in VALID_BY_DESIGN:
        assert "Traceback" not in result.stderr
        return
    assert result.code == 1, (result.code, result.stdout, result.stderr)
    assert setup.requests() == 0, "a request was sent before the damage was seen"
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr.split(":", 1)[0]
    assert str(setup.target) in result.stderr, result.stderr
    if damage in ("cut in half", "random bytes", "UTF-8, not the format"):
        # path:line: (the project's form), or issue 19's "path: line N" and "not UTF-8 (byte N)"
        place = r"(:\d+:|: line \d+|: not UTF-8 \(byte \d+\))"
        assert re.search(re.escape(str(setup.target)) + place, result.stderr), "no place named"
    assert snapshot(*setup.watched, skip=setup.target) == before, "another file changed"


#: Cases also run through the installed ``lod`` (a subprocess, as a user's shell runs it): the
#: arguments their setup gives the command, in the case's folder.
INSTALLED: dict[tuple[str, str], Callable[[Path], tuple[str | Path, ...]]] = {
    ("case-study YAML", "cut in half"):
        lambda tmp: ("build", "--data", tmp / "data", "--out", tmp / "out"),
    ("MediaWiki dump", "a folder in its place"):
        lambda tmp: ("harvest", "--dump", tmp / "export.xml", "--out", tmp / "drafts"),
}


@pytest.mark.parametrize(("kind", "damage"), list(INSTALLED))
def test_the_installed_command_says_the_same(kind: str, damage: str, tmp_path: Path) -> None:
    """End to end: the installed command gives the exit code and the lines the in-process run
    of the table gives, and it too leaves every other file as it was."""
    setup = KINDS[kind](tmp_path)
    DAMAGES[damage](setup.target, setup.shape)
    before = snapshot(*setup.watched, skip=setup.target)
    in_process = setup.run()
    assert in_process.code == 1 and str(setup.target) in in_process.stderr, in_process
    installed = run_installed(*INSTALLED[kind, damage](tmp_path))
    assert installed == in_process
    assert snapshot(*setup.watched, skip=setup.target) == before


def test_a_line_is_named_where_the_damage_has_one(tmp_path: Path) -> None:
    """A Turtle syntax error on line 3 of a vocabulary: ``path:3:`` on stderr, one line."""
    setup = vocabulary(tmp_path)
    lines = setup.target.read_text(encoding="utf-8").splitlines()
    lines[2] = "this is not turtle ."
    setup.target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(*setup.watched)
    result = setup.run()
    assert result.code == 1
    assert result.stderr.splitlines() == [f"{setup.target}:3: (file): not valid Turtle: "
                                          + result.stderr.split("not valid Turtle: ", 1)[1].strip()]
    assert snapshot(*setup.watched) == before


# --- the reconcile cache: damage is a miss, the answer is the same -----------------------------


@pytest.fixture(scope="module")
def wikidata() -> Iterator[Oxigraph]:
    with oxigraph_server(files=[ROOT / "tests" / "data" / "reconcile" / "wikidata.ttl"]) as server:
        yield server


def _reconcile(tmp: Path, endpoint: str) -> Run:
    """``lod reconcile`` of the reconcile fixture's records into ``tmp/out`` with ``tmp/mappings``."""
    return run_lod("reconcile", "--data", ROOT / "tests" / "data" / "reconcile" / "casestudies",
                   "--endpoint", endpoint, "--out", tmp / "out" / "proposals.sssom.tsv",
                   "--mappings", tmp / "mappings")


@pytest.fixture(scope="module")
def reconciled(wikidata: Oxigraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A first good reconcile: its mappings, proposals and cache (copied by each case)."""
    folder = tmp_path_factory.mktemp("first-reconcile")
    _mappings_copy(folder)
    first = _reconcile(folder, wikidata.query_url)
    assert first.code == 0, first.stderr
    assert sorted((folder / "out" / "reconcile-cache").rglob("*.json"))
    return folder


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_cache_entry_is_a_miss(damage: str, wikidata: Oxigraph, reconciled: Path,
                                       tmp_path: Path,
                                       record_property: Callable[[str, object], None]) -> None:
    shutil.copytree(reconciled, tmp_path, dirs_exist_ok=True)
    out = tmp_path / "out" / "proposals.sssom.tsv"

    def reconcile() -> Run:
        return _reconcile(tmp_path, wikidata.query_url)

    clean = out.read_bytes()
    entries = sorted((out.parent / "reconcile-cache").rglob("*.json"))
    assert entries
    for entry in entries:
        DAMAGES[damage](entry, b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": 1}]}}')
    again = reconcile()
    record_property("damage case", f"reconcile cache entry x {damage}")
    for entry in entries:
        if entry.exists() and not entry.is_symlink():
            entry.chmod(0o755 if entry.is_dir() else 0o644)
    assert again.code == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert out.read_bytes() == clean, "a damaged cache entry changed the proposals"
