"""Watchlists: uploads keep the good rows and report the rest by line; after an import each
watcher of a changed code gets exactly one digest, even when a worker died mid-send."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from medcode.changes import digests, watchlists
from medcode.changes.models import ReleaseDiff, WatchDigest, WatchedCode
from medcode.changes.tests import files
from medcode.codes.services import import_file
from tests.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(coder: Any) -> Any:
    return coder


@pytest.fixture
def rvu25d(tmp_path: Path) -> None:
    rows = [
        files.pfs_row("63650", "7.15", "4.51", "12.48", "010", "32.3465"),
        files.pfs_row("95972", "0.80", "0.31", "1.18", "XXX", "32.3465"),
        files.pfs_row("27130", "19.60", "11.50", "35.10", "090", "32.3465"),
    ]
    import_file(files.write_pfs(tmp_path, "pfs_rvu_2025d.csv", rows))


def import_rvu26c(tmp_path: Path, *, touch: bool = True) -> None:
    work = "6.97" if touch else "7.15"
    rows = [
        files.pfs_row("63650", work, "4.51", "12.48", "010", "32.3465"),
        files.pfs_row("95972", "0.80", "0.31", "1.18", "XXX", "32.3465"),
        files.pfs_row("27130", "19.60", "11.50", "35.10", "090", "32.3465"),
    ]
    if not touch:
        rows[2] = files.pfs_row("27130", "20.10", "11.50", "35.60", "090", "32.3465")
    import_file(files.write_pfs(tmp_path, "pfs_rvu_2026c.csv", rows))


def test_an_upload_keeps_the_good_rows_and_reports_the_others_by_line(
    client: Client, user: Any, rvu25d: None
) -> None:
    client.force_login(user)
    text = (
        "CDM,Description,CPT Code\n1001,Lead,63650\n1002,Nothing,99999\n1003,Junk,$$\n1004,Empty,\n"
    )
    upload = SimpleUploadedFile("chargemaster.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("changes:watch"), {"file": upload}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert set(WatchedCode.objects.values_list("code", flat=True)) == {"63650"}
    assert watchlists.UNKNOWN_CODE.format(line=3, code="99999") in shown
    assert watchlists.BAD_CODE.format(line=4, value="$$") in shown
    assert watchlists.EMPTY_ROW.format(line=5, column="CPT Code") in shown


def test_a_10_mb_list_is_refused_with_a_clear_message(client: Client, user: Any) -> None:
    client.force_login(user)
    big = SimpleUploadedFile("codes.csv", b"63650\n" * (10 * 1024 * 1024 // 6 + 1))
    response = client.post(reverse("changes:watch"), {"file": big}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and "the largest accepted is 5,242,880 bytes (5 MB)" in shown[0]
    assert not WatchedCode.objects.exists()


def test_the_watchlist_needs_sign_in_and_its_forms_need_csrf(user: Any) -> None:
    assert Client().get(reverse("changes:watchlist")).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(reverse("changes:watch"), {"code": "63650"}).status_code == 403


def test_the_plan_limits_the_list(user: Any, rvu25d: None) -> None:
    from medcode.accounts.models import Plan
    from medcode.accounts.viewers import forget_plans

    # The limit is the plan's data, as the operator set it in the admin.
    assert Plan.objects.get(slug="free").watched_codes == 100
    assert Plan.objects.get(slug="pro").watched_codes == 5000
    Plan.objects.filter(slug="free").update(watched_codes=2)
    forget_plans()
    parsed = watchlists.ParsedList(codes=["63650", "95972", "27130"])
    parsed.lines = {"63650": 1, "95972": 2, "27130": 3}
    try:
        result = watchlists.watch_codes(user_id=user.pk, parsed=parsed)
        assert watchlists.watch_limit(user.pk) == 2
    finally:
        forget_plans()  # the cached plan is not left to the next test
    assert result.added == ["63650", "95972"]
    assert watchlists.OVER_LIMIT.format(limit=2, dropped=1) in result.problems


def test_a_watcher_gets_one_digest_after_an_import_that_changes_their_codes(
    user: Any, rvu25d: None, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    WatchedCode.objects.create(user=user, code="63650")
    WatchedCode.objects.create(user=user, code="95972")
    with_tasks = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        import_rvu26c(tmp_path, touch=True)
    queued = DBTaskResult.objects.order_by("-pk").first()
    assert DBTaskResult.objects.count() == with_tasks + 1 and queued is not None
    assert queued.run_after is not None and queued.run_after > timezone.now()

    assert digests.send_all() == {"digests": 1, "changes": 1}
    assert digests.send_all() == {"digests": 0, "changes": 0}
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "63650: rvu work_rvu 7.15 -> 6.97 (-2.52%) (RVU25D -> RVU26C)" in body
    assert "/changes/code/63650/" in body and mail.outbox[0].to == ["coder@example.com"]


def test_no_digest_after_an_import_that_leaves_the_watched_codes_alone(
    user: Any, rvu25d: None, tmp_path: Path
) -> None:
    WatchedCode.objects.create(user=user, code="63650")
    import_rvu26c(tmp_path, touch=False)
    assert ReleaseDiff.objects.filter(family="pfs_rvu").exists()
    assert digests.send_all() == {"digests": 0, "changes": 0}
    assert mail.outbox == []


def test_a_digest_a_dead_worker_claimed_is_sent_once_after_the_lease(
    user: Any, rvu25d: None, tmp_path: Path, settings: Any
) -> None:
    WatchedCode.objects.create(user=user, code="63650")
    import_rvu26c(tmp_path, touch=True)
    diff = ReleaseDiff.objects.get(family="pfs_rvu")
    # The first worker claimed the digest and died before the mail server took it.
    WatchDigest.objects.create(user=user, diff=diff, batch="dead-worker")
    assert digests.send_all()["digests"] == 0  # still within its lease: nobody else sends
    settings.MEDCODE_TASK_LEASE_SECONDS = 60
    WatchDigest.objects.update(claimed_at=timezone.now() - dt.timedelta(minutes=5))
    assert digests.send_all()["digests"] == 1
    assert digests.send_all()["digests"] == 0
    assert len(mail.outbox) == 1
    assert WatchDigest.objects.get().sent_at is not None


def test_a_failed_send_gives_the_claim_back_for_the_retry(
    user: Any, rvu25d: None, tmp_path: Path, settings: Any
) -> None:
    WatchedCode.objects.create(user=user, code="63650")
    import_rvu26c(tmp_path, touch=True)
    settings.EMAIL_BACKEND = "medcode.changes.tests.test_watchlists.FailingBackend"
    with pytest.raises(ConnectionRefusedError):
        digests.send_all()
    assert not WatchDigest.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digests.send_all()["digests"] == 1


class FailingBackend:
    def __init__(self, **kwargs: Any) -> None:
        pass

    def open(self) -> None:
        raise ConnectionRefusedError("mail server down")

    def close(self) -> None:
        pass

    def __enter__(self) -> FailingBackend:
        self.open()
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


def test_the_codes_of_your_own_claim_worksheet_can_be_watched(
    client: Client, user: Any, rvu25d: None
) -> None:
    from medcode.claims.models import Worksheet

    sheet = Worksheet.objects.create(
        owner=user,
        document={"lines": [{"code": "63650"}, {"code": "95972"}], "diagnoses": ["G89.29"]},
    )
    other = make_user("other@example.com")
    client.force_login(other)
    assert client.post(reverse("changes:watch"), {"worksheet": sheet.pk}).status_code == 404
    client.force_login(user)
    response = client.post(reverse("changes:watch"), {"worksheet": sheet.pk}, follow=True)
    assert set(WatchedCode.objects.filter(user=user).values_list("code", flat=True)) == {
        "63650",
        "95972",
    }
    shown = [str(m) for m in response.context["messages"]]
    assert watchlists.UNKNOWN_CODE.format(line=3, code="G8929") in shown
    assert not WatchedCode.objects.filter(user=other).exists()


def test_the_watchlist_page_shows_the_newest_releases_impact(
    client: Client, user: Any, rvu25d: None, tmp_path: Path
) -> None:
    WatchedCode.objects.create(user=user, code="63650")
    import_rvu26c(tmp_path, touch=True)
    client.force_login(user)
    text = client.get(reverse("changes:watchlist")).content.decode()
    assert "Impact of the newest releases" in text
    assert "work_rvu" in text and "RVU25D → RVU26C" in text
