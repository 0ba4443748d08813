"""Request ids and the access log: one line per request, plain or JSON."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from medcode.ops.logs import JsonFormatter, RequestIdFilter, current_request_id

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def no_meter(settings):
    settings.MEDCODE_METERING = False


def access_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "medcode.request"]


def test_a_given_request_id_is_echoed_and_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="medcode.request")
    response = client.get("/?q=secret+patient+words", HTTP_X_REQUEST_ID="edge-42.a:b")
    assert response["X-Request-ID"] == "edge-42.a:b"
    (record,) = access_records(caplog)
    fields = vars(record)
    assert fields["request_id"] == "edge-42.a:b"
    assert (fields["method"], fields["path"], fields["status"], fields["route"]) == (
        "GET",
        "/",
        200,
        "home",
    )
    assert fields["duration_ms"] >= 0
    # The query string (which may hold case details) is never logged.
    assert "secret" not in record.getMessage() and "secret" not in fields["path"]


def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(client, caplog):
    caplog.set_level(logging.INFO, logger="medcode.request")
    first = client.get("/healthz-nope")["X-Request-ID"]
    forged = client.get("/", HTTP_X_REQUEST_ID="x\nforged log line")["X-Request-ID"]
    too_long = client.get("/", HTTP_X_REQUEST_ID="a" * 200)["X-Request-ID"]
    for value in (first, forged, too_long):
        assert len(value) == 32 and value.isalnum()
    assert len({first, forged, too_long}) == 3
    assert [vars(r)["status"] for r in access_records(caplog)] == [404, 200, 200]


def test_the_json_formatter_writes_one_object_with_the_request_fields():
    record = logging.LogRecord("medcode.request", logging.INFO, __file__, 1, "GET / 200", (), None)
    for key, value in {"method": "GET", "path": "/", "status": 200, "duration_ms": 1.5}.items():
        setattr(record, key, value)
    token = current_request_id.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO" and entry["logger"] == "medcode.request"
    assert entry["message"] == "GET / 200" and entry["request_id"] == "abc123"
    assert (entry["method"], entry["path"], entry["status"], entry["duration_ms"]) == (
        "GET",
        "/",
        200,
        1.5,
    )
    assert entry["time"].endswith("+00:00")


@pytest.mark.urls("medcode.ops.tests.urls")
def test_logs_made_while_a_request_is_handled_carry_its_id(caplog):
    caplog.set_level(logging.INFO)
    client = Client(raise_request_exception=False)
    assert client.get("/test-fails/", HTTP_X_REQUEST_ID="req-7").status_code == 500
    failures = [r for r in caplog.records if r.name == "django.request"]
    assert failures and all(getattr(r, "request_id", "") == "req-7" for r in failures)
    (access,) = access_records(caplog)
    assert access.levelno == logging.ERROR and vars(access)["status"] == 500


def run_with_env(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
        "MEDCODE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code], env=full, cwd=REPO, capture_output=True, text=True
    )


def test_medcode_log_format_json_makes_every_line_json(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('medcode.test').warning('hello %s', 'there', extra={'k': 1})"
    )
    result = run_with_env(code, tmp_path, MEDCODE_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    entry = json.loads(lines[-1])
    assert entry["message"] == "hello there" and entry["k"] == 1 and entry["level"] == "WARNING"


def test_an_unknown_log_format_is_a_clear_error(tmp_path):
    result = run_with_env("import django; django.setup()", tmp_path, MEDCODE_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "MEDCODE_LOG_FORMAT must be one of plain, json, not 'xml'" in result.stderr


def test_the_background_handler_writes_every_line_once_whole_and_in_each_threads_order():
    import io
    import threading

    from medcode.ops.logs import BackgroundStreamHandler

    stream = io.StringIO()
    handler = BackgroundStreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(threadName)s %(message)s"))
    logger = logging.getLogger("medcode.test.background")
    logger.propagate = False
    logger.addHandler(handler)
    try:

        def write(n: int) -> None:
            for i in range(500):
                logger.warning("line %d", i)

        threads = [threading.Thread(target=write, args=(n,), name=f"t{n}") for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        handler.flush()
        lines = stream.getvalue().splitlines()
        assert len(lines) == 8 * 500
        for n in range(8):
            assert [line for line in lines if line.startswith(f"t{n} ")] == [
                f"t{n} line {i}" for i in range(500)
            ]
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert handler._listener is None
