"""The one table operations needs: when each background worker was last seen alive."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """`medcode worker` writes its row every few seconds; /readyz reads the newest."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.host} (pid {self.pid})"
