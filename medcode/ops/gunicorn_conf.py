"""gunicorn settings `medcode serve` loads (`--config python:medcode.ops.gunicorn_conf`).

With --preload the application is imported once in the master and forked; importing it
opens no database connection and starts no thread, and `pre_fork` closes any connection the
master may hold anyway, so no socket is shared between workers.
"""

from __future__ import annotations

import os
from typing import Any


def pre_fork(server: Any, worker: Any) -> None:
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()


def post_worker_init(worker: Any) -> None:
    # Each worker loads its process-wide caches before its first request (medcode.lib.warmup).
    from medcode.lib.warmup import warm_worker

    warm_worker()


def child_exit(server: Any, worker: Any) -> None:
    # A dead worker's live gauges are dropped; its counters and histograms stay summed.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


if os.environ.get("MEDCODE_LOG_FORMAT", "plain") == "json":
    # gunicorn's own lines (start-up, worker restarts, timeouts) as JSON too, once each; the
    # access lines are medcode's (medcode.request), so gunicorn's are dropped.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "medcode.ops.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }
