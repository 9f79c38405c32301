"""Replace an output folder all at once, one writer at a time.

A build writes every file into a staging folder beside OUT, then puts it in
OUT's place. On Linux the two folders are exchanged in one system call
(``renameat2(RENAME_EXCHANGE)``), so at every instant OUT is either the whole
old build or the whole new one. Where that call is missing (or
``LOD_SWAP=rename`` asks for it), OUT is first renamed aside and the staging
folder renamed in. The folder set aside records which folder was coming in
(its device and inode) before OUT moves, so a run killed between the two
renames can be told from one killed after them: the next run puts the old
build back when OUT is missing, removes it only when OUT is the build that
came in, and otherwise (OUT made since by hand or by another command) keeps
both and refuses with a message saying where the old build is. The old OUT,
and every file carried over in it, is never deleted before the new one is in
place.

A lock file beside OUT (``.OUT.lock``, ``flock``) keeps two writers out of one
folder: the second is refused with a clear message rather than racing.
Leftover staging folders of killed runs are removed by the next run.

Files in OUT that the build does not make (a site, a publishing plan, a
curator's notes) are carried over as hard links, so the old OUT is never
touched before the swap; a ``.cache`` folder left by older versions of
``lod`` is dropped (it held private fields).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO

from lod.files import LockedError, lock

#: Left in OUT by versions of lod before 0.2: never carried over.
LEGACY = frozenset({".cache"})
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputError(Exception):
    """OUT cannot be written: the message is one line a person can act on."""


def _describe(error: OSError, what: Path) -> str:
    reason = error.strerror or str(error)
    if error.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = f"permission denied ({reason})"
    return f"cannot write {what}: {reason}"


#: ``LOD_SWAP=rename`` forces the two-rename swap (for file systems where renameat2 is
#: refused in odd ways, and for the tests of that path).
SWAP_ENV = "LOD_SWAP"
_INCOMING = "incoming"


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system cannot."""
    if os.environ.get(SWAP_ENV) == "rename":
        return False
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    status = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                       _RENAME_EXCHANGE)
    if status == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _identity(path: Path) -> str:
    status = path.stat()
    return f"{status.st_dev}:{status.st_ino}"


def _recover(out_dir: Path) -> None:
    """Undo a run killed between the two renames; remove other runs' leftovers.

    An old build set aside is put back when OUT is missing, removed when OUT is
    the build that was coming in (the run was killed after both renames), and
    otherwise kept: :class:`OutputError` says where, and nothing is removed.
    """
    parent, name = out_dir.parent, out_dir.name
    for aside in sorted(parent.glob(f".{name}.old-*")):
        previous = aside / "previous"
        if not previous.is_dir():
            continue
        if not os.path.lexists(out_dir):
            previous.replace(out_dir)
            continue
        try:
            incoming = (aside / _INCOMING).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            incoming = ""
        if not incoming or incoming != _identity(out_dir):
            raise OutputError(
                f"an interrupted lod run left the previous {out_dir} at {previous}, and "
                f"{out_dir} was made since; keep one of them (move the other away), then run again"
            )
    for leftover in [*parent.glob(f".{name}.stage-*"), *parent.glob(f".{name}.old-*")]:
        if not (leftover / "previous").is_dir() or os.path.lexists(out_dir):
            shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold OUT's lock for the block; refuse at once when another run holds it."""
    lock_path = out_dir.parent / f".{out_dir.name}.lock"
    held = ExitStack()
    try:
        held.enter_context(lock(lock_path, (
            f"another lod command is writing to {out_dir} (it holds {lock_path}); "
            "wait for it to finish, then run again")))
    except LockedError as error:
        raise OutputError(str(error)) from None
    except OSError as error:
        raise OutputError(_describe(error, lock_path)) from None
    with held:
        yield


def _carry_over(old: Path, stage: Path, made: set[str]) -> None:
    for entry in old.iterdir():
        if entry.name in made or entry.name in LEGACY:
            continue
        target = stage / entry.name
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(target))


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


#: A file's content: its bytes, or a function that writes them to an open file (large
#: files are streamed, never held whole in memory).
Content = bytes | Callable[[BinaryIO], None]


def write_file(path: Path, data: Content, *, sync: bool = True) -> None:
    """Write one file of a staging folder, flushed to disk (unless ``sync`` is False)."""
    with path.open("wb") as handle:
        if isinstance(data, bytes):
            handle.write(data)
        else:
            data(handle)
        handle.flush()
        if sync:
            os.fsync(handle.fileno())


def _holds(path: Path, data: bytes) -> bool:
    """True when ``path`` is a file holding exactly ``data``."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _sync_filesystem(folder: Path) -> bool:
    """Flush the whole file system holding ``folder`` in one call (Linux ``syncfs``)."""
    libc_name = ctypes.util.find_library("c")
    syncfs = getattr(ctypes.CDLL(libc_name, use_errno=True), "syncfs", None) if libc_name else None
    if syncfs is None:
        return False
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        return bool(syncfs(descriptor) == 0)
    finally:
        os.close(descriptor)


def replace_folder(out_dir: Path, files: Mapping[str, Content], *,
                   before_swap: Callable[[Path], None] | None = None,
                   carry_over: bool = True, many_files: bool = False) -> None:
    """Make ``out_dir`` hold ``files`` (plus what it held that they do not name), atomically.

    A name may hold '/' (a file in a sub-folder). With ``carry_over=False`` OUT
    holds exactly ``files`` afterwards (a site whose removed pages must go).
    With ``many_files=True`` (thousands of pages) a file whose bytes OUT
    already holds is hard-linked from OUT rather than written again (only what
    changed is new on disk), and the rest are flushed by one ``syncfs``
    instead of one ``fsync`` each.
    Raises :class:`OutputError` when OUT cannot be written; OUT is then as it was.
    """
    with staging(out_dir) as stage:
        write_files(stage, out_dir, files, many_files=many_files)
        swap_in(stage, out_dir, set(files), before_swap=before_swap, carry_over=carry_over)


@contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """OUT's lock held and a fresh staging folder beside OUT for the block.

    The staging folder is removed when the block ends, whether it swapped
    it in (:func:`swap_in`) or failed; a command may keep work files in it
    (the build's spool) as long as it removes them before the swap. An
    ``OSError`` in the block becomes :class:`OutputError`.
    """
    out_dir = out_dir.absolute()
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} is a file; --out must name a folder")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(_describe(error, out_dir.parent)) from None
    with locked(out_dir):
        _recover(out_dir)
        try:
            stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.stage-", dir=out_dir.parent))
        except OSError as error:
            raise OutputError(_describe(error, out_dir.parent)) from None
        try:
            stage.chmod(0o755)  # mkdtemp makes it private; a published dump is for everyone
            yield stage
        except OSError as error:
            raise OutputError(_describe(error, out_dir)) from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)


def write_files(stage: Path, out_dir: Path, files: Mapping[str, Content], *,
                many_files: bool = False) -> None:
    """Write ``files`` into the staging folder (see :func:`replace_folder` for ``many_files``)."""
    writer = StageWriter(stage, out_dir, many_files=many_files)
    for name, data in files.items():
        writer.write(name, data)
    writer.finish()


class StageWriter:
    """Files written into a staging folder one at a time, then flushed to disk together.

    :func:`write_files` for files that are made one after another and never
    held together (``lod site``'s pages): each is written as it comes, and
    :meth:`finish` flushes them (see :func:`replace_folder` for ``many_files``).
    """

    def __init__(self, stage: Path, out_dir: Path, *, many_files: bool = False) -> None:
        self._stage = stage
        self._out_dir = out_dir.absolute()
        self._many_files = many_files
        self._written: list[Path] = []

    def write(self, name: str, data: Content) -> int:
        """Write file ``name`` (may hold '/') into the staging folder; its size in bytes."""
        target = self._stage / name
        if "/" in name:
            target.parent.mkdir(parents=True, exist_ok=True)
        if self._many_files and isinstance(data, bytes) and _holds(self._out_dir / name, data):
            _link_or_copy(str(self._out_dir / name), str(target))
            return len(data)
        write_file(target, data, sync=not self._many_files)
        self._written.append(target)
        return len(data) if isinstance(data, bytes) else target.stat().st_size

    def finish(self) -> None:
        """Flush what was written (one ``syncfs`` when ``many_files``; else already synced)."""
        if self._many_files and not _sync_filesystem(self._stage):
            for target in self._written:
                with target.open("rb") as handle:
                    os.fsync(handle.fileno())


def swap_in(stage: Path, out_dir: Path, made: set[str], *,
            before_swap: Callable[[Path], None] | None = None, carry_over: bool = True) -> None:
    """Carry over what OUT holds beside ``made`` (unless ``carry_over`` is False), then swap."""
    out_dir = out_dir.absolute()
    if out_dir.exists() and carry_over:
        _carry_over(out_dir, stage, made)
    if before_swap is not None:
        before_swap(stage)
    _swap(stage, out_dir)


def _swap(stage: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        stage.replace(out_dir)
        return
    if _exchange(stage, out_dir):
        return  # ``stage`` now holds the old build; the caller removes it
    aside = set_aside(stage, out_dir)
    try:
        stage.replace(out_dir)
    except OSError:
        (aside / "previous").replace(out_dir)  # the old build back where it was
        shutil.rmtree(aside, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def set_aside(stage: Path, out_dir: Path) -> Path:
    """The first rename of the fallback swap: OUT moves to ``.OUT.old-*/previous``.

    Before it moves, the folder notes which folder is coming in, so that
    :func:`_recover` can tell a finished swap from an interrupted one.
    """
    aside = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    note = aside / _INCOMING
    with note.open("w", encoding="ascii") as handle:
        handle.write(_identity(stage) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    out_dir.replace(aside / "previous")
    return aside
