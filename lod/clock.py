"""The one clock lod waits on (``Retry-After``, ``maxlag``, backoff, the pause between two edits).

Why a module of its own: every polite wait in lod goes through :func:`sleep`, so
a caller (the test suite) can hand lod another clock with :func:`waiting_with`,
one that records how long lod *would* have waited and returns at once. A retry
test then takes milliseconds and checks the wait itself instead of measuring
the wall clock, which depends on how busy the machine is. :func:`monotonic`
moves on by every wait taken on such a clock, so code that measures the time
since its last wait (the edit pacer) sees the waits it asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_sleep: Callable[[float], None] = time.sleep
#: Seconds waited on a replacement clock (added to :func:`monotonic`).
_skipped = 0.0


def sleep(seconds: float) -> None:
    """Wait ``seconds`` on the current clock (the real one unless :func:`waiting_with` says otherwise)."""
    global _skipped
    _sleep(seconds)
    if _sleep is not time.sleep:
        _skipped += max(0.0, seconds)


def monotonic() -> float:
    """Seconds on a monotonic clock, including the waits a replacement clock skipped."""
    return time.monotonic() + _skipped


@contextmanager
def waiting_with(clock: Callable[[float], None]) -> Iterator[None]:
    """Within the block, every wait of lod's clients calls ``clock(seconds)`` instead of sleeping.

    Process-wide on purpose (not a context variable): the clients may wait in
    worker threads, which would not see a context variable set here.
    """
    global _sleep
    previous, _sleep = _sleep, clock
    try:
        yield
    finally:
        _sleep = previous
