"""Shared fixtures: the repository layout and a way to run ``lod`` as a user does."""

from __future__ import annotations

import contextlib
import faulthandler
import fcntl
import functools
import locale
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
CASESTUDIES = ROOT / "casestudies"


# --- one environment for every run, however the user's own is set up ---------------------------

# Hypothesis's deadline (200 ms an example) and its too_slow health check time the machine, not
# lod: on a busy machine they fail tests that are right. Loaded before the test modules, so a
# test's own @settings keeps these unless it says otherwise.
settings.register_profile("lod", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("lod")

_HOME = pytest.StashKey[Path]()
_STDERR = pytest.StashKey[int]()
#: A test body still running after this many seconds prints where every thread waits.
STALL_SECONDS = 30.0


def pytest_configure(config: pytest.Config) -> None:
    """A temporary HOME, the C.UTF-8 locale and UTC for the whole session (and its children).

    Why: nothing a test checks may depend on the user's ``~`` (their settings, caches,
    a real Wikidata login), on their language (messages, sorting, number formats) or on
    their time zone (``today`` in dated files). Runs in the controller and in each worker
    before any test, so subprocesses inherit it too.
    """
    home = Path(tempfile.mkdtemp(prefix="lod-tests-home-"))
    config.stash[_HOME] = home
    os.environ.update({
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"), "XDG_DATA_HOME": str(home / ".local" / "share"),
        "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "UTC",
    })
    os.environ.pop("LANGUAGE", None)
    time.tzset()
    locale.setlocale(locale.LC_ALL, "C.UTF-8")
    if sys.__stderr__ is not None:
        config.stash[_STDERR] = os.dup(sys.__stderr__.fileno())  # the terminal, not a capture


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test body still running after :data:`STALL_SECONDS` prints every thread's stack, and goes on.

    Why: a rare stall (once in nine runs, a Ctrl-C test took 32 s instead of 2) left only
    its duration behind. Only the test's body is watched: a session fixture's first start
    (the test Wikibase's template, a minute on a busy machine) is slow by design.
    """
    stderr = item.config.stash.get(_STDERR, None)
    if stderr is None:
        yield
        return
    faulthandler.dump_traceback_later(STALL_SECONDS, file=stderr)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


#: Test files that take longest (on 2 quiet cores: test_shapes about 40 s with the pySHACL oracle
#: cold, the live-publish and browser files 10-25 s each), longest first. `make test` hands files
#: to its two workers in collection order (``--dist loadfile --no-loadscope-reorder``), so these
#: start first and the many short files fill in after them: the workers finish together. xdist's
#: own order (most tests first) ran the few long files last, on one worker, while the other
#: waited. A file not named here keeps its place after them.
LONGEST_FIRST = (
    "test_shapes.py", "test_publish_plan_live.py", "test_publish_faults.py", "test_submit_form.py",
    "test_site_browser.py", "test_query_page.py", "test_input_damage.py", "test_query_research.py",
    "test_harvest_dump.py", "test_curator_loop.py", "test_review_page.py", "test_publish_live.py",
    "test_build_failures.py", "test_harvest_wiki.py", "test_publish_bot.py", "test_properties.py",
    "test_site.py", "test_publish_wikidata_errors.py", "test_record_policy.py", "test_inputs.py",
    "test_query_server.py", "test_publish_dumps.py", "test_reconcile_properties.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of :data:`LONGEST_FIRST` first, in that order; a file's tests stay together and
    in their order (a stable sort), so module fixtures still start once."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the session's temporary HOME."""
    home = config.stash.get(_HOME, None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)
    stderr = config.stash.get(_STDERR, None)
    if stderr is not None:
        os.close(stderr)


@dataclass(frozen=True)
class Run:
    """Outcome of one ``lod`` invocation."""

    code: int
    stdout: str
    stderr: str


@functools.cache
def _lod_command() -> Any:
    """The click command Typer makes of ``lod.cli.app``, made once: Typer's runner makes it
    again on every invoke (15 ms, more than many commands take), and it is the same each time."""
    from typer.main import get_command

    from lod.cli import app

    return get_command(app)


def run_lod(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None,
            stdin: str | None = None) -> Run:
    """Run ``lod`` in this process (Typer's runner), from ``cwd``, as a user would type it
    (``stdin``: what is piped into it).

    What Typer's ``CliRunner.invoke`` does (its isolated stdin, stdout, stderr and ``env``,
    then the command's ``main`` as the ``lod`` script calls it), on :func:`_lod_command`.
    A traceback is never what a user should see: an exception that escapes the
    command fails the test with it.
    """
    from typer.testing import CliRunner

    runner = CliRunner()
    code: int = 0
    with contextlib.chdir(cwd), runner.isolation(input=stdin, env=env) as (out, err, _):
        try:
            _lod_command().main(args=[str(arg) for arg in args], prog_name="lod")
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            if not isinstance(exit_.code, int | None):
                sys.stdout.write(f"{exit_.code}\n")
        except Exception as error:
            raise AssertionError(f"lod {' '.join(map(str, args))} raised") from error
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = (stream.getvalue().decode(runner.charset, "replace").replace("\r\n", "\n")
                          for stream in (out, err))
    return Run(code, stdout, stderr)


def run_installed(*args: str | Path, cwd: Path = ROOT) -> Run:
    """Run the installed ``lod`` command in a subprocess (the end-to-end checks)."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lod")), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


VALID_RECORD = """\
id: {id}
status: reviewed
lang: en
title:
  en: A library edit-a-thon
  fr: Un edit-a-thon en bibliothèque
summary:
  en: A public library ran an edit-a-thon on local history.
institutions:
  - name: Bibliothèque municipale de Lyon
    country: FR
    type: public
    role: lead
    wikidata: Q1234567
  - name: Wikimédia France
    country: FR
    type: non-library
wikimedia_projects: [wikipedia, commons]
activities: [editathon]
ifla_units: [public-libraries]
languages: [fr]
period:
  start: "2019-03"
  end: "2019"
links:
  - url: https://example.org/report
    title: Report
    kind: report
contacts:
  - name: Private Person
    email: private@example.org
  - name: Public Person
    email: public@example.org
    publish: true
source:
  url: https://outreach.wikimedia.org/wiki/Example
  revision: 42
  retrieved: 2026-11-20
notes: internal remark that must never be published
"""


def write_record(folder: Path, record_id: str = "lyon-editathon", text: str | None = None) -> Path:
    """Write a valid record (or ``text``) as ``<folder>/<record_id>.yaml``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record_id}.yaml"
    path.write_text(text if text is not None else VALID_RECORD.format(id=record_id), encoding="utf-8")
    return path


@pytest.fixture
def sigint_ignored() -> Iterator[None]:
    """SIGINT ignored in this process for the test, as in a test run started from a background job.

    A test that sends SIGINT to a child uses it so that it always checks the child was
    started with SIGINT's default disposition (tests/signals.py), however pytest was started.
    """
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Clock:
    """lod's waits (``Retry-After``, ``maxlag``, backoff), recorded instead of slept (lod/clock.py)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Clock]:
    """Every test's lod (in this process) waits on this clock: a retry takes no time, and a test
    checks how long lod would have waited rather than timing it on a possibly busy machine."""
    from lod.clock import waiting_with

    recorder = Clock()
    with waiting_with(recorder):
        yield recorder


# --- the test Wikibase (tests/wikibase) ---------------------------------------------------------


@pytest.fixture
def only_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a test that opens a connection to any host but 127.0.0.1 (in this process)."""
    import socket

    original = socket.socket.connect

    def connect(self: socket.socket, address: object) -> object:
        if isinstance(address, tuple) and address[0] not in {"127.0.0.1", "localhost"}:
            raise AssertionError(f"a test tried to reach {address!r}")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(scope="session")
def wikibase_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where populated test wikis (the Wikibase's, tests/wikibase; MediaWiki's, tests/servers.py)
    are kept between runs (beside pytest's own temporary folders, which a worker of ``-n`` has
    one level deeper)."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent.parent if "PYTEST_XDIST_WORKER" in os.environ else base.parent
            ) / "lod-wikibase-templates"


@pytest.fixture(scope="session")
def test_wikibase(tmp_path_factory: pytest.TempPathFactory, wikibase_cache: Path):  # -> Wikibase
    """A real Wikibase with the properties and base items publishing needs, and the existing
    items of tests/publish_seed.py; shared by the session (planning never writes to it).

    A module that changes the wiki starts its own with
    ``wikibase.running_wikibase(..., cache=wikibase_cache)``.
    """
    import json

    from publish_seed import seed_entities
    from wikibase import running_wikibase

    folder = tmp_path_factory.mktemp("wikibase")
    seed = folder / "seed.json"
    seed.write_text(json.dumps(seed_entities()), encoding="utf-8")
    with running_wikibase(folder / "wiki", seed_file=seed, cache=wikibase_cache) as wiki:
        yield wiki


#: A record made to try the site's escaping: markup in every text a person reads.
SCRIPT_RECORD = """\
id: script-title-test
status: published
lang: en
title:
  en: <script>alert("title")</script> School library's edit-a-thon & more
  sw: Maktaba ya shule
summary:
  en: A <b>school</b> library in Nairobi ran an edit-a-thon; <img src=x onerror=alert(1)> stays text.
sections:
  goals: |
    ## Aims

    Raw <script>alert("section")</script> HTML stays text; **bold** is markdown.

    ![an image from elsewhere](https://example.org/pixel.png)
institutions:
  - name: Nairobi <i>School</i> Library
    country: KE
    type: school
    role: lead
wikimedia_projects: [wiktionary, wikipedia]
activities: [editathon, transcription]
ifla_units: [school-libraries]
period:
  start: "2015-04"
  end: "2016"
links:
  - url: https://example.org/report?a=1&b=2
    title: Report with <em>markup</em>
    kind: report
"""


def _once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str,
                  make: Callable[[Path], None]) -> Path:
    """``ROOT/name``, filled by ``make`` once per test run: by the first worker of ``-n`` that
    asks, while any other waits on its lock (ROOT: the run's temporary folder, which its
    workers share). Only for what the tests read and never change.

    Why: both workers of ``make test`` run site tests, and each ran ``lod site`` on the same
    data for itself. A folder is used only once ``make`` finished (a marker file); one left
    half made by a failure is made again.
    """
    base = tmp_path_factory.getbasetemp()
    root = base.parent if "PYTEST_XDIST_WORKER" in os.environ else base
    folder, done = root / name, root / f"{name}.done"
    with (root / f"{name}.lock").open("wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def site_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled case studies plus :data:`SCRIPT_RECORD` (shared by the site tests, and by
    the workers of a run: :func:`_once_per_run`)."""
    def make(folder: Path) -> None:
        shutil.copytree(CASESTUDIES, folder / "casestudies")
        write_record(folder / "casestudies", "script-title-test", SCRIPT_RECORD)

    return _once_per_run(tmp_path_factory, "site-data", make) / "casestudies"


@pytest.fixture(scope="session")
def site_dir(site_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``lod site`` run once per test run on :func:`site_data`; the site's folder (OUT/site)."""
    def make(folder: Path) -> None:
        result = run_lod("site", "--data", site_data, "--out", folder / "prefix" / "dist")
        assert result.code == 0, result.stderr

    return _once_per_run(tmp_path_factory, "site-out", make) / "prefix" / "dist" / "site"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many kind x damage cases of tests/test_input_damage.py ran (issue 20), counted from
    the reports so that it holds with xdist's workers too."""
    ran = {value for reports in terminalreporter.stats.values() for report in reports
           for name, value in getattr(report, "user_properties", ()) if name == "damage case"
           and getattr(report, "when", "call") == "call"}
    if ran:
        terminalreporter.write_line(f"{len(ran)} kind x damage cases ran (tests/test_input_damage.py)")


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser of a test module saves downloads."""
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def _chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium (tests/chromium.py) for the browser modules of a session (or of an
    xdist worker): starting it costs more CPU than most of their tests. The pages keep no
    state of their own (no storage, no cookies), and :func:`browser` resets what a module sets.
    Selenium is imported here, not at collection, for the other modules."""
    from chromium import chromium

    with chromium(tmp_path_factory.mktemp("chromium-profile"),
                  tmp_path_factory.mktemp("downloads-unclaimed")) as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest, _chromium: Any, downloads: Path) -> Iterator[Any]:
    """The session's Chromium for one test module, on about:blank, saving into the module's
    :func:`downloads`. A module that waits longer on its pages sets ``BROWSER_LIMIT``
    (seconds, a limit against a hang)."""
    limit = float(getattr(request.module, "BROWSER_LIMIT", 60))
    _chromium.set_page_load_timeout(limit)
    _chromium.set_script_timeout(limit)
    _chromium.execute_cdp_cmd("Browser.setDownloadBehavior",
                              {"behavior": "allow", "downloadPath": str(downloads)})
    _chromium.get("about:blank")
    yield _chromium
