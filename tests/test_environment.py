"""The suite runs in one environment, whatever the user's own (tests/conftest.py sets it up)."""

from __future__ import annotations

import datetime as dt
import locale
import os
import pwd
import subprocess
import sys
import time
from pathlib import Path

# What a child process finds: its locale, its time zone, its home.
SHOW = "import os, pathlib, time; print(os.environ['LC_ALL'], time.tzname[0], pathlib.Path.home())"


def test_home_is_a_temporary_folder_not_the_users() -> None:
    home = Path(os.environ["HOME"])
    assert home != Path(pwd.getpwuid(os.getuid()).pw_dir)
    assert home.name.startswith("lod-tests-home-") and home.is_dir()
    assert Path("~").expanduser() == home


def test_locale_and_time_zone_are_fixed_here_and_in_children() -> None:
    assert locale.setlocale(locale.LC_ALL) in {"C.UTF-8", "C.utf8"}
    assert time.tzname[0] == "UTC" and dt.datetime.now().astimezone().utcoffset() == dt.timedelta(0)
    child = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True,
                           check=True, timeout=60).stdout.split()
    assert child == ["C.UTF-8", "UTC", os.environ["HOME"]]


def test_hypothesis_never_times_an_example() -> None:
    """A deadline per example measures the machine: the session's profile has none."""
    from hypothesis import HealthCheck, settings

    assert settings(max_examples=5).deadline is None
    assert HealthCheck.too_slow in settings(max_examples=5).suppress_health_check
