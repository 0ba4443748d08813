"""Probes: /healthz (the process answers) and /readyz (it can do its work).

/readyz checks the database (and each replica), that every migration is applied, that a
background worker was seen recently (or that no task has waited too long), and Redis when
REDIS_URL is set. It answers 200 or 503; the JSON names each check and what failed only for a
direct loopback connection or a caller allowed to scrape /metrics (the others get the status),
and the underlying error (which may name hosts) goes to the log, never the response.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

logger = logging.getLogger("medcode.ops.health")

# Once every migration is applied, say so again without reading the migration graph for this
# long (a process cannot gain new migrations without a restart).
MIGRATIONS_RECHECK_SECONDS = 60.0
_migrations_ok_until = 0.0


class CheckFailed(Exception):
    """A readiness check failed; the message is safe to show (no hosts, no secrets)."""


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def check_database() -> str:
    aliases = [DEFAULT_DB_ALIAS, *(a for a in settings.DATABASES if a != DEFAULT_DB_ALIAS)]
    for alias in aliases:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:
            logger.warning("readyz: database %s unreachable: %s", alias, exc)
            raise CheckFailed(f"database {alias!r} unreachable ({type(exc).__name__})") from exc
    return f"{len(aliases)} reachable"


def check_migrations() -> str:
    global _migrations_ok_until
    if time.monotonic() < _migrations_ok_until:
        return "all applied"
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        raise CheckFailed(
            f"{len(plan)} migration(s) not applied: {names}{more} (run `medcode manage migrate`)"
        )
    _migrations_ok_until = time.monotonic() + MIGRATIONS_RECHECK_SECONDS
    return "all applied"


def check_worker() -> str:
    """A worker's heartbeat is recent, or else no task has been waiting too long."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from medcode.ops.models import WorkerHeartbeat

    now = timezone.now()
    seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    silence = (now - seen).total_seconds() if seen else None
    if silence is not None and silence <= settings.MEDCODE_WORKER_MAX_SILENCE:
        return f"heartbeat {silence:.0f} s ago"
    first = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__lte=now)
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first()
    )
    waited = (now - first).total_seconds() if first else 0.0
    heard = f"last heartbeat {silence:.0f} s ago" if silence is not None else "no heartbeat yet"
    if waited <= settings.MEDCODE_QUEUE_MAX_AGE:
        return f"{heard}; oldest waiting task {waited:.0f} s old"
    raise CheckFailed(
        f"no worker: {heard} and a task has waited {waited:.0f} s"
        f" (over {settings.MEDCODE_QUEUE_MAX_AGE:.0f} s); start `medcode worker`"
    )


def check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=1.0, socket_timeout=1.0
    )
    try:
        client.ping()
    except Exception as exc:
        logger.warning("readyz: redis unreachable: %s", exc)
        raise CheckFailed(f"redis unreachable ({type(exc).__name__})") from exc
    finally:
        client.close()
    return "reachable"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "migrations": check_migrations,
    "worker": check_worker,
    "redis": check_redis,
}


def readiness() -> tuple[bool, dict[str, Any]]:
    results: dict[str, Any] = {}
    ready = True
    database_down = False
    for name, check in CHECKS.items():
        started = time.perf_counter()
        if database_down and name in ("migrations", "worker"):
            results[name] = {"ok": False, "detail": "skipped: the database is unreachable"}
            ready = False
            continue
        try:
            detail = check()
            ok = True
        except CheckFailed as exc:
            detail, ok = str(exc), False
        except Exception as exc:
            logger.exception("readyz: check %s raised", name)
            detail, ok = f"check raised {type(exc).__name__}", False
        results[name] = {
            "ok": ok,
            "detail": detail,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if not ok:
            ready = False
            database_down = database_down or name == "database"
    return ready, results


def may_see_details(request: HttpRequest) -> bool:
    """The checks' details (versions, migrations, timings) are for operators: a direct
    connection from loopback or whoever may scrape /metrics. Others get the status alone."""
    from medcode.ops.metrics import may_scrape

    if may_scrape(request):
        return True
    if request.META.get("HTTP_X_FORWARDED_FOR"):
        return False
    try:
        return ipaddress.ip_address(str(request.META.get("REMOTE_ADDR", ""))).is_loopback
    except ValueError:
        return False


def readyz(request: HttpRequest) -> JsonResponse:
    ready, checks = readiness()
    body: dict[str, Any] = {"status": "ready" if ready else "not ready"}
    if may_see_details(request):
        body["failed"] = [name for name, result in checks.items() if not result["ok"]]
        body["checks"] = checks
    response = JsonResponse(body, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response
