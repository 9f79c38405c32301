"""``lod build`` as a hostile user or a bad environment tries it: every failure is clean.

Each test is one of the failures found by trying the build the way people
break things (issue 11): a cache that changed a result, two graphs, a kill at
the swap, two builds at once, environment errors, YAML bombs, control
characters, private fields under OUT.
"""

from __future__ import annotations

import fcntl
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import CASESTUDIES, ROOT, VALID_RECORD, run_installed, run_lod, write_record
from lod.ledgers import INSTITUTION_PREFIX, MappingRow, empty_set, record_id, write_sssom
from lod.publish.dumps import OWN_FILES, build
from lod.publish.outdir import replace_folder
from lod.rdf.build import institution_key
from lod.settings import Settings


def copy_of(folder: str, tmp_path: Path) -> Path:
    """A copy of the checkout's ``shapes/`` or ``mappings/`` that a test may change."""
    copy = tmp_path / folder
    shutil.copytree(ROOT / folder, copy)
    return copy


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` (recursively), by relative path."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def one_line_error(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert stderr.strip() and len(stderr.strip().splitlines()) == 1, stderr


# --------------------------------------------------------------------------- what a cache did


def test_a_renamed_file_is_rejected_after_a_good_build(tmp_path: Path) -> None:
    """The contract's file-level checks run on every build: no earlier build can skip them."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("nls-wir.yaml", "edinburgh-wir.yaml"):  # two records: the rule, not the size
        shutil.copy(CASESTUDIES / name, data / name)
    out = tmp_path / "dist"
    assert run_lod("build", "--data", data, "--out", out).code == 0
    before = snapshot(out)
    (data / "nls-wir.yaml").rename(data / "nls-wir-renamed.yaml")
    again = run_lod("build", "--data", data, "--out", out)
    assert again.code == 1
    assert "id 'nls-wir' does not match the file name" in again.stderr
    assert snapshot(out) == before


def test_out_holds_no_cache_and_every_rebuild_equals_a_clean_build(tmp_path: Path) -> None:
    """Warm equals clean: after renames, deletions, edits and reverts, OUT is what a fresh build gives."""
    data = tmp_path / "data"
    shutil.copytree(CASESTUDIES, data)
    out = tmp_path / "dist"
    original = (data / "edinburgh-wir.yaml").read_text(encoding="utf-8")

    def renamed() -> None:
        text = (data / "ucd-digicomp.yaml").read_text(encoding="utf-8")
        (data / "ucd-digicomp.yaml").unlink()
        (data / "ucd-digital.yaml").write_text(text.replace("id: ucd-digicomp", "id: ucd-digital"),
                                              encoding="utf-8")

    steps = [
        lambda: None,
        lambda: (data / "edinburgh-wir.yaml").write_text(
            original.replace("status: reviewed", "status: published"), encoding="utf-8"),
        lambda: (data / "smu-anthropology.yaml").unlink(),
        renamed,
        lambda: (data / "edinburgh-wir.yaml").write_text(original, encoding="utf-8"),
    ]
    for number, step in enumerate(steps):
        step()
        assert run_lod("build", "--data", data, "--out", out).code == 0
        clean = tmp_path / f"clean-{number}"
        assert run_lod("build", "--data", data, "--out", clean).code == 0
        assert snapshot(out) == snapshot(clean), f"step {number}"
        assert sorted(p.name for p in out.iterdir()) == sorted(OWN_FILES)


def test_a_changed_shape_or_ledger_changes_the_next_build(tmp_path: Path) -> None:
    """Shapes and mappings are inputs of every build, read afresh each time."""
    data = tmp_path / "data"
    write_record(data)
    shapes = copy_of("shapes", tmp_path)
    mappings = copy_of("mappings", tmp_path)
    settings = Settings(data_dir=data, out_dir=tmp_path / "dist", shapes_dir=shapes,
                        mappings_dir=mappings)
    first = build(settings)
    assert first.records == 1
    # A shape that now demands a field the record lacks makes the next build fail.
    case_shapes = shapes / "case_study.shapes.ttl"
    text = case_shapes.read_text(encoding="utf-8")
    case_shapes.write_text(text + textwrap.dedent("""
        <https://w3id.org/libcasestudies/shapes#Extra> a sh:NodeShape ;
            sh:targetClass lcs:CaseStudy ;
            sh:property [ sh:path lcs:neverThere ; sh:minCount 1 ; sh:name "never_there" ] .
        """), encoding="utf-8")
    from lod.problems import InputError

    with pytest.raises(InputError, match="never_there"):
        build(settings)
    case_shapes.write_text(text, encoding="utf-8")
    # An accepted ledger row links the institution in the next build.
    write_ledger(mappings, "Wikimédia France", "FR", "Q999999901", "Wikimédia France")
    build(settings)
    nt = (tmp_path / "dist" / "casestudies.nt").read_text(encoding="utf-8")
    assert "<http://www.wikidata.org/entity/Q999999901>" in nt


def write_ledger(mappings: Path, name: str, country: str, qid: str, label: str) -> None:
    from lod.model.case_study import Institution

    key = institution_key(Institution.model_validate(
        {"name": name, "country": country, "type": "non-library"}))
    subject = f"{INSTITUTION_PREFIX}:{key}"
    object_id = f"wd:{qid}"
    row = MappingRow.model_validate({
        "record_id": record_id(subject, object_id), "subject_id": subject, "subject_label": name,
        "predicate_id": "skos:exactMatch", "predicate_modifier": "", "object_id": object_id,
        "object_label": label, "mapping_justification": "semapv:ManualMappingCuration",
        "confidence": None, "author_id": "wdu:Example", "reviewer_id": "", "mapping_tool": "",
        "mapping_date": "2026-12-07", "comment": "",
    })
    write_sssom(mappings / "institutions.sssom.tsv", empty_set("institutions.sssom.tsv").with_rows([row]))


def test_query_sees_the_ledger_links_the_dumps_have(tmp_path: Path) -> None:
    """One graph: ``lod query --data`` shows the QID an accepted ledger row gives an institution."""
    from lod.pipeline import assemble
    from lod.query.catalog import get_query
    from lod.query.execute import run_in_process

    data = tmp_path / "data"
    write_record(data)
    mappings = copy_of("mappings", tmp_path)
    write_ledger(mappings, "Wikimédia France", "FR", "Q999999901", "Wikimédia France")
    graph = assemble([data], Settings(mappings_dir=mappings), include_drafts=False)
    assert not graph.problems
    rows = run_in_process(get_query("institutions"), graph.store, {}).values()
    by_name = {row[1]: row[4] for row in rows}
    assert by_name["Wikimédia France"] == "http://www.wikidata.org/entity/Q999999901"
    assert "<http://www.wikidata.org/entity/Q999999901>" in graph.ntriples


# --------------------------------------------------------------------------- the swap and the lock


KILL_BEFORE_SWAP = """
import os, signal, sys
from pathlib import Path
from lod.publish.dumps import build
from lod.settings import Settings
build(Settings(data_dir=Path(sys.argv[1]), out_dir=Path(sys.argv[2])),
      before_swap=lambda stage: os.kill(os.getpid(), signal.SIGKILL))
"""


def test_a_kill_at_the_swap_never_leaves_out_missing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_record(data)
    out = tmp_path / "dist"
    assert run_lod("build", "--data", data, "--out", out).code == 0
    before = snapshot(out)
    write_record(data, "second", VALID_RECORD.format(id="second"))
    done = subprocess.run([sys.executable, "-c", KILL_BEFORE_SWAP, str(data), str(out)],
                          check=False, capture_output=True)
    assert done.returncode == -signal.SIGKILL
    assert snapshot(out) == before  # the killed build changed nothing
    assert [p.name for p in tmp_path.glob(".dist.stage-*")]  # it left its staging folder
    assert run_lod("build", "--data", data, "--out", out).code == 0
    assert not list(tmp_path.glob(".dist.stage-*")), "leftovers are removed by the next run"
    assert "second" in (out / "casestudies.nt").read_text(encoding="utf-8")


def test_a_run_killed_between_two_renames_is_recovered(tmp_path: Path) -> None:
    """Where folders cannot be exchanged in one call, OUT is renamed aside first; a kill right
    then leaves ``.OUT.old-*/previous``, which the next run puts back before anything else."""
    out = tmp_path / "dist"
    replace_folder(out, {"a.txt": b"old"})
    aside = tmp_path / ".dist.old-x1"
    aside.mkdir()
    out.rename(aside / "previous")  # the state a kill between the renames leaves
    replace_folder(out, {"b.txt": b"new"})
    assert snapshot(out) == {"a.txt": b"old", "b.txt": b"new"}  # old content carried over
    assert not aside.exists()


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_record(data)
    out = tmp_path / "dist"
    with (tmp_path / ".dist.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_lod("build", "--data", data, "--out", out)
    assert result.code == 1
    one_line_error(result.stderr)
    assert "another lod command is writing to" in result.stderr
    assert not out.exists()


def test_two_builds_at_once_both_end_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(CASESTUDIES, data)
    out = tmp_path / "dist"
    lod = str(Path(sys.executable).with_name("lod"))
    runs = [subprocess.Popen([lod, "build", "--data", str(data), "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outcomes = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    for code, stderr in outcomes:
        assert "Traceback" not in stderr
        assert code == 0 or (code == 1 and "another lod command is writing" in stderr), stderr
    assert any(code == 0 for code, _ in outcomes)
    assert sorted(p.name for p in out.iterdir()) == sorted(OWN_FILES)


# --------------------------------------------------------------------------- bad environments


def test_out_naming_a_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_record(data)
    (tmp_path / "dist").write_text("not a folder", encoding="utf-8")
    result = run_lod("build", "--data", data, "--out", tmp_path / "dist")
    assert result.code == 1
    one_line_error(result.stderr)
    assert "--out must name a folder" in result.stderr


def test_an_unwritable_place_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """/sys refuses new files even to root, as a read-only or foreign disk would."""
    data = tmp_path / "data"
    write_record(data)
    result = run_lod("build", "--data", data, "--out", "/sys/lod-dist")
    assert result.code == 1
    one_line_error(result.stderr)
    assert "cannot write" in result.stderr


def _limit_file_size() -> None:  # runs in the child: files may not grow past 64 KB
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))


def test_a_disk_that_fills_up_is_one_line_and_exit_1_and_out_is_kept(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_record(data)  # its dumps alone are many times 64 KB (the vocabularies come with it)
    out = tmp_path / "dist"
    replace_folder(out, {"kept.txt": b"from an earlier run"})
    lod = str(Path(sys.executable).with_name("lod"))
    done = subprocess.run([lod, "build", "--data", str(data), "--out", str(out)], check=False,
                          capture_output=True, text=True, preexec_fn=_limit_file_size)
    assert done.returncode == 1
    one_line_error(done.stderr)
    assert "cannot write" in done.stderr and "File too large" in done.stderr
    assert snapshot(out) == {"kept.txt": b"from an earlier run"}
    assert not list(tmp_path.glob(".dist.stage-*"))


def test_a_symlink_loop_in_the_data_folder_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_record(data)
    (data / "loop.yaml").symlink_to(data / "loop.yaml")
    result = run_lod("validate", data)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert "loop.yaml:1: (file): is a symlink loop" in result.stderr


def test_a_malformed_ledger_names_its_file_and_line(tmp_path: Path) -> None:
    from lod.pipeline import assemble

    data = tmp_path / "data"
    write_record(data)
    mappings = copy_of("mappings", tmp_path)
    ledger = mappings / "institutions.sssom.tsv"
    ledger.write_text(ledger.read_text(encoding="utf-8") + "only\ttwo fields\n", encoding="utf-8")
    graph = assemble([data], Settings(mappings_dir=mappings))
    last = len(ledger.read_text(encoding="utf-8").splitlines())
    assert [str(p) for p in graph.problems] == [
        f"{ledger}:{last}: (ledger row): 2 fields; expected 14"]


# --------------------------------------------------------------------------- hostile input


BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_yaml_aliases_are_refused_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "laughs.yaml").write_text('a: &a ["lol", "lol", "lol"]\n' + BOMB, encoding="utf-8")
    result = run_lod("validate", data)
    assert result.code == 1
    assert "laughs.yaml:2: (yaml): YAML aliases (*name) are not allowed" in result.stderr


def test_control_characters_never_reach_the_terminal(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The contract refuses them in records (issue 20); a vocabulary label can still hold them."""
    data = tmp_path / "data"
    text = VALID_RECORD.format(id="lyon-editathon").replace(
        "  en: A library edit-a-thon", '  en: "A library \\e[2J\\e]0;pwned\\a edit-a-thon"')
    write_record(data, "lyon-editathon", text)
    refused = run_lod("validate", data)
    assert refused.code == 1 and "title.en: U+001B (ESC) is not allowed" in refused.stderr
    write_record(data, "lyon-editathon")
    mappings = copy_of("mappings", tmp_path)
    regions = mappings / "regions.ttl"
    regions.write_text(regions.read_text(encoding="utf-8").replace(
        'skos:prefLabel "Europe"@en', 'skos:prefLabel "Europe \\u001B[2J\\u001B]0;pwned\\u0007"@en'),
        encoding="utf-8")
    monkeypatch.setenv("LOD_MAPPINGS", str(mappings))
    for fmt in ("table", "tsv"):
        result = run_lod("query", "by-region", "--data", data, "--format", fmt)
        assert result.code == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "\\x1b[2J" in result.stdout
    # CSV keeps the data exact for files and pipes and is escaped on a terminal; JSON writes
    # control characters as \u escapes anyway.
    from lod.pipeline import assemble
    from lod.query.catalog import get_query
    from lod.query.execute import run_in_process
    from lod.query.output import render

    answer = run_in_process(get_query("by-region"), assemble([data], Settings()).store, {})
    assert "\x1b" in render(answer, "csv")
    assert "\x1b" not in render(answer, "csv", terminal=True)
    assert "\x1b" not in render(answer, "json") + render(answer, "json", terminal=True)


def test_nothing_private_is_written_under_out(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_record(data)
    out = tmp_path / "dist"
    (out / ".cache").mkdir(parents=True)  # left by an older lod: it held whole records
    (out / ".cache" / "records.sqlite").write_text("private@example.org", encoding="utf-8")
    assert run_lod("build", "--data", data, "--out", out).code == 0
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            for secret in ("private@example.org", "Private Person", "never be published"):
                assert secret not in text, f"{path} holds {secret!r}"
    assert not (out / ".cache").exists()


def test_the_installed_command_builds_and_fails_cleanly(tmp_path: Path) -> None:
    """End to end, as a user's shell runs it."""
    out = tmp_path / "dist"
    assert run_installed("build", "--data", CASESTUDIES, "--out", out).code == 0
    broken = run_installed("build", "--data", tmp_path / "missing", "--out", out)
    assert broken.code == 1 and "Traceback" not in broken.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(OWN_FILES)


def test_every_command_reports_an_unwritable_out_in_one_line(tmp_path: Path) -> None:
    """The net under every command: an OSError is one line and exit 1, never a traceback."""
    form = next((ROOT / "tests" / "data" / "csv").glob("*.csv"))
    result = run_lod("import-csv", form, "--out", "/sys/lod-drafts")
    assert result.code == 1
    one_line_error(result.stderr)
    assert "/sys/lod-drafts" in result.stderr
