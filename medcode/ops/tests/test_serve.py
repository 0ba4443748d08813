"""`medcode serve`'s gunicorn command line, from its options and the environment."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medcode.ops.serve import add_server_args, gunicorn_argv, prepare_metrics_dir

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parents[3]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_server_args(parser)
    return parser.parse_args(argv)


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_defaults_follow_the_cpu_count_and_preload(monkeypatch):
    for name in ("MEDCODE_WEB_WORKERS", "MEDCODE_WORKERS", "MEDCODE_WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("MEDCODE_WEB_PRELOAD", raising=False)
    monkeypatch.delenv("MEDCODE_TRUSTED_PROXIES", raising=False)
    argv = gunicorn_argv(parse())
    assert argv[1:4] == ["-m", "gunicorn", "medcode.wsgi:application"]
    assert option(argv, "--workers") == str(max(2, os.cpu_count() or 1))
    assert option(argv, "--threads") == "8"
    assert option(argv, "--config") == "python:medcode.ops.gunicorn_conf"
    assert option(argv, "--bind") == "127.0.0.1:8000"
    assert "--preload" in argv and "--no-control-socket" in argv
    assert "--forwarded-allow-ips" not in argv


def test_workers_are_replaced_after_a_million_requests_or_as_told(monkeypatch):
    monkeypatch.delenv("MEDCODE_WEB_MAX_REQUESTS", raising=False)
    argv = gunicorn_argv(parse())
    assert option(argv, "--max-requests") == "1000000"
    assert option(argv, "--max-requests-jitter") == "50000"
    monkeypatch.setenv("MEDCODE_WEB_MAX_REQUESTS", "2000")
    assert option(gunicorn_argv(parse()), "--max-requests") == "2000"
    monkeypatch.setenv("MEDCODE_WEB_MAX_REQUESTS", "0")
    assert "--max-requests" not in gunicorn_argv(parse())  # never
    assert option(gunicorn_argv(parse("--max-requests", "30")), "--max-requests-jitter") == "1"


def test_the_environment_and_flags_set_workers_threads_preload_and_proxies(monkeypatch):
    monkeypatch.setenv("MEDCODE_WEB_WORKERS", "3")
    monkeypatch.setenv("MEDCODE_WEB_THREADS", "4")
    monkeypatch.setenv("MEDCODE_TRUSTED_PROXIES", "10.0.0.0/8")
    argv = gunicorn_argv(parse("--no-preload", "--port", "9001", "--host", "0.0.0.0"))
    assert option(argv, "--workers") == "3" and option(argv, "--threads") == "4"
    assert "--preload" not in argv
    assert option(argv, "--bind") == "0.0.0.0:9001"
    assert option(argv, "--forwarded-allow-ips") == "10.0.0.0/8"
    assert option(gunicorn_argv(parse("--workers", "7")), "--workers") == "7"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "MEDCODE_WEB_WORKERS must be a whole number, not 'abc'"),
        ("0", "MEDCODE_WEB_WORKERS must be 1 or more, not 0"),
    ],
)
def test_a_bad_worker_count_is_a_clear_error(value, message):
    env = {**os.environ, "MEDCODE_WEB_WORKERS": value}
    result = subprocess.run(
        [sys.executable, "-m", "medcode.cli", "serve", "--help"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and message in result.stderr


def test_the_metrics_folder_is_emptied_of_the_last_runs_samples(tmp_path, monkeypatch):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "histogram_123.db").write_bytes(b"old")
    (folder / "keep.txt").write_text("not a sample")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    assert prepare_metrics_dir(tmp_path) == folder
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    assert prepare_metrics_dir(tmp_path / "var") == tmp_path / "var" / "prometheus"
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "var" / "prometheus")


def test_gc_thresholds_default_and_a_clear_error_for_a_bad_value(monkeypatch):
    import pytest

    from medcode.ops.gunicorn_conf import GC_THRESHOLDS, gc_thresholds

    monkeypatch.delenv("MEDCODE_GC_THRESHOLDS", raising=False)
    assert gc_thresholds() == GC_THRESHOLDS
    monkeypatch.setenv("MEDCODE_GC_THRESHOLDS", "1000,20,500")
    assert gc_thresholds() == (1000, 20, 500)
    monkeypatch.setenv("MEDCODE_GC_THRESHOLDS", "fast")
    with pytest.raises(SystemExit, match="MEDCODE_GC_THRESHOLDS must be three whole numbers"):
        gc_thresholds()


def test_the_server_runs_one_blas_thread_a_process_unless_the_operator_says_otherwise(
    monkeypatch,
):
    from medcode.ops.serve import serving_defaults

    for name in ("OPENBLAS_NUM_THREADS", "MEDCODE_REQUEST_BUDGET_SECONDS"):
        monkeypatch.setenv(name, "")  # recorded, so teardown restores the test run's own value
        monkeypatch.delenv(name)
    serving_defaults()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert os.environ["MEDCODE_REQUEST_BUDGET_SECONDS"] == "60"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    serving_defaults()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"
