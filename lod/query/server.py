"""``lod serve``: the built graph in a local ``oxigraph serve``, stopped cleanly.

The graph is bulk-loaded with ``oxigraph load`` into a fresh temporary store
before the server starts (a running server locks its store, and a bulk load is
the fast path), then ``oxigraph serve`` listens on 127.0.0.1 only. Whatever
ends the command (Ctrl-C, SIGTERM, the server dying, an error) the server
process is stopped and the temporary store deleted, so nothing is left
running; on Linux the server is also told to stop if ``lod`` itself is killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from lod.pipeline import Assembled
    from lod.problems import Say

HOST = "127.0.0.1"
_STOP_GRACE = 10.0


class ServeError(Exception):
    """The server could not be installed, loaded or started (exit code 1)."""


def oxigraph_binary() -> str:
    """The ``oxigraph`` console script: beside this Python first, then on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServeError("the Oxigraph server is not installed: pip install oxigraph")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to send SIGTERM to the server when ``lod`` dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class OxigraphServer:
    """One ``oxigraph serve`` process on a store directory, on 127.0.0.1."""

    def __init__(self, location: Path, *, binary: str | None = None) -> None:
        self.location = location
        self.binary = binary or oxigraph_binary()
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._log = location.parent / f"{location.name}.log"

    @property
    def url(self) -> str:
        """Base URL of the server (the browser query page)."""
        return f"http://{HOST}:{self.port}/"

    @property
    def endpoint(self) -> str:
        """The SPARQL 1.1 query endpoint."""
        return f"{self.url}query"

    def load(self, rdf_file: Path) -> None:
        """Bulk-load an N-Triples/Turtle file; only while the server is not running."""
        done = subprocess.run(
            [self.binary, "load", "--location", str(self.location), "--file", str(rdf_file)],
            capture_output=True, text=True, check=False, timeout=600,
        )
        if done.returncode != 0:
            raise ServeError(f"oxigraph load failed: {done.stderr.strip()}")

    def start(self, port: int = 0, *, ready_timeout: float = 30.0) -> None:
        """Start listening on ``port`` (0: a free one) and wait until queries are answered."""
        for _attempt in range(3 if port == 0 else 1):
            self.port = port or free_port()
            with self._log.open("wb") as log:
                self.process = subprocess.Popen(
                    [self.binary, "serve", "--location", str(self.location),
                     "--bind", f"{HOST}:{self.port}"],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    # Own session: a terminal's Ctrl-C reaches lod only, which stops the server.
                    start_new_session=True,
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
                )
            if self._wait_ready(ready_timeout):
                return
            self.stop()
        log_text = self._log.read_text(encoding="utf-8", errors="replace").strip()
        raise ServeError(f"oxigraph serve did not start on {HOST}:{self.port}: {log_text}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        probe = f"{self.endpoint}?query=ASK%7B%7D"
        while time.monotonic() < deadline:
            if not self.running():
                return False
            with contextlib.suppress(requests.RequestException):
                if requests.get(probe, timeout=2).status_code == 200:
                    return True
            time.sleep(0.05)
        return False

    def running(self) -> bool:
        """True while the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a grace period; always reaps the process."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=_STOP_GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def served(rdf: bytes, *, port: int = 0) -> Iterator[OxigraphServer]:
    """A running server loaded with ``rdf`` (N-Triples); stopped and deleted on exit."""
    with tempfile.TemporaryDirectory(prefix="lod-serve-") as tmp:
        folder = Path(tmp)
        data = folder / "graph.nt"
        data.write_bytes(rdf)
        server = OxigraphServer(folder / "store")
        try:
            server.load(data)
            data.unlink()
            server.start(port)
            yield server
        finally:
            server.stop()


def wait_for_stop(server: OxigraphServer, *, poll: float = 0.5) -> bool:
    """Block until SIGINT/SIGTERM (True) or until the server dies by itself (False)."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[signal.Signals, Callable[[int, FrameType | None], object] | int | None] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    try:
        while not stop.is_set() and server.running():
            stop.wait(poll)
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
    return stop.is_set()


def serve_graph(graph: Assembled, *, port: int, say: Say) -> None:
    """The graph behind the site's query page on ``port`` until Ctrl-C; Failure if the server
    cannot start or stops by itself."""
    from lod.problems import Failure
    from lod.query.front import front
    from lod.site.build import site_files

    try:
        files = site_files(graph, endpoint="query")
        with served(graph.ntriples.encode("utf-8")) as server, \
                front(files, server.endpoint, port=port) as url:
            say(f"SPARQL endpoint: {url}query")
            say(f"Browser UI:      {url}")
            say(f"{len(graph.graph)} triples from {len(graph.records)} "
                "case studies; Ctrl-C stops the server.")
            if not wait_for_stop(server):
                raise Failure("the Oxigraph server stopped by itself")
    except ServeError as error:
        raise Failure(str(error)) from None
    say("server stopped")
