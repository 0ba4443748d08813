"""Reads for other pages: a user's consults (the account page)."""

from __future__ import annotations

from typing import Any

from medcode.consult.models import Inquiry, Kind

ACCOUNT_LIMIT = 20


def consults_for(user: Any, *, limit: int = ACCOUNT_LIMIT) -> list[Inquiry]:
    """The user's latest consults that were (or will be) answered, newest first."""
    return list(
        Inquiry.objects.filter(user=user)
        .exclude(kind__in=[Kind.NONE])
        .only("subject", "state", "kind", "received_at", "sent_at", "reviewed_at", "user_id")
        .order_by("-received_at")[:limit]
    )
