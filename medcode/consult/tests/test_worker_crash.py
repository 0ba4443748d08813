"""The real `medcode worker` killed between drafting and sending, then restarted: one reply.

Everything runs as subprocesses against a scratch database, as in production; replies go over
SMTP to a loopback aiosmtpd server in this test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medcode.consult.tests import crashing_worker
from medcode.consult.tests.conftest import CONSULT, make_mail
from medcode.consult.tests.live import REPO, add_user, base_env, cli

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


def state_of(env: dict[str, str], message_id: str) -> dict[str, str]:
    code = (
        "import json; from medcode.consult.models import Inquiry; "
        f"i = Inquiry.objects.get(message_id={message_id!r}); "
        "print(json.dumps({'state': i.state, 'out': i.outbound_message_id}))"
    )
    row: dict[str, str] = json.loads(
        cli(env, "manage", "shell", "-c", code).stdout.splitlines()[-1]
    )
    return row


@pytest.fixture
def consult_env(scratch_database_url: str, tmp_path: Path, smtp_sink) -> dict[str, str]:
    env = base_env(scratch_database_url, tmp_path / "var", smtp_url=smtp_sink.url, consult=CONSULT)
    env["MEDCODE_CONSULT_LEASE_SECONDS"] = "1"
    env["MEDCODE_TASK_LEASE_SECONDS"] = "300"
    add_user(env, "ann@clinic.test")
    return env


def crashing_worker_batch(env: dict[str, str], point: str) -> subprocess.CompletedProcess[str]:
    """`medcode worker --batch` in a process that dies at `point` (crashing_worker.py)."""
    return subprocess.run(
        [sys.executable, "-m", crashing_worker.__name__, point, "worker", "--batch"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )


def ingest(env: dict[str, str], tmp_path: Path, message_id: str) -> None:
    path = tmp_path / "question.eml"
    path.write_bytes(make_mail("What is E11.9?", message_id=message_id))
    out = json.loads(cli(env, "consult", "ingest", str(path)).stdout)
    assert out["created"] and out["state"] == "received"


def test_killed_after_drafting_then_restarted_sends_exactly_one_reply(
    consult_env, tmp_path, smtp_sink
) -> None:
    ingest(consult_env, tmp_path, "<crash1@clinic.test>")
    crashed = crashing_worker_batch(consult_env, "drafted")
    assert crashed.returncode == crashing_worker.EXIT_CODE, crashed.stderr
    assert state_of(consult_env, "<crash1@clinic.test>")["state"] == "drafted"
    assert smtp_sink.messages == []

    # The dead worker's task row stays "running": a restarted worker leaves it alone until the
    # task lease (MEDCODE_TASK_LEASE_SECONDS, medcode.jobs.recovery) runs out...
    cli(consult_env, "worker", "--batch")
    assert smtp_sink.messages == []
    # ...`medcode consult requeue` does, once the dead worker's lease has run out.
    time.sleep(1.2)
    requeued = json.loads(cli(consult_env, "consult", "requeue", "--older-than", "0").stdout)
    assert len(requeued["requeued"]) == 1
    cli(consult_env, "worker", "--batch")
    (reply,) = smtp_sink.wait_for(1)
    assert reply.message["In-Reply-To"] == "<crash1@clinic.test>"
    assert state_of(consult_env, "<crash1@clinic.test>")["state"] == "sent"

    # Running everything again changes nothing: still one reply.
    time.sleep(1.2)
    again = json.loads(cli(consult_env, "consult", "requeue", "--older-than", "0").stdout)
    assert again["requeued"] == []
    cli(consult_env, "worker", "--batch")
    assert len(smtp_sink.messages) == 1


def test_killed_after_smtp_accepted_resends_the_same_message_id(
    consult_env, tmp_path, smtp_sink
) -> None:
    """The documented window: SMTP accepted, the worker died before recording "sent". The retry
    sends the identical message (same Message-ID), which mail clients show once."""
    ingest(consult_env, tmp_path, "<crash2@clinic.test>")
    crashed = crashing_worker_batch(consult_env, "sent")
    assert crashed.returncode == crashing_worker.EXIT_CODE, crashed.stderr
    first = smtp_sink.wait_for(1)[0]
    row = state_of(consult_env, "<crash2@clinic.test>")
    assert row["state"] == "sending" and row["out"] == first.message["Message-ID"]
    time.sleep(1.2)
    cli(consult_env, "consult", "requeue", "--older-than", "0")
    cli(consult_env, "worker", "--batch")
    replies = smtp_sink.wait_for(2)
    assert len(replies) == 2
    assert replies[1].message["Message-ID"] == replies[0].message["Message-ID"]
    assert replies[1].text() == replies[0].text()
    assert state_of(consult_env, "<crash2@clinic.test>")["state"] == "sent"
