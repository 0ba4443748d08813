"""Inbound mail from a provider's webhook: Mailgun, through django-anymail's inbound handling.

Mailgun signs each POST (HMAC-SHA256 of timestamp + token with the webhook signing key,
MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY); anymail checks the signature. The signature covers neither
the body nor the time, so this module also refuses, for every content type:
- a timestamp more than MAX_AGE_SECONDS from now (403);
- a token already used (400): each token is stored (WebhookToken, unique, in the database, so
  every process sees it) in the transaction that records the mail, so a captured request cannot be
  sent again with another body, while Mailgun's retry of a request we failed (500) still gets in.
Mailgun's SPF/DKIM verdict and spam flag are read from its own POST fields (X-Mailgun-Spf,
X-Mailgun-Dkim-Check-Result, X-Mailgun-Sflag), never from headers inside the message, which the
sender wrote. Without the key the URL answers 404.
Route in Mailgun: forward("https://<site>/consult/inbound/mailgun/").
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
)
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from medcode.consult import authresults
from medcode.consult.models import WebhookToken
from medcode.consult.parsing import address_of

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 900
NOT_CONFIGURED = (
    "The Mailgun inbound webhook is off: MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY is not set."
)
STALE = "The webhook timestamp is missing or more than 15 minutes away from now."
REPLAYED = "This webhook token was used already: a signed request is accepted once."
NOT_INBOUND = "Mailgun inbound mail is posted as form data; this JSON body is not an inbound post."
_DKIM_DOMAIN = re.compile(r"(?:^|;)\s*d\s*=\s*([^;\s]+)", re.I)


def _signed_fields(request: HttpRequest) -> tuple[str, str] | None:
    """(timestamp, token) as posted, or None when the body does not carry them."""
    if request.content_type == "application/json":
        try:
            block = json.loads(request.body.decode("utf-8"))["signature"]
            return str(block["timestamp"]), str(block["token"])
        except (KeyError, TypeError, ValueError, UnicodeDecodeError):
            return None
    stamp, token = request.POST.get("timestamp"), request.POST.get("token")
    return (stamp, token) if stamp and token else None


def is_fresh(stamp: str, *, now: float | None = None) -> bool:
    try:
        when = float(stamp)
    except ValueError:
        return False
    return abs((time.time() if now is None else now) - when) <= MAX_AGE_SECONDS


def use_token(token: str) -> bool:
    """Store the token; False when it was stored before (a replay). Call inside a transaction."""
    now = timezone.now()
    try:
        with transaction.atomic():
            WebhookToken.objects.create(token=token[:128], used_at=now)
    except IntegrityError:
        return False
    horizon = now - dt.timedelta(seconds=2 * MAX_AGE_SECONDS)
    WebhookToken.objects.filter(used_at__lt=horizon).delete()
    return True


def verdict_of(request: HttpRequest, message: Any) -> authresults.Verdict:
    """Mailgun's verdict from its POST fields; the message's own headers are not read for it."""
    post = request.POST
    signatures = message.get_all("DKIM-Signature") or []
    found = _DKIM_DOMAIN.search(str(signatures[0])) if len(signatures) == 1 else None
    verdict = authresults.from_mailgun(
        post.getlist("X-Mailgun-Spf"),
        post.getlist("X-Mailgun-Dkim-Check-Result"),
        envelope_domain=authresults.domain_of(address_of(post.get("sender", ""))),
        dkim_domain=authresults.domain_of(found.group(1)) if found else "",
    )
    flagged = any(v.strip().lower() == "yes" for v in post.getlist("X-Mailgun-Sflag"))
    if flagged and verdict.result != authresults.FAIL:
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
            provider_verdict=verdict_of(event.esp_event, message),
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
    view = MailgunInboundWebhookView.as_view(webhook_signing_key=key)
    if request.method != "POST":
        response: HttpResponse = view(request)
        return response
    signed = _signed_fields(request)
    if signed is None or not is_fresh(signed[0]):
        return HttpResponseForbidden(STALE, content_type="text/plain")
    if request.content_type == "application/json":
        # Mailgun posts JSON only for tracking events; anymail would answer those with a 500.
        return HttpResponseBadRequest(NOT_INBOUND, content_type="text/plain")
    with transaction.atomic():
        if not use_token(signed[1]):
            return HttpResponseBadRequest(REPLAYED, content_type="text/plain")
        response = view(request)  # the signature check, then the inbound signal records the mail
        if response.status_code != 200:
            transaction.set_rollback(True)  # a forged signature uses up no token
    return response
