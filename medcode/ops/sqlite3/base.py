"""Django's SQLite backend, with one idle connection per process that keeps the WAL open.

Each request thread keeps its SQLite connection for CONN_MAX_AGE (settings: a minute), and a
thread's connection closes when it expires or fails. When the last connection to a
database in WAL mode closes, SQLite checkpoints the write-ahead log into the database file and
deletes the log and its shared-memory index; the next connection makes both again. A request
that wrote anything (a metering counter, a session) and was alone on the database paid for
that on its close: ~1.1 ms of CPU, 25 times the write itself (0.045 ms), a cost only the
metered server of bench/metering.py paid (its API requests write counters).

So each process holds one more connection to a database file, opened with its first ordinary
one and never closed: no request's close is the last, and SQLite's own automatic
checkpoint (every 1,000 pages of log, run by the writer that crosses it) keeps the log short.
The connection is idle in autocommit, holding no transaction, so it blocks neither writers nor
checkpoints. In-memory databases (the test suite's) and `file:` URIs are left alone.

`kept_writer(connection)` lends that connection, under a lock, for one short autocommit write
(the metering counters): its first write on a fresh per-request connection cost 0.2-0.4 ms of
CPU, on the kept one, whose page cache and prepared statements stay warm, about 0.05 ms. It is
lent only while the request's own connection is outside any transaction, so a write never
waits for a lock its own thread holds.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.sqlite3 import base

# (process id, database path) -> ((device, inode) of the file, the idle connection). A process
# forked from one holding a connection makes its own (a connection must not cross a fork) and
# leaves the inherited one alone; a database file replaced at the same path gets a new one.
_keepers: dict[tuple[int, str], tuple[tuple[int, int], sqlite3.Connection]] = {}
_lock = threading.Lock()
# One thread at a time writes through a kept connection.
_writing = threading.Lock()


def keep_log_open(name: str) -> None:
    """Hold one idle connection to the database file `name` in this process."""
    path = os.path.abspath(name)
    try:
        stat = os.stat(path)
    except OSError:
        return
    key, identity = (os.getpid(), path), (stat.st_dev, stat.st_ino)
    held = _keepers.get(key)
    if held is not None and held[0] == identity:
        return
    with _lock:
        held = _keepers.get(key)
        if held is not None and held[0] == identity:
            return
        keeper = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
        # As settings' init_command for the writes it lends (synchronous is per connection).
        keeper.execute("PRAGMA synchronous=NORMAL")
        # A read maps the log's index: from here on this process is one of its users.
        keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
        _keepers[key] = (identity, keeper)
    if held is not None:
        held[1].close()


@contextmanager
def kept_writer(connection: Any) -> Iterator[sqlite3.Connection | None]:
    """This process's kept connection to `connection`'s database file, for one autocommit
    write (`?` placeholders; read a RETURNING statement to its end), or None: not SQLite, an
    in-memory database, or the caller's connection is in a transaction.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield None
        return
    name = str(connection.settings_dict["NAME"])
    held = _keepers.get((os.getpid(), os.path.abspath(name)))
    own = connection.connection
    if held is None or (own is not None and own.in_transaction):
        yield None
        return
    with _writing:
        yield held[1]


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        name = str(self.settings_dict["NAME"])
        if not self.is_in_memory_db() and not name.startswith("file:"):
            keep_log_open(name)
        return connection
