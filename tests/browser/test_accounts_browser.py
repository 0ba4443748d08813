"""Metered access in a real browser: a guest meets the gate, registers, verifies, reads five more.

The server is gunicorn with metering on and a file outbox (MEDCODE_EMAIL_URL=file://...), so
the test reads the verification email the way a person would, from the mail it was sent.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import gunicorn_server
from tests.ports import free_port

pytestmark = pytest.mark.browser

DATE = "2025-11-03"
# Pages with editorial sections (what the meter counts); official text and CMS data are free.
GUEST_CODES = ["63650", "63685"]
USER_CODES = ["63655", "63661", "63662", "63663", "63650"]
LAST_CODE = "99213"
EMAIL = "new.coder@example.org"
PASSWORD = "a long and unusual passphrase 7"


@pytest.fixture(scope="module")
def metered_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """gunicorn with metering on, the sample releases, and a file outbox; (url, outbox)."""
    from medcode.codes.tests.sample_data import importable, write_samples

    root = tmp_path_factory.mktemp("metered-server")
    outbox = root / "outbox"
    outbox.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{root / 'medcode.sqlite3'}",
        "MEDCODE_VAR_DIR": str(root / "var"),
        "MEDCODE_METERING": "on",
        "MEDCODE_DEBUG": "off",
        "MEDCODE_EMAIL_URL": f"file://{outbox}",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
    }
    cli = [sys.executable, "-m", "medcode.cli"]
    subprocess.run([*cli, "manage", "migrate", "-v0"], env=env, check=True, timeout=300)
    files = [str(p) for p in write_samples(root / "data") if importable(p)]
    subprocess.run([*cli, "data", "import", *files], env=env, check=True, timeout=300)
    with gunicorn_server(env, free_port(), root / "server.log") as url:
        yield url, outbox


def confirmation_link(outbox: Path, email: str) -> str:
    """The verification link from the newest message to `email` in the file outbox."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in sorted(outbox.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
            text = message.read_text()
            if f"To: {email}" in text:
                found = re.search(r"https?://\S+/account/confirm-email/\S+/", text)
                assert found, text
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no email to {email} in {outbox}")


def open_code(page: Any, url: str, code: str) -> bool:
    """Open a code page; whether its gated part is shown."""
    page.goto(f"{url}/codes/{code}/?date={DATE}")
    assert page.locator("h1").count() == 1
    return page.locator("section.locked").count() == 0


def test_a_guest_meets_the_gate_registers_verifies_and_reads_five_more(
    metered_server: tuple[str, Path], page: Any, screenshots: Path
) -> None:
    url, outbox = metered_server
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )

    # A guest: the first code page in full, the gate on the second; ICD-10-CM notes, ICD-10-PCS
    # and HCPCS pages are public domain and never metered.
    assert open_code(page, url, GUEST_CODES[0])
    for free in ("S72.001A", "0SR90J9", "E0114"):
        assert open_code(page, url, free)
    assert not open_code(page, url, GUEST_CODES[1])
    locked = page.locator("section.locked").inner_text()
    assert "0 full code pages remaining" in locked
    assert "register a free account for 5 more" in locked
    page.screenshot(path=str(screenshots / "gate_guest.png"), full_page=True)

    # Register, then verify the address from the email that was sent.
    page.get_by_role("link", name="Register", exact=True).click()
    page.fill('input[name="email"]', EMAIL)
    page.fill('input[name="password1"]', PASSWORD)
    page.fill('input[name="password2"]', PASSWORD)
    page.locator('form[action="/account/signup/"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/account/confirm-email/"))
    page.goto(confirmation_link(outbox, EMAIL))
    page.locator('main form button[type="submit"]').click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Account", exact=True).count() == 1

    # Five more code pages in full on the free account, then the gate again.
    assert [open_code(page, url, code) for code in USER_CODES] == [True] * 5
    assert not open_code(page, url, LAST_CODE)
    assert "0 full code pages remaining this month" in page.locator("section.locked").inner_text()
    page.screenshot(path=str(screenshots / "gate_free_account.png"), full_page=True)

    page.goto(f"{url}/account/")
    assert "5 of 5 used, 0 remaining" in page.locator("main").inner_text()
    page.screenshot(path=str(screenshots / "account_page.png"), full_page=True)
    assert csp_violations == []
