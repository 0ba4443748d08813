"""Helpers for fault tests: real servers (gunicorn via `medcode serve`, a private PostgreSQL,
an SMTP server on loopback) started and stopped by the tests themselves.

Each helper skips the test with the reason when what it needs is not on this machine.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ports import free_port
from tests.servers import run_medcode as cli  # noqa: F401  (the fault tests import it from here)

REPO = Path(__file__).resolve().parents[2]
SERVER_START_SECONDS = 60


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float


def fetch(url: str, *, timeout: float = 20, headers: dict[str, str] | None = None) -> Answer:
    """One GET; an HTTP error status is an answer too (only a network failure raises)."""
    request = urllib.request.Request(url, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read().decode("utf-8", "replace")
            return Answer(response.status, dict(response.headers), body, time.monotonic() - started)
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")
        return Answer(exc.code, dict(exc.headers), body, time.monotonic() - started)


def server_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDCODE_VAR_DIR": str(var_dir),
        "MEDCODE_DEBUG": "off",
        "MEDCODE_METERING": "off",
        "REDIS_URL": "",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
    }
    env.update(extra)
    return env


@contextlib.contextmanager
def medcode_server(env: dict[str, str], log_path: Path, *, workers: int = 2) -> Iterator[str]:
    """`medcode serve` (gunicorn) on a free loopback port; its base URL while it runs."""
    port = free_port()
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "medcode.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=REPO,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"medcode serve exited with {process.returncode}:\n{log_path.read_text()}"
                )
            try:
                if fetch(f"{url}/robots.txt", timeout=2).status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"medcode serve did not answer:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def sample_files(folder: Path, *prefixes: str) -> list[str]:
    """The codes app's sample release files (those an importer reads), optionally by name."""
    from medcode.codes.tests.sample_data import importable, write_samples

    return [
        str(p)
        for p in write_samples(folder)
        if importable(p) and (not prefixes or p.name.startswith(prefixes))
    ]


# A private PostgreSQL ---------------------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PrivatePostgres:
    """A throwaway cluster on its own port and folder; the shared server is never touched."""

    def __init__(self, bindir: Path, root: Path, port: int) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.port = port
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *argv: str, timeout: float = 60) -> None:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    bindir = _postgres_bin()
    if bindir is None or not (bindir / "initdb").exists():
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root needs runuser to start PostgreSQL as the postgres user")
    root = Path(tempfile.mkdtemp(prefix="medcode-faults-pg-"))
    if os.geteuid() == 0:
        import pwd

        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    server = PrivatePostgres(bindir, root, free_port())
    try:
        server.init()
        server.start()
        yield server
    finally:
        if server.is_running():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                server.stop()
        shutil.rmtree(root, ignore_errors=True)
