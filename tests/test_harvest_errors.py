"""When the wiki or the dump is wrong, `lod harvest` says so, exits 1 and writes nothing.

The failing "wikis" here are tests/faultproxy.py on 127.0.0.1 with nothing behind it,
answering every request the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lod.harvest.wikiapi import WikiApi
from tests.conftest import Clock, run_lod
from tests.faultproxy import FaultProxy
from tests.ports import unused_port


@contextmanager
def answering(status: int, body: bytes, headers: dict[str, str]) -> Iterator[tuple[str, FaultProxy]]:
    """A server answering every request with ``status``; yields its api.php URL and the proxy."""
    kind = headers.pop("Content-Type", "text/plain")
    with FaultProxy(None) as proxy:
        proxy.arm("answer", action="*", times=1000, status=status, body=body,
                  content_type=kind, headers=headers)
        yield f"{proxy.url}/w/api.php", proxy


def test_unreachable_api(tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    done = run_lod(
        "harvest",
        "--api",
        f"http://127.0.0.1:{unused_port()}/api.php",
        "--out",
        out,
        "--retries",
        "1",
    )
    assert done.code == 1
    assert "cannot connect (connection refused); gave up after 2 tries" in done.stderr
    assert f"nothing was written to {out}" in done.stderr
    assert not out.exists()


def test_503_with_retry_after_is_retried_then_reported(tmp_path: Path, clock: Clock) -> None:
    out = tmp_path / "drafts"
    out.mkdir()
    with answering(503, b"Service Unavailable", {"Retry-After": "1"}) as (api, proxy):
        done = run_lod("harvest", "--api", api, "--out", out,
                       "--retries", "2", "--contact", "curator@example.org")
    assert done.code == 1
    assert "HTTP 503 Service Unavailable; gave up after 3 tries" in done.stderr
    assert proxy.requests == 3
    assert clock.waits == [1.0, 1.0]  # Retry-After: 1 before each try again
    assert all(
        "curator@example.org" in agent and agent.startswith("lod/") for agent in proxy.user_agents
    )
    assert list(out.iterdir()) == []


def test_a_retry_after_longer_than_we_wait_fails_at_once(tmp_path: Path, clock: Clock) -> None:
    with answering(503, b"busy", {"Retry-After": "3600"}) as (api, proxy):
        done = run_lod("harvest", "--api", api, "--out", tmp_path / "drafts")
    assert done.code == 1 and "asks to wait 3600 s" in done.stderr
    assert clock.waits == [] and proxy.requests == 1


def test_an_html_page_is_not_an_api(tmp_path: Path) -> None:
    with answering(
        200, b"<html><body>Main Page</body></html>", {"Content-Type": "text/html"}
    ) as (api, _):
        done = run_lod("harvest", "--api", api, "--out", tmp_path / "drafts")
    assert done.code == 1 and "is this a MediaWiki api.php URL?" in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not XML", "malformed XML"),
        (
            b"<html><body>Special:Export</body></html>",
            "not a MediaWiki export (root element <html>)",
        ),
        (b"", "malformed XML"),
        (
            (
                b'<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/"><page><title>GLAM/IFLA Case '
                b"Studies/X</title><ns>0</ns><revision><id>1</id><text>== Summary ==\nText"
            ),
            "malformed XML",
        ),
    ],
)
def test_a_malformed_dump_is_reported_with_its_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    dump = tmp_path / "dump.xml"
    dump.write_bytes(content)
    out = tmp_path / "drafts"
    done = run_lod("harvest", "--dump", dump, "--out", out)
    assert done.code == 1
    assert message in done.stderr and f"{dump}:" in done.stderr
    assert not out.exists()


def test_a_missing_dump(tmp_path: Path) -> None:
    done = run_lod("harvest", "--dump", tmp_path / "nope.xml", "--out", tmp_path / "drafts")
    assert done.code == 1 and "cannot open the dump" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("harvest",),
        ("harvest", "--api", "http://127.0.0.1:1/api.php", "--dump", "x.xml"),
        ("harvest", "--dump", "x.xml", "--category", "Case studies"),
        ("harvest", "--api", "ftp://127.0.0.1/api.php"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    done = run_lod(*args)
    assert done.code == 2, done.stderr
    assert done.stderr.strip()


def test_long_queries_are_posted() -> None:
    """Fifty long non-ASCII titles would make a URL servers refuse; such queries go as POST."""
    with answering(200, b'{"batchcomplete": true}', {"Content-Type": "application/json"}) as (
        api, proxy
    ):
        client = WikiApi(api, user_agent="lod-tests/0.1")
        client.get({"action": "query", "titles": "|".join(["Página ñ" * 20] * 50)})
        client.get({"action": "query", "titles": "Short"})
    assert [seen.method for seen in proxy.tally.seen] == ["POST", "GET"]
