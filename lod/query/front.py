"""``lod serve``'s front door: the site with its query page, and the SPARQL endpoint behind it.

Oxigraph's own server listens on a private port; this small HTTP server on
the port the user asked for serves the site's pages from memory (the query
page set to ask the endpoint) and passes ``/query`` through to Oxigraph, so
the page and the endpoint share one origin and the page's policy can stay at
``connect-src 'self'``. Only reads pass: ``/query`` by GET or POST; nothing
can update the store through this door. Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

HOST = "127.0.0.1"
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8",
          ".ttl": "text/turtle; charset=utf-8", ".nt": "application/n-triples",
          ".jsonld": "application/ld+json", ".md": "text/markdown; charset=utf-8"}
#: Request headers worth passing to the endpoint (content negotiation and the form body).
_PASSED = ("Accept", "Content-Type")
_BACKEND_TIMEOUT = 300.0


def _content_type(path: str) -> str:
    dot = path.rfind(".")
    return _TYPES.get(path[dot:], "application/octet-stream") if dot >= 0 else "text/plain"


class _Handler(BaseHTTPRequestHandler):
    server: _FrontServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: ``lod serve`` prints its own lines."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/query":
            self._pass(None)
            return
        name = unquote(parts.path).lstrip("/") or "query.html"
        body = self.server.files.get(name)
        if body is None:
            self._answer(404, b"not found\n", "text/plain; charset=utf-8")
            return
        self._answer(200, body, _content_type(name))

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/query":
            self._answer(405, b"only /query takes a POST\n", "text/plain; charset=utf-8")
            return
        length = int(self.headers.get("Content-Length") or 0)
        self._pass(self.rfile.read(length))

    def _pass(self, body: bytes | None) -> None:
        """Send the request on to Oxigraph and its answer back, status and body unchanged."""
        query = urlsplit(self.path).query
        target = self.server.backend + ("?" + query if query else "")
        headers = {key: self.headers[key] for key in _PASSED if self.headers.get(key)}
        request = urllib.request.Request(target, data=body, headers=headers,
                                         method="POST" if body is not None else "GET")
        try:
            with urllib.request.urlopen(request, timeout=_BACKEND_TIMEOUT) as answer:
                self._answer(answer.status, answer.read(),
                             answer.headers.get("Content-Type", "text/plain"))
        except urllib.error.HTTPError as error:
            self._answer(error.code, error.read(),
                         error.headers.get("Content-Type", "text/plain; charset=utf-8"))
        except (urllib.error.URLError, OSError) as error:
            self._answer(502, f"the Oxigraph server did not answer: {error}\n".encode(),
                         "text/plain; charset=utf-8")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


class _FrontServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, files: Mapping[str, bytes], backend: str) -> None:
        super().__init__((HOST, port), _Handler)
        self.files = files
        self.backend = backend


@contextlib.contextmanager
def front(files: Mapping[str, bytes], backend: str, *, port: int = 0) -> Iterator[str]:
    """Serve ``files`` and pass ``/query`` to ``backend`` on 127.0.0.1:``port``; yield the base URL."""
    server = _FrontServer(port, files, backend)
    thread = threading.Thread(target=server.serve_forever, name="lod-serve-front", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
