"""The operator's verbs: `medcode up` (migrate, import, serve), `medcode serve` (the production
server) and `medcode worker` (the background task worker every app shares)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from rich.console import Console

console = Console(stderr=True)


def register(subparsers: Any) -> None:
    from medcode.ops.serve import add_server_args

    up = subparsers.add_parser("up", help="migrate, import available data, then serve")
    add_server_args(up)
    up.add_argument("--no-import", action="store_true", help="skip importing data")
    up.set_defaults(handler=cmd_up)

    serve = subparsers.add_parser("serve", help="serve medcode with a production server")
    add_server_args(serve)
    serve.set_defaults(handler=cmd_serve)

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


def cmd_up(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    from medcode.codes.commands import run_imports
    from medcode.codes.importers.icd10cm_xml import embedded_tabular_path

    call_command("migrate", interactive=False, verbosity=0)
    console.print("[green]database ready[/green]")
    if not args.no_import:
        paths = [embedded_tabular_path()]
        if settings.MEDCODE_DATA_DIR:
            paths.append(Path(settings.MEDCODE_DATA_DIR))
        code = run_imports(paths, embed_in_background=True)
        if code:
            return code
    return cmd_serve(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from medcode.ops.serve import serve

    return serve(args, console.print)


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
