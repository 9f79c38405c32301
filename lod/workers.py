"""The one way work is spread over processes: when to fan out, how many workers, what a chunk is.

The pipeline (each file: read, check, turn into lines) and the site (each
record: page and serialisations) both have work whose items need nothing from
each other. Both fan out by the same rule, so a collection is either big
enough for worker processes or it is not, whichever command reads it:

- fewer than :data:`PARALLEL_FROM` items, or one core: this process does the
  work (starting workers costs more than it saves);
- otherwise one worker per usable core (at most :data:`MAX_WORKERS`), the
  items cut into chunks of at most :data:`CHUNK`, about four per worker so a
  slow chunk does not leave the other cores idle.

The results come back in the items' order, so an output is the same, byte for
byte, however the work was spread.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: Below this many items one process is faster than starting workers.
PARALLEL_FROM = 200
#: Never more workers than this (each holds its share of the results until sent back).
MAX_WORKERS = 8
#: The most items one chunk carries to a worker.
CHUNK = 250
#: Chunks per worker handed out ahead of the results taken back (one working, one waiting).
AHEAD = 2


def worker_count() -> int:
    """The cores this process may run on (its affinity, not the machine's count), at most :data:`MAX_WORKERS`."""
    return max(1, min(len(os.sched_getaffinity(0)), MAX_WORKERS))


def chunks_of(items: Sequence[Item], workers: int) -> list[Sequence[Item]]:
    """``items`` cut in order into about four chunks per worker, none over :data:`CHUNK` items."""
    size = max(1, min(CHUNK, -(-len(items) // (workers * 4))))
    return [items[start:start + size] for start in range(0, len(items), size)]


def forks_pay(items: int) -> bool:
    """Whether work over ``items`` items is worth other processes: :func:`fan_out`'s rule.

    A build of the 30 bundled records paid 0.3 s of CPU (60 %) for the four
    processes it forked to write its dumps beside the shape checks.
    """
    return worker_count() >= 2 and items >= PARALLEL_FROM


def fan_out(work: Callable[[Sequence[Item]], Iterable[Result]], items: Sequence[Item], *,
            workers: int | None = None, parallel_from: int = PARALLEL_FROM) -> Iterator[Result]:
    """``work`` applied to ``items`` a chunk at a time; the results in the items' order.

    ``work`` must be picklable (a module-level function, or a
    :func:`functools.partial` of one) when the work fans out; it takes a chunk
    and returns that chunk's results in order. ``workers`` defaults to
    :func:`worker_count`.
    """
    workers = workers or worker_count()
    if workers < 2 or len(items) < parallel_from:
        yield from work(items)
        return
    # fork, not spawn: a spawned child imports the parent's __main__ again (``python -m
    # lod`` would run the command once more); the children only compute values.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # At most AHEAD chunks per worker given out and not yet taken back: the results of
        # every chunk would otherwise pile up here whenever the caller is the slower side.
        running: deque[Future[Iterable[Result]]] = deque()
        for chunk in chunks_of(items, workers):
            if len(running) == workers * AHEAD:
                yield from running.popleft().result()
            running.append(pool.submit(work, chunk))
        while running:
            yield from running.popleft().result()


class Forked(Generic[Result]):
    """One call run in a forked child process beside this one; its value (or error) when asked.

    For work that needs the whole of something this process has already made
    (the build's graph file) and nothing else: the dumps and the report are
    written while this process checks the shapes, so both cores work. The
    call is not pickled (the child is a fork of this process); only its
    value or its exception comes back, pickled. The child starts at once.

    A fork copies only the thread that forks: the call must not use a
    library whose thread pool this process may have started already (the
    SHACL engine, pyoxigraph's on-disk store): it would wait forever for
    threads the child does not have. Python code and pyoxigraph's parser and
    serialisers are safe.
    """

    def __init__(self, call: Callable[[], Result], *, nice: int = 0, here: bool = False) -> None:
        """Start ``call`` in a child; ``nice``: lower its priority by so much (``os.nice``).

        ``here``: no child; :meth:`result` makes the call in this process. For
        work too small to pay for a process (:func:`forks_pay`): the same call,
        so the same value, however it ran.
        """
        self._here: Callable[[], Result] | None = call if here else None
        self._child: tuple[BaseProcess, Connection] | None = None
        if here:
            return
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_run_forked, args=(call, send, nice), daemon=True)
        process.start()
        send.close()
        self._child = (process, receive)

    def result(self) -> Result:
        """The call's value; its exception is raised here (asked for once)."""
        if self._child is None:
            call, self._here = self._here, None
            assert call is not None  # noqa: S101 - a result is asked for once
            return call()
        process, receive = self._child
        try:
            done, value = receive.recv()
        except EOFError:
            process.join()
            raise ChildProcessError(
                f"a worker process ended without an answer (exit code {process.exitcode})"
            ) from None
        finally:
            receive.close()
        process.join()
        if done:
            return value  # type: ignore[no-any-return]
        raise value

    def cancel(self) -> None:
        """Stop the child if it still runs (the answer is no longer wanted); made here: nothing runs."""
        self._here = None
        if self._child is None:
            return
        process, receive = self._child
        if process.is_alive():
            process.kill()
        process.join()
        receive.close()


def _run_forked(call: Callable[[], object], send: Connection, nice: int) -> None:
    try:
        if nice:
            os.nice(nice)
        answer: tuple[bool, object] = (True, call())
    except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
        answer = (False, error)
    send.send(answer)
    send.close()
