"""A coder's first hour, in a real browser, on a default install (mail to the console).

A guest searches "total hip arthroplasty" and reaches 27130 through medcode's CPT range
names, reads S72.001A's Excludes1 notes without an account, meets the gate on an editorial
section, registers (the confirmation link is read from the server's log, where a default
install writes its mail), reads the section, then builds 63650 + 63685 + 95972 in the claim
worksheet and sees "usually included" before any modifier button. Screenshots at 1280x800
and 390x844 go to artifacts/screenshots/first_hour_*.png.
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

from tests.browser.conftest import CHROMIUM, NO_CHROMIUM, gunicorn_server
from tests.ports import free_port

pytestmark = pytest.mark.browser

DATE = "2025-11-03"
EMAIL = "first.hour@example.org"
PASSWORD = "a long and unusual passphrase 21"
# A newer practitioner PTP table with the spinal cord stimulator pairs of the issue.
EXTRA_PTP = """\
column_1,column_2,prior_1996,deletion_date,modifier_indicator,ptp_edit_rationale
63650,63661,,,1,Misuse of column two code with column one code
63650,95972,,,1,CPT Manual or CMS manual coding instruction
63685,63688,,,1,More extensive procedure
63685,95972,,,1,CPT Manual or CMS manual coding instruction
"""
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """gunicorn with metering on and NO mail settings; (url, server log)."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    from medcode.codes.tests.sample_data import importable, write_samples

    root = tmp_path_factory.mktemp("first-hour")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"MEDCODE_EMAIL_URL", "EMAIL_HOST", "MEDCODE_DEBUG"}
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{root / 'medcode.sqlite3'}",
        "MEDCODE_VAR_DIR": str(root / "var"),
        "MEDCODE_METERING": "on",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
    }
    cli = [sys.executable, "-m", "medcode.cli"]
    subprocess.run([*cli, "manage", "migrate", "-v0"], env=env, check=True, timeout=300)
    files = [str(p) for p in write_samples(root / "data") if importable(p)]
    extra = root / "data" / "ncci_ptp_practitioner_2025q1.csv"
    extra.write_text(EXTRA_PTP)
    subprocess.run([*cli, "data", "import", *files, str(extra)], env=env, check=True, timeout=300)
    log = root / "server.log"
    with gunicorn_server(env, free_port(), log) as url:
        yield url, log


def console_link(log: Path, email: str) -> str:
    """The confirmation link of the mail to `email` that the console backend logged."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if f"To: {email}" in text:
            found = re.findall(r"https?://\S+/account/confirm-email/\S+/", text)
            assert found, text[-2000:]
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no mail to {email} in the server log")


def shoot(page: Any, screenshots: Path, name: str) -> None:
    """The page at desktop and phone sizes."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(screenshots / f"first_hour_{name}_{size}.png"))
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_coders_first_hour(
    default_server: tuple[str, Path], chromium: Any, screenshots: Path
) -> None:
    url, log = default_server
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        # The home page's box suggests as you type (CPT codes by medcode's range name).
        page.goto(f"{url}/")
        page.locator("#home-search").press_sequentially("2713", delay=30)
        option = page.locator("#home-search-option-0")
        option.wait_for(state="visible")
        # medcode's own reviewed title (content/cpt_titles.csv), not the AMA descriptor.
        assert "27130" in option.inner_text() and "Total hip arthroplasty" in option.inner_text()
        assert page.locator("#site-search-option-0").count() == 0  # ids stay unique per box
        # Search by words: the CPT range named by them leads to 27130.
        page.goto(f"{url}/search/?q=total+hip+arthroplasty")
        ranges = page.locator("aside.cpt-ranges")
        assert "Surgery: pelvis and hip joint" in ranges.inner_text()
        shoot(page, screenshots, "search")
        ranges.get_by_role("link", name="Surgery: pelvis and hip joint").click()
        page.get_by_role("link", name="27130").first.click()
        assert page.locator("h1").inner_text().startswith("27130")
        assert "Total hip arthroplasty" in page.locator("h1").inner_text()
        assert "CPT code 27130" not in page.locator("main").inner_text()
        shoot(page, screenshots, "cpt_page")

        # Public-domain notes without an account, and never metered.
        page.goto(f"{url}/codes/S72.001A/?date={DATE}")
        notes = page.locator("#data").inner_text()
        assert "Excludes1" in notes and "traumatic amputation of hip and thigh" in notes
        assert page.locator("section.locked").count() == 0
        shoot(page, screenshots, "icd10cm_notes")

        # 27130 (with its modifier advice) was the guest's one full page: the gate now stands
        # before 63650's editorial sections, and its CMS data stays public.
        page.goto(f"{url}/codes/63650/?date={DATE}")
        locked = page.locator("section.locked")
        assert locked.count() == 1 and page.locator("#documentation").count() == 0
        assert page.locator("#data").count() == 1
        locked.scroll_into_view_if_needed()
        shoot(page, screenshots, "gate")

        # Register from the locked box; the mail goes to the server's log (no mail settings).
        locked.get_by_role("link", name="Register free").click()
        page.fill('input[name="email"]', EMAIL)
        page.fill('input[name="password1"]', PASSWORD)
        page.fill('input[name="password2"]', PASSWORD)
        page.locator('form[action^="/account/signup/"] button[type="submit"]').click()
        page.wait_for_url(re.compile(r"/account/confirm-email/"))
        page.goto(console_link(log, EMAIL))
        page.locator('main form button[type="submit"]').click()
        page.wait_for_load_state()
        page.goto(f"{url}/codes/63650/?date={DATE}")
        assert page.locator("#documentation").count() == 1
        shoot(page, screenshots, "registered")

        # The claim: 63650 + 63685 + 95972 — "usually included" first.
        for code in ("63650", "63685", "95972"):
            page.goto(f"{url}/codes/{code}/?date={DATE}")
            page.get_by_role("button", name="Use code").click()
            page.wait_for_url(re.compile(r"/claims/"))
        findings = page.locator('li.finding[data-rule="ptp"]')
        assert findings.count() == 2
        for index in range(2):
            finding = findings.nth(index)
            lead = finding.locator(".finding__lead").inner_text()
            assert lead.startswith("Usually included: 95972"), lead
            assert "CPT Manual or CMS manual coding instruction" in lead
            assert not finding.get_by_role(
                "button", name=re.compile(r"^Add (59|XS)")
            ).first.is_visible()
        findings.first.scroll_into_view_if_needed()
        shoot(page, screenshots, "claim")
    finally:
        context.close()
