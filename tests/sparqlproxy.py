"""A small SPARQL proxy on 127.0.0.1 in front of a real Oxigraph, for the reconcile tests.

It counts requests and their User-Agents, can refuse (429 + Retry-After), stay silent
(a client must time out) or change what the endpoint answered (``rewrite``).
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class Proxy:
    """A counting HTTP proxy in front of the SPARQL endpoint (or a silent one, for timeouts)."""

    def __init__(self, target: str | None, *, refusals: int = 0, retry_after: str = "1",
                 rewrite: Callable[[bytes], bytes] = bytes) -> None:
        self.target = target
        #: What the endpoint answered -> what the client gets (unchanged by default).
        self.rewrite = rewrite
        self.refusals = refusals
        self.retry_after = retry_after
        self.requests = 0
        self.user_agents: list[str] = []
        self.stop = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                proxy.requests += 1
                proxy.user_agents.append(self.headers.get("User-Agent", ""))
                if proxy.refusals:
                    proxy.refusals -= 1
                    self.send_response(429)
                    self.send_header("Retry-After", proxy.retry_after)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if proxy.target is None:
                    proxy.stop.wait(20)  # never answer: the client must time out
                    return
                forwarded = urllib.request.Request(
                    proxy.target, data=body, method="POST",
                    headers={k: v for k, v in self.headers.items() if k in ("Content-Type", "Accept")},
                )
                with urllib.request.urlopen(forwarded, timeout=30) as response:
                    payload = proxy.rewrite(response.read())
                    self.send_response(response.status)
                    self.send_header("Content-Type", response.headers.get("Content-Type", ""))
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The proxy's SPARQL endpoint."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/query"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
