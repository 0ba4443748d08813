"""Read replicas: reads of reference data go to a replica, everything else to the primary.

DATABASE_REPLICA_URLS (comma-separated) adds the aliases `replica1`, `replica2`, ... (see
settings.py). Reference data is what only `medcode data import` writes: the code store with
its NCCI, MUE and fee tables (app `codes`, which the claim-check rules read) and the search
index (app `search`). Accounts, metering, sessions, jobs, consults, conversations, tasks and
everything written while serving stay on the primary, for reads as well as writes, so a user
always reads what they just wrote.

Reads also stay on the primary inside a transaction on it (an import reading what it is
writing) and inside `primary_reads()`. Raw-SQL reads of reference data (full-text search,
the claim-check rule tables) take their connection from `reference_connection()`, which
chooses the same way; other raw queries run on the primary.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

REFERENCE_APPS = frozenset({"codes", "search"})
REPLICA_PREFIX = "replica"

_primary_only: ContextVar[bool] = ContextVar("medcode_primary_reads", default=False)


def replica_aliases() -> list[str]:
    """The configured replica aliases, in order (empty without DATABASE_REPLICA_URLS)."""
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


@contextmanager
def primary_reads() -> Iterator[None]:
    """Read reference data from the primary too (a read that must see a write just made)."""
    token = _primary_only.set(True)
    try:
        yield
    finally:
        _primary_only.reset(token)


def is_reference(model: type[Any]) -> bool:
    return model._meta.app_label in REFERENCE_APPS


def reference_alias() -> str:
    """Where a read of reference data goes now: a replica, or the primary (none configured,
    inside a transaction on the primary, or inside `primary_reads()`)."""
    replicas = replica_aliases()
    if not replicas or _primary_only.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return random.choice(replicas)


def reference_connection() -> BaseDatabaseWrapper:
    """The connection for a raw-SQL read of reference data (search, rule tables), chosen as
    the router chooses for the ORM."""
    return connections[reference_alias()]


class ReplicaRouter:
    """Django database router: see the module docstring."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if not is_reference(model) or _primary_only.get():
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return str(instance._state.db)
        return reference_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # A replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # Replicas receive the schema from the primary by replication.
        return db == DEFAULT_DB_ALIAS
