"""A free TCP port on loopback, for the servers the tests (and bench/) start."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now: bound to 127.0.0.1 port 0 and released at once (so a test
    can also use it as a port where nothing answers)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
