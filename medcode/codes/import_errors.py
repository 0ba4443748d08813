"""Why an import could not write, said truthfully: an unmigrated database, a full disk, a busy
database or something else each get their own message (`medcode data import`)."""

from __future__ import annotations

import errno

from django.db import DEFAULT_DB_ALIAS, connections

NOT_MIGRATED = (
    "{name}: the database has no medcode tables yet ({error}): run `medcode manage migrate` "
    "first. Nothing from this file was kept."
)
DISK_FULL = (
    "{name}: the import could not be written ({error}); the disk is full (or the file size "
    "limit was reached). Nothing from this file was kept and the releases loaded before are "
    "unchanged. Free some space and run the import again."
)
DISK_IO = (
    "{name}: the import could not be written ({error}): the disk reported an error. Nothing "
    "from this file was kept and the releases loaded before are unchanged. Check the disk "
    "(space, health, permissions) and run the import again."
)
LOCKED = (
    "{name}: the import could not be written ({error}): another process holds the database. "
    "Nothing from this file was kept and the releases loaded before are unchanged. Run the "
    "import again when the other process is done."
)
OTHER = (
    "{name}: the import could not be written ({error}). Nothing from this file was kept and "
    "the releases loaded before are unchanged."
)
UNREACHABLE = "the database cannot be reached ({error}); nothing was imported"
MIGRATE_FAILED = (
    "migrating the database failed ({error}); nothing was imported: run `medcode manage "
    "migrate` first and fix what it reports"
)
MIGRATING = "the database is not migrated ({count} migration(s) pending): migrating first"

DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# SQLite's and PostgreSQL's words for a full disk; PostgreSQL's SQLSTATE class 53 (53100
# disk_full) when the driver gives it.
DISK_FULL_WORDS = ("database or disk is full", "no space left on device", "could not extend file")
NOT_MIGRATED_WORDS = ("no such table", "does not exist")


def write_error_message(name: str, exc: BaseException) -> str:
    """The message for an import that failed while writing, naming the real cause."""
    text = str(exc).lower()
    causes = [exc, exc.__cause__, exc.__context__]
    codes = {getattr(c, "errno", None) for c in causes} | {
        getattr(c, "sqlstate", None) or getattr(c, "pgcode", None) for c in causes
    }
    if "53100" in codes or DISK_ERRNOS & codes or any(w in text for w in DISK_FULL_WORDS):
        template = DISK_FULL
    elif any(w in text for w in NOT_MIGRATED_WORDS) or "42P01" in codes:
        template = NOT_MIGRATED
    elif "database is locked" in text or "55P03" in codes:
        template = LOCKED
    elif "disk i/o error" in text or errno.EIO in codes:
        template = DISK_IO
    else:
        template = OTHER
    return template.format(name=name, error=str(exc).strip())


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> int:
    """How many migrations the database still lacks (all of them on an empty database)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
