"""The SMTP listener (`medcode consult smtpd`): aiosmtpd, recording each message before 250.

Only the consult address (plus-tags allowed: consult+x@) is accepted at RCPT, so it is never an
open relay. DATA is answered 250 only after record_inquiry committed the row (and its task);
a database failure answers 451 so the sending server retries later: no mail is lost.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from medcode.consult.parsing import MailError, address_of
from medcode.consult.sending import consult_address

log = logging.getLogger(__name__)


def accepts(address: str) -> bool:
    wanted = consult_address().lower()
    local, _, domain = address_of(address).partition("@")
    want_local, _, want_domain = wanted.partition("@")
    return domain == want_domain and local.split("+", 1)[0] == want_local


def _record(raw: bytes, mail_from: str | None) -> str:
    from medcode.consult.intake import record_inquiry

    close_old_connections()
    try:
        recorded = record_inquiry(raw, channel="smtp", envelope_sender=mail_from)
        return recorded.inquiry.message_id
    finally:
        close_old_connections()


class ConsultHandler:
    def __init__(self, workers: int = 4) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="consult-smtp")

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not accepts(address):
            return "550 5.1.1 Recipient not accepted: this server only takes consult mail"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        loop = asyncio.get_running_loop()
        try:
            message_id = await loop.run_in_executor(self.executor, _record, raw, envelope.mail_from)
        except MailError as exc:
            return f"554 5.6.0 Message not accepted: {exc}"
        except Exception:
            log.exception("consult smtpd: could not record a message")
            return "451 4.3.0 Temporary failure recording the message; try again later"
        return f"250 2.0.0 Accepted {message_id}"


def controller(host: str, port: int) -> Any:
    from aiosmtpd.controller import Controller

    return Controller(
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
