"""Tasks a dead worker left RUNNING go back to the queue when a worker starts.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again, so
a worker killed mid-task (SIGKILL, a lost host, the out-of-memory killer) would leave its task
RUNNING for ever. `requeue_abandoned()`, run by `medcode worker` before it takes any task,
puts back to READY each task that:
- has been RUNNING longer than MEDCODE_TASK_LEASE_SECONDS, and
- was claimed by a worker not heard from within that lease (its heartbeat row, written by
  medcode.ops.heartbeat, is missing or older), so a live worker's long task is left alone.

A task claimed MAX_CLAIMS times already is marked FAILED instead (it may be what kills its
workers). The tasks themselves keep a retry from repeating an effect, such as an email, in
their own tables (medcode.jobs.models.DigestDelivery).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from medcode.ops.models import WorkerHeartbeat

log = logging.getLogger(__name__)

MAX_CLAIMS = 3
GAVE_UP = "medcode.jobs.recovery.AbandonedTooOften"
GAVE_UP_TEXT = (
    "The task was claimed {claims} times by workers that stopped before finishing it; "
    "it is not run again automatically."
)


@dataclass(frozen=True)
class Recovered:
    requeued: list[str]
    failed: list[str]


def requeue_abandoned(*, now: dt.datetime | None = None, lease: float | None = None) -> Recovered:
    now = now or timezone.now()
    seconds = float(settings.MEDCODE_TASK_LEASE_SECONDS if lease is None else lease)
    cutoff = now - dt.timedelta(seconds=seconds)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    requeued: list[str] = []
    failed: list[str] = []
    with transaction.atomic():
        stale = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        )
        for task in stale:
            if task.worker_ids and task.worker_ids[-1] in alive:
                continue
            if len(task.worker_ids) >= MAX_CLAIMS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = now
                task.exception_class_path = GAVE_UP
                task.traceback = GAVE_UP_TEXT.format(claims=len(task.worker_ids))
                task.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                failed.append(str(task.pk))
            else:
                task.status = TaskResultStatus.READY
                task.save(update_fields=["status"])
                requeued.append(str(task.pk))
    for task_id in requeued:
        log.warning("task %s was left running by a worker that stopped; queued again", task_id)
    for task_id in failed:
        log.error("task %s was abandoned %d times; marked failed", task_id, MAX_CLAIMS)
    return Recovered(requeued, failed)
