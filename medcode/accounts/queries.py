"""Reads for the account page: the plan, usage meters, keys with their use per day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone

from medcode.accounts import metering
from medcode.accounts.models import ApiKey, Period, Plan
from medcode.accounts.viewers import plan_of_user

USAGE_DAYS = 14


@dataclass(frozen=True)
class Meter:
    label: str
    used: int
    limit: int | None
    resets_at: dt.datetime

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def percent(self) -> int:
        if not self.limit:
            return 0 if self.limit is None else 100
        return min(100, round(100 * self.used / self.limit))


@dataclass(frozen=True)
class KeyUsage:
    key: ApiKey
    days: list[tuple[dt.date, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.days)


@dataclass(frozen=True)
class AccountSummary:
    plan: Plan
    plans: list[Plan]
    meters: list[Meter]
    keys: list[KeyUsage]
    worksheets: list[Any]


def account_summary(user: User) -> AccountSummary:
    plan = plan_of_user(user.pk)
    subject = f"user:{user.pk}"
    now = timezone.now()

    def meter(label: str, kind: str, limit: int | None, period: str) -> Meter:
        used = metering.used(subject, kind, period=period, now=now)
        return Meter(label, used, limit, metering.period_end(period, now))

    meters = [
        meter(
            f"Full code pages this {plan.gated_period}",
            metering.GATED,
            plan.gated_views,
            plan.gated_period,
        ),
        meter("CasePilot questions today", metering.CASEPILOT, plan.casepilot_per_day, Period.DAY),
        meter("Consult emails this month", metering.CONSULT, plan.consult_per_month, Period.MONTH),
    ]
    keys = [
        KeyUsage(k, metering.daily_usage(f"key:{k.pk}", metering.API_DAY, days=USAGE_DAYS))
        for k in ApiKey.objects.filter(user=user).order_by("revoked_at", "-created_at")
    ]
    return AccountSummary(
        plan=plan,
        plans=list(Plan.objects.filter(is_listed=True)),
        meters=meters,
        keys=keys,
        worksheets=saved_worksheets(user),
    )


def saved_worksheets(user: User) -> list[Any]:
    """The user's saved claim worksheets, when the claims app is installed."""
    if not apps.is_installed("medcode.claims"):
        return []
    worksheet = apps.get_model("claims", "Worksheet")
    return list(worksheet.objects.filter(owner=user).order_by("-updated")[:20])
