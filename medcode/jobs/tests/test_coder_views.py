"""Coders: open a posting, apply, save, report, subscribe to a search, unsubscribe."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from medcode.jobs import services, views
from medcode.jobs.models import Employer, Posting, Report, SavedJob, SavedSearch, Status
from medcode.jobs.tests.builders import make_posting
from medcode.jobs.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_posting_page_shows_the_posting_and_counts_the_view(client: Client) -> None:
    posting = make_posting(title="Pro-fee coder", credentials=("CPC", "CCS-P"))
    page = client.get(posting.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "Pro-fee coder" in body and "CCS-P" in body
    posting.refresh_from_db()
    assert posting.view_count == 1


def test_the_owner_and_staff_do_not_inflate_the_view_count(
    employer: Employer, employer_client: Client, staff_client: Client
) -> None:
    posting = make_posting(employer)
    employer_client.get(posting.get_absolute_url())
    staff_client.get(posting.get_absolute_url())
    posting.refresh_from_db()
    assert posting.view_count == 0


def test_a_wrong_or_missing_slug_redirects_to_the_canonical_address(client: Client) -> None:
    posting = make_posting(title="Risk Adjustment Coder")
    for path in (f"/jobs/{posting.pk}/", f"/jobs/{posting.pk}/old-title/"):
        response = client.get(path)
        assert response.status_code == 301
        assert response["Location"] == f"/jobs/{posting.pk}/risk-adjustment-coder/"


def test_a_title_that_reads_like_an_action_gets_a_safe_slug(client: Client) -> None:
    posting = make_posting(title="Apply")
    assert posting.get_absolute_url() == f"/jobs/{posting.pk}/apply-job/"
    assert client.get(posting.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PENDING])
def test_an_unreviewed_posting_is_hidden_from_the_public(client: Client, status: str) -> None:
    posting = make_posting(status=status)
    assert client.get(posting.get_absolute_url()).status_code == 404


def test_an_unreviewed_posting_is_visible_to_its_employer_and_staff(
    employer: Employer, employer_client: Client, staff_client: Client
) -> None:
    posting = make_posting(employer, status=Status.PENDING)
    for who in (employer_client, staff_client):
        page = who.get(posting.get_absolute_url())
        assert page.status_code == 200
        assert "Waiting for review" in page.content.decode()
        assert 'type="application/ld+json"' not in page.content.decode()


def test_a_closed_posting_says_so_and_offers_no_apply_button(client: Client) -> None:
    posting = make_posting(status=Status.CLOSED)
    body = client.get(posting.get_absolute_url()).content.decode()
    assert "no longer takes applications" in body
    assert reverse("jobs:apply", args=[posting.pk]) not in body
    assert '<meta name="robots" content="noindex">' in body
    assert client.get(reverse("jobs:apply", args=[posting.pk])).status_code == 404


def test_apply_counts_the_click_and_redirects_to_the_employers_link(client: Client) -> None:
    posting = make_posting(apply_url="https://careers.example.org/jobs/9?src=medcode")
    response = client.get(reverse("jobs:apply", args=[posting.pk]))
    assert response.status_code == 302
    assert response["Location"] == "https://careers.example.org/jobs/9?src=medcode"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    posting.refresh_from_db()
    assert posting.apply_count == 1


def test_apply_by_email_opens_a_mail_to_the_employer(client: Client) -> None:
    posting = make_posting(apply_url="", apply_email="jobs@lakeside.example", title="Coder II")
    response = client.get(reverse("jobs:apply", args=[posting.pk]))
    assert response.status_code == 302
    assert response["Location"] == (
        "mailto:jobs@lakeside.example?subject=Application%3A%20Coder%20II%20%28Lakeside%20Health%29"
    )


def test_apply_never_redirects_to_a_javascript_link_slipped_into_the_database(
    client: Client,
) -> None:
    posting = make_posting()
    Posting.objects.filter(pk=posting.pk).update(apply_url="javascript:alert(1)")
    assert client.get(reverse("jobs:apply", args=[posting.pk])).status_code == 404


def test_counters_add_in_the_database_so_no_click_is_lost(employer: Employer) -> None:
    posting = make_posting(employer)
    with CaptureQueriesContext(connection) as queries:
        services.record_apply(posting_id=posting.pk)
    assert '"apply_count" = ("jobs_posting"."apply_count" + 1)' in queries[0]["sql"]
    # Views counted while the employer had the edit form open survive the employer's save.
    services.record_view(posting_id=posting.pk)
    services.save_posting(
        employer=employer,
        posting=posting,  # read before the view above
        fields={"title": "Renamed"},
        credentials=["CPC"],
        submit=True,
    )
    posting.refresh_from_db()
    assert (posting.view_count, posting.apply_count, posting.title) == (1, 1, "Renamed")


def test_a_coder_saves_and_unsaves_a_job(coder: Any, coder_client: Client) -> None:
    posting = make_posting()
    response = coder_client.post(reverse("jobs:save", args=[posting.pk]))
    assert response.status_code == 302
    assert SavedJob.objects.filter(user=coder, posting=posting).exists()
    coder_client.post(reverse("jobs:save", args=[posting.pk]))
    assert SavedJob.objects.filter(user=coder).count() == 1
    page = coder_client.get(reverse("jobs:saved"))
    assert posting.title in page.content.decode()
    coder_client.post(reverse("jobs:unsave", args=[posting.pk]))
    assert not SavedJob.objects.filter(user=coder).exists()


def test_saving_needs_a_sign_in_and_a_post(client: Client, coder_client: Client) -> None:
    posting = make_posting()
    assert client.post(reverse("jobs:save", args=[posting.pk])).status_code == 302
    assert coder_client.get(reverse("jobs:save", args=[posting.pk])).status_code == 405
    assert not SavedJob.objects.exists()


def test_save_only_returns_to_a_page_on_this_site(coder_client: Client) -> None:
    posting = make_posting()
    response = coder_client.post(
        reverse("jobs:save", args=[posting.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == posting.get_absolute_url()


def test_a_coder_reports_a_posting_once(coder: Any, coder_client: Client) -> None:
    posting = make_posting()
    url = reverse("jobs:report", args=[posting.pk])
    assert coder_client.get(url).status_code == 200
    coder_client.post(url, {"reason": "scam", "details": "Asks for a $50 fee"})
    coder_client.post(url, {"reason": "spam", "details": ""})
    report = Report.objects.get()
    assert (report.reporter, report.reason) == (coder, "spam")


@pytest.mark.parametrize("status", [Status.PENDING, Status.REMOVED])
def test_the_report_form_of_a_posting_the_public_cannot_see_is_a_404(
    coder_client: Client, status: str
) -> None:
    # It used to show the title and company of a pending posting to any signed-in user.
    posting = make_posting(status=status, title="Unreviewed title")
    response = coder_client.get(reverse("jobs:report", args=[posting.pk]))
    assert response.status_code == 404
    assert b"Unreviewed title" not in response.content


def test_a_report_with_an_unknown_reason_is_refused(coder_client: Client) -> None:
    posting = make_posting()
    response = coder_client.post(reverse("jobs:report", args=[posting.pk]), {"reason": "meh"})
    assert response.status_code == 200
    assert not Report.objects.exists()


def test_a_coder_subscribes_to_a_search(coder: Any, coder_client: Client) -> None:
    url = reverse("jobs:alert_new") + "?q=auditor&mode=remote&credential=CPMA&salary=60000"
    response = coder_client.post(url, {"frequency": "daily"})
    assert response.status_code == 302
    assert response["Location"].startswith("/jobs/?")
    alert = SavedSearch.objects.get(user=coder)
    assert alert.query == "auditor"
    assert alert.filters == {"mode": ["remote"], "credential": ["CPMA"], "salary": ["60000"]}
    assert alert.frequency == "daily"
    # The same search again changes the frequency instead of adding a twin.
    coder_client.post(url, {"frequency": "weekly"})
    assert SavedSearch.objects.get(user=coder).frequency == "weekly"


def test_an_alert_with_an_unknown_frequency_is_refused(coder_client: Client) -> None:
    coder_client.post(reverse("jobs:alert_new") + "?q=x", {"frequency": "hourly"})
    assert not SavedSearch.objects.exists()


def test_a_coder_can_delete_only_their_own_alert(coder: Any, coder_client: Client) -> None:
    from medcode.jobs.search import JobQuery
    from tests.users import make_user

    other = make_user("someone")
    theirs = services.create_alert(user=other, query=JobQuery(words="x"), frequency="daily")
    assert coder_client.post(reverse("jobs:alert_delete", args=[theirs.pk])).status_code == 404
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()


def test_the_unsubscribe_link_works_without_signing_in(client: Client, coder: Any) -> None:
    from medcode.jobs.search import JobQuery

    alert = services.create_alert(user=coder, query=JobQuery(words="coder"), frequency="daily")
    url = reverse("jobs:unsubscribe", args=[services.unsubscribe_token(alert)])
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop the daily emails" in page.content.decode()
    alert.refresh_from_db()
    assert alert.is_active  # a GET (a mail scanner) changes nothing
    done = client.post(url)
    assert done.status_code == 200
    assert views.UNSUBSCRIBED.format(label="“coder”") in done.content.decode()
    alert.refresh_from_db()
    assert not alert.is_active


@pytest.mark.parametrize("token", ["1:forged:signature", "nonsense", "1"])
def test_a_forged_unsubscribe_link_is_refused(client: Client, coder: Any, token: str) -> None:
    from medcode.jobs.search import JobQuery

    alert = services.create_alert(user=coder, query=JobQuery(), frequency="daily")
    response = client.post(reverse("jobs:unsubscribe", args=[token]))
    assert response.status_code == 404
    assert views.BAD_UNSUBSCRIBE_LINK in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_active


def test_an_unsubscribe_link_for_one_alert_cannot_stop_another(client: Client, coder: Any) -> None:
    from medcode.jobs.search import JobQuery

    mine = services.create_alert(user=coder, query=JobQuery(words="a"), frequency="daily")
    other = services.create_alert(user=coder, query=JobQuery(words="b"), frequency="daily")
    token = services.unsubscribe_token(mine)
    tampered = token.replace(f"{mine.pk}:", f"{other.pk}:", 1)
    assert client.post(reverse("jobs:unsubscribe", args=[tampered])).status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_another_users_client_sees_their_own_saved_page(coder: Any) -> None:
    from tests.users import make_user

    posting = make_posting(title="Only mine")
    services.save_job(user=coder, posting=posting)
    other = client_for(make_user("neighbour"))
    assert "Only mine" not in other.get(reverse("jobs:saved")).content.decode()
