"""Employers: who may post, edit and close, the daily limit, and the dashboard figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from medcode.jobs import employer_views, forms, services
from medcode.jobs.models import Employer, Posting, Status
from medcode.jobs.tests.builders import form_data, make_posting

pytestmark = pytest.mark.django_db


def test_a_guest_is_sent_to_sign_in_before_posting(client: Client) -> None:
    response = client.get(reverse("jobs:post"))
    assert response.status_code == 302
    assert "next=/jobs/post/" in response["Location"]


def test_a_signed_in_non_employer_cannot_post(coder_client: Client) -> None:
    page = coder_client.get(reverse("jobs:post"))
    assert page.status_code == 403
    assert employer_views.NOT_AN_EMPLOYER in page.content.decode()
    response = coder_client.post(reverse("jobs:post"), form_data())
    assert response.status_code == 403
    assert Posting.objects.count() == 0


def test_a_non_employer_sees_no_dashboard(coder_client: Client) -> None:
    assert coder_client.get(reverse("jobs:employer")).status_code == 403


def test_taking_the_employer_role_lets_a_user_post(coder_client: Client, coder: Any) -> None:
    response = coder_client.post(
        reverse("jobs:employer_join"), {"company": "Coder Co", "website": "coderco.example"}
    )
    assert response.status_code == 302
    employer = Employer.objects.get(user=coder)
    assert (employer.company, employer.website, employer.is_verified) == (
        "Coder Co",
        "https://coderco.example",
        False,
    )
    assert coder_client.get(reverse("jobs:post")).status_code == 200


def test_the_employer_role_refuses_a_javascript_website(coder_client: Client) -> None:
    response = coder_client.post(
        reverse("jobs:employer_join"), {"company": "X", "website": "javascript:alert(1)"}
    )
    assert response.status_code == 200
    assert forms.APPLY_URL_SCHEME in response.content.decode()
    assert not Employer.objects.exists()


def test_an_employer_posts_a_job_that_waits_for_review(
    employer_client: Client, employer: Employer
) -> None:
    response = employer_client.post(reverse("jobs:post"), form_data())
    assert response.status_code == 302
    posting = Posting.objects.get()
    assert posting.employer == employer
    assert posting.status == Status.PENDING
    assert sorted(c.credential for c in posting.credentials.all()) == ["CCS", "CPC"]
    assert (posting.annual_salary_min, posting.annual_salary_max) == (55000, 68000)


def test_an_employer_can_keep_a_draft(employer_client: Client) -> None:
    employer_client.post(reverse("jobs:post"), form_data(action="draft"))
    assert Posting.objects.get().status == Status.DRAFT


def test_hourly_pay_is_compared_as_a_year_of_2080_hours(employer_client: Client) -> None:
    employer_client.post(
        reverse("jobs:post"), form_data(salary_min="25", salary_max="31.50", salary_period="hour")
    )
    posting = Posting.objects.get()
    assert (posting.annual_salary_min, posting.annual_salary_max) == (52000, 65520)


def test_a_refused_form_answers_400_with_the_messages(employer_client: Client) -> None:
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = employer_client.post(
        reverse("jobs:post"),
        form_data(salary_min="90000", salary_max="100", expires_on=past, apply_url="data:,x"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for message in (forms.SALARY_MIN_ABOVE_MAX, forms.EXPIRY_NOT_IN_FUTURE, forms.APPLY_URL_SCHEME):
        assert message in body
    assert Posting.objects.count() == 0


def test_the_honeypot_keeps_a_bot_post_out(employer_client: Client) -> None:
    response = employer_client.post(reverse("jobs:post"), form_data(homepage="buy pills"))
    assert response.status_code == 400
    assert forms.HONEYPOT_FILLED in response.content.decode()
    assert Posting.objects.count() == 0


def test_the_honeypot_is_hidden_from_people(employer_client: Client) -> None:
    body = employer_client.get(reverse("jobs:post")).content.decode()
    assert '<div class="hp-field" aria-hidden="true">' in body
    assert 'name="homepage"' in body and 'tabindex="-1"' in body


def test_an_employer_may_post_only_so_many_jobs_a_day(
    employer_client: Client, settings: Any
) -> None:
    settings.MEDCODE_JOBS_POSTS_PER_DAY = 2
    for _ in range(2):
        assert employer_client.post(reverse("jobs:post"), form_data()).status_code == 302
    response = employer_client.post(reverse("jobs:post"), form_data())
    assert response.status_code == 400
    assert services.POSTING_LIMIT_REACHED.format(limit=2) in response.content.decode()
    assert Posting.objects.count() == 2


def test_the_daily_limit_counts_only_the_last_24_hours(employer: Employer, settings: Any) -> None:
    settings.MEDCODE_JOBS_POSTS_PER_DAY = 1
    old = make_posting(employer)
    Posting.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    make_posting(employer)
    with pytest.raises(services.JobsError):
        make_posting(employer)


def test_an_employer_cannot_open_someone_elses_posting_for_editing(
    employer_client: Client, other_employer: Employer
) -> None:
    theirs = make_posting(other_employer)
    assert employer_client.get(reverse("jobs:edit", args=[theirs.pk])).status_code == 404


def test_an_employer_cannot_change_someone_elses_posting(
    employer_client: Client, other_employer: Employer
) -> None:
    theirs = make_posting(other_employer, title="Their job")
    response = employer_client.post(
        reverse("jobs:edit", args=[theirs.pk]), form_data(title="Hijacked")
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) == ("Their job", Status.LIVE)


def test_an_employer_cannot_close_someone_elses_posting(
    employer_client: Client, other_employer: Employer
) -> None:
    theirs = make_posting(other_employer)
    assert employer_client.post(reverse("jobs:close", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.LIVE


def test_the_service_refuses_someone_elses_posting_too(
    employer: Employer, other_employer: Employer
) -> None:
    theirs = make_posting(other_employer)
    with pytest.raises(Posting.DoesNotExist):
        services.save_posting(
            employer=employer, posting=theirs, fields={"title": "x"}, credentials=[], submit=True
        )


def test_editing_a_live_posting_sends_it_back_for_review(
    employer_client: Client, employer: Employer
) -> None:
    posting = make_posting(employer)
    employer_client.post(reverse("jobs:edit", args=[posting.pk]), form_data(title="Changed"))
    posting.refresh_from_db()
    assert (posting.title, posting.status) == ("Changed", Status.PENDING)


def test_a_new_closing_date_alone_keeps_a_posting_live(
    employer_client: Client, employer: Employer
) -> None:
    posting = make_posting(employer, credentials=("CPC", "CCS"))
    later = timezone.localdate() + dt.timedelta(days=60)
    employer_client.post(
        reverse("jobs:edit", args=[posting.pk]), form_data(expires_on=later.isoformat())
    )
    posting.refresh_from_db()
    assert (posting.expires_on, posting.status) == (later, Status.LIVE)


def test_a_verified_employers_edit_stays_live(employer_client: Client, employer: Employer) -> None:
    employer.is_verified = True
    employer.save()
    posting = make_posting(employer)
    employer_client.post(reverse("jobs:edit", args=[posting.pk]), form_data(title="Changed"))
    posting.refresh_from_db()
    assert (posting.title, posting.status) == ("Changed", Status.LIVE)


def test_an_employer_closes_a_posting_and_cannot_edit_it_after(
    employer_client: Client, employer: Employer
) -> None:
    posting = make_posting(employer)
    assert employer_client.post(reverse("jobs:close", args=[posting.pk])).status_code == 302
    posting.refresh_from_db()
    assert posting.status == Status.CLOSED
    response = employer_client.post(reverse("jobs:edit", args=[posting.pk]), form_data())
    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.status == Status.CLOSED


def test_the_dashboard_shows_views_and_apply_clicks(
    employer_client: Client, employer: Employer, client: Client
) -> None:
    posting = make_posting(employer, title="Outpatient coder")
    for _ in range(3):
        client.get(posting.get_absolute_url())
    client.get(reverse("jobs:apply", args=[posting.pk]))
    page = employer_client.get(reverse("jobs:employer"))
    assert page.status_code == 200
    assert page.context["totals"] == {"views": 3, "applies": 1, "live": 1}
    (row,) = page.context["postings"]
    assert (row.view_count, row.apply_count) == (3, 1)
