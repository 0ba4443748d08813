"""A real `medcode serve` (2 workers, an empty SQLite database) sharing its connections between
its workers (medcode.ops.balance): a burst is split, and connections one worker took while the
other was not serving move over once it serves again.

Which worker holds a connection is read from Linux's /proc (skipped elsewhere).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from medcode.ops.balance import STALE_SECONDS
from tests.ports import free_port
from tests.servers import REPO, clean_env, run_medcode, stop, wait_for

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads sockets from /proc"),
]

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@dataclass
class Server:
    port: int
    master: int
    log: Path

    def workers(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    stat = (entry / "stat").read_text()
                    if int(stat[stat.rindex(")") + 2 :].split()[1]) == self.master:
                        found.append(int(entry.name))
        return found

    def connections(self) -> dict[int, int]:
        """The connections to the port the workers hold: client port -> worker pid (a closed
        client's stays until its worker reads the end of it)."""
        owner = self._socket_owners()
        found = {}
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            listening = state == "0A"
            if int(local.split(":")[1], 16) == self.port and inode in owner and not listening:
                found[int(remote.split(":")[1], 16)] = owner[inode]
        return found

    def holders(self, clients: list[socket.socket]) -> Counter[int | None]:
        """How many of `clients` each worker (pid) holds the other end of."""
        held = self.connections()
        return Counter(held.get(client.getsockname()[1]) for client in clients)

    def _socket_owners(self) -> dict[str, int]:
        owner = {}
        for pid in self.workers():
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        owner[target[len("socket:[") : -1]] = pid
        return owner

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)


def ask(client: socket.socket) -> bytes:
    """One request on a kept-alive connection; the whole answer (its body is "ok"), which
    comes at once: no connection waits long for a worker to take it."""
    started = time.monotonic()
    client.sendall(REQUEST)
    answer = b""
    while not answer.endswith((b"\r\n0\r\n\r\n", b"\r\n\r\nok")):
        chunk = client.recv(65536)
        assert chunk, f"the server closed the connection after {answer!r}"
        answer += chunk
    assert time.monotonic() - started < 1.5, f"{time.monotonic() - started:.1f} s for /healthz"
    return answer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("balance")
    env = clean_env(
        {
            "DATABASE_URL": f"sqlite:///{root / 'medcode.sqlite3'}",
            "MEDCODE_SECRET_KEY": secrets.token_urlsafe(60),
            "MEDCODE_ALLOWED_HOSTS": "127.0.0.1",
            "MEDCODE_VAR_DIR": str(root / "var"),
            "MEDCODE_METERING": "off",
            "MEDCODE_WEB_WORKERS": "2",
            # The tests' clients sit idle for seconds between requests (gunicorn's default: 2).
            "GUNICORN_CMD_ARGS": "--keep-alive 30",
        }
    )
    run_medcode(env, "manage", "migrate", "--noinput", "-v0")
    port = free_port()
    log = root / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "medcode.cli", "serve", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # The master forks its workers one after the other: until the second serves, the
        # first takes every connection.
        wait_for(lambda: log.read_text().count("worker warmed up") == 2, "two workers", 60, 0.2)
        time.sleep(0.5)
        yield Server(port, process.pid, log)
    finally:
        stop(process)


def settle(server: Server, clients: list[socket.socket]) -> int:
    """Ask on every connection, reopening those the server closes (as a client does), until a
    round closes none; how many were closed."""
    closed = 0
    for _ in range(10):
        reopened = False
        for index, client in enumerate(clients):
            if b"Connection: close" in ask(client):
                closed += 1
                client.close()
                clients[index] = server.connect()
                reopened = True
        if not reopened:
            return closed
    raise AssertionError(f"still closing connections after 10 rounds ({closed} closed)")


def assert_shared(split: Counter[int | None]) -> None:
    assert None not in split and len(split) == 2, split
    assert max(split.values()) - min(split.values()) <= 2, split


def test_a_burst_of_connections_is_shared_by_the_two_workers(server):
    # Without turns a burst lands on whichever worker runs first (16/0 and 12/4 were seen
    # with gunicorn's own gthread worker), and keep-alive keeps it there.
    wait_for(lambda: not server.connections(), "earlier tests' connections to close")
    for _ in range(3):
        clients = [server.connect() for _ in range(16)]
        try:
            moved = settle(server, clients)
            assert_shared(server.holders(clients))
            assert moved <= 4, f"{moved} of 16 connections were not taken by the right worker"
        finally:
            for client in clients:
                client.close()
        wait_for(lambda: not server.connections(), "the burst's connections to close")


def test_connections_taken_while_a_worker_was_away_move_to_it_when_it_is_back(server):
    first, second = server.workers()
    os.kill(second, signal.SIGSTOP)
    clients: list[socket.socket] = []
    try:
        time.sleep(STALE_SECONDS + 0.5)  # silent that long, it counts for nothing
        clients = [server.connect() for _ in range(16)]
        for client in clients:
            assert b"Connection: keep-alive" in ask(client)
        assert server.holders(clients) == {first: 16}
    finally:
        os.kill(second, signal.SIGCONT)
    try:
        time.sleep(1.5)  # it posts again within a second
        moved = settle(server, clients)
        assert moved >= 6, moved
        assert_shared(server.holders(clients))
    finally:
        for client in clients:
            client.close()


def test_a_connection_left_to_a_worker_that_does_not_run_is_taken_after_all(server):
    # The stopped worker holds the fewest and still counts (not silent long enough to be
    # stale), so the other leaves it each new connection, but only for a moment (ask()
    # fails after 1.5 s; the stopped worker would count for nothing after 3).
    wait_for(lambda: not server.connections(), "earlier tests' connections to close")
    first, second = server.workers()
    kept = [server.connect() for _ in range(4)]
    try:
        for client in kept:
            ask(client)
        held = server.holders(kept)
        quieter = first if held[first] <= held[second] else second
        os.kill(quieter, signal.SIGSTOP)
        clients: list[socket.socket] = []
        try:
            clients = [server.connect() for _ in range(3)]
            for client in clients:
                # Answered, so by the running worker; it may also say "Connection: close"
                # (it holds more than its share), and a client then closes at once.
                answer = ask(client)
                assert answer.startswith(b"HTTP/1.1 200")
                if b"Connection: close" in answer:
                    client.close()
        finally:
            os.kill(quieter, signal.SIGCONT)
            for client in clients:
                client.close()
    finally:
        for client in kept:
            client.close()
