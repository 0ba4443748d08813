"""THE function every inbound channel calls: record one email, synchronously, exactly once.

`record_inquiry(raw, channel=..., envelope_sender=..., provider_verdict=...)` parses the mail,
applies the sender rules and stores an Inquiry row; when the mail is to be answered the
background task is enqueued in the same transaction (the django-tasks database backend writes
its row there too), so a crash leaves either both or neither. The same Message-ID delivered again
returns the row already stored and enqueues nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from medcode.consult import authresults, rules
from medcode.consult.models import Inquiry, Kind, State
from medcode.consult.parsing import ParsedMail, parse_message

CHANNELS = ("smtp", "webhook", "maildir", "cli")


@dataclass(frozen=True)
class Recorded:
    inquiry: Inquiry
    created: bool


def record_inquiry(
    raw: bytes,
    *,
    channel: str,
    envelope_sender: str | None = None,
    provider_verdict: authresults.Verdict | None = None,
) -> Recorded:
    """Record one inbound email (raises parsing.MailError for bytes that are not one)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; use one of {CHANNELS}")
    mail = parse_message(raw)
    existing = Inquiry.objects.filter(message_id=mail.message_id).first()
    if existing is not None:
        return Recorded(existing, False)
    try:
        with transaction.atomic():
            inquiry = _create(mail, channel, envelope_sender, provider_verdict)
    except IntegrityError:
        # A twin delivery recorded the same Message-ID a moment ago.
        return Recorded(Inquiry.objects.get(message_id=mail.message_id), False)
    return Recorded(inquiry, True)


def _create(
    mail: ParsedMail,
    channel: str,
    envelope_sender: str | None,
    provider_verdict: authresults.Verdict | None,
) -> Inquiry:
    from medcode.consult.tasks import process_inquiry

    now = timezone.now()
    inquiry = Inquiry.objects.create(
        message_id=mail.message_id,
        channel=channel,
        sender=mail.from_address[:254],
        subject=mail.subject,
        question=mail.text,
        attachments=[a.as_dict() for a in mail.attachments],
        references=" ".join((*mail.references, *mail.in_reply_to)),
        state=State.RECEIVED,
        received_at=now,
    )
    decision = rules.decide(
        mail,
        envelope_sender=envelope_sender,
        provider_verdict=provider_verdict,
        channel=channel,
        now=now,
    )
    inquiry.kind = decision.kind
    inquiry.reason = decision.reason[:300]
    inquiry.user = decision.user
    inquiry.needs_review = decision.needs_review
    inquiry.sender_proven = decision.sender_proven
    if decision.kind == Kind.NONE:
        inquiry.state = State.IGNORED
    elif decision.user is not None:
        inquiry.thread_root = thread_root_for(inquiry, decision.user)
    inquiry.save()
    if inquiry.state != State.IGNORED:
        process_inquiry.enqueue(inquiry.pk)
    return inquiry


def thread_root_for(inquiry: Inquiry, user: Any) -> Inquiry | None:
    """The first consult of the thread this mail replies to (matched on Message-IDs)."""
    ids = inquiry.references.split()
    if not ids:
        return None
    earlier = (
        Inquiry.objects.filter(user=user)
        .filter(Q(message_id__in=ids) | Q(outbound_message_id__in=ids))
        .exclude(pk=inquiry.pk)
        .order_by("received_at")
        .first()
    )
    if earlier is None:
        return None
    return earlier.thread_root or earlier
