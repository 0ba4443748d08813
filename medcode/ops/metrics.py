"""Prometheus metrics: request latency by route, responses by status, search and claim-check
timings, and the background task queue (read at scrape time).

Under gunicorn each worker process keeps its own samples in PROMETHEUS_MULTIPROC_DIR (set by
`medcode serve`), and a scrape of any worker adds them up. /metrics is served only to a
scraper that sends `Authorization: Bearer $MEDCODE_METRICS_TOKEN`, or that connects straight
(no X-Forwarded-For) from an address in MEDCODE_METRICS_NETWORKS.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator
from functools import cache

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger("medcode.ops.metrics")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUEST_SECONDS = Histogram(
    "medcode_http_request_duration_seconds",
    "Time to answer a request, by route name and method",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
RESPONSES = Counter(
    "medcode_http_responses",
    "Responses sent, by route name, method and status code",
    ["route", "method", "status"],
)
ERRORS = Counter(
    "medcode_http_errors",
    "Server errors (status 500 and above), by route name",
    ["route"],
)
SEARCH_SECONDS = Histogram(
    "medcode_search_duration_seconds",
    "Time for one search (medcode.search.facade.search)",
    buckets=LATENCY_BUCKETS,
)
CLAIM_CHECK_SECONDS = Histogram(
    "medcode_claim_check_duration_seconds",
    "Time to check one claim (medcode.claims.services.check_parsed)",
    buckets=LATENCY_BUCKETS,
)

UNAUTHORISED = "metrics need Authorization: Bearer <MEDCODE_METRICS_TOKEN>\n"


class QueueCollector(Collector):
    """Background tasks waiting to run, and the age of the oldest, read when scraped."""

    def collect(self) -> Iterator[Metric]:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        depth = GaugeMetricFamily(
            "medcode_task_queue_depth", "Background tasks waiting to run", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "medcode_task_queue_oldest_seconds",
            "Age of the oldest task waiting to run (0 when none waits)",
            labels=["queue"],
        )
        now = timezone.now()
        rows: dict[str, tuple[int, float]] = {}
        ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        for queue in ready.values_list("queue_name", flat=True).distinct():
            waiting = ready.filter(queue_name=queue)
            first = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
            age = (now - first).total_seconds() if first else 0.0
            rows[queue] = (waiting.count(), max(age, 0.0))
        for queue in settings.TASKS["default"].get("QUEUES", ["default"]):
            rows.setdefault(queue, (0, 0.0))
        for queue, (count, age) in sorted(rows.items()):
            depth.add_metric([queue], count)
            oldest.add_metric([queue], age)
        yield depth
        yield oldest


def exposition() -> bytes:
    """The text a scrape gets: every process's samples, then the queue gauges (left out,
    with a warning in the log, while the database is unreachable)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        samples = generate_latest(merged)
    else:
        samples = generate_latest(REGISTRY)
    queue = CollectorRegistry()
    queue.register(QueueCollector())
    try:
        return samples + generate_latest(queue)
    except DatabaseError as exc:
        logger.warning("metrics: the task queue could not be read: %s", exc)
        return samples


@cache
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def may_scrape(request: HttpRequest) -> bool:
    token: str = settings.MEDCODE_METRICS_TOKEN
    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").strip(), token)
    networks = _networks(tuple(settings.MEDCODE_METRICS_NETWORKS))
    if not networks or request.META.get("HTTP_X_FORWARDED_FOR"):
        return False
    try:
        address = ipaddress.ip_address(str(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return False
    return any(address in network for network in networks)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        response = HttpResponse(UNAUTHORISED, status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
