"""medcode.ops.sqlite3: a process keeps the write-ahead log open between per-request connections.

Without it, the last connection to close checkpoints the log into the database and deletes it
(and the next one makes it again): ~1 ms of CPU on every request that wrote alone.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from django.db.utils import ConnectionHandler

from medcode.ops.sqlite3 import base


def wal_database(path: Path) -> Path:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE counter (n INTEGER)")
    db.execute("INSERT INTO counter VALUES (0)")
    db.close()
    return path


def write_once(path: Path) -> None:
    """A request's own connection: one write, then closed."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("UPDATE counter SET n = n + 1")
    db.close()


def django_connection(name: str) -> Any:
    """A connection through medcode's backend, apart from the test database's."""
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "medcode.ops.sqlite3",
                "NAME": name,
                "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL"},
            }
        }
    )
    return handler["default"]


def test_without_a_keeper_the_last_close_checkpoints_and_deletes_the_log(tmp_path):
    path = wal_database(tmp_path / "alone.sqlite3")
    write_once(path)
    assert not Path(f"{path}-wal").exists()


def test_the_backend_keeps_the_log_open_so_a_closing_request_does_not_checkpoint(
    tmp_path, django_db_blocker
):
    path = wal_database(tmp_path / "kept.sqlite3")
    wrapper = django_connection(str(path))
    with django_db_blocker.unblock(), wrapper.cursor() as cursor:
        cursor.execute("UPDATE counter SET n = n + 1")
    wrapper.close()
    write_once(path)
    assert Path(f"{path}-wal").stat().st_size > 0  # the writes wait in the log
    _, keeper = base._keepers[(os.getpid(), str(path))]
    assert keeper.execute("SELECT n FROM counter").fetchone() == (2,)
    assert not keeper.in_transaction  # it holds no snapshot that would stop a checkpoint
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0  # not busy
    db.close()


def test_a_replaced_database_file_gets_a_new_keeper(tmp_path):
    path = wal_database(tmp_path / "replaced.sqlite3")
    base.keep_log_open(str(path))
    first = base._keepers[(os.getpid(), str(path))]
    path.unlink()
    Path(f"{path}-wal").unlink(missing_ok=True)
    Path(f"{path}-shm").unlink(missing_ok=True)
    wal_database(path)
    base.keep_log_open(str(path))
    second = base._keepers[(os.getpid(), str(path))]
    assert second[0] != first[0] and second[1] is not first[1]
    write_once(path)
    assert Path(f"{path}-wal").exists()


def test_in_memory_databases_get_no_keeper(django_db_blocker):
    before = dict(base._keepers)
    wrapper = django_connection(":memory:")
    with django_db_blocker.unblock(), wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")
    wrapper.close()
    assert base._keepers == before


def test_the_kept_connection_is_lent_only_outside_a_transaction(tmp_path, django_db_blocker):
    path = wal_database(tmp_path / "lent.sqlite3")
    wrapper = django_connection(str(path))
    with django_db_blocker.unblock():
        wrapper.ensure_connection()
        with base.kept_writer(wrapper) as kept:
            assert kept is base._keepers[(os.getpid(), str(path))][1]
            kept.execute("UPDATE counter SET n = n + 1")
            assert not kept.in_transaction
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT n FROM counter")
            assert cursor.fetchone() == (1,)
        wrapper.set_autocommit(False)  # the request's own connection holds a transaction
        with wrapper.cursor() as cursor:
            cursor.execute("UPDATE counter SET n = n + 1")
        with base.kept_writer(wrapper) as kept:
            assert kept is None
        wrapper.rollback()
        wrapper.set_autocommit(True)
    wrapper.close()
