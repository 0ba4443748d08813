"""CLI verbs: `medcode jobs send-alerts|reindex` (CareerCenter's scheduler step and index
upkeep). The worker that sends what they queue is `medcode worker` (medcode.ops.commands)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
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
