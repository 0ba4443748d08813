"""Writes for accounts: the plan a user is on, the audit trail, closing an account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from medcode.accounts.models import AuditEvent, Plan, Subscription
from medcode.accounts.viewers import forget_user_plan


def audit(actor: Any, action: str, target: object = "", **detail: Any) -> AuditEvent:
    """Record who did what to what (staff changes, key creation and revocation, deletions)."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=str(actor.get_username() if is_user else (actor or "system"))[:254],
        action=action,
        target=str(target)[:254],
        detail=detail,
    )


@transaction.atomic
def set_plan(user: User, plan: Plan, *, source: str, actor: Any = None) -> Subscription:
    """Put `user` on `plan`: THE place a payment provider's webhook would call.

    `source` says who set it ("staff", "signup", "payment:<provider>:<reference>").
    """
    previous = Subscription.objects.select_for_update().filter(user=user).first()
    old_slug = previous.plan.slug if previous is not None else "free"
    subscription, _ = Subscription.objects.update_or_create(
        user=user, defaults={"plan": plan, "source": source[:80], "changed_at": timezone.now()}
    )
    transaction.on_commit(lambda: forget_user_plan(user.pk))
    audit(
        actor,
        "plan.set",
        user.get_username(),
        plan=plan.slug,
        previous=old_slug,
        source=source,
    )
    return subscription


@transaction.atomic
def delete_account(user: User) -> None:
    """Close an account: its keys, subscription and saved work go with it (CASCADE)."""
    audit(None, "account.delete", f"user #{user.pk}")
    user.delete()
