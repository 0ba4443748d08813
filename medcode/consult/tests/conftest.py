"""CaseConsultant fixtures: a real SMTP server on loopback receiving our replies, users with
verified addresses, raw emails written out, and the sample releases CasePilot answers from."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from typing import Any

import pytest

from medcode.assistant.tests.conftest import pilot_samples  # noqa: F401  (a fixture)
from tests.ports import free_port

# aiosmtpd logs every SMTP command at INFO, from its own thread, after pytest closed its capture.
logging.getLogger("mail.log").setLevel(logging.WARNING)

CONSULT = "consult@medcode.test"
SITE = "https://medcode.example"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())

    def html(self) -> str:
        body = self.message.get_body(preferencelist=("html",))
        assert body is not None
        return str(body.get_content())


@dataclass
class SmtpSink:
    """An aiosmtpd server on loopback that keeps every message it accepts."""

    host: str
    port: int
    messages: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.arrived:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return list(self.messages)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def consult_settings(settings: Any) -> None:
    settings.MEDCODE_CONSULT_ADDRESS = CONSULT
    settings.MEDCODE_SITE_URL = SITE
    settings.MEDCODE_CONSULT_AUTHSERV_ID = ""
    settings.MEDCODE_CONSULT_REQUIRE_AUTH = False
    settings.MEDCODE_CONSULT_LEASE_SECONDS = 120
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def smtp_settings(settings: Any, smtp_sink: SmtpSink) -> SmtpSink:
    """Replies go over real SMTP to the loopback sink."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_sink.host
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    return smtp_sink


def make_mail(
    body: str = "What is E11.9?",
    *,
    sender: str = "Ann Coder <ann@clinic.test>",
    to: str = CONSULT,
    subject: str = "Coding question",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id or make_msgid(domain="clinic.test")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def run_worker() -> None:
    """The real django-tasks database worker, in this process, until the queue is empty."""
    from django.core.management import call_command

    call_command(
        "db_worker",
        queue_name="default",
        interval=0.0,
        batch=True,
        max_tasks=None,
        reload=False,
        startup_delay=False,
    )
