"""Bad input on the employer's posting form: each refused with the words users see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from medcode.jobs import forms
from medcode.jobs.forms import PostingForm
from medcode.jobs.models import Posting
from medcode.jobs.tests.builders import form_data

pytestmark = pytest.mark.django_db


def errors_of(**overrides: object) -> dict[str, list[str]]:
    form = PostingForm(data=form_data(**overrides))
    assert not form.is_valid()
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


def test_a_valid_posting_passes() -> None:
    form = PostingForm(data=form_data())
    assert form.is_valid(), form.errors


def test_it_refuses_a_minimum_salary_above_the_maximum() -> None:
    errors = errors_of(salary_min="90000", salary_max="60000")
    assert errors == {"salary_min": [forms.SALARY_MIN_ABOVE_MAX]}


def test_it_refuses_a_negative_salary() -> None:
    assert "salary_min" in errors_of(salary_min="-5")


@pytest.mark.parametrize("days", [0, -1, -400])
def test_it_refuses_a_closing_date_today_or_in_the_past(days: int) -> None:
    expires = timezone.localdate() + dt.timedelta(days=days)
    assert errors_of(expires_on=expires.isoformat()) == {"expires_on": [forms.EXPIRY_NOT_IN_FUTURE]}


def test_it_refuses_a_closing_date_beyond_the_longest_run() -> None:
    expires = timezone.localdate() + dt.timedelta(days=forms.MAX_POSTING_DAYS + 1)
    (message,) = errors_of(expires_on=expires.isoformat())["expires_on"]
    assert message.startswith(f"A posting can run for at most {forms.MAX_POSTING_DAYS} days")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "ftp://files.example.org/job.txt",
        "file:///etc/passwd",
        "http://",
    ],
)
def test_it_refuses_an_apply_link_that_is_not_http_or_https(url: str) -> None:
    assert errors_of(apply_url=url) == {"apply_url": [forms.APPLY_URL_SCHEME]}


def test_a_link_without_a_scheme_becomes_https() -> None:
    form = PostingForm(data=form_data(apply_url="careers.example.org/jobs/1"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["apply_url"] == "https://careers.example.org/jobs/1"


def test_it_needs_an_apply_link_or_an_apply_email() -> None:
    assert errors_of(apply_url="", apply_email="") == {"apply_url": [forms.APPLY_ROUTE_MISSING]}


def test_an_apply_email_alone_is_enough() -> None:
    form = PostingForm(data=form_data(apply_url="", apply_email="jobs@lakeside.example"))
    assert form.is_valid(), form.errors


def test_it_refuses_a_malformed_apply_email() -> None:
    assert "apply_email" in errors_of(apply_url="", apply_email="jobs@@lakeside")


def test_it_refuses_a_huge_description_with_a_clear_message() -> None:
    huge = "Coder wanted. " * 20_000  # 280,000 characters
    (message,) = errors_of(description=huge)["description"]
    assert message == forms.DESCRIPTION_TOO_LONG % {
        "show_value": len(huge.strip()),
        "limit_value": forms.MAX_DESCRIPTION_CHARS,
    }
    assert "too long" in message and f"{forms.MAX_DESCRIPTION_CHARS}" in message


def test_a_description_at_the_limit_passes() -> None:
    form = PostingForm(data=form_data(description="x" * forms.MAX_DESCRIPTION_CHARS))
    assert form.is_valid(), form.errors


def test_the_honeypot_field_refuses_a_bot_that_fills_it() -> None:
    errors = errors_of(homepage="http://spam.example")
    assert errors == {"__all__": [forms.HONEYPOT_FILLED]}


@pytest.mark.parametrize(
    ("field", "value"),
    [("work_mode", "underwater"), ("employment_type", "forever"), ("state", "ZZ"),
     ("specialty", "<script>"), ("credentials", ["CPC", "PHD"]), ("salary_period", "decade")],
)  # fmt: skip
def test_it_refuses_values_outside_the_choices(field: str, value: object) -> None:
    assert field in errors_of(**{field: value})


def test_single_line_fields_lose_their_line_breaks() -> None:
    form = PostingForm(data=form_data(title="Coder\r\nBcc: victim@example.com"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Coder Bcc: victim@example.com"


def test_nothing_is_saved_by_a_refused_form() -> None:
    errors_of(salary_min="90000", salary_max="1")
    assert Posting.objects.count() == 0
