"""CLI verbs: `medcode consult smtpd|maildir|ingest|requeue` (CaseConsultant's inbound mail)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    consult = subparsers.add_parser("consult", help="CaseConsultant: coding questions by email")
    verbs = consult.add_subparsers(dest="consult_command", required=True, metavar="VERB")

    smtpd = verbs.add_parser(
        "smtpd",
        help="receive consult mail over SMTP (point MX, or a relay, at it)",
        description=(
            "An SMTP listener (aiosmtpd) that accepts mail for MEDCODE_CONSULT_ADDRESS only, "
            "records each message before answering 250, and queues it for `medcode worker`."
        ),
    )
    smtpd.add_argument("--host", default="127.0.0.1", help="address to listen on")
    smtpd.add_argument("--port", type=int, default=8025, help="port to listen on")
    smtpd.set_defaults(handler=cmd_smtpd)

    maildir = verbs.add_parser(
        "maildir",
        help="record the messages in a Maildir's new/ folder",
        description=(
            "Record each message in PATH/new, then move it to PATH/cur (only once recorded). "
            "With --watch, keep looking every SECONDS."
        ),
    )
    maildir.add_argument("path", type=Path, help="the Maildir folder (with new/ and cur/)")
    maildir.add_argument("--watch", type=float, metavar="SECONDS", help="poll every SECONDS")
    maildir.add_argument("--json", action="store_true", help="print the counts as JSON")
    maildir.set_defaults(handler=cmd_maildir)

    ingest = verbs.add_parser(
        "ingest",
        help="record one message from a file or standard input (for a pipe from your MTA)",
    )
    ingest.add_argument("file", help="a file holding one raw message, or - for standard input")
    ingest.add_argument("--sender", default=None, help="the envelope sender, if known")
    ingest.set_defaults(handler=cmd_ingest)

    requeue = verbs.add_parser(
        "requeue",
        help="queue again consults left unfinished (a worker died); run it from cron",
    )
    requeue.add_argument(
        "--older-than",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="only rows untouched this long (default 60)",
    )
    requeue.set_defaults(handler=cmd_requeue)


def cmd_smtpd(args: argparse.Namespace) -> int:
    from django.conf import settings

    from medcode.consult import authresults
    from medcode.consult.authresults import NO_VERIFIER
    from medcode.consult.smtpd import serve
    from medcode.ops.startup import warn_at_start

    warn_at_start()
    if authresults.requires_pass() and not settings.MEDCODE_CONSULT_AUTHSERV_ID:
        print(f"medcode consult smtpd: mail will not be answered: {NO_VERIFIER}", file=sys.stderr)
    serve(args.host, args.port)
    return 0


def cmd_maildir(args: argparse.Namespace) -> int:
    from medcode.consult.maildir import MaildirError, process_maildir, watch_maildir

    try:
        if args.watch:
            watch_maildir(args.path, interval=args.watch)
            return 0
        counts = process_maildir(args.path)
    except MaildirError as exc:
        print(f"medcode consult maildir: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(counts))
    else:
        print(
            f"recorded {counts['recorded']}, duplicates {counts['duplicates']},"
            f" unreadable {counts['failed']} (left in new/)"
        )
    return 0 if counts["failed"] == 0 else 1


def cmd_ingest(args: argparse.Namespace) -> int:
    from medcode.consult.intake import record_inquiry
    from medcode.consult.parsing import MailError

    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(f"medcode consult ingest: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        recorded = record_inquiry(raw, channel="cli", envelope_sender=args.sender)
    except MailError as exc:
        print(f"medcode consult ingest: {args.file}: {exc}", file=sys.stderr)
        return 2
    inquiry = recorded.inquiry
    print(
        json.dumps(
            {
                "id": inquiry.pk,
                "message_id": inquiry.message_id,
                "state": inquiry.state,
                "kind": inquiry.kind,
                "created": recorded.created,
                "reason": inquiry.reason,
            }
        )
    )
    return 0


def cmd_requeue(args: argparse.Namespace) -> int:
    from medcode.consult.processing import requeue

    ids = requeue(older_than=args.older_than)
    print(json.dumps({"requeued": ids}))
    return 0
