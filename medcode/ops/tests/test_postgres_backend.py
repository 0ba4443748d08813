"""medcode.ops.postgres: health checks only for a connection that idled (PostgreSQL only)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL backend needs PostgreSQL"
    ),
]


def killed_connection(*, idle_seconds: float):
    """A second connection to the test database whose server process was just terminated,
    as at the start of a new request that last ran a query `idle_seconds` ago."""
    wrapper: Any = connections.create_connection("default")
    assert wrapper.settings_dict["ENGINE"] == "medcode.ops.postgres"
    assert wrapper.settings_dict["CONN_HEALTH_CHECKS"]
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wrapper.health_check_done = False  # what a new request does (close_if_unusable_or_obsolete)
    wrapper._used_at -= idle_seconds
    return wrapper, pid


def test_a_connection_that_idled_is_checked_and_replaced_when_dead():
    wrapper, pid = killed_connection(idle_seconds=5)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [new_pid] = cursor.fetchone()
        assert new_pid != pid
    finally:
        wrapper.close()


def test_a_connection_used_moments_ago_is_trusted_without_a_round_trip():
    # The proof that no SELECT 1 was sent: the dead connection is used as it is and fails.
    wrapper, _ = killed_connection(idle_seconds=0)
    try:
        with pytest.raises(OperationalError), wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        wrapper.close()
