"""Staff review: approve a draft (possibly edited) or reject it with a reason; either sends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from medcode.consult.models import Inquiry, Kind, State

MAX_REPLY_CHARS = 20_000
ALREADY_DONE = "This consult is no longer waiting for review (it is {state})."


class ReviewError(ValueError):
    """The review cannot be applied; the message says why."""


@dataclass(frozen=True)
class QueueItem:
    inquiry: Inquiry
    age: dt.timedelta
    target: dt.timedelta

    @property
    def is_overdue(self) -> bool:
        return self.age > self.target

    @property
    def age_label(self) -> str:
        return _duration(self.age)

    @property
    def left_label(self) -> str:
        left = self.target - self.age
        if left.total_seconds() < 0:
            return f"{_duration(-left)} overdue"
        return f"{_duration(left)} left"


def _duration(value: dt.timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def target() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.MEDCODE_CONSULT_TARGET_HOURS))


def pending(*, now: dt.datetime | None = None) -> list[QueueItem]:
    now = now or timezone.now()
    rows = Inquiry.objects.filter(state=State.PENDING_REVIEW).select_related("user")
    return [QueueItem(i, now - i.received_at, target()) for i in rows.order_by("received_at")]


def _decide(inquiry_id: int, reviewer: Any, **fields: Any) -> Inquiry:
    from medcode.accounts.services import audit
    from medcode.consult.tasks import process_inquiry

    now = timezone.now()
    with transaction.atomic():
        moved = Inquiry.objects.filter(pk=inquiry_id, state=State.PENDING_REVIEW).update(
            state=State.APPROVED, reviewed_by=reviewer, reviewed_at=now, updated_at=now, **fields
        )
        inquiry = Inquiry.objects.get(pk=inquiry_id)
        if moved != 1:
            raise ReviewError(ALREADY_DONE.format(state=inquiry.get_state_display()))
        audit(reviewer, f"consult.{inquiry.kind}", f"consult #{inquiry.pk}", sender=inquiry.sender)
        process_inquiry.enqueue(inquiry.pk)
    return inquiry


def approve(inquiry_id: int, reviewer: Any, reply_text: str) -> Inquiry:
    text = (reply_text or "").strip()
    if not text:
        raise ReviewError("The answer is empty: write the answer the user should receive.")
    if len(text) > MAX_REPLY_CHARS:
        raise ReviewError(
            f"The answer is {len(text):,} characters; the limit is {MAX_REPLY_CHARS:,}."
        )
    return _decide(inquiry_id, reviewer, reply_text=text)


def reject(inquiry_id: int, reviewer: Any, reason: str) -> Inquiry:
    text = (reason or "").strip()
    if not text:
        raise ReviewError("Give a reason: it is sent to the user in a polite reply.")
    if len(text) > 2000:
        raise ReviewError(f"The reason is {len(text):,} characters; the limit is 2,000.")
    return _decide(inquiry_id, reviewer, kind=Kind.REJECTED, reply_text=text, reason=text[:300])
