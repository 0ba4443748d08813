"""Concurrent requests racing the meter: exactly the limit is allowed, nothing counted twice.

Each scenario runs threads (one database connection each) in a subprocess against a fresh
migrated database of the suite's vendor (a file for SQLite, a scratch database on
PostgreSQL), and once more with Redis when it is reachable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parents[3]

THREADS = 24
LIMIT = 5


def run_race(database_url: str, var_dir: Path, redis_url: str = "") -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDCODE_VAR_DIR": str(var_dir)}
    args = [sys.executable, "-m", "medcode.accounts.tests.race", "--threads", str(THREADS)]
    args += ["--limit", str(LIMIT)] + (["--redis", redis_url] if redis_url else [])
    proc = subprocess.run(args, env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def check(result: dict[str, Any]) -> None:
    assert result["consume"] == {"allowed": LIMIT, "counter": LIMIT}
    assert result["same_code"] == {
        "allowed": THREADS,
        "counter": 1,
        "records": 0 if result["redis"] else 1,
    }
    records = 0 if result["redis"] else LIMIT
    assert result["many_codes"] == {"allowed": LIMIT, "counter": LIMIT, "records": records}
    assert result["api"] == {"allowed": LIMIT, "day_counter": LIMIT, "key_counter": LIMIT}


def test_threads_racing_the_database_meter_get_exactly_the_limit(scratch_database_url, tmp_path):
    result = run_race(scratch_database_url, tmp_path)
    check(result)
    assert result["db_counters"] == 5
    assert result["kept_writer"] == (result["vendor"] == "sqlite")


def test_threads_racing_the_redis_meter_get_exactly_the_limit(scratch_database_url, tmp_path):
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {url} ({exc})")
    result = run_race(scratch_database_url, tmp_path, url)
    check(result)
    assert result["db_counters"] == 0
