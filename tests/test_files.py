"""One atomic writer and one lock (lod/files.py), and the QID write-back that rides on them."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, VALID_RECORD
from lod.files import LockedError, current_umask, lock, write_atomic
from lod.publish.wikidata.writeback import write_back


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_rewritten_file_keeps_its_mode_and_a_new_file_gets_the_umask(tmp_path: Path) -> None:
    shared = tmp_path / "shared.tsv"
    shared.write_text("old\n", encoding="utf-8")
    shared.chmod(0o664)
    write_atomic(shared, "new\n")
    assert shared.read_text(encoding="utf-8") == "new\n"
    assert _mode(shared) == 0o664  # mkstemp alone would have made it 0600
    private = tmp_path / "private.tsv"
    private.write_text("old\n", encoding="utf-8")
    private.chmod(0o600)
    write_atomic(private, b"new\n")
    assert _mode(private) == 0o600
    fresh = tmp_path / "sub" / "fresh.txt"
    write_atomic(fresh, "x")
    assert _mode(fresh) == 0o666 & ~current_umask()
    assert sorted(p.name for p in (tmp_path).iterdir()) == ["private.tsv", "shared.tsv", "sub"]


def test_text_is_written_exactly_as_given(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    write_atomic(path, "a\r\nb\r\n")  # no newline translation on any system
    assert path.read_bytes() == b"a\r\nb\r\n"


def test_a_symlinked_file_is_replaced_through_its_link(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("a\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    write_atomic(link, "b\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "b\n"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "ledger.tsv"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(TypeError):
        write_atomic(path, 42)  # type: ignore[arg-type]
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.tsv"]


def _hold(lock_path: str, ready: multiprocessing.synchronize.Event) -> None:
    with lock(Path(lock_path), "busy"):
        ready.set()
        signal.pause()


def test_a_held_lock_refuses_at_once_and_a_killed_holder_blocks_nothing(tmp_path: Path) -> None:
    lock_path = tmp_path / ".out.lock"
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold, args=(str(lock_path), ready))
    holder.start()
    try:
        assert ready.wait(120)
        with pytest.raises(LockedError, match="another run"), lock(lock_path, "another run"):
            pass
    finally:
        holder.kill()
        holder.join()
    assert lock_path.exists()  # the file stays behind a killed run; it holds nothing
    with lock(lock_path, "busy"):
        pass


CURATED = (
    "# A curated record: comments, quoting, key order and CRLF endings are the curator's\r\n"
    "status: 'reviewed'   # reviewed on 2026-11-20\r\n"
    'id: "lyon-editathon"\r\n'
    "lang: en\r\n"
) + "".join(line + "\r\n" for line in VALID_RECORD.format(id="x").splitlines()
            if not line.startswith(("id:", "status:", "lang:")))


def test_the_write_back_changes_one_line_and_keeps_mode_and_every_other_byte(
        tmp_path: Path) -> None:
    path = tmp_path / "lyon-editathon.yaml"
    path.write_bytes(CURATED.encode())
    path.chmod(0o644)
    if os.geteuid() == 0:  # root may give it to another account, as a shared checkout has it
        os.chown(path, 65534, 65534)
    owner = (path.stat().st_uid, path.stat().st_gid)
    assert write_back(tmp_path, {"lyon-editathon": "Q4242"}) == [path]
    assert (path.stat().st_uid, path.stat().st_gid) == owner
    expected = CURATED.replace('id: "lyon-editathon"\r\n',
                               'id: "lyon-editathon"\r\nwikidata: Q4242\r\n', 1)
    assert path.read_bytes() == expected.encode()
    assert _mode(path) == 0o644
    assert yaml.safe_load(path.read_bytes())["wikidata"] == "Q4242"
    # a second write-back leaves it alone (it has a wikidata now)
    assert write_back(tmp_path, {"lyon-editathon": "Q5"}) == []
    assert path.read_bytes() == expected.encode()


def test_the_write_back_keeps_the_mode_when_run_as_a_command(tmp_path: Path) -> None:
    """The same through a separate process with umask 077 (a cron job, a CI runner)."""
    path = tmp_path / "lyon-editathon.yaml"
    path.write_text(VALID_RECORD.format(id="lyon-editathon"), encoding="utf-8")
    path.chmod(0o664)
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from lod.publish.wikidata.writeback import write_back
        os.umask(0o077)
        print(write_back(Path({str(tmp_path)!r}), {{"lyon-editathon": "Q77"}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=120)
    assert "lyon-editathon.yaml" in done.stdout
    assert _mode(path) == 0o664
    assert path.read_text(encoding="utf-8").count("wikidata: Q77\n") == 1


def test_a_record_with_wikidata_null_or_no_id_line_is_left_alone(tmp_path: Path) -> None:
    empty = tmp_path / "a.yaml"
    empty.write_text(VALID_RECORD.format(id="a") + "wikidata:\n", encoding="utf-8")
    flow = tmp_path / "b.yaml"
    flow.write_text('{"id": "b", "status": "reviewed"}\n', encoding="utf-8")
    before = {p: p.read_bytes() for p in (empty, flow)}
    assert write_back(tmp_path, {"a": "Q1", "b": "Q2"}) == []
    assert {p: p.read_bytes() for p in (empty, flow)} == before


def test_no_other_atomic_writer_or_flock_in_lod() -> None:
    """Issue 21: one writer and one lock; every other module goes through lod/files.py."""
    found = []
    for path in sorted((ROOT / "lod").rglob("*.py")):
        if path.name == "files.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("mkstemp", "NamedTemporaryFile", "fcntl.flock", "os.fsync(", "def write_atomic"):
            if needle in text:
                found.append(f"{path.relative_to(ROOT)}: {needle}")
    allowed = {"lod/publish/wikidata/journal.py: os.fsync(",  # appends, never replaces
               "lod/publish/outdir.py: os.fsync("}  # a staged folder's files before the swap
    assert set(found) <= allowed, found
