"""bench/load.py runs end to end: a real `medcode serve` on SQLite with the sample releases,
a few seconds of the request mix at 4 connections, and its JSON report (the full run takes
minutes on PostgreSQL and is not part of the suite)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from medcode.codes.tests.sample_data import write_samples

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parent.parent


def test_the_load_bench_runs_and_reports_every_endpoint(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_samples(data)
    command = [
        sys.executable,
        "bench/load.py",
        "--database-url",
        f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "--data",
        str(data),
        "--duration",
        "3",
        "--warmup",
        "1",
        "--reference-seconds",
        "1",
        "--connections",
        "4",
        "--workers",
        "2",
        "--codes",
        "40",
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    mixed = report["mixed"]
    assert report["database"] == "sqlite" and report["preparation"]["releases"] > 5
    assert mixed["requests"] > 10 and mixed["rps"] > 0
    assert set(mixed["endpoints"]) == {
        "code_page",
        "code_json",
        "search_api",
        "search_page",
        "claim_check",
        "casepilot",
        "healthz",
    }
    for name, endpoint in mixed["endpoints"].items():
        assert endpoint["errors"] == 0, (name, endpoint)
        assert endpoint["requests"] == 0 or endpoint["p99_ms"] >= endpoint["p50_ms"] > 0, name
    assert mixed["errors"] == 0
    assert report["reference_healthz_alone"]["requests"] > 0
    assert report["target"]["met"] in (True, False)
    assert report["cpu_seconds_during_mix"]["server"] > 0
