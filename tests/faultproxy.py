"""The tests' one HTTP fault server: a proxy of our own in front of a real server, answering as a busy one does.

Between the client and the real server (the test Wikibase, a MediaWiki, an
Oxigraph SPARQL endpoint, or none at all); passes everything through except
where a fault is armed, and records every request it saw (method, path, API
action, User-Agent). Faults (each for the next N requests of one API action,
``*`` for any request, a SPARQL query included):

- ``maxlag``: ``{"error": {"code": "maxlag", ...}}`` with ``Retry-After`` and
  ``X-Database-Lag`` (Wikidata's answer when replicas lag);
- ``ratelimited``: the core ``ratelimited`` error, with ``Retry-After``;
- ``http503``: an HTTP 503 page (a busy cache layer), with ``Retry-After`` when
  ``retry_after`` is given;
- ``answer``: a canned answer (``status``, ``body``, ``content_type``,
  ``headers``): a 429, a 500, an HTML page, a broken entity, or the whole
  endpoint when there is no upstream;
- ``drop``: the connection closed without an answer, the request not sent on;
- ``lost-answer``: the request sent on (the edit lands), then the connection
  closed before the answer: the client cannot know;
- ``slow``: the answer held back for ``delay`` seconds;
- ``lost-session``: the request sent on without its cookies (the wiki has
  forgotten the session: ``assertuserfailed``);
- ``hold``: the request held (before, or with ``after=True`` after, the wiki
  saw it) until :meth:`FaultProxy.release`, so a test can kill the client at
  that point.

A request no fault takes goes to the upstream (its answer changed by
``rewrite`` when given); with no upstream its connection is closed.

Per test: ``with FaultProxy(upstream) as proxy: proxy.arm("maxlag", action="wbeditentity")``.
By hand: ``python -m tests.faultproxy --upstream http://127.0.0.1:8181 --port 8282
--fault maxlag:wbeditentity:2`` (fault:action:times; repeatable).
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import parse_qs, urlsplit

import requests

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding",
       "host", "proxy-connection"}
FAULTS = ("maxlag", "ratelimited", "http503", "drop", "lost-answer", "slow", "lost-session", "hold",
          "answer")


@dataclass
class Armed:
    """One armed fault: which, for which action, how many more times, and its settings."""

    fault: str
    action: str
    times: int
    delay: float = 2.0
    #: the ``Retry-After`` header (maxlag and ratelimited: 1 when not given)
    retry_after: int | None = None
    after: bool = False
    #: matching requests to let through untouched first
    skip: int = 0
    #: what an ``answer`` fault sends
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    """One request as it reached the proxy."""

    method: str
    path: str
    action: str
    user_agent: str


@dataclass
class Tally:
    """What went through: actions seen, faults served, and the event a held request raises."""

    actions: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    #: set with the release: a held request is dropped instead of going on (its client is dead)
    cancelled: threading.Event = field(default_factory=threading.Event)


class FaultProxy:
    """The proxy on 127.0.0.1 (a free port unless given); ``upstream`` None: nothing behind it."""

    def __init__(self, upstream: str | None, port: int = 0, *,
                 rewrite: Callable[[bytes], bytes] | None = None) -> None:
        self.upstream = upstream.rstrip("/") if upstream else None
        #: what the upstream answered -> what the client gets (unchanged by default)
        self.rewrite = rewrite
        self.armed: list[Armed] = []
        self.lock = threading.Lock()
        self.tally = Tally()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                proxy._handle(self, b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0") or 0)
                proxy._handle(self, self.rfile.read(length))

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        # serve_forever looks for shutdown() every poll_interval (0.5 s by default): every
        # test waited that long, idle, for each proxy it closed
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={
            "poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        """The proxy's base URL (append ``/api.php`` as for the wiki, ``/query`` for Oxigraph)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def query_url(self) -> str:
        """The SPARQL endpoint, when the upstream is an Oxigraph (``/query``)."""
        return f"{self.url}/query"

    @property
    def requests(self) -> int:
        """How many requests reached the proxy."""
        return len(self.tally.seen)

    @property
    def user_agents(self) -> list[str]:
        """The User-Agent of every request, in order."""
        return [seen.user_agent for seen in self.tally.seen]

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.tally.cancelled.set()  # a slow answer still held is given up
        self.tally.release.set()
        self.server.shutdown()
        self.server.server_close()

    def arm(self, fault: str, *, action: str = "wbeditentity", times: int = 1, delay: float = 2.0,
            retry_after: int | None = None, after: bool = False, skip: int = 0,
            status: int = 200, body: bytes = b"", content_type: str = "application/json",
            headers: dict[str, str] | None = None) -> None:
        """Serve ``fault`` to the next ``times`` requests of ``action`` (``*``: any), after
        letting ``skip`` of them through."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {', '.join(FAULTS)}")
        with self.lock:
            self.armed.append(Armed(fault, action, times, delay, retry_after, after, skip,
                                    status, body, content_type, dict(headers or {})))

    def disarm(self) -> None:
        """No more faults; a held request goes on."""
        with self.lock:
            self.armed.clear()
        self.tally.release.set()

    def release(self) -> None:
        """Let a held request go on."""
        self.tally.release.set()

    def cancel(self) -> None:
        """Drop a held request (and no more faults): its client was killed meanwhile."""
        with self.lock:
            self.armed.clear()
        self.tally.cancelled.set()
        self.tally.release.set()

    def _take(self, action: str, seen: Seen) -> Armed | None:
        with self.lock:
            self.tally.actions.append(action)
            self.tally.seen.append(seen)
            for armed in self.armed:
                if armed.times > 0 and armed.action in {action, "*"}:
                    if armed.skip > 0:
                        armed.skip -= 1
                        return None
                    armed.times -= 1
                    self.tally.served.append(f"{armed.fault}:{action}")
                    return armed
        return None

    # --- one request ---------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        form = parse_qs(body.decode("utf-8", "replace")) if body else {}
        action = (form.get("action") or query.get("action") or [""])[0]
        armed = self._take(action, Seen(handler.command, handler.path, action,
                                        handler.headers.get("User-Agent", "")))
        fault = armed.fault if armed else ""
        if fault == "answer" and armed:
            self._send(handler, armed.status, armed.body, armed.content_type, armed.headers)
            return
        if fault in {"maxlag", "ratelimited"}:
            error = ({"code": "maxlag", "info": "Waiting for 10.64.0.1: 7 seconds lagged.",
                      "host": "10.64.0.1", "lag": 7, "type": "db"} if fault == "maxlag" else
                     {"code": "ratelimited", "info": "As an anti-abuse measure, you are limited "
                      "from performing this action too many times in a short space of time."})
            wait = armed.retry_after if armed and armed.retry_after is not None else 1
            headers = {"Retry-After": str(wait)}
            if fault == "maxlag":
                headers["X-Database-Lag"] = "7"
            self._send(handler, 200, json.dumps({"error": error, "servedby": "proxy"}).encode(),
                       "application/json", headers)
            return
        if fault == "http503":
            later = {"Retry-After": str(armed.retry_after)} if armed and armed.retry_after else {}
            self._send(handler, 503, b"<html>Service Temporarily Unavailable</html>", "text/html",
                       later)
            return
        if fault == "drop":
            self._drop(handler)
            return
        if fault == "hold" and armed and not armed.after:
            self._hold()
            if self.tally.cancelled.is_set():
                self._drop(handler)
                return
        if fault == "slow" and armed:
            self.tally.cancelled.wait(armed.delay)  # held back (a cancel ends it early)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP}
        if fault == "lost-session":
            headers.pop("Cookie", None)
            headers.pop("cookie", None)
        if self.upstream is None or (self.tally.cancelled.is_set() and fault == "slow"):
            self._drop(handler)
            return
        try:
            answer = requests.request(handler.command, self.upstream + handler.path, data=body or None,
                                      headers=headers, timeout=120, allow_redirects=False)
        except requests.RequestException:
            self._drop(handler)
            return
        if fault == "hold" and armed and armed.after:
            self._hold()
            if self.tally.cancelled.is_set():
                self._drop(handler)
                return
        if fault == "lost-answer":
            self._drop(handler)
            return
        out = {k: v for k, v in answer.headers.items() if k.lower() not in HOP | {"set-cookie"}}
        cookies = answer.raw.headers.getlist("Set-Cookie") if answer.raw else []
        body = self.rewrite(answer.content) if self.rewrite else answer.content
        self._send(handler, answer.status_code, body, answer.headers.get("Content-Type", ""), out,
                   cookies)

    def _hold(self) -> None:
        self.tally.held.set()
        self.tally.release.wait(120)

    @staticmethod
    def _drop(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        try:
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None, cookies: list[str] | None = None) -> None:
        try:
            handler.send_response(status)
            for name, value in (headers or {}).items():
                if name.lower() != "content-type":
                    handler.send_header(name, value)
            for cookie in cookies or []:
                handler.send_header("Set-Cookie", cookie)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main(argv: list[str] | None = None) -> int:
    """Serve in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m tests.faultproxy", description=__doc__)
    parser.add_argument("--upstream", required=True, help="the wiki's base URL (without api.php)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fault", action="append", default=[],
                        help="fault:action:times, e.g. maxlag:wbeditentity:2")
    args = parser.parse_args(argv)
    with FaultProxy(args.upstream, args.port) as proxy:
        for spec in args.fault:
            fault, action, times = ([*spec.split(":"), "", ""])[:3]
            proxy.arm(fault, action=action or "wbeditentity", times=int(times or 1))
        print(f"proxy: {proxy.url}/api.php -> {proxy.upstream}/api.php", flush=True)
        try:
            while True:
                signal.pause()  # until Ctrl-C
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
