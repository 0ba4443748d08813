"""The state machine that answers one inquiry, exactly once per inbound Message-ID.

    received --draft--> drafted ------------------------------> sending --SMTP--> sent
             \\--draft--> pending_review --staff--> approved --/

Each step is a conditional UPDATE from the state it expects, so two workers (a duplicate task,
or `medcode consult requeue` racing a slow worker) cannot both take it; a lease
(`lease_until`, MEDCODE_CONSULT_LEASE_SECONDS) keeps a second worker off a row that one is
working on, and lets `requeue` take over once a dead worker's lease runs out.

The outbound Message-ID is stored when the row enters `sending`, before the reply is handed to
SMTP. The one window left: the SMTP server accepted the reply but the worker died before
recording `sent`. A retry then sends the *same* message (same Message-ID, same text) again; mail
clients and most mailbox providers show messages with one Message-ID once. So delivery is
at-least-once on the wire and exactly-once as the user sees it in nearly every client; nothing
is ever silently dropped. Every other crash point (before or after drafting, before SMTP) is
resumed without any duplicate.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from medcode.consult import drafting, sending
from medcode.consult.models import OPEN_STATES, Inquiry, Kind, State

MAX_ATTEMPTS = 8


class StateConflict(RuntimeError):
    """The row was not in the state this step expected (another worker moved it)."""


def lease_seconds() -> float:
    return float(getattr(settings, "MEDCODE_CONSULT_LEASE_SECONDS", 120))


def claim(inquiry_id: int, *, now: dt.datetime | None = None) -> Inquiry | None:
    """Take the row for this worker, or None if it is done or another worker holds it."""
    now = now or timezone.now()
    taken = (
        Inquiry.objects.filter(pk=inquiry_id, state__in=OPEN_STATES, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + dt.timedelta(seconds=lease_seconds()), attempts=F("attempts") + 1)
    )
    return Inquiry.objects.get(pk=inquiry_id) if taken else None


def release(inquiry: Inquiry) -> None:
    Inquiry.objects.filter(pk=inquiry.pk).update(lease_until=None)


def advance(inquiry: Inquiry, from_state: str, to_state: str, **fields: Any) -> None:
    """Move the row from `from_state` to `to_state` (with `fields`), or raise StateConflict."""
    moved = Inquiry.objects.filter(pk=inquiry.pk, state=from_state).update(
        state=to_state, updated_at=timezone.now(), **fields
    )
    if moved != 1:
        raise StateConflict(f"consult #{inquiry.pk} was not {from_state}")
    inquiry.state = to_state
    for name, value in fields.items():
        setattr(inquiry, name, value)


def process(inquiry_id: int) -> str:
    """Take one inquiry as far as it goes now; returns the state it was left in."""
    inquiry = claim(inquiry_id)
    if inquiry is None:
        current = Inquiry.objects.filter(pk=inquiry_id).values_list("state", flat=True).first()
        return f"skipped ({current or 'missing'})"
    try:
        if inquiry.state == State.RECEIVED:
            draft_step(inquiry)
        if inquiry.state in {State.DRAFTED, State.APPROVED}:
            advance(
                inquiry,
                inquiry.state,
                State.SENDING,
                outbound_message_id=inquiry.outbound_message_id or sending.new_message_id(),
            )
        if inquiry.state == State.SENDING:
            sending.send_reply(inquiry)
            advance(inquiry, State.SENDING, State.SENT, sent_at=timezone.now())
    finally:
        release(inquiry)
    return str(inquiry.state)


def draft_step(inquiry: Inquiry) -> None:
    fields: dict[str, Any] = {"drafted_at": timezone.now()}
    if inquiry.kind == Kind.ANSWER:
        fields["draft"], fields["reply_text"] = drafting.draft_answer(inquiry)
    elif inquiry.kind == Kind.QUOTA:
        fields["reply_text"] = inquiry.reason
    target = State.PENDING_REVIEW if inquiry.needs_review else State.DRAFTED
    if inquiry.kind != Kind.ANSWER:
        target = State.DRAFTED
    advance(inquiry, State.RECEIVED, target, **fields)


def stale_inquiries(*, older_than: float, now: dt.datetime | None = None) -> list[int]:
    """Open rows nobody is working on and nothing happened to for `older_than` seconds."""
    now = now or timezone.now()
    return list(
        Inquiry.objects.filter(
            state__in=OPEN_STATES,
            attempts__lt=MAX_ATTEMPTS,
            updated_at__lt=now - dt.timedelta(seconds=older_than),
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("received_at")
        .values_list("pk", flat=True)
    )


def requeue(*, older_than: float = 60.0) -> list[int]:
    """Enqueue a task for every stale open row (a worker that died, a task row lost)."""
    from medcode.consult.tasks import process_inquiry

    ids = stale_inquiries(older_than=older_than)
    for pk in ids:
        process_inquiry.enqueue(pk)
    return ids
