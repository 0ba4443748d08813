"""Reads for pages: who may do what, what a user saved, the employer's and staff's lists.
(Searching postings is search.py.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from medcode.jobs.forms import parse_search
from medcode.jobs.models import (
    Employer,
    ModerationEvent,
    Posting,
    Report,
    SavedJob,
    SavedSearch,
    Status,
)
from medcode.jobs.search import JobQuery


def employer_of(user: Any) -> Employer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Employer.objects.filter(user=user).first()


def is_owner(user: Any, posting: Posting) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and posting.employer.user_id == user.pk


def is_open(posting: Posting, *, on: dt.date | None = None) -> bool:
    """Whether a posting takes applications (live and not past its closing date)."""
    today = on or timezone.localdate()
    return posting.status == Status.LIVE and posting.expires_on >= today


def saved_posting_ids(user: Any, posting_ids: Iterable[int]) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        SavedJob.objects.filter(user=user, posting_id__in=list(posting_ids)).values_list(
            "posting_id", flat=True
        )
    )


def query_of(alert: SavedSearch) -> JobQuery:
    """The search a saved search stands for (re-read with today's form rules)."""
    params = {name: [str(v) for v in values] for name, values in alert.filters.items()}
    if alert.query:
        params["q"] = [alert.query]
    query, _ = parse_search(params)
    return query


@dataclass(frozen=True)
class AlertRow:
    alert: SavedSearch
    query: JobQuery

    @property
    def search_path(self) -> str:
        params = self.query.query_string
        return reverse("jobs:search") + (f"?{params}" if params else "")


def alerts_of(user: Any) -> list[AlertRow]:
    alerts = SavedSearch.objects.filter(user=user).order_by("-created_at")
    return [AlertRow(alert=a, query=query_of(a)) for a in alerts]


def postings_of(employer: Employer) -> QuerySet[Posting]:
    return employer.postings.annotate(
        saves_count=Count("saves", distinct=True),
        open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True), distinct=True),
    ).order_by("-created_at")


def pending_postings() -> QuerySet[Posting]:
    return (
        Posting.objects.filter(status=Status.PENDING)
        .select_related("employer", "employer__user")
        .prefetch_related("credentials")
        .order_by("submitted_at", "pk")
    )


def reported_postings() -> QuerySet[Posting]:
    unresolved = Report.objects.filter(posting=OuterRef("pk"), resolved_at__isnull=True)
    return (
        Posting.objects.filter(Exists(unresolved))
        .exclude(status=Status.PENDING)
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .select_related("employer")
        .prefetch_related("reports")
        .order_by("-open_reports", "pk")
    )


def recent_moderation(limit: int = 30) -> QuerySet[ModerationEvent]:
    return ModerationEvent.objects.select_related("posting").order_by("-created_at")[:limit]
