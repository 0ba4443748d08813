"""Helpers for the tests that start medcode's own processes (`medcode serve`, `medcode worker`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def clean_env(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without medcode's own settings (the test run's database,
    cache and metrics folder), plus `settings`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MEDCODE_", "DATABASE_", "REDIS_", "PROMETHEUS_"))
    }
    env.update(settings)
    return env


def run_medcode(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`medcode ARGS` to completion, as a user runs it; a failure shows its output."""
    result = subprocess.run(
        [sys.executable, "-m", "medcode.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(f"medcode {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a graceful stop), then SIGKILL after 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(check: Callable[[], Any], what: str, seconds: float = 30, every: float = 0.5) -> Any:
    """The first true result of `check()`, polled every `every` s; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)
