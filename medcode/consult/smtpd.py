"""The SMTP listener (`medcode consult smtpd`): aiosmtpd, recording each message before 250.

Only the consult address (plus-tags allowed: consult+x@) and the postmaster (RFC 5321; kept in
the Maildir MEDCODE_VAR_DIR/postmaster for the operator) are accepted at RCPT, each as one
well-formed address (`consult@x,victim@y` is refused), so it is never an open relay. DATA is
answered 250 only after record_inquiry committed the row (and its task);
a database failure answers 451 so the sending server retries later: no mail is lost.
Each connecting address and each envelope sender may deliver a limited number of messages a
day (MEDCODE_CONSULT_SMTP_PER_CLIENT_DAY, MEDCODE_CONSULT_SMTP_PER_SENDER_DAY); past that,
DATA is answered 450 and nothing is recorded.
"""

from __future__ import annotations

import asyncio
import logging
import mailbox
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import close_old_connections, connections

from medcode.consult.parsing import MailError, address_of
from medcode.consult.sending import consult_address

log = logging.getLogger(__name__)


def accepts(address: str) -> bool:
    wanted = consult_address().lower()
    local, _, domain = address_of(address).partition("@")
    want_local, _, want_domain = wanted.partition("@")
    return domain == want_domain and local.split("+", 1)[0] == want_local


def is_postmaster(address: str) -> bool:
    """`postmaster` bare or at the consult domain, which RFC 5321 (4.5.1) says must be taken."""
    bare = address.strip().strip("<>").strip().lower()
    if bare == "postmaster":
        return True
    local, _, domain = address_of(address).partition("@")
    return local == "postmaster" and domain == consult_address().lower().partition("@")[2]


def _keep_for_postmaster(raw: bytes) -> str:
    """Mail to the postmaster goes to a Maildir the operator reads: MEDCODE_VAR_DIR/postmaster."""
    box = mailbox.Maildir(Path(settings.VAR_DIR) / "postmaster", create=True)
    key = box.add(raw)
    log.warning("consult smtpd: mail for the postmaster kept as %s", key)
    return key


def _done_with_database() -> None:
    """Close this thread's connections: mail comes seldom, and an idle connection held by a
    listener thread would only go stale (or keep a test database from being dropped)."""
    for connection in connections.all(initialized_only=True):
        connection.close()


def _record(raw: bytes, mail_from: str | None) -> str:
    from medcode.consult.intake import record_inquiry

    close_old_connections()
    try:
        recorded = record_inquiry(raw, channel="smtp", envelope_sender=mail_from)
        return recorded.inquiry.message_id
    finally:
        _done_with_database()


SMTP_INTAKE = "consult_smtp"
OVER_LIMIT = "450 4.7.1 Too many messages from {what} today; try again later"


def _admit(client: str, sender: str) -> str | None:
    """None when this message may be recorded, else the SMTP refusal (counts it if not)."""
    from medcode.accounts import metering
    from medcode.accounts.models import Period

    close_old_connections()
    try:
        for subject, limit, what in (
            (f"smtp-client:{client}", settings.MEDCODE_CONSULT_SMTP_PER_CLIENT_DAY, "this host"),
            (
                f"smtp-sender:{address_of(sender) if sender else '<>'}",
                settings.MEDCODE_CONSULT_SMTP_PER_SENDER_DAY,
                "this sender",
            ),
        ):
            allowance = metering.consume(subject, SMTP_INTAKE, limit=limit, period=Period.DAY)
            if not allowance.allowed:
                log.warning("consult smtpd: %s over its daily limit of %s", subject, limit)
                return OVER_LIMIT.format(what=what)
        return None
    finally:
        _done_with_database()


class ConsultHandler:
    def __init__(self, workers: int = 4) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="consult-smtp")

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not accepts(address) and not is_postmaster(address):
            return "550 5.1.1 Recipient not accepted: this server only takes consult mail"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        loop = asyncio.get_running_loop()
        client = str((session.peer or ("unknown",))[0])
        try:
            refusal = await loop.run_in_executor(
                self.executor, _admit, client, envelope.mail_from or ""
            )
        except Exception:
            log.exception("consult smtpd: could not check the intake limits")
            return "451 4.3.0 Temporary failure; try again later"
        if refusal is not None:
            return refusal
        if any(is_postmaster(address) for address in envelope.rcpt_tos):
            try:
                await loop.run_in_executor(self.executor, _keep_for_postmaster, raw)
            except OSError:
                log.exception("consult smtpd: could not keep mail for the postmaster")
                return "451 4.3.0 Temporary failure; try again later"
            if not any(accepts(address) for address in envelope.rcpt_tos):
                return "250 2.0.0 Delivered to the postmaster"
        try:
            message_id = await loop.run_in_executor(self.executor, _record, raw, envelope.mail_from)
        except MailError as exc:
            return f"554 5.6.0 Message not accepted: {exc}"
        except Exception:
            log.exception("consult smtpd: could not record a message")
            return "451 4.3.0 Temporary failure recording the message; try again later"
        return f"250 2.0.0 Accepted {message_id}"


class _OneRecipientSMTP(SMTP):
    """aiosmtpd reads `RCPT TO:<consult@x,victim@y>` as consult@x and drops the rest without a
    word; such a command is refused instead, so no client believes a second address was taken."""

    async def smtp_RCPT(self, arg: str | None) -> None:
        if arg and "," in arg:
            await self.push("501 5.1.3 One recipient address per RCPT command")
            return
        await super().smtp_RCPT(arg)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _OneRecipientSMTP(self.handler, **self.SMTP_kwargs)


def controller(host: str, port: int) -> Any:
    return _Controller(
        ConsultHandler(),
        hostname=host,
        port=port,
        data_size_limit=settings.MEDCODE_CONSULT_MAX_BYTES,
        enable_SMTPUTF8=True,
        decode_data=False,
        ident="medcode consult",
    )


def serve(host: str, port: int) -> None:
    """Listen until SIGINT/SIGTERM."""
    running = controller(host, port)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    running.start()
    print(f"medcode consult smtpd listening on {host}:{port} for {consult_address()}", flush=True)
    try:
        stop.wait()
    finally:
        running.stop()
