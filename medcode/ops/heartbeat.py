"""The worker's heartbeat: a thread beside `medcode worker` that stamps its row every few
seconds, so /readyz can tell a live worker from a dead one even when the queue is empty."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from medcode.ops.models import WorkerHeartbeat

logger = logging.getLogger("medcode.ops.heartbeat")

# Rows of workers silent this long are removed (a worker that was killed leaves its row).
FORGET_AFTER = timedelta(days=1)


def beat(worker_id: str, queues: str, started_at: object) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "queues": queues[:255],
            "started_at": started_at,
            "seen_at": now,
        },
    )


class Heartbeat:
    """Start with `start()`; `stop()` ends the thread and removes the worker's row."""

    def __init__(self, worker_id: str, queues: str, interval: float) -> None:
        self.worker_id = worker_id
        self.queues = queues
        self.interval = interval
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="medcode-heartbeat", daemon=True)

    def start(self) -> None:
        WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - FORGET_AFTER).delete()
        beat(self.worker_id, self.queues, self.started_at)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    beat(self.worker_id, self.queues, self.started_at)
                except Exception:
                    logger.exception("worker heartbeat failed; retrying in %s s", self.interval)
                    connection.close()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            logger.warning("could not remove the heartbeat of worker %s", self.worker_id)
