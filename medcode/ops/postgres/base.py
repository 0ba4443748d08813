"""Django's PostgreSQL backend, health-checking a persistent connection only after it idled.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first query of every request that
reuses a connection. Under load (bench/load.py, 64 connections, 2 cores) that round trip was 7%
of the request threads' time. A connection that ran a query less than TRUSTED_SECONDS ago is
taken as alive without the check; one idle longer (the server may have restarted meanwhile)
is still checked and replaced when dead. A connection that fails mid-request is closed at the
request's end as before (medcode.ops.dbfaults answers that request with a 503).
"""

from __future__ import annotations

import time
from typing import Any

from django.db.backends.postgresql import base

TRUSTED_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    _used_at = 0.0

    def close_if_health_check_failed(self) -> None:
        # health_check_enabled/health_check_done: BaseDatabaseWrapper's per-request flags.
        state: Any = self
        if (
            self.connection is not None
            and state.health_check_enabled
            and not state.health_check_done
            and time.monotonic() - self._used_at < TRUSTED_SECONDS
        ):
            state.health_check_done = True
        super().close_if_health_check_failed()

    def _cursor(self, name: Any = None) -> Any:
        cursor = super()._cursor(name)  # type: ignore[misc]
        self._used_at = time.monotonic()
        return cursor
