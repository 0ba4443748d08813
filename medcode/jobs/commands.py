"""CLI verbs: `medcode worker` (the background task worker every app shares) and
`medcode jobs send-alerts|reindex` (CareerCenter's scheduler step and index upkeep)."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any


def register(subparsers: Any) -> None:
    worker = subparsers.add_parser(
        "worker",
        help="run the background task worker (emails, digests)",
        description=(
            "Run queued background tasks (django-tasks, database backend) until stopped. "
            "Run one per host under systemd or a process manager; several may run at once."
        ),
    )
    worker.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    worker.add_argument(
        "--queue", default="default", help="queues to serve, comma-separated, or '*' for all"
    )
    worker.add_argument(
        "--interval",
        type=float,
        default=float(os.environ.get("MEDCODE_WORKER_INTERVAL") or 1.0),
        help="seconds between polls when idle (default: MEDCODE_WORKER_INTERVAL, else 1)",
    )
    worker.add_argument("--max-tasks", type=int, default=None, help="exit after N tasks")
    worker.set_defaults(handler=cmd_worker)

    jobs = subparsers.add_parser("jobs", help="CareerCenter: job alerts and postings")
    verbs = jobs.add_subparsers(dest="jobs_command", required=True, metavar="VERB")
    send = verbs.add_parser(
        "send-alerts",
        help="expire old postings and queue due alert digests and expiry notices",
        description=(
            "The scheduler step: run it from cron or a systemd timer (hourly is plenty). "
            "It expires postings past their closing date and queues the digests and expiry "
            "notices that are due for `medcode worker` to send. Running it twice is harmless."
        ),
    )
    send.add_argument("--json", action="store_true", help="print the counts as JSON")
    send.set_defaults(handler=cmd_send_alerts)
    reindex = verbs.add_parser("reindex", help="rebuild the postings' full-text index")
    reindex.set_defaults(handler=cmd_reindex)


def cmd_worker(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django_tasks.utils import get_random_id

    from medcode.jobs.recovery import requeue_abandoned
    from medcode.ops.heartbeat import Heartbeat
    from medcode.ops.startup import warn_at_start

    warn_at_start()
    # Tasks a dead worker left running are queued again before this worker takes any.
    requeue_abandoned()
    # The heartbeat lets /readyz see this worker even while the queue is empty.
    worker_id = get_random_id()
    heartbeat = Heartbeat(worker_id, args.queue, settings.MEDCODE_WORKER_HEARTBEAT_SECONDS)
    heartbeat.start()
    try:
        call_command(
            "db_worker",
            queue_name=args.queue,
            interval=args.interval,
            batch=args.batch,
            max_tasks=args.max_tasks,
            reload=False,
            startup_delay=not args.batch,
            worker_id=worker_id,
        )
    finally:
        heartbeat.stop()
    return 0


def cmd_send_alerts(args: argparse.Namespace) -> int:
    from medcode.jobs.tasks import enqueue_due_work

    counts = enqueue_due_work()
    if args.json:
        print(json.dumps(counts))
    else:
        print(
            f"expired {counts['expired']} postings; queued {counts['digests']} digests"
            f" and {counts['expiry_notices']} expiry notices"
        )
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from medcode.jobs.search import rebuild_index

    rebuild_index()
    print("rebuilt the postings' full-text index")
    return 0
