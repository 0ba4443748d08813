"""The real stack as docs/deploy.md runs it: `medcode serve` (gunicorn, 2 workers) on a free
port against a throwaway PostgreSQL database with REDIS_URL set, and `medcode worker` beside
it; probes, metrics, a code page, static caching and JSON logs are checked over HTTP.

Skips when PostgreSQL (127.0.0.1:5432, user postgres) or Redis (127.0.0.1:6379) is absent.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.ports import free_port
from tests.servers import clean_env, run_medcode, stop, wait_for

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parents[3]
PG_HOST, PG_PORT, REDIS_PORT = "127.0.0.1", 5432, 6379
START_SECONDS = 60
TOKEN = secrets.token_urlsafe(24)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(url: str, **headers: str) -> Reply:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


@dataclass
class Stack:
    url: str
    server_log: Path
    worker: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not listening(PG_PORT):
        pytest.skip(f"PostgreSQL is not running on {PG_HOST}:{PG_PORT}")
    if not listening(REDIS_PORT):
        pytest.skip(f"Redis is not running on 127.0.0.1:{REDIS_PORT}")
    import psycopg

    from medcode.codes.tests.sample_data import importable, write_samples

    root = tmp_path_factory.mktemp("stack")
    name = f"medcode_stack_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(
        host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres", autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    env = clean_env(
        {
            "DATABASE_URL": f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/14",
            "MEDCODE_SECRET_KEY": secrets.token_urlsafe(60),
            "MEDCODE_REQUIRE_SECRET": "1",
            "MEDCODE_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEDCODE_VAR_DIR": str(root / "var"),
            "MEDCODE_LOG_FORMAT": "json",
            "MEDCODE_METRICS_TOKEN": TOKEN,
            "MEDCODE_METERING": "off",
            "MEDCODE_WEB_WORKERS": "2",
            "MEDCODE_WORKER_HEARTBEAT_SECONDS": "1",
        }
    )
    processes: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        run_medcode(env, "manage", "migrate", "--noinput", "-v0")
        samples = [str(p) for p in write_samples(root / "data") if importable(p)]
        run_medcode(env, "data", "import", *samples)
        server_log = root / "serve.log"
        logs.append(server_log.open("wb"))
        server = subprocess.Popen(
            [sys.executable, "-m", "medcode.cli", "serve", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=logs[-1],
            stderr=subprocess.STDOUT,
        )
        processes.append(server)
        logs.append((root / "worker.log").open("wb"))
        worker = subprocess.Popen(
            [sys.executable, "-m", "medcode.cli", "worker", "--interval", "0.5"],
            env=env,
            cwd=REPO,
            stdout=logs[-1],
            stderr=subprocess.STDOUT,
        )
        processes.append(worker)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_SECONDS
        while True:
            if server.poll() is not None:
                raise AssertionError(f"medcode serve exited:\n{server_log.read_text()}")
            try:
                if fetch(f"{url}/healthz").status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer in {START_SECONDS} s:\n{server_log.read_text()}")
            time.sleep(0.3)
        yield Stack(url, server_log, worker)
    finally:
        for process in reversed(processes):
            stop(process)
        for log in logs:
            log.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_liveness_and_readiness_with_postgres_redis_and_a_live_worker(stack):
    assert fetch(f"{stack.url}/healthz").body == b"ok"

    def ready_with_heartbeat() -> Any:
        reply = fetch(f"{stack.url}/readyz")
        body = reply.json()
        beating = body["checks"]["worker"]["detail"].startswith("heartbeat ")
        return body if reply.status == 200 and beating else None

    body = wait_for(ready_with_heartbeat, "the worker's heartbeat in /readyz")
    assert body["checks"]["database"]["detail"] == "1 reachable"
    assert body["checks"]["migrations"]["detail"] == "all applied"
    assert body["checks"]["redis"]["detail"] == "reachable"


def test_the_workers_start_with_the_caches_the_master_loaded(stack):
    # /healthz answers once the first worker serves; the second is forked just after.
    wait_for(lambda: stack.server_log.read_text().count("worker warmed up") >= 2, "two workers")
    entries = [
        json.loads(line)
        for line in stack.server_log.read_text().splitlines()
        if line.startswith("{")
    ]

    def seconds(prefix: str) -> list[float]:
        found = [e["message"] for e in entries if e["message"].startswith(prefix)]
        return [float(re.findall(r"in ([0-9.]+) s", message)[0]) for message in found]

    master = seconds("caches loaded before forking the workers")
    workers = seconds("worker warmed up")
    assert len(master) == 1, "the preloaded master loads the caches once"
    assert len(workers) == 2
    # Each worker's own warm-up finds what the master loaded (drgpy's tables alone take
    # seconds to load when they are not there).
    assert all(w < master[0] / 2 for w in workers), (master, workers)


def test_a_code_page_is_served_with_a_request_id_and_hashed_static_files(stack):
    page = fetch(f"{stack.url}/codes/63650/", **{"X-Request-ID": "stack-test-1"})
    assert page.status == 200 and page.headers["X-Request-ID"] == "stack-test-1"
    html = page.body.decode()
    match = re.search(r'href="(/static/medcode/site\.[0-9a-f]{12}\.css)"', html)
    assert match, "the page should link the collected, hashed stylesheet"
    css = fetch(stack.url + match.group(1), **{"Accept-Encoding": "gzip"})
    assert css.status == 200 and css.headers["Content-Encoding"] == "gzip"
    assert "immutable" in css.headers["Cache-Control"]
    assert "max-age=315360000" in css.headers["Cache-Control"]


def test_metrics_sum_the_workers_and_need_the_token(stack):
    assert fetch(f"{stack.url}/metrics").status == 401
    for _ in range(6):
        assert fetch(f"{stack.url}/codes/63650/").status == 200
    text = fetch(f"{stack.url}/metrics", Authorization=f"Bearer {TOKEN}").body.decode()
    counts = re.findall(
        r'^medcode_http_request_duration_seconds_count\{method="GET",route="([^"]+)"\} (\S+)$',
        text,
        re.M,
    )
    by_route = {route: float(value) for route, value in counts}
    page_routes = [route for route in by_route if route.startswith("codes:")]
    assert page_routes and sum(by_route[r] for r in page_routes) >= 6, by_route
    assert re.search(r'^medcode_task_queue_depth\{queue="default"\} 0\.0$', text, re.M)


def test_the_server_writes_one_json_access_line_per_request(stack):
    fetch(f"{stack.url}/codes/63650/?q=private", **{"X-Request-ID": "stack-log-2"})

    def access_line() -> Any:
        for line in stack.server_log.read_text().splitlines():
            if '"stack-log-2"' in line:
                return json.loads(line)
        return None

    entry = wait_for(access_line, "the access line", seconds=10)
    assert entry["logger"] == "medcode.request" and entry["status"] == 200
    assert entry["path"] == "/codes/63650/" and entry["method"] == "GET"
    assert entry["duration_ms"] > 0 and entry["route"].startswith("codes:")
    assert "private" not in json.dumps(entry)


def test_a_stopped_worker_takes_its_heartbeat_with_it(stack):
    stop(stack.worker)
    assert stack.worker.returncode == 0

    def no_heartbeat() -> Any:
        body = fetch(f"{stack.url}/readyz").json()
        return body if body["checks"]["worker"]["detail"].startswith("no heartbeat") else None

    body = wait_for(no_heartbeat, "the heartbeat to go")
    # Nothing waits in the queue, so the site is still ready without a worker.
    assert body["status"] == "ready"
