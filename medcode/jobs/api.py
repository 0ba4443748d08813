"""GET /api/v1/jobs and /api/v1/jobs/{id}: the JSON twins of /jobs/ and a posting page.

The parameters are the search page's (read by the same SearchForm), and the results come
from the same `find_postings`, so the page and the API never disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from ninja import Field, Query, Router, Schema

from medcode.api.errors import INVALID_INPUT, ApiError, ErrorOut
from medcode.jobs.descriptions import render_description, summarise
from medcode.jobs.forms import parse_search
from medcode.jobs.models import Posting
from medcode.jobs.search import MAX_PAGE_SIZE, PAGE_SIZE, find_postings, page_of

router = Router(tags=["jobs"])


class JobSearchIn(Schema):
    q: str = Field("", description="words in the title, company or description")
    city: str = Field("", description="city, exact (any case)")
    state: str = Field("", description="two-letter US state code")
    mode: list[Literal["remote", "hybrid", "onsite"]] = Field([], description="work modes")
    type: list[str] = Field([], description="employment types (full_time, part_time, ...)")
    credential: list[str] = Field([], description="credentials asked for (CPC, CCS-P, ...)")
    specialty: list[str] = Field([], description="specialties (inpatient, profee, ...)")
    experience: int | None = Field(None, description="my years: postings asking at most this")
    salary: int | None = Field(None, description="postings paying at least this a year (USD)")
    sort: Literal["newest", "salary"] = "newest"
    page: int = Field(1, ge=1)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class JobOut(Schema):
    id: int
    url: str
    apply_url: str = Field(description="counts the click, then redirects to the employer")
    title: str
    company: str
    is_verified_employer: bool
    city: str
    state: str
    location: str
    work_mode: str
    employment_type: str
    specialty: str
    credentials: list[str]
    experience_years: int
    salary_min: float | None
    salary_max: float | None
    salary_period: str
    posted_at: dt.datetime | None
    expires_on: dt.date
    summary: str


class JobDetailOut(JobOut):
    description_html: str = Field(description="the Markdown description, rendered and sanitised")


class JobPageOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[JobOut]


def job_out(request: HttpRequest, posting: Posting) -> dict[str, Any]:
    return {
        "id": posting.pk,
        "url": request.build_absolute_uri(posting.get_absolute_url()),
        "apply_url": request.build_absolute_uri(reverse("jobs:apply", args=[posting.pk])),
        "title": posting.title,
        "company": posting.company,
        "is_verified_employer": posting.employer.is_verified,
        "city": posting.city,
        "state": posting.state,
        "location": posting.location,
        "work_mode": posting.work_mode,
        "employment_type": posting.employment_type,
        "specialty": posting.specialty,
        "credentials": [c.credential for c in posting.credentials.all()],
        "experience_years": posting.experience_years,
        "salary_min": float(posting.salary_min) if posting.salary_min is not None else None,
        "salary_max": float(posting.salary_max) if posting.salary_max is not None else None,
        "salary_period": posting.salary_period,
        "posted_at": posting.posted_at,
        "expires_on": posting.expires_on,
        "summary": summarise(posting.description),
    }


@router.get("", response={200: JobPageOut, 422: ErrorOut}, summary="Search job postings")
def search_jobs(request: HttpRequest, filters: Query[JobSearchIn]) -> dict[str, Any]:
    data = filters.model_dump(exclude={"page", "page_size"})
    params = MultiValueDict(
        {
            k: [str(x) for x in v] if isinstance(v, list) else ([] if v in ("", None) else [str(v)])
            for k, v in data.items()
        }
    )
    query, form = parse_search(params)
    if form.errors:
        errors = [
            {"type": "value_error", "loc": ["query", field], "msg": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
        raise ApiError(422, INVALID_INPUT, errors=errors)
    page = page_of(find_postings(query), filters.page, size=filters.page_size)

    def link(number: int) -> str:
        pairs = [*query.to_params(), ("page", str(number)), ("page_size", str(filters.page_size))]
        return request.build_absolute_uri(f"{request.path}?{urlencode(pairs)}")

    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "page_size": filters.page_size,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "results": [job_out(request, p) for p in page.object_list],
    }


@router.get("/{job_id}", response={200: JobDetailOut, 404: ErrorOut}, summary="One job posting")
def get_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    posting = get_object_or_404(
        Posting.objects.live().select_related("employer").prefetch_related("credentials"),
        pk=job_id,
    )
    return {
        **job_out(request, posting),
        "description_html": str(render_description(posting.description)),
    }
