"""Alert digests and expiry notices: what the worker sends, once, with working links."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from medcode.jobs import alerts, services, tasks
from medcode.jobs.models import Employer, Posting, SavedSearch, Status
from medcode.jobs.search import JobQuery
from medcode.jobs.tests.builders import make_posting

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def subscribe(
    user: Any, *, frequency: str = "daily", days_ago: float = 2, **query: Any
) -> SavedSearch:
    alert = services.create_alert(user=user, query=JobQuery(**query), frequency=frequency)
    SavedSearch.objects.filter(pk=alert.pk).update(last_sent_at=NOW - dt.timedelta(days=days_ago))
    alert.refresh_from_db()
    return alert


def test_a_digest_holds_the_new_matching_postings_and_a_working_unsubscribe_link(
    coder: Any, client: Client
) -> None:
    alert = subscribe(coder, words="coder", work_modes=("remote",))
    make_posting(title="Old remote coder", work_mode="remote", posted_at=NOW - dt.timedelta(days=3))
    new = make_posting(
        title="New remote coder", work_mode="remote", posted_at=NOW - dt.timedelta(hours=5)
    )
    make_posting(
        title="New remote biller", work_mode="remote", posted_at=NOW - dt.timedelta(hours=4)
    )
    make_posting(
        title="New onsite coder", work_mode="onsite", posted_at=NOW - dt.timedelta(hours=3)
    )

    counts = tasks.enqueue_due_work(now=NOW)

    assert counts == {"expired": 0, "digests": 1, "expiry_notices": 0}
    (message,) = mail.outbox
    assert message.to == ["coder@example.com"]
    assert message.subject == "1 new coding job: “coder”, Remote"
    assert "New remote coder" in message.body
    assert "Old remote coder" not in message.body and "onsite" not in message.body
    assert f"https://medcode.example{new.get_absolute_url()}" in message.body
    assert "https://medcode.example/jobs/?q=coder&mode=remote" in message.body
    match = re.search(
        r"Unsubscribe \(no sign-in needed\): (https://medcode\.example(\S+))", str(message.body)
    )
    assert match is not None
    assert message.extra_headers["List-Unsubscribe"] == f"<{match.group(1)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The link works from the email, signed out: the page asks, the button stops the alert.
    assert client.get(match.group(2)).status_code == 200
    assert client.post(match.group(2)).status_code == 200
    alert.refresh_from_db()
    assert not alert.is_active
    assert alert.last_sent_at == NOW


def test_a_digest_is_sent_once_per_period(coder: Any) -> None:
    subscribe(coder, words="coder")
    make_posting(title="New coder", posted_at=NOW - dt.timedelta(hours=1))
    tasks.enqueue_due_work(now=NOW)
    tasks.enqueue_due_work(now=NOW + dt.timedelta(hours=1))
    assert len(mail.outbox) == 1
    assert alerts.send_digest(SavedSearch.objects.get().pk, now=NOW) == 0


def test_weekly_alerts_wait_a_week(coder: Any) -> None:
    subscribe(coder, frequency="weekly", days_ago=3)
    make_posting(posted_at=NOW - dt.timedelta(hours=1))
    assert tasks.enqueue_due_work(now=NOW)["digests"] == 0
    assert tasks.enqueue_due_work(now=NOW + dt.timedelta(days=4))["digests"] == 1
    assert len(mail.outbox) == 1


def test_nothing_new_sends_nothing_but_moves_the_window(coder: Any) -> None:
    alert = subscribe(coder, words="neurosurgery")
    make_posting(posted_at=NOW - dt.timedelta(hours=1))
    tasks.enqueue_due_work(now=NOW)
    assert mail.outbox == []
    alert.refresh_from_db()
    assert alert.last_sent_at == NOW


def test_an_unsubscribed_alert_gets_nothing(coder: Any) -> None:
    alert = subscribe(coder)
    services.unsubscribe(token=services.unsubscribe_token(alert))
    make_posting(posted_at=NOW - dt.timedelta(hours=1))
    assert tasks.enqueue_due_work(now=NOW)["digests"] == 0
    assert mail.outbox == []


def test_a_failed_send_gives_the_digest_back_for_the_next_run(coder: Any, monkeypatch: Any) -> None:
    alert = subscribe(coder)
    before = alert.last_sent_at
    make_posting(posted_at=NOW - dt.timedelta(hours=1))

    def refuse(self: Any, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        alerts.send_digest(alert.pk, now=NOW)
    alert.refresh_from_db()
    assert alert.last_sent_at == before


def test_a_digest_with_many_postings_shows_the_first_and_links_the_rest(
    coder: Any, employer: Employer, settings: Any
) -> None:
    settings.MEDCODE_JOBS_POSTS_PER_DAY = 1000
    subscribe(coder)
    for n in range(alerts.MAX_DIGEST_POSTINGS + 2):
        make_posting(employer, title=f"Coder {n}", posted_at=NOW - dt.timedelta(minutes=n + 1))
    tasks.enqueue_due_work(now=NOW)
    (message,) = mail.outbox
    assert message.subject.startswith(f"{alerts.MAX_DIGEST_POSTINGS}+ new coding jobs")
    assert "More new postings match" in message.body


def test_the_employer_is_told_before_a_posting_closes(employer: Employer) -> None:
    today = timezone.localdate(NOW)
    soon = make_posting(employer, title="Closing soon", expires_on=today + dt.timedelta(days=2))
    make_posting(employer, title="Closing later", expires_on=today + dt.timedelta(days=20))

    counts = tasks.enqueue_due_work(now=NOW)
    tasks.enqueue_due_work(now=NOW + dt.timedelta(hours=2))

    assert counts["expiry_notices"] == 1
    (message,) = mail.outbox
    assert message.to == ["hiring@example.com"]
    assert message.subject.startswith("Your posting “Closing soon” closes on")
    assert f"https://medcode.example/jobs/post/{soon.pk}/edit/" in message.body


def test_a_new_closing_date_rearms_the_notice(employer: Employer) -> None:
    today = timezone.localdate(NOW)
    posting = make_posting(employer, expires_on=today + dt.timedelta(days=1), credentials=("CPC",))
    tasks.enqueue_due_work(now=NOW)
    posting.refresh_from_db()
    services.save_posting(
        employer=employer,
        posting=posting,
        fields={"expires_on": today + dt.timedelta(days=30)},
        credentials=["CPC"],
        submit=True,
    )
    posting.refresh_from_db()
    assert (posting.status, posting.expiry_notice_sent_at) == (Status.LIVE, None)


def test_postings_past_their_closing_date_expire(employer: Employer) -> None:
    today = timezone.localdate(NOW)
    gone = make_posting(employer)
    Posting.objects.filter(pk=gone.pk).update(expires_on=today - dt.timedelta(days=1))
    kept = make_posting(employer, expires_on=today)
    assert tasks.enqueue_due_work(now=NOW)["expired"] == 1
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert (gone.status, kept.status) == (Status.EXPIRED, Status.LIVE)


def test_a_subject_never_carries_a_line_break(employer: Employer) -> None:
    posting = make_posting(employer, expires_on=timezone.localdate(NOW) + dt.timedelta(days=1))
    Posting.objects.filter(pk=posting.pk).update(title="Coder\nBcc: everyone@example.com")
    tasks.enqueue_due_work(now=NOW)
    (message,) = mail.outbox
    assert "\n" not in message.subject
    assert message.message()["Bcc"] is None


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_what_the_scheduler_queued(coder: Any, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from medcode.ops.commands import cmd_worker

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    subscribe(coder)
    make_posting(title="Queued coder", posted_at=NOW - dt.timedelta(hours=1))

    tasks.enqueue_due_work()
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    class Args:
        batch, queue, interval, max_tasks = True, "default", 0.0, None

    assert cmd_worker(Args()) == 0  # type: ignore[arg-type]
    (message,) = mail.outbox
    assert "Queued coder" in message.body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_an_expiry_notice_left_claimed_by_a_dead_worker_is_sent_once_after_the_lease(
    employer: Employer, settings
) -> None:
    settings.MEDCODE_TASK_LEASE_SECONDS = 60
    today = timezone.localdate(NOW)
    posting = make_posting(employer, expires_on=today + dt.timedelta(days=2))
    # What a worker killed between its claim and the mail server's answer leaves behind.
    Posting.objects.filter(pk=posting.pk).update(expiry_notice_claimed_at=timezone.now())
    assert alerts.send_expiry_notice(posting.pk, now=NOW) is False  # still leased: hands off
    assert mail.outbox == []

    Posting.objects.filter(pk=posting.pk).update(
        expiry_notice_claimed_at=timezone.now() - dt.timedelta(seconds=61)
    )
    assert alerts.send_expiry_notice(posting.pk, now=NOW) is True
    assert alerts.send_expiry_notice(posting.pk, now=NOW) is False
    assert len(mail.outbox) == 1
    posting.refresh_from_db()
    assert posting.expiry_notice_sent_at == NOW
