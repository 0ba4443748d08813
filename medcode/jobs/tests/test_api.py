"""GET /api/v1/jobs and /api/v1/jobs/{id}: the JSON twins of the search page and a posting."""

from __future__ import annotations

import pytest
from django.test import Client

from medcode.jobs.models import Status
from medcode.jobs.tests.builders import make_posting

pytestmark = pytest.mark.django_db


@pytest.fixture
def postings() -> dict[str, int]:
    return {
        "remote": make_posting(
            title="Remote CPC coder", work_mode="remote", credentials=("CPC", "CRC")
        ).pk,
        "onsite": make_posting(
            title="Onsite CCS coder", work_mode="onsite", credentials=("CCS",)
        ).pk,
        "pending": make_posting(title="Pending coder", status=Status.PENDING).pk,
    }


def test_the_api_searches_with_the_pages_filters(client: Client, postings: dict[str, int]) -> None:
    response = client.get("/api/v1/jobs", {"q": "coder", "mode": "remote", "credential": "CRC"})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["pages"], body["next"]) == (1, 1, 1, None)
    (job,) = body["results"]
    assert job["id"] == postings["remote"]
    assert job["credentials"] == ["CPC", "CRC"]
    assert job["url"] == f"http://testserver/jobs/{job['id']}/remote-cpc-coder/"
    assert job["apply_url"] == f"http://testserver/jobs/{job['id']}/apply/"
    assert (job["salary_min"], job["salary_max"], job["salary_period"]) == (
        55000.0,
        68000.0,
        "year",
    )


def test_the_api_and_the_page_agree(client: Client, postings: dict[str, int]) -> None:
    params: dict[str, str | list[str]] = {
        "q": "coder",
        "mode": ["remote", "onsite"],
        "sort": "salary",
    }
    page = client.get("/jobs/", params)
    api = client.get("/api/v1/jobs", params).json()
    assert [p.pk for p in page.context["page"].object_list] == [j["id"] for j in api["results"]]


def test_the_api_pages_with_links(client: Client, postings: dict[str, int]) -> None:
    body = client.get("/api/v1/jobs", {"page_size": "1", "q": "coder"}).json()
    assert (body["count"], body["pages"], len(body["results"])) == (2, 2, 1)
    assert body["next"] == "http://testserver/api/v1/jobs?q=coder&page=2&page_size=1"
    second = client.get(body["next"]).json()
    assert second["previous"] is not None and second["next"] is None


@pytest.mark.parametrize(
    "params",
    [{"mode": "underwater"}, {"page": "0"}, {"page_size": "1000"}, {"salary": "lots"},
     {"sort": "random"}, {"credential": "PHD"}, {"state": "ZZ"}, {"experience": "-1"}],
)  # fmt: skip
def test_bad_parameters_get_a_422_in_the_house_shape(
    client: Client, postings: dict[str, int], params: dict[str, str]
) -> None:
    response = client.get("/api/v1/jobs", params)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The request is not valid; see errors."
    assert body["errors"] and all("loc" in e and "msg" in e for e in body["errors"])


def test_one_job_as_json_with_its_sanitised_description(client: Client) -> None:
    posting = make_posting(description="Hi <script>alert(1)</script> [x](javascript:alert(2))")
    body = client.get(f"/api/v1/jobs/{posting.pk}").json()
    assert body["title"] == posting.title
    assert (
        "<script" not in body["description_html"] and "javascript:" not in body["description_html"]
    )


def test_a_job_that_is_not_live_is_not_found(client: Client, postings: dict[str, int]) -> None:
    response = client.get(f"/api/v1/jobs/{postings['pending']}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_the_openapi_document_lists_the_jobs_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/jobs" in paths and "/api/v1/jobs/{job_id}" in paths
    names = {p["name"] for p in paths["/api/v1/jobs"]["get"]["parameters"]}
    assert {"q", "mode", "credential", "salary", "sort", "page"} <= names
