"""One way to replace a file, one way to lock: the package's only writers of durable state use these.

:func:`write_atomic` writes a temporary file in the same folder, fsyncs it,
gives it the mode (and, where allowed, the owner) of the file it replaces, or
the umask's mode for a new file, renames it over the old one and fsyncs the
folder. A reader sees the old file or the new one, never half of either, and
a crash after the call returns cannot lose the new file. A curated record
keeps its permissions: ``mkstemp`` alone makes files private (0600).

:func:`lock` holds an ``flock`` on a lock file for a block and refuses at once
when another process holds it. The kernel drops the lock when its holder dies,
so a lock left by a killed run never blocks the next one (the file may remain;
only the lock on it counts).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockedError(Exception):
    """Another process holds the lock; the message says who to wait for."""


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows (``/proc``)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: read it the old way, and put it straight back
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (the folder's entry is data too)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return  # a file system that cannot open folders cannot sync them either
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(descriptor)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8, exactly as given), atomically.

    The file keeps its mode and, when the process may set it, its owner and
    group; a new file gets ``0666`` less the umask, as ``open`` would give it.
    A symbolic link is followed: the file it names is replaced, the link stays.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        old: os.stat_result | None = target.stat()
    except FileNotFoundError:
        old = None
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(payload)
            stream.flush()
            if old is not None:
                os.fchmod(stream.fileno(), stat.S_IMODE(old.st_mode))
                if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
                    try:
                        os.fchown(stream.fileno(), old.st_uid, old.st_gid)
                    except PermissionError:
                        pass  # only root (or a member of the group) may; the mode still holds
            else:
                os.fchmod(stream.fileno(), 0o666 & ~current_umask())
            os.fsync(stream.fileno())
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


@contextmanager
def lock(lock_path: Path, busy: str) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` for the block.

    Raises :class:`LockedError` with the message ``busy`` at once when another
    process holds it (never waits: a second run is refused, not queued).
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(busy) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
