"""Fewest connections first: gunicorn's threaded worker, taking a new connection only when no
other serving worker holds fewer.

All of a server's workers wait on the one listening socket, and whichever runs first accepts.
On a small machine the client that opens a burst of connections holds one core, so the worker
on the other core takes them all; keep-alive then pins them there, and one worker serves every
request while the other idles (bench/pages.py counted 16/0, 14/2, 12/4, 8/8 splits of 16
connections over two workers, at half the requests/second when 16/0). Kernel load balancing
(SO_REUSEPORT) spreads connections but resets the ones queued on a worker's socket when that
worker stops, and lets a second server on the same port share the traffic unnoticed.

Here the socket stays one. The master keeps a `Board` in memory shared with its workers (an
anonymous mmap, inherited across fork): one slot a worker, holding its open connections and
when it last posted them. A worker posts after every turn of its event loop and every accept.
When the listening socket is readable and another serving worker holds fewer connections, the
worker leaves that connection to it and stops watching the socket for a moment (PAUSE); a
connection still waiting after PATIENCE_NS (that worker is not running: a long pause, its
threads holding the GIL) is taken after all. A
worker that has not posted for STALE_SECONDS (stuck, or not yet serving) and one that is
stopping count for nothing, so a connection never waits on them. Connections a worker took
while it was the only one serving (at start, or while another was replaced) would stay with it
as long as the client keeps them alive: a worker holding REBALANCE more than another closes a
connection after its current answer (with "Connection: close", so the client knows before it
sends again), and the client's next connection lands on the other. Without a slot (the board is
full, --reuse-port gives each worker its own socket, or the hooks in medcode.ops.gunicorn_conf
are not loaded) a worker accepts as gthread does.
"""

from __future__ import annotations

import mmap
import struct
import threading
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

STALE_SECONDS = 3.0
PAUSE = 0.002
PATIENCE_NS = 50_000_000  # a connection left this long to another worker is taken after all
REBALANCE = 2
_SLOT = struct.Struct("=qq")  # open connections, monotonic ns of the last post (0: not serving)


class Board:
    """Each worker's open connections, in memory its master shares with it across fork."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._memory = mmap.mmap(-1, slots * _SLOT.size)

    def claim(self, in_use: set[int | None]) -> int | None:
        """A slot no living worker holds, for a worker about to be forked (in the master),
        or None when every slot is held."""
        for slot in range(self.slots):
            if slot not in in_use:
                self.post(slot, 0, 0)
                return slot
        return None

    def release(self, slot: int) -> None:
        """The slot of a worker that has exited (in the master)."""
        self.post(slot, 0, 0)

    def post(self, slot: int, connections: int, now_ns: int) -> None:
        """A worker's open connections at `now_ns` (time.monotonic_ns); 0: not serving."""
        _SLOT.pack_into(self._memory, slot * _SLOT.size, connections, now_ns)

    def read(self, slot: int) -> tuple[int, int]:
        connections, posted = _SLOT.unpack_from(self._memory, slot * _SLOT.size)
        return connections, posted

    def excess(self, slot: int, connections: int, now_ns: int) -> int:
        """How many more connections the worker in `slot` holds than the serving worker with
        the fewest (0 when no other worker is serving)."""
        fresh_after = now_ns - int(STALE_SECONDS * 1e9)
        fewest = connections
        for other in range(self.slots):
            if other == slot:
                continue
            theirs, posted = self.read(other)
            if posted and posted > fresh_after:
                fewest = min(fewest, theirs)
        return connections - fewest

    def my_turn(self, slot: int, connections: int, now_ns: int) -> bool:
        """Whether the worker in `slot`, holding `connections`, should take the next one."""
        return self.excess(slot, connections, now_ns) == 0


BOARD: Board | None = None


def open_board(workers: int) -> Board:
    """The master's board, with room for each worker and its replacement while it stops."""
    global BOARD
    BOARD = Board(max(8, 2 * workers + 2))
    return BOARD


class BalancedThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gthread, leaving a new connection to a serving worker that holds fewer."""

    balance_slot: int | None = None  # set by the master before the fork (gunicorn_conf.pre_fork)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._declined = False
        self._declining_since = 0  # monotonic ns of the first decline of a streak
        self._last_decline = 0  # declines under PATIENCE_NS apart make one streak
        self._closing = 0  # connections marked to close to rebalance, answers not yet sent
        self._closing_lock = threading.Lock()

    def _post(self) -> None:
        if BOARD is not None and self.balance_slot is not None:
            now = time.monotonic_ns() if self.alive else 0
            BOARD.post(self.balance_slot, self.nr_conns, now)

    def run(self) -> None:
        self._post()  # serving from now: the other workers count this one before its first event
        super().run()

    def accept(self, listener: Any) -> None:
        if BOARD is not None and self.balance_slot is not None:
            now = time.monotonic_ns()
            if not BOARD.my_turn(self.balance_slot, self.nr_conns, now):
                # Left to a worker that may not be running just now (a long pause, its threads
                # holding the GIL): after PATIENCE_NS of declines this one takes it. A decline
                # long after the last one (that worker took the connection) starts afresh.
                if now - self._last_decline >= PATIENCE_NS:
                    self._declining_since = now
                self._last_decline = now
                if now - self._declining_since < PATIENCE_NS:
                    self._declined = True
                    return
            self._declining_since = self._last_decline = 0
        super().accept(listener)
        self._post()

    def handle_request(self, req: Any, conn: Any) -> Any:
        # Connections pinned by keep-alive while another worker was starting or stopping stay
        # pinned: a worker holding REBALANCE more than another answers with "Connection:
        # close", so the client's next connection goes to a worker with fewer.
        # Threads answering at the same moment see the same excess: each connection marked
        # and not yet closed counts as moved, so only enough of them close.
        marked = False
        if BOARD is not None and self.balance_slot is not None:
            excess = BOARD.excess(self.balance_slot, self.nr_conns, time.monotonic_ns())
            with self._closing_lock:
                if excess - 2 * self._closing >= REBALANCE:
                    self._closing += 1
                    marked = True
        if marked:
            req.must_close = True
        try:
            return super().handle_request(req, conn)
        finally:
            if marked:
                with self._closing_lock:
                    self._closing -= 1

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        if self._declined and self._accepting:
            # Another worker's turn: wait on everything but the listening socket a moment, so
            # the connection is not declined again at once while that worker takes it.
            self._declined = False
            self.set_accept_enabled(False)
            try:
                super().wait_for_and_dispatch_events(min(timeout, PAUSE))
            finally:
                self.set_accept_enabled(self.alive and self.nr_conns < self.worker_connections)
        else:
            super().wait_for_and_dispatch_events(timeout)
        self._post()
