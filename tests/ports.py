"""Ports for the servers the tests start, and addresses where nothing listens.

Why not the kernel's "bind to port 0" trick: the port it gives comes from the
range it also hands to outgoing connections (``ip_local_port_range``, 32768-60999
by default). Between the probe closing and the server binding, one of the
thousands of connections a test run makes can take it, and the server dies with
"Address already in use" (seen with two test runs sharing a machine). A port
below that range is only ever taken by an explicit bind, so one chosen at random
that binds now is still free a moment later, unless another test run picks the
same one among thousands. A connection to such a port where nothing listens is
refused at once: it can never meet itself (a TCP self-connect needs the
destination port inside the range the client's own port comes from).
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

#: The lowest port chosen: ports below are where developer machines run their own services.
LOWEST = 10_000
_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_DEFAULT_START = 32_768
_random = random.SystemRandom()


def ephemeral_start() -> int:
    """The first port the kernel hands to outgoing connections (Linux's setting; else its default)."""
    try:
        return int(_RANGE.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return _DEFAULT_START


def _binds(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def unused_port() -> int:
    """A port on 127.0.0.1 that nothing uses now, below the range of outgoing connections.

    Where that range starts too low to leave room (a machine configured to use
    nearly every port for outgoing connections), the kernel's choice is taken.
    """
    top = ephemeral_start()
    if top - LOWEST >= 1_000:
        for _ in range(200):
            port = _random.randrange(LOWEST, top)
            if _binds(port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        chosen: int = probe.getsockname()[1]
        return chosen
