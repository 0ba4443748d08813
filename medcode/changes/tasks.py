"""Background work (django-tasks, run by `medcode worker`): watchlist digests after imports."""

from __future__ import annotations

from django_tasks import task

from medcode.changes import digests


@task()
def send_watch_digests() -> dict[str, int]:
    """Mail every watcher the changes to their codes that no digest has told them yet."""
    return digests.send_all()
