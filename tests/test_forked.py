"""A call run in a forked process gives back its value or its error (``lod.workers.Forked``).

``lod build`` writes its dumps in forked processes while it checks the
shapes; a dump that cannot be written must fail the build with the dump's
own error, and a build that stops early must not leave a process running.
"""

from __future__ import annotations

import os
import signal
import time
from functools import partial
from pathlib import Path

import pytest

from lod.workers import PARALLEL_FROM, Forked, forks_pay


def test_the_value_comes_back_from_another_process() -> None:
    forked = Forked(os.getpid)
    assert forked.result() != os.getpid()


def test_the_error_of_the_call_is_raised_in_the_caller(tmp_path: Path) -> None:
    forked = Forked(lambda: (tmp_path / "missing" / "file").write_text("x"))
    with pytest.raises(FileNotFoundError):
        forked.result()


def test_a_process_killed_before_answering_is_an_error_not_a_hang() -> None:
    forked = Forked(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(ChildProcessError, match="without an answer"):
        forked.result()


def test_a_child_may_run_at_a_lower_priority() -> None:
    assert Forked(partial(os.getpriority, os.PRIO_PROCESS, 0), nice=5).result() == \
        os.getpriority(os.PRIO_PROCESS, 0) + 5


def test_a_cancelled_call_leaves_no_process(tmp_path: Path) -> None:
    started = tmp_path / "pid"
    forked = Forked(lambda: (started.write_text(str(os.getpid())), signal.pause()))
    while not started.exists() or not started.read_text():
        time.sleep(0.01)
    forked.cancel()
    with pytest.raises(ProcessLookupError):
        os.kill(int(started.read_text()), 0)


def test_made_here_the_call_runs_in_this_process_once_and_only_when_asked() -> None:
    calls: list[int] = []
    forked = Forked(lambda: calls.append(os.getpid()) or len(calls), here=True)
    assert calls == []  # nothing ran yet: a small build writes its dumps after its checks
    assert forked.result() == 1
    assert calls == [os.getpid()]


def test_made_here_the_error_is_raised_in_the_caller_and_a_cancel_runs_nothing(
        tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Forked(lambda: (tmp_path / "missing" / "file").write_text("x"), here=True).result()
    touched = tmp_path / "touched"
    Forked(touched.touch, here=True).cancel()
    assert not touched.exists()


def test_only_work_big_enough_for_fan_out_is_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not forks_pay(PARALLEL_FROM - 1)
    monkeypatch.setattr("lod.workers.worker_count", lambda: 2)
    assert forks_pay(PARALLEL_FROM)
    monkeypatch.setattr("lod.workers.worker_count", lambda: 1)
    assert not forks_pay(PARALLEL_FROM * 10)  # one core: nothing runs beside
