"""medcode.jobs.recovery: tasks left RUNNING by dead workers go back to the queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from medcode.jobs import recovery, tasks
from medcode.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture(autouse=True)
def database_tasks(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.MEDCODE_TASK_LEASE_SECONDS = 60


def running(*, minutes_ago: float, workers: list[str]) -> Any:
    result = tasks.send_expiry_notice.enqueue(1, NOW.isoformat())
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=NOW - dt.timedelta(minutes=minutes_ago), worker_ids=workers
    )
    return DBTaskResult.objects.get(pk=result.id)


def beat(worker_id: str, *, minutes_ago: float) -> None:
    seen = NOW - dt.timedelta(minutes=minutes_ago)
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, host="h", pid=1, queues="default", started_at=seen, seen_at=seen
    )


def status_of(task: Any) -> str:
    return str(DBTaskResult.objects.get(pk=task.pk).status)


def test_a_task_of_a_silent_worker_is_queued_again_after_the_lease():
    dead = running(minutes_ago=5, workers=["w1"])
    beat("w1", minutes_ago=5)
    fresh = running(minutes_ago=0.2, workers=["w3"])  # within the lease: left alone

    found = recovery.requeue_abandoned(now=NOW)

    assert found.requeued == [str(dead.pk)] and found.failed == []
    assert status_of(dead) == "READY" and status_of(fresh) == "RUNNING"


def test_a_long_task_of_a_live_worker_is_left_running():
    task = running(minutes_ago=30, workers=["w2"])
    beat("w2", minutes_ago=0.1)

    assert recovery.requeue_abandoned(now=NOW).requeued == []
    assert status_of(task) == "RUNNING"


def test_a_task_abandoned_too_often_is_marked_failed():
    task = running(minutes_ago=5, workers=["a", "b", "c"])

    found = recovery.requeue_abandoned(now=NOW)

    assert found.failed == [str(task.pk)]
    stored = DBTaskResult.objects.get(pk=task.pk)
    assert stored.status == "FAILED" and stored.exception_class_path == recovery.GAVE_UP
    assert "3 times" in stored.traceback
