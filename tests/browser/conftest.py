"""Fixtures for browser tests: a real gunicorn server over a prepared SQLite file, and Chromium.

The server runs in a subprocess exactly as in production (`python -m gunicorn
medcode.wsgi:application`), against a database migrated and filled by the real CLI from the
small sample release files of medcode/codes/tests/sample_data.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.ports import free_port

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = f"system Chromium not found at {CHROMIUM} (apt-get install chromium)"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SERVER_START_SECONDS = 45
# The first lines of a `medcode manage shell -c` script that makes people from the test suite's
# cast (tests/users.py) in a server's database.
CAST = (
    f"import sys\nsys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})\n"
    "from tests.users import make_user, signed_in_session\n"
)


def run_cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "medcode.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {SERVER_START_SECONDS} s")


@contextmanager
def gunicorn_server(env: dict[str, str], port: int, log_path: Path) -> Iterator[str]:
    """`python -m gunicorn medcode.wsgi:application` with two workers on 127.0.0.1:`port`.

    Its output goes to `log_path`; yields the base URL once /healthz answers, and on exit
    terminates it (killing it if it has not stopped within 15 s), then closes the log.
    """
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "medcode.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_until_up(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A gunicorn server on a free loopback port, serving the sample releases."""
    from medcode.codes.tests.sample_data import importable, write_samples

    root = tmp_path_factory.mktemp("browser-server")
    files = [str(p) for p in write_samples(root / "data") if importable(p)]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{root / 'medcode.sqlite3'}",
        "MEDCODE_VAR_DIR": str(root / "var"),
        "MEDCODE_METERING": "off",
        "MEDCODE_DEBUG": "off",
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
    }
    run_cli(env, "manage", "migrate", "--verbosity", "0")
    run_cli(env, "data", "import", *files)
    with gunicorn_server(env, free_port(), root / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless system Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
