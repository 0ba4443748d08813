"""Inbound mail from a provider's webhook: Mailgun, through django-anymail's inbound handling.

Mailgun signs each POST (HMAC-SHA256 of timestamp + token with the webhook signing key,
MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY); anymail checks the signature, and this module also
refuses timestamps older than MAX_AGE_SECONDS (replays). Without the key the URL answers 404.
Mailgun's own SPF/DKIM verdict (X-Mailgun-Spf, X-Mailgun-Dkim-Check-Result) and spam flag are
passed to the sender rules. Route in Mailgun: forward("https://<site>/consult/inbound/mailgun/").
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt

from medcode.consult import authresults

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 900
NOT_CONFIGURED = (
    "The Mailgun inbound webhook is off: MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY is not set."
)
STALE = "The webhook timestamp is missing or more than 15 minutes away from now."


def verdict_of(message: Any) -> authresults.Verdict:
    spf = message.get_all("X-Mailgun-Spf") or []
    dkim = message.get_all("X-Mailgun-Dkim-Check-Result") or []
    verdict = authresults.from_mailgun([str(v) for v in spf], [str(v) for v in dkim])
    if getattr(message, "spam_detected", False) and verdict.result != authresults.FAIL:
        return authresults.Verdict(authresults.FAIL, "Mailgun flagged the mail as spam")
    return verdict


def handle_inbound(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """anymail's `inbound` signal: record the mail (the one record function)."""
    from medcode.consult.intake import record_inquiry
    from medcode.consult.parsing import MailError

    if esp_name != "Mailgun":
        return
    message = event.message
    try:
        record_inquiry(
            message.as_bytes(),
            channel="webhook",
            envelope_sender=getattr(message, "envelope_sender", None),
            provider_verdict=verdict_of(message),
        )
    except MailError as exc:
        # Not a usable email: retrying would not help, so it is logged and acknowledged.
        # Database errors propagate: the provider gets a 500 and delivers the mail again.
        log.warning("consult webhook: message refused: %s", exc)


def connect() -> None:
    from anymail.signals import inbound

    inbound.connect(handle_inbound, dispatch_uid="medcode.consult.webhook")


@csrf_exempt
def mailgun_inbound(request: HttpRequest) -> HttpResponse:
    from anymail.webhooks.mailgun import MailgunInboundWebhookView

    key = settings.MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY
    if not key:
        return HttpResponseNotFound(NOT_CONFIGURED, content_type="text/plain")
    if request.method == "POST" and request.content_type != "application/json":
        try:
            stamp = int(request.POST.get("timestamp", ""))
        except ValueError:
            stamp = 0
        if abs(time.time() - stamp) > MAX_AGE_SECONDS:
            return HttpResponseForbidden(STALE, content_type="text/plain")
    view = MailgunInboundWebhookView.as_view(webhook_signing_key=key)
    response: HttpResponse = view(request)
    return response
