"""Small builders for CareerCenter tests: employers and postings in any state (the users are
tests/users.py's cast)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from medcode.jobs import services
from medcode.jobs.models import Employer, Posting, Status
from tests.users import make_user, staff_user


def make_employer(
    name: str = "hiring", *, company: str = "Lakeside Health", verified: bool = False
) -> Employer:
    employer = services.become_employer(user=make_user(name), company=company)
    if verified:
        employer.is_verified = True
        employer.save()
    return employer


def posting_fields(**overrides: Any) -> dict[str, Any]:
    """The fields of a valid posting, as the service takes them."""
    fields: dict[str, Any] = {
        "title": "Remote inpatient coder",
        "company": "Lakeside Health",
        "city": "Austin",
        "state": "TX",
        "work_mode": "remote",
        "employment_type": "full_time",
        "specialty": "inpatient",
        "experience_years": 2,
        "salary_min": Decimal("55000"),
        "salary_max": Decimal("68000"),
        "salary_period": "year",
        "description": "Code **inpatient** stays with ICD-10-CM and ICD-10-PCS.",
        "apply_url": "https://careers.example.org/jobs/123",
        "apply_email": "",
        "expires_on": timezone.localdate() + dt.timedelta(days=30),
    }
    fields.update(overrides)
    return fields


def form_data(**overrides: Any) -> dict[str, Any]:
    """The same posting as the employer's form posts it."""
    fields = posting_fields()
    data: dict[str, Any] = {
        k: ("" if v is None else str(v)) for k, v in fields.items() if k != "expires_on"
    }
    data["expires_on"] = fields["expires_on"].isoformat()
    data["credentials"] = ["CPC", "CCS"]
    data["action"] = "submit"
    data.update(overrides)
    return data


def make_posting(
    employer: Employer | None = None,
    *,
    status: str = Status.LIVE,
    credentials: tuple[str, ...] = ("CPC",),
    posted_at: dt.datetime | None = None,
    **overrides: Any,
) -> Posting:
    """A posting through the real services (so derived fields are right), then put in
    `status`; a live one is approved by a staff member."""
    employer = employer or make_employer(f"employer{Employer.objects.count() + 1}")
    posting = services.save_posting(
        employer=employer,
        fields=posting_fields(**overrides),
        credentials=list(credentials),
        submit=status != Status.DRAFT,
    )
    if status in {Status.LIVE, Status.CLOSED, Status.EXPIRED, Status.REMOVED}:
        posting = services.approve_posting(actor=staff_user(), posting=posting, now=posted_at)
    if status in {Status.CLOSED, Status.EXPIRED, Status.REMOVED}:
        Posting.objects.filter(pk=posting.pk).update(status=status)
        posting.refresh_from_db()
    return posting
