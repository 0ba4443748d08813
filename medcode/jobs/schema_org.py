"""schema.org JobPosting for a posting page (what job search engines read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from medcode.jobs.descriptions import render_description
from medcode.jobs.models import EmploymentType, Posting, SalaryPeriod, WorkMode

EMPLOYMENT_TYPES = {
    EmploymentType.FULL_TIME: "FULL_TIME",
    EmploymentType.PART_TIME: "PART_TIME",
    EmploymentType.CONTRACT: "CONTRACTOR",
    EmploymentType.TEMPORARY: "TEMPORARY",
    EmploymentType.PER_DIEM: "PER_DIEM",
    EmploymentType.INTERNSHIP: "INTERN",
}
UNITS = {SalaryPeriod.HOUR: "HOUR", SalaryPeriod.MONTH: "MONTH", SalaryPeriod.YEAR: "YEAR"}


def job_posting(posting: Posting, *, url: str) -> dict[str, Any]:
    """The JobPosting object; every string is the employer's text, escaped by the caller."""
    credentials = [c.credential for c in posting.credentials.all()]
    closes = dt.datetime.combine(posting.expires_on, dt.time(23, 59, 59))
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": posting.title,
        "description": str(render_description(posting.description)),
        "datePosted": timezone.localtime(posting.posted_at or posting.created_at).date(),
        "validThrough": timezone.make_aware(closes).isoformat(),
        "employmentType": EMPLOYMENT_TYPES[EmploymentType(posting.employment_type)],
        "hiringOrganization": {"@type": "Organization", "name": posting.company},
        "identifier": {"@type": "PropertyValue", "name": "medcode", "value": str(posting.pk)},
        "url": url,
        "directApply": False,
        "industry": "Medical coding",
        "occupationalCategory": "29-2072.00 Medical Records Specialists",
    }
    if posting.employer.is_verified and posting.employer.website:
        data["hiringOrganization"]["sameAs"] = posting.employer.website
    if posting.work_mode == WorkMode.REMOTE:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": "USA"}
    if posting.city or posting.state or posting.work_mode != WorkMode.REMOTE:
        address = {"@type": "PostalAddress", "addressCountry": "US"}
        if posting.city:
            address["addressLocality"] = posting.city
        if posting.state:
            address["addressRegion"] = posting.state
        data["jobLocation"] = {"@type": "Place", "address": address}
    if posting.salary_min is not None or posting.salary_max is not None:
        value: dict[str, Any] = {
            "@type": "QuantitativeValue",
            "unitText": UNITS[SalaryPeriod(posting.salary_period)],
        }
        if posting.salary_min is not None:
            value["minValue"] = float(posting.salary_min)
        if posting.salary_max is not None:
            value["maxValue"] = float(posting.salary_max)
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "USD", "value": value}
    if posting.experience_years:
        data["experienceRequirements"] = {
            "@type": "OccupationalExperienceRequirements",
            "monthsOfExperience": posting.experience_years * 12,
        }
    if credentials:
        data["qualifications"] = ", ".join(credentials)
    return data
