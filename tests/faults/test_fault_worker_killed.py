"""`medcode worker` killed with SIGKILL in the middle of sending an alert digest.

A real SMTP server on loopback (aiosmtpd) holds the worker at one step of the conversation
while the test kills it; a new worker then starts and recovers the task (medcode.jobs.recovery)
and the digest's own row (DigestDelivery) decides whether the retry sends:
- killed before the server accepted the message (held at RCPT): the retry sends it, once;
- killed after the server accepted it (held at QUIT): the retry sends nothing.
Either way the task is retried once, ends SUCCESSFUL, and exactly one email arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.faults.conftest import REPO, cli, server_env
from tests.ports import free_port

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")

LEASE_SECONDS = 2.0
STALL_WAIT_SECONDS = 60

SETUP = """
import datetime as dt
from django.utils import timezone
from medcode.jobs import services
from medcode.jobs.models import SavedSearch
from medcode.jobs.search import JobQuery
from medcode.jobs.tasks import enqueue_due_work
from medcode.jobs.tests.builders import make_posting
from tests.users import make_user
now = timezone.now()
user = make_user("coder")
alert = services.create_alert(user=user, query=JobQuery(words="coder"), frequency="daily")
SavedSearch.objects.filter(pk=alert.pk).update(last_sent_at=now - dt.timedelta(days=2))
make_posting(title="Remote inpatient coder", posted_at=now - dt.timedelta(hours=1))
print(enqueue_due_work()["digests"])
"""

STATE = """
import json
from django_tasks_db.models import DBTaskResult
from medcode.jobs.models import DigestDelivery
print(json.dumps({
    "tasks": [[t.status, len(t.worker_ids)] for t in DBTaskResult.objects.all()],
    "sent": [d.sent_at is not None for d in DigestDelivery.objects.all()],
}))
"""


class HoldingHandler:
    """Counts accepted messages; holds the client at `hold` ("RCPT" or "QUIT") when set."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.hold: str | None = None
        self.held = threading.Event()

    async def _maybe_hold(self, step: str) -> None:
        if self.hold == step:
            self.held.set()
            await asyncio.sleep(STALL_WAIT_SECONDS)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._maybe_hold("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        await self._maybe_hold("QUIT")
        return "221 Bye"


def state(env: dict[str, str]) -> dict[str, list[list[object]]]:
    out = cli(env, "manage", "shell", "-c", STATE).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize(("hold", "sent_before_kill"), [("RCPT", False), ("QUIT", True)])
def test_a_digest_interrupted_by_sigkill_is_retried_once_and_sent_once(
    scratch_database_url, tmp_path, hold, sent_before_kill
):
    handler = HoldingHandler()
    port = free_port()
    smtp = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        env = server_env(
            scratch_database_url,
            tmp_path / "var",
            MEDCODE_EMAIL_URL=f"smtp://127.0.0.1:{port}",
            MEDCODE_TASK_LEASE_SECONDS=str(LEASE_SECONDS),
            MEDCODE_WORKER_HEARTBEAT_SECONDS="0.5",
        )
        assert cli(env, "manage", "shell", "-c", SETUP).stdout.strip().endswith("1")

        handler.hold = hold
        log = (tmp_path / "worker.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "medcode.cli", "worker", "--interval", "0.2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            start_new_session=True,
        )
        try:
            assert handler.held.wait(STALL_WAIT_SECONDS), (tmp_path / "worker.log").read_text()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
            log.close()
        assert worker.returncode == -signal.SIGKILL
        handler.hold = None

        interrupted = state(env)
        assert interrupted["tasks"] == [["RUNNING", 1]], interrupted
        assert interrupted["sent"] == [sent_before_kill], interrupted
        assert len(handler.messages) == (1 if sent_before_kill else 0)

        time.sleep(LEASE_SECONDS + 0.5)
        started = time.monotonic()
        restarted = subprocess.run(
            [sys.executable, "-m", "medcode.cli", "worker", "--batch", "--interval", "0.1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
        )
        assert restarted.returncode == 0, restarted.stderr
        assert "queued again" in restarted.stderr, restarted.stderr
        recovery_seconds = time.monotonic() - started

        after = state(env)
        assert after["tasks"] == [["SUCCESSFUL", 2]], after  # retried once
        assert after["sent"] == [True], after
        assert len(handler.messages) == 1, [m[:200] for m in handler.messages]
        assert b"Remote inpatient coder" in handler.messages[0]
        print(f"{hold}: recovered and finished in {recovery_seconds:.1f}s")
    finally:
        smtp.stop()
