"""CaseConsultant latency and throughput over real SMTP on loopback; prints JSON.

    .venv/bin/python bench/consult.py [--questions 500] [--burst 500] [--interval 0.05] \
        [--database-url postgres://postgres@127.0.0.1:5432/consult_bench]

Everything runs as in production: a scratch database migrated and filled with the sample
releases by the real CLI (or --database-url, an empty database), `medcode consult smtpd` and
one `medcode worker` as subprocesses (the worker polls every --interval seconds when idle,
MEDCODE_WORKER_INTERVAL), and an aiosmtpd server in this process receiving the replies. No
language model.

Latency: for each of --questions emails, one at a time, the time from the listener's 250 to
smtplib (the message is recorded) until our reply is accepted by the receiving server.
Throughput: --burst emails sent as fast as one SMTP connection takes them, until the last reply
is accepted, with one worker. References measured in the same run, side by side: a bare smtplib
round trip to the receiving server, and answer_question alone on the same questions and
database. Target (issue 8): p50 under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONSULT = "consult@bench.test"
SENDER = "ann@clinic.test"
QUESTIONS = (
    "What is E11.9?",
    "What is CPT code 63650?",
    "Is E11.9 billable?",
    "What does modifier 59 mean?",
    "What is HCPCS E0114?",
    "What is POS 22?",
    "Can 63650 be billed with 63655 on the same day?",
    "What is M54.50?",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.5) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


class Receiver:
    """The receiving SMTP server: when each reply (by its In-Reply-To) was accepted."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.count = 0
        self.cond = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.perf_counter()
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
        replying_to = ""
        for line in head.split("\r\n"):
            if line.lower().startswith("in-reply-to:"):
                replying_to = line.split(":", 1)[1].strip()
        with self.cond:
            self.arrived.setdefault(replying_to, now)
            self.count += 1
            self.cond.notify_all()
        return "250 OK"

    def wait(self, key: str, timeout: float = 60.0) -> float:
        with self.cond:
            if not self.cond.wait_for(lambda: key in self.arrived, timeout=timeout):
                raise TimeoutError(f"no reply to {key} within {timeout} s")
            return self.arrived[key]

    def wait_count(self, count: int, timeout: float = 600.0) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: self.count >= count, timeout=timeout):
                raise TimeoutError(f"only {self.count} of {count} replies within {timeout} s")


def message(n: int, tag: str) -> tuple[str, bytes]:
    msg = EmailMessage()
    msg["From"] = f"Ann Coder <{SENDER}>"
    msg["To"] = CONSULT
    msg["Subject"] = f"Bench question {tag}-{n}"
    mid = make_msgid(idstring=f"{tag}{n}", domain="clinic.test")
    msg["Message-ID"] = mid
    msg.set_content(f"{QUESTIONS[n % len(QUESTIONS)]}\n\n-- \nAnn")
    return mid, msg.as_bytes()


def smtp_reference(port: int, count: int) -> list[float]:
    """A bare smtplib round trip (connect, MAIL, RCPT, DATA, QUIT) to the receiving server."""
    times = []
    for n in range(count):
        _, raw = message(n, "ref")
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.sendmail("bench@clinic.test", ["someone@clinic.test"], raw)
        times.append(time.perf_counter() - start)
    return times


def answer_reference(count: int) -> list[float]:
    """answer_question alone, in this process, on the same database and questions."""
    from medcode.assistant.answer import answer_question

    for q in QUESTIONS:
        answer_question(q)  # warm up
    times = []
    for n in range(count):
        start = time.perf_counter()
        answer_question(QUESTIONS[n % len(QUESTIONS)])
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--interval", type=float, default=0.05, help="worker poll interval (s)")
    parser.add_argument("--database-url", default="", help="an empty database to use")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    database_url = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    # This process reads the same database (the answer_question reference).
    os.environ.update(
        DATABASE_URL=database_url,
        MEDCODE_VAR_DIR=str(work / "var"),
        MEDCODE_METERING="off",
        DJANGO_SETTINGS_MODULE="medcode.settings",
    )
    import django

    django.setup()
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
    from aiosmtpd.controller import Controller

    from medcode.consult.tests.conftest import free_port
    from medcode.consult.tests.live import add_user, base_env, cli, import_samples, running

    receiver = Receiver()
    smtp_port = free_port()
    sink = Controller(receiver, hostname="127.0.0.1", port=smtp_port)
    sink.start()
    env = base_env(
        database_url, work / "var", smtp_url=f"smtp://127.0.0.1:{smtp_port}", consult=CONSULT
    )
    env["MEDCODE_WORKER_INTERVAL"] = str(args.interval)
    env["MEDCODE_LOG_LEVEL"] = "WARNING"
    cli(env, "manage", "migrate", "-v0")
    import_samples(env, work / "data")
    add_user(env, SENDER)
    listen_port = free_port()
    latencies: list[float] = []
    try:
        with (
            running(
                env,
                *("consult", "smtpd", "--port", str(listen_port)),
                ready="listening on",
                log=work / "smtpd.log",
            ),
            running(env, "worker", ready=None, log=work / "worker.log"),
            smtplib.SMTP("127.0.0.1", listen_port, timeout=30) as client,
        ):
            if True:
                for n in range(5):  # warm the worker and the listener up
                    mid, raw = message(n, "warm")
                    client.sendmail(SENDER, [CONSULT], raw)
                    receiver.wait(mid)
                for n in range(args.questions):
                    mid, raw = message(n, "lat")
                    client.sendmail(SENDER, [CONSULT], raw)
                    accepted = time.perf_counter()
                    latencies.append(receiver.wait(mid) - accepted)
                before = receiver.count
                start = time.perf_counter()
                first_accepted: dict[str, float] = {}
                for n in range(args.burst):
                    mid, raw = message(n, "burst")
                    client.sendmail(SENDER, [CONSULT], raw)
                    first_accepted[mid] = time.perf_counter()
                intake_seconds = time.perf_counter() - start
                receiver.wait_count(before + args.burst)
                burst_seconds = time.perf_counter() - start
                burst_latencies = [receiver.arrived[m] - t for m, t in first_accepted.items()]
        answer_times = answer_reference(args.questions)
        smtp_times = smtp_reference(smtp_port, args.questions)
    finally:
        sink.stop()
    vendor = "postgresql" if database_url.startswith("postgres") else "sqlite"
    result = {
        "benchmark": "consult",
        "database": vendor,
        "worker_poll_interval_s": args.interval,
        "latency_listener_250_to_reply_accepted": summary(latencies),
        "throughput_one_worker": {
            "emails": args.burst,
            "intake_per_s": round(args.burst / intake_seconds, 1),
            "answered_per_s": round(args.burst / burst_seconds, 1),
            "seconds": round(burst_seconds, 2),
            "latency_under_burst": summary(burst_latencies),
        },
        "reference_smtplib_round_trip": summary(smtp_times),
        "reference_answer_question_alone": summary(answer_times),
        "target_p50_ms": 2000,
        "meets_target": percentile(latencies, 0.5) < 2.0,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
