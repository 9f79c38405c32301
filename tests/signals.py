"""Start a child that a test will signal with those signals' default dispositions.

A process started from a background job (``make test &`` in a script, ``nohup``,
some CI runners) inherits SIGINT and SIGQUIT as *ignored* (POSIX), exec keeps an
ignored signal ignored, and :mod:`subprocess` restores only SIGPIPE, SIGXFZ and
SIGXFSZ.  A test that sends SIGINT to such a child would wait for an interruption
that never comes, so whether it passed would depend on how its parent was started.
``preexec_fn`` could reset them, but it is unsafe in a process with threads (the
fault proxy's), so a tiny Python wrapper resets them and execs the real command:
same pid, same arguments, default dispositions.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence

#: The signals tests send; each is reset to SIG_DFL before the command starts.
SENT = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)

_RESET_THEN_EXEC = (
    "import os, signal, sys\n"
    f"for number in {[int(s) for s in SENT]!r}:\n"
    "    signal.signal(number, signal.SIG_DFL)\n"
    "os.execvp(sys.argv[1], sys.argv[1:])\n"
)


def with_default_signals(command: Sequence[str]) -> list[str]:
    """``command`` wrapped so that it starts with :data:`SENT` at their default dispositions."""
    return [sys.executable, "-I", "-S", "-c", _RESET_THEN_EXEC, *command]
