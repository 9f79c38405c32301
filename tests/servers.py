"""Real local services for tests, started and stopped by the tests themselves.

Everything binds 127.0.0.1 on a free port; nothing leaves the machine.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def oxigraph_binary() -> str:
    """The ``oxigraph`` command of the PyPI ``oxigraph`` package installed beside Python."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the `oxigraph` command is missing: run `make install` (dev extra)")
    return found


@dataclass(frozen=True)
class Oxigraph:
    """A running ``oxigraph serve``."""

    url: str

    @property
    def query_url(self) -> str:
        """SPARQL 1.1 query endpoint."""
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        """SPARQL 1.1 update endpoint."""
        return f"{self.url}/update"

    def load(self, data: bytes, content_type: str = "text/turtle") -> None:
        """Add triples to the default graph over the Graph Store Protocol."""
        request = urllib.request.Request(
            f"{self.url}/store?default", data=data, method="POST",
            headers={"Content-Type": content_type},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            if response.status not in (200, 201, 204):
                raise RuntimeError(f"loading into Oxigraph failed: HTTP {response.status}")


@contextmanager
def oxigraph_server(*, files: list[Path] | None = None) -> Iterator[Oxigraph]:
    """Start ``oxigraph serve`` on 127.0.0.1 (optionally bulk-loaded), stop it afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="oxigraph-"))
    location = workdir / "store"
    binary = oxigraph_binary()
    for path in files or []:
        subprocess.run([binary, "load", "--location", str(location), "--file", str(path)],
                       check=True, capture_output=True, timeout=300)
    port = free_port()
    command = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {process.stderr.read() if process.stderr else ''!r}")
            try:
                with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not start within 30 s") from None
                time.sleep(0.05)
        yield Oxigraph(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)
