"""/healthz and /readyz: what each readiness check reports, and the probes' bypasses."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from medcode.ops import health
from medcode.ops.models import WorkerHeartbeat
from tests.ports import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def recheck_migrations():
    health._migrations_ok_until = 0.0
    yield
    health._migrations_ok_until = 0.0


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def waiting_task(age: timedelta) -> DBTaskResult:  # type: ignore[type-arg]
    moment = timezone.now() - age
    task = DBTaskResult.objects.create(
        status=TaskResultStatus.READY,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="medcode.jobs.tasks.send_digest",
        queue_name="default",
        backend_name="default",
        run_after=moment,
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=moment)
    return task


def readyz(client: Client, **headers):
    response = client.get("/readyz", **headers)
    return response, response.json()


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_readyz_is_ready_with_a_database_migrations_and_an_empty_queue(client, settings):
    settings.REDIS_URL = ""
    response, body = readyz(client)
    assert response.status_code == 200, body
    assert body["status"] == "ready" and body["failed"] == []
    assert set(body["checks"]) == {"database", "migrations", "worker", "redis"}
    assert body["checks"]["migrations"]["detail"] == "all applied"
    assert body["checks"]["worker"]["detail"].startswith("no heartbeat yet")
    assert body["checks"]["redis"]["detail"] == "not configured"
    assert response["Cache-Control"] == "no-store"


def test_readyz_fails_when_a_task_waited_too_long_and_no_worker_beats(client, settings):
    settings.REDIS_URL = ""
    settings.MEDCODE_QUEUE_MAX_AGE = 300
    waiting_task(timedelta(minutes=10))
    response, body = readyz(client)
    assert response.status_code == 503
    assert body["status"] == "not ready" and body["failed"] == ["worker"]
    assert "start `medcode worker`" in body["checks"]["worker"]["detail"]


def test_a_recent_heartbeat_keeps_readyz_ready_despite_an_old_task(client, settings):
    settings.REDIS_URL = ""
    waiting_task(timedelta(minutes=10))
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="h", pid=1, queues="default", started_at=now, seen_at=now
    )
    response, body = readyz(client)
    assert response.status_code == 200, body
    assert body["checks"]["worker"]["detail"].startswith("heartbeat ")


def test_a_stale_heartbeat_counts_as_no_worker(client, settings):
    settings.REDIS_URL = ""
    settings.MEDCODE_WORKER_MAX_SILENCE = 60
    # The clock stands still, so a slow machine cannot turn 300 s into 302 s.
    with time_machine.travel(timezone.now(), tick=False):
        waiting_task(timedelta(minutes=10))
        old = timezone.now() - timedelta(minutes=5)
        WorkerHeartbeat.objects.create(
            worker_id="w1", host="h", pid=1, queues="default", started_at=old, seen_at=old
        )
        response, body = readyz(client)
    assert response.status_code == 503
    assert "last heartbeat 300 s ago" in body["checks"]["worker"]["detail"]


def test_readyz_names_an_unapplied_migration(client, settings):
    settings.REDIS_URL = ""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'ops'")
    response, body = readyz(client)
    assert response.status_code == 503 and body["failed"] == ["migrations"]
    assert "ops.0001_initial" in body["checks"]["migrations"]["detail"]


def test_readyz_fails_when_redis_is_unreachable_without_naming_the_host(client, settings):
    settings.REDIS_URL = f"redis://:secret@127.0.0.1:{free_port()}/0"
    response, body = readyz(client)
    assert response.status_code == 503 and body["failed"] == ["redis"]
    detail = body["checks"]["redis"]["detail"]
    assert detail.startswith("redis unreachable (")
    assert "127.0.0.1" not in response.content.decode() and "secret" not in detail


def test_readyz_pings_a_real_redis(client, settings):
    if not redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    response, body = readyz(client)
    assert response.status_code == 200, body
    assert body["checks"]["redis"]["detail"] == "reachable"


def test_probes_skip_the_host_check_and_the_https_redirect(client, settings):
    settings.REDIS_URL = ""
    settings.ALLOWED_HOSTS = ["medcode.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/", HTTP_HOST="10.0.0.5").status_code == 400
    assert client.get("/healthz", HTTP_HOST="10.0.0.5").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.5").status_code == 200
    page = client.get("/", HTTP_HOST="medcode.example.org")
    assert page.status_code == 301 and page["Location"].startswith("https://")


UNREACHABLE_PROBE = r"""
import json, django
django.setup()
from django.test import Client
ready = Client().get("/readyz")
metrics = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken")
print(json.dumps({"status": ready.status_code, "body": ready.json(),
                  "metrics": metrics.status_code, "text": metrics.content.decode()}))
"""


def test_readyz_and_metrics_answer_while_the_database_is_unreachable(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        "MEDCODE_VAR_DIR": str(tmp_path),
        "MEDCODE_METRICS_TOKEN": "t0ken",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", UNREACHABLE_PROBE],
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["status"] == 503
    body = out["body"]
    assert body["failed"] == ["database", "migrations", "worker"]
    assert (
        body["checks"]["database"]["detail"] == "database 'default' unreachable (OperationalError)"
    )
    assert body["checks"]["worker"]["detail"] == "skipped: the database is unreachable"
    assert "nowhere" not in json.dumps(body)
    # Metrics still answer, without the queue gauges that need the database.
    assert out["metrics"] == 200 and "medcode_http_request_duration_seconds" in out["text"]
    assert "medcode_task_queue_depth" not in out["text"]


def test_readyz_details_are_for_operators_only(client, settings):
    # Before: anyone could read every check's detail and timing (issue 20, item 13).
    settings.REDIS_URL = ""
    settings.MEDCODE_METRICS_TOKEN = "probe-token-0123456789"
    outside = client.get("/readyz", REMOTE_ADDR="203.0.113.9")
    assert outside.status_code == 200 and outside.json() == {"status": "ready"}
    forwarded = client.get("/readyz", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert "checks" not in forwarded.json()
    with_token = client.get(
        "/readyz", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer probe-token-0123456789"
    )
    assert set(with_token.json()["checks"]) == {"database", "migrations", "worker", "redis"}
