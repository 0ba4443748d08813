"""gunicorn settings `medcode serve` loads (`--config python:medcode.ops.gunicorn_conf`).

With --preload the application is imported once in the master and forked; importing it
opens no database connection and starts no thread, and `pre_fork` closes any connection the
master may hold anyway, so no socket is shared between workers.

Garbage collection: a full collection stops every thread of a worker while it walks all
tracked objects, and in a worker holding its page and claim caches that took 160-270 ms
(timed with gc.callbacks under bench/load.py: 10-13 such pauses a minute per worker, the
cause of the p99 tail). So the objects loaded before serving (the application, then the worker's
warm-up) are frozen out of collection, and a full collection waits for 1,000 middle-generation
ones instead of 10 (GC_THRESHOLDS, or MEDCODE_GC_THRESHOLDS="700,10,1000"). Young cycles are
still collected as often as Python's defaults; only the rare cyclic garbage that lives long
enough to reach the oldest generation is freed later.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from medcode.ops import balance

GC_THRESHOLDS = (700, 10, 1000)

# gthread, spreading connections over the workers (medcode.ops.balance).
worker_class = "medcode.ops.balance.BalancedThreadWorker"


def gc_thresholds() -> tuple[int, int, int]:
    value = os.environ.get("MEDCODE_GC_THRESHOLDS", "")
    if not value:
        return GC_THRESHOLDS
    try:
        first, second, third = (int(part) for part in value.split(","))
    except ValueError:
        raise SystemExit(
            f"error: MEDCODE_GC_THRESHOLDS must be three whole numbers like 700,10,1000, "
            f"not {value!r}"
        ) from None
    return first, second, third


def on_starting(server: Any) -> None:
    balance.open_board(server.num_workers)


def pre_fork(server: Any, worker: Any) -> None:
    # With --reuse-port each worker has its own socket: a connection one leaves is nobody's.
    if balance.BOARD is not None and not server.cfg.reuse_port:
        in_use = {getattr(w, "balance_slot", None) for w in server.WORKERS.values()}
        worker.balance_slot = balance.BOARD.claim(in_use)
        if worker.balance_slot is None:
            server.log.warning("no connection-balancing slot left: this worker accepts alone")
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
    # The preloaded application, out of every collection (and its memory pages shared).
    gc.freeze()


def when_ready(server: Any) -> None:
    # With --preload, the master loads the process-wide caches once, before it forks the
    # workers (medcode.ops.warmup.warm_master): each worker starts warm and accepts at once.
    if server.cfg.preload_app and os.environ.get("DJANGO_SETTINGS_MODULE"):
        from medcode.ops.warmup import warm_master

        warm_master()


def post_worker_init(worker: Any) -> None:
    # Each worker loads its process-wide caches before its first request (medcode.ops.warmup).
    from medcode.ops.warmup import warm_worker

    warm_worker()
    gc.freeze()
    gc.set_threshold(*gc_thresholds())


def child_exit(server: Any, worker: Any) -> None:
    slot = getattr(worker, "balance_slot", None)
    if balance.BOARD is not None and slot is not None:
        balance.BOARD.release(slot)
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
