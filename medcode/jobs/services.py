"""Writes: employers post and close, staff moderate, coders save, subscribe and report.

Every function takes keyword arguments, runs in a transaction and raises `JobsError` with a
user-facing message (a module constant) when the action is not allowed.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from medcode.jobs.models import (
    PERIODS_PER_YEAR,
    Employer,
    ModerationAction,
    ModerationEvent,
    Posting,
    PostingCredential,
    Report,
    SalaryPeriod,
    SavedJob,
    SavedSearch,
    Status,
)
from medcode.jobs.search import JobQuery, facets_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

DEFAULT_POSTS_PER_DAY = 5
MAX_ALERTS_PER_USER = 20
UNSUBSCRIBE_SALT = "medcode.jobs.unsubscribe"
# Every digest carries a fresh link, so a year covers any digest a person still has.
UNSUBSCRIBE_MAX_AGE = dt.timedelta(days=365)

POSTING_LIMIT_REACHED = (
    "You have created {limit} postings in the last 24 hours, the most an employer may."
    " Try again tomorrow, or ask us to raise the limit."
)
NOT_EDITABLE = "A {status} posting cannot be edited; post it again instead."
NOT_PENDING = "Only a posting waiting for review can be approved or sent back."
ALREADY_CLOSED = "This posting is already {status}."
TOO_MANY_ALERTS = f"You have {MAX_ALERTS_PER_USER} job alerts, the most an account may hold."
REJECT_NEEDS_NOTE = "Say why the posting goes back, so the employer can fix it."


class JobsError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def posts_per_day() -> int:
    return int(getattr(settings, "MEDCODE_JOBS_POSTS_PER_DAY", DEFAULT_POSTS_PER_DAY))


def annualise(amount: Decimal | None, period: str) -> int | None:
    if amount is None:
        return None
    return int(amount * PERIODS_PER_YEAR[SalaryPeriod(period)])


def _actor_label(user: Any) -> str:
    return f"{user.get_username()} (#{user.pk})"


@transaction.atomic
def become_employer(*, user: User, company: str, website: str = "") -> Employer:
    employer, _ = Employer.objects.update_or_create(
        user=user, defaults={"company": company.strip(), "website": website}
    )
    return employer


@transaction.atomic
def save_posting(
    *,
    employer: Employer,
    fields: dict[str, Any],
    credentials: list[str],
    submit: bool,
    posting: Posting | None = None,
    now: dt.datetime | None = None,
) -> Posting:
    """Create or edit a posting. `submit` sends it for review; otherwise it is kept as a draft.
    Editing a live posting of an unverified employer sends it back for review, so an approved
    posting cannot be swapped for something else; a verified employer's edits, and anyone's
    new closing date, keep it live."""
    now = now or timezone.now()
    if posting is None:
        # Lock the employer row so two simultaneous posts cannot both pass the limit.
        Employer.objects.select_for_update().filter(pk=employer.pk).first()
        recent = Posting.objects.filter(
            employer=employer, created_at__gte=now - dt.timedelta(days=1)
        ).count()
        if recent >= posts_per_day():
            raise JobsError(POSTING_LIMIT_REACHED.format(limit=posts_per_day()))
        posting = Posting(employer=employer)
    elif posting.employer_id != employer.pk:
        raise Posting.DoesNotExist
    elif posting.status in {Status.CLOSED, Status.EXPIRED, Status.REMOVED}:
        raise JobsError(NOT_EDITABLE.format(status=posting.get_status_display().lower()))

    stays_live = posting.status == Status.LIVE and (
        employer.is_verified or _only_dates_change(posting, fields, credentials)
    )
    for name, value in fields.items():
        setattr(posting, name, value)
    posting.annual_salary_min = annualise(posting.salary_min, posting.salary_period)
    posting.annual_salary_max = annualise(posting.salary_max, posting.salary_period)
    posting.search_facets = facets_of(posting, credentials)
    if stays_live:
        pass
    elif submit:
        posting.status = Status.PENDING
        posting.submitted_at = now
    elif posting.status != Status.PENDING:
        posting.status = Status.DRAFT
    posting.expiry_notice_sent_at = None
    posting.expiry_notice_claimed_at = None
    if posting.pk is None:
        posting.save()
    else:
        # Never write the counters back: views counted since this copy was read would be lost.
        written = [*fields, "annual_salary_min", "annual_salary_max", "search_facets", "status"]
        posting.save(
            update_fields=[
                *written,
                "submitted_at",
                "expiry_notice_claimed_at",
                "expiry_notice_sent_at",
                "updated_at",
            ]
        )
    posting.credentials.all().delete()
    PostingCredential.objects.bulk_create(
        PostingCredential(posting=posting, credential=c) for c in sorted(set(credentials))
    )
    return posting


def _only_dates_change(posting: Posting, fields: dict[str, Any], credentials: list[str]) -> bool:
    """Whether an edit only moves the closing date (no new review needed for that)."""
    changed = {name for name, value in fields.items() if getattr(posting, name) != value}
    same_credentials = set(credentials) == {c.credential for c in posting.credentials.all()}
    return changed <= {"expires_on"} and same_credentials


@transaction.atomic
def close_posting(*, employer: Employer, posting: Posting) -> Posting:
    if posting.employer_id != employer.pk:
        raise Posting.DoesNotExist
    if posting.status in {Status.CLOSED, Status.EXPIRED, Status.REMOVED}:
        raise JobsError(ALREADY_CLOSED.format(status=posting.get_status_display().lower()))
    posting.status = Status.CLOSED
    posting.save(update_fields=["status", "updated_at"])
    return posting


def _audit(actor: Any, posting: Posting, action: ModerationAction, note: str) -> None:
    ModerationEvent.objects.create(
        posting=posting, actor=actor, actor_label=_actor_label(actor), action=action, note=note
    )
    logger.info("moderation: %s %s posting %s %r", _actor_label(actor), action, posting.pk, note)


@transaction.atomic
def approve_posting(
    *, actor: Any, posting: Posting, note: str = "", now: dt.datetime | None = None
) -> Posting:
    posting = Posting.objects.select_for_update().get(pk=posting.pk)
    if posting.status != Status.PENDING:
        raise JobsError(NOT_PENDING)
    posting.status = Status.LIVE
    # A re-approved edit keeps its first date, so alerts do not announce it twice.
    posting.posted_at = posting.posted_at or now or timezone.now()
    posting.moderation_note = ""
    posting.save(update_fields=["status", "posted_at", "moderation_note", "updated_at"])
    _audit(actor, posting, ModerationAction.APPROVE, note)
    return posting


@transaction.atomic
def reject_posting(*, actor: Any, posting: Posting, note: str) -> Posting:
    if not note.strip():
        raise JobsError(REJECT_NEEDS_NOTE)
    posting = Posting.objects.select_for_update().get(pk=posting.pk)
    if posting.status != Status.PENDING:
        raise JobsError(NOT_PENDING)
    posting.status = Status.DRAFT
    posting.moderation_note = note.strip()[:500]
    posting.save(update_fields=["status", "moderation_note", "updated_at"])
    _audit(actor, posting, ModerationAction.REJECT, posting.moderation_note)
    return posting


@transaction.atomic
def take_down_posting(*, actor: Any, posting: Posting, note: str) -> Posting:
    """Staff take a posting down (after reports, say): no longer public, its reports resolved."""
    posting = Posting.objects.select_for_update().get(pk=posting.pk)
    posting.status = Status.REMOVED
    posting.moderation_note = note.strip()[:500]
    posting.save(update_fields=["status", "moderation_note", "updated_at"])
    _resolve_reports(actor, posting)
    _audit(actor, posting, ModerationAction.CLOSE, posting.moderation_note)
    return posting


@transaction.atomic
def dismiss_reports(*, actor: Any, posting: Posting, note: str = "") -> int:
    count = _resolve_reports(actor, posting)
    _audit(actor, posting, ModerationAction.DISMISS_REPORTS, note.strip()[:500])
    return count


def _resolve_reports(actor: Any, posting: Posting) -> int:
    return Report.objects.filter(posting=posting, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor
    )


def record_view(*, posting_id: int) -> None:
    Posting.objects.filter(pk=posting_id).update(view_count=F("view_count") + 1)


def record_apply(*, posting_id: int) -> None:
    Posting.objects.filter(pk=posting_id).update(apply_count=F("apply_count") + 1)


def save_job(*, user: User, posting: Posting) -> bool:
    """Save a posting for later; False when it was saved already."""
    try:
        with transaction.atomic():
            SavedJob.objects.create(user=user, posting=posting)
    except IntegrityError:
        return False
    return True


def unsave_job(*, user: User, posting: Posting) -> None:
    SavedJob.objects.filter(user=user, posting=posting).delete()


@transaction.atomic
def create_alert(
    *, user: User, query: JobQuery, frequency: str, now: dt.datetime | None = None
) -> SavedSearch:
    """Subscribe to a search; the first digest holds what goes live from now on."""
    existing = SavedSearch.objects.filter(user=user, query=query.words, filters=query.filters)
    alert = existing.first()
    if alert is not None:
        alert.frequency = frequency
        alert.is_active = True
        alert.save(update_fields=["frequency", "is_active"])
        return alert
    if SavedSearch.objects.filter(user=user).count() >= MAX_ALERTS_PER_USER:
        raise JobsError(TOO_MANY_ALERTS)
    return SavedSearch.objects.create(
        user=user,
        query=query.words,
        filters=query.filters,
        frequency=frequency,
        last_sent_at=now or timezone.now(),
    )


def delete_alert(*, user: User, alert_id: int) -> bool:
    deleted, _ = SavedSearch.objects.filter(user=user, pk=alert_id).delete()
    return deleted > 0


def unsubscribe_token(alert: SavedSearch) -> str:
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign(str(alert.pk))


def alert_for_token(token: str) -> SavedSearch | None:
    """The alert an unsubscribe link names, or None for a forged, stale or stale-id token."""
    try:
        value = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).unsign(
            token, max_age=UNSUBSCRIBE_MAX_AGE
        )
    except signing.BadSignature:
        return None
    return SavedSearch.objects.filter(pk=int(value)).select_related("user").first()


def unsubscribe(*, token: str) -> SavedSearch | None:
    """Stop an alert from its email link, without signing in."""
    alert = alert_for_token(token)
    if alert is not None and alert.is_active:
        alert.is_active = False
        alert.save(update_fields=["is_active"])
    return alert


@transaction.atomic
def report_posting(*, reporter: User, posting: Posting, reason: str, details: str) -> Report:
    """Report a posting once per user (a second report updates the first)."""
    report, _ = Report.objects.update_or_create(
        posting=posting,
        reporter=reporter,
        defaults={"reason": reason, "details": details.strip(), "resolved_at": None},
    )
    return report


def expire_postings(*, today: dt.date | None = None) -> int:
    """Mark live postings past their closing date as expired."""
    today = today or timezone.localdate()
    return Posting.objects.filter(status=Status.LIVE, expires_on__lt=today).update(
        status=Status.EXPIRED, updated_at=timezone.now()
    )
