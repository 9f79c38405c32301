"""The test servers' ports: outside the range of outgoing connections, free when handed out."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests import ports


def test_a_port_is_below_the_outgoing_range_and_free() -> None:
    start = ports.ephemeral_start()
    seen = {ports.unused_port() for _ in range(50)}
    assert all(ports.LOWEST <= port < start for port in seen)
    assert len(seen) > 1  # chosen at random, not one port for every server
    for port in seen:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", port))


def test_a_port_in_use_is_never_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        real, offers = ports._random.randrange, [busy, busy]
        monkeypatch.setattr(ports._random, "randrange",
                            lambda low, high: offers.pop() if offers else real(low, high))
        monkeypatch.setattr(ports, "ephemeral_start", lambda: 65_000)
        assert ports.unused_port() != busy
        assert not offers  # the busy port was offered twice and refused twice


def test_nothing_listens_there_so_a_connection_is_refused_at_once() -> None:
    with pytest.raises(ConnectionRefusedError), socket.create_connection(
            ("127.0.0.1", ports.unused_port()), timeout=5):
        pass


def test_the_kernels_choice_where_outgoing_connections_use_nearly_every_port(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    setting = tmp_path / "ip_local_port_range"
    setting.write_text("1024\t65535\n", encoding="ascii")
    monkeypatch.setattr(ports, "_RANGE", setting)
    assert ports.ephemeral_start() == 1024
    port = ports.unused_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", port))


def test_an_unreadable_setting_means_linuxs_default(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ports, "_RANGE", tmp_path / "missing")
    assert ports.ephemeral_start() == 32_768
