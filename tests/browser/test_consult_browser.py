"""The CaseConsultant review queue in a real browser: a Team-plan user's emailed question is
drafted by the real worker, a staff expert edits and approves it (and rejects another) in
Chromium, and the replies arrive over SMTP at a loopback server; the user sees them listed on
the account page. Non-staff are refused the queue."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CAST, gunicorn_server, run_cli
from tests.ports import free_port

pytestmark = pytest.mark.browser

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log

CONSULT = "consult@medcode.test"
USERS = (
    CAST
    + """
import json
from django.contrib.auth.models import Permission

sessions = {}
for name in ("tess", "expert", "coder"):
    plan = "team" if name == "tess" else None
    user = make_user(f"{name}@clinic.test", staff=name == "expert", plan=plan)
    if name == "expert":
        user.user_permissions.add(Permission.objects.get(codename="review_inquiry"))
    sessions[name] = signed_in_session(user)
print(json.dumps(sessions))
"""
)

QUESTION = """\
From: Tess Team <tess@clinic.test>
To: consult@medcode.test
Subject: {subject}
Message-ID: <{mid}@clinic.test>
Content-Type: text/plain; charset=utf-8

{body}
"""


@dataclass
class Sink:
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.lock.notify_all()
        return "250 OK"


@dataclass
class ConsultServer:
    url: str
    env: dict[str, str]
    sessions: dict[str, str]
    sink: Sink
    root: Path

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

    def email(self, mid: str, subject: str, body: str) -> None:
        path = self.root / f"{mid}.eml"
        path.write_text(QUESTION.format(mid=mid, subject=subject, body=body))
        self.medcode("consult", "ingest", str(path))


@pytest.fixture(scope="module")
def consult_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsultServer]:
    from aiosmtpd.controller import Controller

    from medcode.assistant.tests.conftest import write_samples
    from medcode.codes.tests.sample_data import importable

    root = tmp_path_factory.mktemp("consult-server")
    sink = Sink()
    smtp_port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{root / 'medcode.sqlite3'}",
        "MEDCODE_VAR_DIR": str(root / "var"),
        "MEDCODE_METERING": "off",
        "MEDCODE_DEBUG": "off",
        "MEDCODE_EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MEDCODE_CONSULT_ADDRESS": CONSULT,
        "MEDCODE_CONSULT_TARGET_HOURS": "8",
        "MEDCODE_SITE_URL": url,
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
    }
    run_cli(env, "manage", "migrate", "--verbosity", "0")
    files = [str(p) for p in write_samples(root / "data") if importable(p)]
    run_cli(env, "data", "import", *files)
    server = ConsultServer(url=url, env=env, sessions={}, sink=sink, root=root)
    server.sessions = json.loads(
        server.medcode("manage", "shell", "-c", USERS).strip().splitlines()[-1]
    )
    try:
        with gunicorn_server(env, port, root / "server.log"):
            yield server
    finally:
        smtp.stop()


def tab(chromium: Any, server: ConsultServer, who: str | None) -> Any:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    if who:
        context.add_cookies(
            [{"name": "sessionid", "value": server.sessions[who], "url": server.url}]
        )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def test_an_expert_edits_approves_and_rejects_drafts_in_the_queue(
    chromium: Any, consult_server: ConsultServer, screenshots: Path
) -> None:
    server = consult_server
    server.email("q-approve", "Diabetes code", "What is E11.9?")
    server.email("q-reject", "Chart attached", "Please code the attached chart.")
    server.medcode("worker", "--batch")  # drafts both; the Team plan holds them for review
    assert server.sink.messages == []

    expert = tab(chromium, server, "expert")
    expert.goto(f"{server.url}/consult/queue/")
    rows = expert.locator("#consult-queue tbody tr")
    assert rows.count() == 2
    assert "left" in rows.first.inner_text()  # age against the 8-hour target
    expert.get_by_role("link", name="Diabetes code").click()
    assert "What is E11.9?" in expert.locator("#consult-question").inner_text()
    source = expert.locator("#consult-sources a").first
    assert source.get_attribute("href") == f"{server.url}/codes/E11.9/"
    draft = expert.locator("#id_reply_text")
    assert "E11.9" in draft.input_value()
    draft.fill("Reviewed: E11.9 is a billable ICD-10-CM code for type 2 diabetes.")
    expert.screenshot(path=str(screenshots / "consult-review.png"), full_page=True)
    expert.get_by_role("button", name="Approve and send").click()
    expert.wait_for_url(f"{server.url}/consult/queue/")
    assert "Approved: the answer to tess@clinic.test is on its way." in expert.content()
    assert expert.locator("#consult-queue tbody tr").count() == 1

    expert.get_by_role("link", name="Chart attached").click()
    expert.fill("#id_reason", "We cannot read attachments; paste the details into the email.")
    expert.get_by_role("button", name="Reject and reply").click()
    expert.wait_for_url(f"{server.url}/consult/queue/")
    assert expert.locator("#consult-queue-empty").is_visible()
    expert.screenshot(path=str(screenshots / "consult-queue.png"), full_page=True)

    server.medcode("worker", "--batch")
    with server.sink.lock:
        server.sink.lock.wait_for(lambda: len(server.sink.messages) >= 2, timeout=20)
    by_reply_to = {m["In-Reply-To"]: m for m in server.sink.messages}
    approved = text_of(by_reply_to["<q-approve@clinic.test>"])
    assert "Reviewed: E11.9 is a billable ICD-10-CM code" in approved
    assert "a medcode coding expert reviewed and approved this answer" in approved
    assert f"{server.url}/codes/E11.9/" in approved
    rejected = text_of(by_reply_to["<q-reject@clinic.test>"])
    assert "could not answer it by email" in rejected and "paste the details" in rejected

    tess = tab(chromium, server, "tess")
    tess.goto(f"{server.url}/account/")
    listed = tess.locator("#consults").inner_text()
    assert "Diabetes code" in listed and "reviewed by an expert" in listed
    assert "Chart attached" in listed and "declined by an expert" in listed


def test_the_queue_is_refused_to_non_staff_and_guests(
    chromium: Any, consult_server: ConsultServer
) -> None:
    coder = tab(chromium, consult_server, "coder")
    response = coder.goto(f"{consult_server.url}/consult/queue/")
    assert response is not None and response.status == 403
    guest = tab(chromium, consult_server, None)
    guest.goto(f"{consult_server.url}/consult/queue/")
    assert "/account/login/" in guest.url
