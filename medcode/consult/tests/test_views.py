"""The staff review queue (who may open it, CSRF, edit/approve/reject) and the account page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from medcode.consult.models import Inquiry, Kind, State
from tests.users import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def hosts(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.MEDCODE_CONSULT_TARGET_HOURS = 4


def reviewer(email: str = "expert@medcode.test") -> Any:
    user = make_user(email)
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="review_inquiry"))
    return user


def pending(user: Any, *, hours_old: float = 1, subject: str = "Diabetes code") -> Inquiry:
    return Inquiry.objects.create(
        message_id=f"<p{Inquiry.objects.count()}@team.test>",
        channel="smtp",
        sender=user.email,
        user=user,
        subject=subject,
        question="What is E11.9? <script>alert(1)</script>",
        state=State.PENDING_REVIEW,
        needs_review=True,
        reply_text="E11.9 is an ICD-10-CM diagnosis code.",
        draft={
            "facts": [
                {
                    "text": "E11.9: Type 2 diabetes mellitus without complications",
                    "citation": {
                        "label": "ICD-10-CM E11.9",
                        "url": "/codes/E11.9/",
                        "release": "FY2026",
                    },
                }
            ],
            "notices": [],
        },
        received_at=timezone.now() - dt.timedelta(hours=hours_old),
    )


def logged_in(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_the_queue_needs_a_signed_in_staff_reviewer() -> None:
    assert Client().get("/consult/queue/").status_code == 302
    assert "/account/login/" in Client().get("/consult/queue/")["Location"]
    coder = make_user("coder@clinic.test")
    assert logged_in(coder).get("/consult/queue/").status_code == 403
    staff_without_permission = make_user("staff@medcode.test")
    staff_without_permission.is_staff = True
    staff_without_permission.save()
    assert logged_in(staff_without_permission).get("/consult/queue/").status_code == 403
    item = pending(coder)
    assert (
        logged_in(coder).post(f"/consult/queue/{item.pk}/approve/", {"reply_text": "x"}).status_code
        == 403
    )
    item.refresh_from_db()
    assert item.state == State.PENDING_REVIEW


def test_the_queue_lists_items_oldest_first_with_age_against_the_target() -> None:
    tess = make_user("tess@team.test", plan="team")
    pending(tess, hours_old=6, subject="Overdue one")
    pending(tess, hours_old=1, subject="Fresh one")
    page = logged_in(reviewer()).get("/consult/queue/").content.decode()
    assert page.index("Overdue one") < page.index("Fresh one")
    assert "2 h 0 min overdue" in page
    assert "3 h 0 min left" in page or "2 h 59 min left" in page
    assert "Target response time: 4 hours" in page


def test_the_review_page_escapes_the_question_and_shows_the_sources() -> None:
    item = pending(make_user("tess@team.test", plan="team"))
    page = logged_in(reviewer()).get(f"/consult/queue/{item.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert 'href="https://medcode.example/codes/E11.9/"' in page
    assert "E11.9 is an ICD-10-CM diagnosis code." in page  # the editable draft


def test_forms_need_the_csrf_token() -> None:
    item = pending(make_user("tess@team.test", plan="team"))
    client = logged_in(reviewer(), enforce_csrf_checks=True)
    response = client.post(f"/consult/queue/{item.pk}/approve/", {"reply_text": "Edited"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.state == State.PENDING_REVIEW


def test_approve_saves_the_edit_and_queues_the_send() -> None:
    from django_tasks_db.models import DBTaskResult

    expert = reviewer()
    item = pending(make_user("tess@team.test", plan="team"))
    response = logged_in(expert).post(
        f"/consult/queue/{item.pk}/approve/", {"reply_text": "Edited answer."}
    )
    assert response.status_code == 302 and response["Location"] == "/consult/queue/"
    item.refresh_from_db()
    assert item.state == State.APPROVED and item.reply_text == "Edited answer."
    assert item.reviewed_by == expert and item.reviewed_at is not None
    task = DBTaskResult.objects.get()
    assert task.task_path == "medcode.consult.tasks.process_inquiry"
    assert task.args_kwargs["args"] == [item.pk]


def test_reject_needs_a_reason() -> None:
    item = pending(make_user("tess@team.test", plan="team"))
    client = logged_in(reviewer())
    response = client.post(f"/consult/queue/{item.pk}/reject/", {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    client.post(f"/consult/queue/{item.pk}/reject/", {"reason": "Send the op note."})
    item.refresh_from_db()
    assert item.kind == Kind.REJECTED and item.state == State.APPROVED


def test_the_account_page_lists_the_users_consults_only() -> None:
    tess = make_user("tess@team.test", plan="team")
    pending(tess, subject="My E11.9 question")
    other = make_user("other@clinic.test")
    pending(other, subject="Someone else's question")
    page = logged_in(tess).get("/account/").content.decode()
    assert "CaseConsultant emails" in page
    assert "My E11.9 question" in page and "waiting for expert review" in page
    assert "Someone else" not in page


def test_the_landing_page_names_the_address(settings: Any) -> None:
    page = Client().get("/consult/").content.decode()
    assert "consult@medcode.test" in page
