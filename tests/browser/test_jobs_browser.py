"""CareerCenter in a real browser, against gunicorn with the strict Content-Security-Policy.

An employer posts a job, staff approve it, a coder finds it with filters, saves it and
subscribes to alerts; the scheduler step and the worker then send the digest into a file
outbox (MEDCODE_EMAIL_URL=file://...) and its unsubscribe link works signed out. A second
test posts script and style in every text field and checks that nothing runs or appears.
"""

from __future__ import annotations

import email
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CAST, gunicorn_server, run_cli
from tests.ports import free_port

pytestmark = pytest.mark.browser

USERS = (
    CAST
    + """
import json
from medcode.jobs import services

sessions = {}
for name, is_staff in (("employer", False), ("staff", True), ("coder", False)):
    user = make_user(name, staff=is_staff)
    if name == "employer":
        services.become_employer(user=user, company="Lakeside Health")
    sessions[name] = signed_in_session(user)
print(json.dumps(sessions))
"""
)

# "A day passes" before the second posting: everything so far moves one day into the past.
A_DAY_PASSES = """
import datetime as dt
from django.db.models import F
from medcode.jobs.models import Posting, SavedSearch
day = dt.timedelta(days=1)
SavedSearch.objects.update(last_sent_at=F("last_sent_at") - day)
Posting.objects.update(posted_at=F("posted_at") - day, created_at=F("created_at") - day)
"""

SCRIPT = '<script>alert("title")</script>'
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(2)>'
STYLE = "<style>body{display:none}</style>"
DESCRIPTION = "\n\n".join(
    [
        SCRIPT,
        IMG,
        STYLE,
        '</script><script>alert("ld")</script>',
        "[click](javascript:alert(3))",
        '<a href="javascript:alert(4)" id="js-link">x</a>',
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="position:fixed;inset:0;background:red" id="cover">cover</p>',
        "<form action=https://evil.example><input name=pw></form>",
    ]
)


@dataclass
class JobsServer:
    url: str
    outbox: Path
    env: dict[str, str]
    sessions: dict[str, str]

    def medcode(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "medcode.cli", *args],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return result.stdout


@pytest.fixture(scope="module")
def jobs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobsServer]:
    """gunicorn over an empty migrated database with three users and a file outbox."""
    root = tmp_path_factory.mktemp("jobs-server")
    outbox = root / "outbox"
    outbox.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{root / 'medcode.sqlite3'}",
        "MEDCODE_VAR_DIR": str(root / "var"),
        "MEDCODE_METERING": "off",
        "MEDCODE_DEBUG": "off",
        "MEDCODE_EMAIL_URL": f"file://{outbox}",
        "MEDCODE_SITE_URL": url,
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
    }
    run_cli(env, "manage", "migrate", "--verbosity", "0")
    server = JobsServer(url=url, outbox=outbox, env=env, sessions={})
    server.sessions = json.loads(
        server.medcode("manage", "shell", "-c", USERS).strip().splitlines()[-1]
    )
    with gunicorn_server(env, port, root / "server.log"):
        yield server


class Watched:
    """A browser tab signed in as one user, recording dialogs and page errors."""

    def __init__(self, chromium: Any, server: JobsServer, who: str | None) -> None:
        self.context = chromium.new_context(viewport={"width": 1280, "height": 900})
        if who:
            self.context.add_cookies(
                [{"name": "sessionid", "value": server.sessions[who], "url": server.url}]
            )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._on_dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.base = server.url

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path)


@pytest.fixture
def tabs(chromium: Any, jobs_server: JobsServer) -> Iterator[dict[str, Watched]]:
    opened = {who: Watched(chromium, jobs_server, who) for who in ("employer", "staff", "coder")}
    opened["guest"] = Watched(chromium, jobs_server, None)
    yield opened
    for tab in opened.values():
        tab.context.close()


def post_job(tab: Watched, *, title: str, company: str = "Lakeside Health", city: str = "Austin",
             description: str = "Code **risk adjustment** charts (HCC) from home.",
             credentials: tuple[str, ...] = ("CPC", "CRC")) -> None:  # fmt: skip
    page = tab.page
    tab.goto("/jobs/post/")
    page.fill("#id_title", title)
    page.fill("#id_company", company)
    page.fill("#id_city", city)
    page.select_option("#id_state", "TX")
    page.select_option("#id_work_mode", "remote")
    page.select_option("#id_employment_type", "full_time")
    page.select_option("#id_specialty", "risk_adjustment")
    page.fill("#id_experience_years", "2")
    page.fill("#id_salary_min", "58000")
    page.fill("#id_salary_max", "72000")
    page.select_option("#id_salary_period", "year")
    page.fill("#id_description", description)
    page.fill("#id_apply_url", "https://careers.example.org/jobs/42")
    for credential in credentials:
        page.check(f"input[name=credentials][value='{credential}']")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r"/jobs/employer/$"))
    assert "Sent for review" in page.locator(".messages").inner_text()


def approve(tab: Watched, title: str) -> None:
    tab.goto("/jobs/moderation/")
    item = tab.page.locator("article.moderation-item").filter(has_text=title)
    item.get_by_role("button", name="Approve").click()
    tab.page.wait_for_url(re.compile(r"/jobs/moderation/$"))
    assert "is live" in tab.page.locator(".messages").inner_text()


def read_outbox(outbox: Path) -> list[Message]:
    messages = []
    for path in sorted(outbox.iterdir()):
        # The file backend appends each message followed by a line of 79 dashes.
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip()))
    return messages


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def test_an_employer_posts_staff_approve_a_coder_finds_saves_subscribes_and_gets_the_digest(
    jobs_server: JobsServer, tabs: dict[str, Watched], screenshots: Path
) -> None:
    employer, staff, coder, guest = tabs["employer"], tabs["staff"], tabs["coder"], tabs["guest"]

    post_job(employer, title="Remote HCC coder")
    assert "Pending review" in employer.page.locator("table.postings-table").inner_text()
    guest.goto("/jobs/")
    assert "Remote HCC coder" not in guest.page.locator("#results").inner_text()

    approve(staff, "Remote HCC coder")

    # The coder filters by work mode and credential (htmx swaps the results, the URL follows).
    coder.goto("/jobs/")
    form = coder.page.locator("form.jobs-filters")
    form.locator("input[name=mode][value=remote]").check()
    form.locator("input[name=credential][value=CRC]").check()
    form.get_by_role("button", name="Search jobs").click()
    coder.page.wait_for_url(re.compile(r"mode=remote.*credential=CRC|credential=CRC.*mode=remote"))
    results = coder.page.locator("#results")
    results.get_by_role("link", name="Remote HCC coder").wait_for()
    assert "1 job for Remote, CRC" in results.locator(".results-count").inner_text()
    coder.page.screenshot(path=str(screenshots / "jobs_search_filtered.png"), full_page=True)

    # Saving from the posting page.
    results.get_by_role("link", name="Remote HCC coder").click()
    coder.page.wait_for_url(re.compile(r"/jobs/\d+/remote-hcc-coder/$"))
    ld = json.loads(coder.page.locator('script[type="application/ld+json"]').inner_text())
    assert (ld["@type"], ld["title"], ld["jobLocationType"]) == (
        "JobPosting",
        "Remote HCC coder",
        "TELECOMMUTE",
    )
    coder.page.get_by_role("button", name="Save job").click()
    coder.page.get_by_role("button", name="Saved ✓ (remove)").wait_for()
    coder.page.screenshot(path=str(screenshots / "jobs_posting.png"), full_page=True)
    coder.goto("/jobs/saved/")
    assert "Remote HCC coder" in coder.page.locator("#saved-jobs + ul").inner_text()

    # Subscribing to the filtered search, daily.
    coder.goto("/jobs/?mode=remote&credential=CRC")
    coder.page.select_option("#alert-frequency", "daily")
    coder.page.get_by_role("button", name="Create alert").click()
    assert "Alert saved" in coder.page.locator(".messages").inner_text()

    # A day later a second matching job goes live; the digest holds only that one.
    jobs_server.medcode("manage", "shell", "-c", A_DAY_PASSES)
    post_job(employer, title="Remote CRC auditor", credentials=("CRC",))
    approve(staff, "Remote CRC auditor")
    queued = json.loads(jobs_server.medcode("jobs", "send-alerts", "--json"))
    assert queued["digests"] == 1
    jobs_server.medcode("worker", "--batch")

    digests = [m for m in read_outbox(jobs_server.outbox) if m["To"] == "coder@example.com"]
    assert len(digests) == 1
    text = body_of(digests[0])
    assert "Remote CRC auditor" in text and "Remote HCC coder" not in text
    unsubscribe = re.search(r"Unsubscribe \(no sign-in needed\): (\S+)", text)
    assert unsubscribe is not None and unsubscribe.group(1).startswith(jobs_server.url)

    # The link works signed out.
    guest.page.goto(unsubscribe.group(1))
    guest.page.get_by_role("button", name="Unsubscribe").click()
    assert "no more emails" in guest.page.locator("main").inner_text()
    coder.goto("/jobs/saved/")
    assert "(unsubscribed)" in coder.page.locator("#alerts + ul").inner_text()

    for tab in tabs.values():
        assert tab.dialogs == [] and tab.errors == []


def injected_elements(tab: Watched) -> dict[str, Any]:
    found: dict[str, Any] = tab.page.evaluate(
        """() => ({
            img: document.querySelectorAll('img[src="x"]').length,
            svg: document.querySelectorAll('svg[onload]').length,
            iframe: document.querySelectorAll('iframe').length,
            form: document.querySelectorAll('input[name="pw"]').length,
            jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
            cover: document.querySelectorAll('#cover[style]').length,
            bodyHidden: getComputedStyle(document.body).display === 'none',
            styled: [...document.querySelectorAll('style')].some(s => s.textContent.includes('display:none')),
            inlineScripts: [...document.querySelectorAll('script:not([src])')]
                .filter(s => s.type !== 'application/ld+json').length,
        })"""
    )
    return found


def test_script_and_style_in_every_field_stay_inert_in_chromium(
    jobs_server: JobsServer, tabs: dict[str, Watched], screenshots: Path
) -> None:
    employer, staff, coder, guest = tabs["employer"], tabs["staff"], tabs["coder"], tabs["guest"]
    title = f"Injected {SCRIPT}"
    post_job(employer, title=title, company=f"Acme {SVG} {STYLE}", city=f"Austin {IMG}",
             description=DESCRIPTION)  # fmt: skip
    # Staff see the payloads in the queue (inert there too) and approve.
    staff.goto("/jobs/moderation/")
    approve(staff, "Injected")
    coder.goto("/jobs/?q=Injected")
    coder.page.locator("#results").get_by_role("link", name=re.compile("^Injected")).click()
    coder.page.wait_for_url(re.compile(r"/jobs/\d+/"))
    detail_path = coder.page.url.removeprefix(jobs_server.url)
    coder.page.screenshot(path=str(screenshots / "jobs_injection_detail.png"), full_page=True)
    posting_id = re.search(r"/jobs/(\d+)/", detail_path)
    assert posting_id is not None
    pages = {
        "detail": (guest, detail_path),
        "search": (guest, "/jobs/?q=Injected"),
        "search-echo": (guest, f"/jobs/?q={SCRIPT}&city={IMG}"),
        "dashboard": (employer, "/jobs/employer/"),
        "edit": (employer, f"/jobs/post/{posting_id.group(1)}/edit/"),
        "moderation": (staff, "/jobs/moderation/"),
    }
    for name, (tab, path) in pages.items():
        tab.goto(path)
        tab.page.wait_for_load_state("load")
        tab.page.wait_for_timeout(200)
        found = injected_elements(tab)
        assert found == {
            "img": 0, "svg": 0, "iframe": 0, "form": 0, "jsLinks": 0, "cover": 0,
            "bodyHidden": False, "styled": False, "inlineScripts": 0,
        }, (name, found)  # fmt: skip
    # The text itself is shown as text.
    guest.goto(detail_path)
    assert guest.page.locator("h1").inner_text() == title
    # Raw HTML in the Markdown description is removed (script and style with their content).
    description = guest.page.locator(".posting-description").inner_text()
    assert "click" in description and "alert" not in description and "display" not in description
    ld = json.loads(guest.page.locator('script[type="application/ld+json"]').inner_text())
    assert ld["title"] == title
    for tab in tabs.values():
        assert tab.dialogs == [], tab.dialogs
        assert tab.errors == [], tab.errors
