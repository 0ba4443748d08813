"""Run CaseConsultant as in production, for the end-to-end test and bench/consult.py:
a scratch database filled by the real CLI, `medcode consult smtpd` and `medcode worker` as
subprocesses, and replies received by a loopback aiosmtpd server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "medcode.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"medcode {' '.join(args)}: {result.stdout}\n{result.stderr}")
    return result


def import_samples(env: dict[str, str], folder: Path) -> None:
    """The sample releases CasePilot's tests use, imported by `medcode data import`."""
    from medcode.assistant.tests.conftest import write_samples
    from medcode.codes.tests.sample_data import importable

    files = [str(p) for p in write_samples(folder) if importable(p)]
    cli(env, "data", "import", *files)


def add_user(env: dict[str, str], email: str) -> None:
    """A user with this verified address, made by the cast's make_user (tests/users.py) in the
    scratch database (`medcode manage shell` runs from the repository, so `tests` imports)."""
    cli(env, "manage", "shell", "-c", f"from tests.users import make_user; make_user({email!r})")


@contextmanager
def running(env: dict[str, str], *args: str, ready: str | None, log: Path) -> Iterator[None]:
    """A long-running `medcode ...` subprocess; waits for `ready` in its output."""
    out = log.open("w+")
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "medcode.cli", *args],
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 60
        while ready is not None and ready not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"medcode {' '.join(args)} did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out.close()


def base_env(database_url: str, var_dir: Path, *, smtp_url: str, consult: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDCODE_VAR_DIR": str(var_dir),
        "MEDCODE_EMAIL_URL": smtp_url,
        "MEDCODE_CONSULT_ADDRESS": consult,
        "MEDCODE_SITE_URL": "https://medcode.example",
        "MEDCODE_METERING": "off",
        # The test's SMTP client stands for a trusted relay: no verifier writes results here.
        "MEDCODE_CONSULT_REQUIRE_AUTH": "off",
        "MEDCODE_WORKER_INTERVAL": "0.05",
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
    }
