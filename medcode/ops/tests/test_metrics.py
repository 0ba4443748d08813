"""/metrics: who may scrape it, and that requests, searches, claim checks and the task queue
show up in what a scraper reads."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from medcode.ops.tests.test_probes import waiting_task
from medcode.search.facade import search

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-scrape-token-for-tests"


@pytest.fixture(autouse=True)
def scraping(settings):
    settings.MEDCODE_METRICS_TOKEN = TOKEN
    settings.MEDCODE_METRICS_NETWORKS = []
    settings.MEDCODE_METERING = False


def scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return float(samples.get((name, tuple(sorted(labels.items()))), 0.0))


def test_metrics_refuse_a_scraper_without_the_token(client):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"medcode_" not in response.content
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 401


def test_metrics_are_closed_when_neither_token_nor_network_is_set(client, settings):
    settings.MEDCODE_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_a_trusted_network_may_scrape_only_when_it_connects_directly(client, settings):
    settings.MEDCODE_METRICS_NETWORKS = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.3.4").status_code == 401
    # Through a reverse proxy (which adds X-Forwarded-For) only the token counts.
    proxied = client.get("/metrics", REMOTE_ADDR="10.20.3.4", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.status_code == 401


def test_requests_are_counted_by_route_and_status(client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    after = scrape(client)
    count = "medcode_http_request_duration_seconds_count"
    assert (
        value(after, count, route="home", method="GET")
        - value(before, count, route="home", method="GET")
        == 3
    )
    responses = "medcode_http_responses_total"
    assert value(after, responses, route="home", method="GET", status="200") >= 3
    assert (
        value(after, responses, route="(unmatched)", method="GET", status="404")
        - value(before, responses, route="(unmatched)", method="GET", status="404")
        == 1
    )


@pytest.mark.urls("medcode.ops.tests.urls")
def test_server_errors_are_counted(client):
    before = scrape(client)
    response = Client(raise_request_exception=False).get("/test-fails/")
    assert response.status_code == 500
    after = scrape(client)
    errors = "medcode_http_errors_total"
    assert value(after, errors, route="test-fails") - value(before, errors, route="test-fails") == 1


def test_searches_and_claim_checks_are_timed(client):
    before = scrape(client)
    search("fracture of femur")
    search("63650")
    claim = {"lines": [{"code": "99213", "units": 1, "date_of_service": "2025-11-01"}]}
    client.post("/api/v1/claims/check", json.dumps(claim), content_type="application/json")
    after = scrape(client)
    searches = "medcode_search_duration_seconds_count"
    assert value(after, searches) - value(before, searches) == 2
    checks = "medcode_claim_check_duration_seconds_count"
    assert value(after, checks) - value(before, checks) == 1


def test_the_queue_depth_and_oldest_task_are_read_when_scraped(client):
    empty = scrape(client)
    assert value(empty, "medcode_task_queue_depth", queue="default") == 0
    waiting_task(timedelta(minutes=3))
    waiting_task(timedelta(seconds=5))
    now = scrape(client)
    assert value(now, "medcode_task_queue_depth", queue="default") == 2
    oldest = value(now, "medcode_task_queue_oldest_seconds", queue="default")
    assert 170 <= oldest <= 300, oldest
