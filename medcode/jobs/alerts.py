"""Email the background worker sends: saved-search digests and expiry notices.

Each send first claims its row with a conditional UPDATE (as healthchecks' sendalerts does),
so two workers, or a scheduler run twice, never send the same digest or notice twice; a failed
send gives the claim back and the task fails where an operator sees it. A digest's claim is a
DigestDelivery row, stamped when the mail server has accepted the message, so a task retried
after its worker was killed (medcode.jobs.recovery) sends a digest only if it was not sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from medcode.jobs.models import DigestDelivery, Frequency, Posting, SavedSearch, Status
from medcode.jobs.queries import query_of
from medcode.jobs.search import JobQuery, find_postings
from medcode.jobs.services import unsubscribe_token

MAX_DIGEST_POSTINGS = 25
DEFAULT_NOTICE_DAYS = 3
# A little under a day (a week), so a digest sent by a daily timer is due again the next day.
DUE_AFTER = {
    Frequency.DAILY: dt.timedelta(hours=23),
    Frequency.WEEKLY: dt.timedelta(days=6, hours=23),
}


def site_url(path: str) -> str:
    base: str = getattr(settings, "MEDCODE_SITE_URL", "http://localhost:8000")
    return base.rstrip("/") + path


def one_line(text: str, *, limit: int = 180) -> str:
    """A header-safe line: user text in a subject never carries a newline."""
    return " ".join(text.split())[:limit]


def notice_days() -> int:
    return int(getattr(settings, "MEDCODE_JOBS_EXPIRY_NOTICE_DAYS", DEFAULT_NOTICE_DAYS))


def search_url(query: JobQuery) -> str:
    params = query.query_string
    return site_url(reverse("jobs:search") + (f"?{params}" if params else ""))


def due_alerts(*, now: dt.datetime) -> list[int]:
    due = Q()
    for frequency, gap in DUE_AFTER.items():
        due |= Q(frequency=frequency, last_sent_at__lte=now - gap)
    return list(
        SavedSearch.objects.filter(due, is_active=True).order_by("pk").values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class Digest:
    alert: SavedSearch
    query: JobQuery
    postings: list[Posting]


def build_digest(alert: SavedSearch, *, since: dt.datetime, until: dt.datetime) -> Digest:
    query = query_of(alert)
    window = replace(query, posted_after=since)
    postings = list(find_postings(window).filter(posted_at__lte=until)[: MAX_DIGEST_POSTINGS + 1])
    return Digest(alert=alert, query=query, postings=postings)


def send_digest(alert_id: int, *, now: dt.datetime | None = None) -> int:
    """Email an alert's new postings since its last digest; the number of postings sent.

    `now` (when the scheduler found the digest due) names the digest: a retry of the same task
    after its worker died sends it only if the first attempt had not (see DigestDelivery).
    """
    now = now or timezone.now()
    alert = SavedSearch.objects.select_related("user").filter(pk=alert_id, is_active=True).first()
    if alert is None:
        return 0
    delivery = _claim_digest(alert, now)
    if delivery is None:
        return 0
    since = delivery.since
    digest = build_digest(alert, since=since, until=now)
    email = getattr(alert.user, "email", "")
    if not digest.postings or not email:
        DigestDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
        return 0
    message = digest_message(digest, to=email)
    message.connection = get_connection()
    try:
        with message.connection:
            message.send()
            # Stamped before the connection closes: a worker killed while the mail server says
            # goodbye leaves a digest known to be sent, and its retry sends nothing.
            DigestDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
    except Exception:
        if not DigestDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=False).exists():
            DigestDelivery.objects.filter(pk=delivery.pk).delete()
            SavedSearch.objects.filter(pk=alert.pk, last_sent_at=now).update(last_sent_at=since)
        raise
    return min(len(digest.postings), MAX_DIGEST_POSTINGS)


def _claim_digest(alert: SavedSearch, now: dt.datetime) -> DigestDelivery | None:
    """The delivery row this attempt may send: claimed now with a conditional UPDATE (so two
    workers never both send), or left unsent by an attempt whose worker died (claimed longer
    than a task lease ago); None when there is nothing to send."""
    found = DigestDelivery.objects.filter(alert=alert, due_at=now).first()
    if found is not None:
        lease = dt.timedelta(seconds=float(settings.MEDCODE_TASK_LEASE_SECONDS))
        taken = DigestDelivery.objects.filter(
            pk=found.pk, sent_at__isnull=True, claimed_at__lt=timezone.now() - lease
        ).update(claimed_at=timezone.now())
        return found if taken else None
    if alert.last_sent_at > now - DUE_AFTER[Frequency(alert.frequency)]:
        return None
    since = alert.last_sent_at
    with transaction.atomic():
        claimed = SavedSearch.objects.filter(pk=alert.pk, last_sent_at=since).update(
            last_sent_at=now
        )
        if not claimed:
            return None
        return DigestDelivery.objects.create(alert=alert, due_at=now, since=since)


def digest_message(digest: Digest, *, to: str) -> EmailMessage:
    unsubscribe = site_url(reverse("jobs:unsubscribe", args=[unsubscribe_token(digest.alert)]))
    shown = digest.postings[:MAX_DIGEST_POSTINGS]
    context = {
        "alert": digest.alert,
        "label": digest.query.label,
        "postings": [(p, site_url(p.get_absolute_url())) for p in shown],
        "more": len(digest.postings) > MAX_DIGEST_POSTINGS,
        "search_url": search_url(digest.query),
        "unsubscribe_url": unsubscribe,
        "manage_url": site_url(reverse("jobs:saved")),
    }
    count = len(shown)
    noun = "job" if count == 1 else "jobs"
    plus = "+" if context["more"] else ""
    subject = one_line(f"{count}{plus} new coding {noun}: {context['label']}")
    body = render_to_string("jobs/email/digest.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def postings_needing_notice(*, today: dt.date) -> list[int]:
    last = today + dt.timedelta(days=notice_days())
    return list(
        Posting.objects.filter(
            status=Status.LIVE,
            expires_on__gte=today,
            expires_on__lte=last,
            expiry_notice_sent_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_expiry_notice(posting_id: int, *, now: dt.datetime | None = None) -> bool:
    """Tell the employer a live posting closes soon; False if already told or not live.

    Claimed with a conditional UPDATE (two workers never both send), stamped sent before the
    mail connection closes; a claim left by a worker that died before sending is taken over
    once it is older than a task lease, so the notice is neither lost nor sent twice.
    """
    now = now or timezone.now()
    lease = dt.timedelta(seconds=float(settings.MEDCODE_TASK_LEASE_SECONDS))
    claimed_at = timezone.now()
    claimed = (
        Posting.objects.filter(
            pk=posting_id, status=Status.LIVE, expiry_notice_sent_at__isnull=True
        )
        .filter(
            Q(expiry_notice_claimed_at__isnull=True)
            | Q(expiry_notice_claimed_at__lt=claimed_at - lease)
        )
        .update(expiry_notice_claimed_at=claimed_at)
    )
    if not claimed:
        return False
    posting = Posting.objects.select_related("employer__user").get(pk=posting_id)
    email = getattr(posting.employer.user, "email", "")
    if not email:
        return False
    context = {
        "posting": posting,
        "posting_url": site_url(posting.get_absolute_url()),
        "edit_url": site_url(reverse("jobs:edit", args=[posting.pk])),
        "dashboard_url": site_url(reverse("jobs:employer")),
    }
    message = EmailMessage(
        subject=one_line(
            f"Your posting “{posting.title}” closes on {posting.expires_on:%B %d, %Y}"
        ),
        body=render_to_string("jobs/email/expiry_notice.txt", context),
        to=[email],
    )
    message.connection = get_connection()
    try:
        with message.connection:
            message.send()
            Posting.objects.filter(pk=posting_id).update(expiry_notice_sent_at=now)
    except Exception:
        Posting.objects.filter(
            pk=posting_id, expiry_notice_claimed_at=claimed_at, expiry_notice_sent_at__isnull=True
        ).update(expiry_notice_claimed_at=None)
        raise
    return True
