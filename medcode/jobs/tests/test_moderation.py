"""Staff moderation: approve, send back, take down, dismiss reports; every decision audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from medcode.jobs import services
from medcode.jobs.models import Employer, ModerationEvent, Posting, Report, Status
from medcode.jobs.tests.builders import make_posting
from tests.users import make_user

pytestmark = pytest.mark.django_db


def test_only_staff_open_the_queue(
    client: Client, coder_client: Client, employer_client: Client
) -> None:
    url = reverse("jobs:moderation")
    assert client.get(url).status_code == 302
    assert coder_client.get(url).status_code == 403
    assert employer_client.get(url).status_code == 403


def test_a_non_staff_user_cannot_approve(coder_client: Client) -> None:
    posting = make_posting(status=Status.PENDING)
    response = coder_client.post(reverse("jobs:decide", args=[posting.pk]), {"action": "approve"})
    assert response.status_code == 403
    posting.refresh_from_db()
    assert posting.status == Status.PENDING
    assert not ModerationEvent.objects.exists()


def test_staff_approve_a_pending_posting_and_it_is_audited(
    staff: Any, staff_client: Client
) -> None:
    posting = make_posting(status=Status.PENDING, title="Coding auditor")
    queue = staff_client.get(reverse("jobs:moderation"))
    assert "Coding auditor" in queue.content.decode()
    response = staff_client.post(
        reverse("jobs:decide", args=[posting.pk]), {"action": "approve", "note": "looks fine"}
    )
    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.status == Status.LIVE and posting.posted_at is not None
    event = ModerationEvent.objects.get()
    assert (event.actor, event.action, event.note, event.posting) == (
        staff,
        "approve",
        "looks fine",
        posting,
    )
    assert event.actor_label.startswith("moderator")


def test_sending_back_needs_a_note_that_the_employer_sees(
    staff_client: Client, employer: Employer, employer_client: Client
) -> None:
    posting = make_posting(employer, status=Status.PENDING)
    staff_client.post(reverse("jobs:decide", args=[posting.pk]), {"action": "reject", "note": ""})
    posting.refresh_from_db()
    assert posting.status == Status.PENDING
    staff_client.post(
        reverse("jobs:decide", args=[posting.pk]),
        {"action": "reject", "note": "Add the pay range, please."},
    )
    posting.refresh_from_db()
    assert (posting.status, posting.moderation_note) == (Status.DRAFT, "Add the pay range, please.")
    dashboard = employer_client.get(reverse("jobs:employer")).content.decode()
    assert "Add the pay range, please." in dashboard


def test_only_a_pending_posting_can_be_approved(staff: Any) -> None:
    posting = make_posting(status=Status.DRAFT)
    with pytest.raises(services.JobsError, match="waiting for review"):
        services.approve_posting(actor=staff, posting=posting)


def test_re_approving_an_edited_posting_keeps_its_first_posted_date(
    staff: Any, employer: Employer
) -> None:
    posting = make_posting(employer)
    first = posting.posted_at
    services.save_posting(
        employer=employer,
        posting=posting,
        fields={"title": "New title"},
        credentials=["CPC"],
        submit=True,
    )
    again = services.approve_posting(actor=staff, posting=posting)
    assert again.posted_at == first


def test_staff_take_down_a_reported_posting(staff_client: Client) -> None:
    posting = make_posting(title="Pay $99 to apply")
    reporter = make_user("reporter")
    services.report_posting(reporter=reporter, posting=posting, reason="scam", details="fee")
    queue = staff_client.get(reverse("jobs:moderation")).content.decode()
    assert "Pay $99 to apply" in queue and "fee" in queue
    staff_client.post(
        reverse("jobs:decide", args=[posting.pk]), {"action": "close", "note": "scam"}
    )
    posting.refresh_from_db()
    assert posting.status == Status.REMOVED
    assert Report.objects.get().resolved_at is not None
    assert ModerationEvent.objects.filter(posting=posting, action="close").count() == 1
    # Taken down means gone for the public (a closed posting stays readable), not for staff.
    assert Client().get(posting.get_absolute_url()).status_code == 404
    assert Client().get(f"/api/v1/jobs/{posting.pk}").status_code == 404
    assert staff_client.get(posting.get_absolute_url()).status_code == 200


def test_staff_dismiss_reports_and_the_posting_stays_live(staff_client: Client) -> None:
    posting = make_posting()
    services.report_posting(reporter=make_user("r1"), posting=posting, reason="other", details="")
    staff_client.post(reverse("jobs:decide", args=[posting.pk]), {"action": "dismiss"})
    posting.refresh_from_db()
    assert posting.status == Status.LIVE
    assert Report.objects.filter(resolved_at__isnull=True).count() == 0
    assert "No open reports." in staff_client.get(reverse("jobs:moderation")).content.decode()


def test_an_unknown_action_is_a_400(staff_client: Client) -> None:
    posting = make_posting(status=Status.PENDING)
    response = staff_client.post(reverse("jobs:decide", args=[posting.pk]), {"action": "delete"})
    assert response.status_code == 400
    assert Posting.objects.get(pk=posting.pk).status == Status.PENDING
