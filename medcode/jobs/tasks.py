"""Background tasks (django-tasks, run by `medcode worker`) and the scheduler step that
enqueues them (`medcode jobs send-alerts`, run from cron or a systemd timer)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from medcode.jobs import alerts, services


@task()
def send_alert_digest(alert_id: int, due_at: str) -> int:
    """Email one saved search's postings that went live up to `due_at` (ISO 8601, when the
    scheduler found it due) since its last digest; the number of postings sent."""
    return alerts.send_digest(alert_id, now=dt.datetime.fromisoformat(due_at))


@task()
def send_expiry_notice(posting_id: int, due_at: str) -> bool:
    """Tell an employer their posting closes soon."""
    return alerts.send_expiry_notice(posting_id, now=dt.datetime.fromisoformat(due_at))


def enqueue_due_work(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Expire postings past their date, then queue due digests and expiry notices.

    Safe to run as often as you like: the tasks claim their rows before sending.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    expired = services.expire_postings(today=today)
    digests = alerts.due_alerts(now=now)
    for alert_id in digests:
        send_alert_digest.enqueue(alert_id, now.isoformat())
    notices = alerts.postings_needing_notice(today=today)
    for posting_id in notices:
        send_expiry_notice.enqueue(posting_id, now.isoformat())
    return {"expired": expired, "digests": len(digests), "expiry_notices": len(notices)}
