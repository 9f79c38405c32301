"""A test that signals a child does not depend on how the test run itself was started."""

from __future__ import annotations

import signal
import subprocess
import sys

from signals import with_default_signals

# Prints "ready", then waits; Ctrl-C ends it with "interrupted" (Python's default SIGINT handling).
# "ready" is printed inside the try: a SIGINT that arrives right after it must still be caught.
WAITER = (
    "import sys, time\n"
    "try:\n"
    "    print('ready', flush=True)\n"
    "    time.sleep(60)\n"
    "except KeyboardInterrupt:\n"
    "    print('interrupted', flush=True)\n"
    "    sys.exit(3)\n"
)
# Prints how the child found SIGINT when it started.
DISPOSITION = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"


def test_a_child_is_interrupted_even_when_the_run_ignores_sigint(sigint_ignored: None) -> None:
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    process = subprocess.Popen(with_default_signals([sys.executable, "-c", WAITER]),
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)  # a limit against a hang, not a measurement
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (process.returncode, out) == (3, "interrupted\n")


def test_without_the_wrapper_an_ignored_sigint_is_inherited(sigint_ignored: None) -> None:
    """Why tests/signals.py exists: a plain child of a process ignoring SIGINT ignores it too."""
    def ignored(command: list[str]) -> str:
        return subprocess.run(command, capture_output=True, text=True, check=True,
                              timeout=60).stdout.strip()

    assert ignored([sys.executable, "-c", DISPOSITION]) == "True"
    assert ignored(with_default_signals([sys.executable, "-c", DISPOSITION])) == "False"
