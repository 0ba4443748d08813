"""Forms: what employers post, what coders search for, report and subscribe to.

Error messages are module constants so the tests assert the exact words users see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from medcode.jobs.models import (
    US_STATES,
    Credential,
    Employer,
    EmploymentType,
    Frequency,
    Posting,
    ReportReason,
    Specialty,
    WorkMode,
)
from medcode.jobs.search import MAX_QUERY_CHARS, SORTS, JobQuery

MAX_DESCRIPTION_CHARS = 20_000
MAX_POSTING_DAYS = 90
DEFAULT_POSTING_DAYS = 30
MAX_SALARY = 9_999_999

SALARY_MIN_ABOVE_MAX = "The minimum salary is above the maximum."
EXPIRY_NOT_IN_FUTURE = "The closing date must be after today."
EXPIRY_TOO_FAR = (
    "A posting can run for at most {days} days: pick a closing date on or before {last}."
)
APPLY_URL_SCHEME = "The application link must be a web address starting with http:// or https://."
APPLY_ROUTE_MISSING = "Give an application link or an email address for applications."
DESCRIPTION_TOO_LONG = (
    "The description is too long: %(show_value)d characters where the limit is %(limit_value)d."
    " Shorten it or link to the full description."
)
HONEYPOT_FILLED = "This form could not be accepted. Please try again without autofill."
HONEYPOT_FIELD = "homepage"


class HttpUrlField(forms.URLField):
    """A URL field that takes only http and https (never javascript:, data: or ftp:)."""

    default_validators = [URLValidator(schemes=["http", "https"], message=APPLY_URL_SCHEME)]  # noqa: RUF012
    default_error_messages = {"invalid": APPLY_URL_SCHEME}  # noqa: RUF012


class PostingForm(forms.ModelForm[Posting]):
    credentials = forms.MultipleChoiceField(
        choices=Credential.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Credentials asked for",
    )
    description = forms.CharField(
        max_length=MAX_DESCRIPTION_CHARS,
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"max_length": DESCRIPTION_TOO_LONG},
        help_text="Markdown: **bold**, *italics*, lists, links. HTML is removed.",
    )
    apply_url = HttpUrlField(
        required=False, assume_scheme="https", max_length=500, label="Application link"
    )
    salary_min = forms.DecimalField(
        required=False, min_value=0, max_value=MAX_SALARY, decimal_places=2, label="Salary from"
    )
    salary_max = forms.DecimalField(
        required=False, min_value=0, max_value=MAX_SALARY, decimal_places=2, label="Salary to"
    )
    experience_years = forms.IntegerField(
        min_value=0, max_value=50, initial=0, label="Years of experience asked for"
    )
    expires_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Closing date",
        help_text=f"At most {MAX_POSTING_DAYS} days from today; you are told beforehand.",
    )
    # A field people never see (hidden by CSS, skipped by keyboard and screen readers).
    homepage = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Posting
        fields = (
            "title",
            "company",
            "city",
            "state",
            "work_mode",
            "employment_type",
            "specialty",
            "experience_years",
            "salary_min",
            "salary_max",
            "salary_period",
            "description",
            "apply_url",
            "apply_email",
            "expires_on",
        )
        labels: ClassVar[dict[str, str]] = {"apply_email": "Application email"}

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if self.instance.pk is not None:
            self.initial.setdefault(
                "credentials", [c.credential for c in self.instance.credentials.all()]
            )
        else:
            self.initial.setdefault("expires_on", self.today + dt.timedelta(DEFAULT_POSTING_DAYS))

    def clean_expires_on(self) -> dt.date:
        expires: dt.date = self.cleaned_data["expires_on"]
        if expires <= self.today:
            raise forms.ValidationError(EXPIRY_NOT_IN_FUTURE)
        last = self.today + dt.timedelta(MAX_POSTING_DAYS)
        if expires > last:
            raise forms.ValidationError(
                EXPIRY_TOO_FAR.format(days=MAX_POSTING_DAYS, last=last.isoformat())
            )
        return expires

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get(HONEYPOT_FIELD):
            # Said at the top of the form: the field itself is invisible to people.
            self.add_error(None, HONEYPOT_FILLED)
        for name in ("title", "company", "city"):
            if isinstance(data.get(name), str):
                data[name] = " ".join(data[name].split())
        low, high = data.get("salary_min"), data.get("salary_max")
        if low is not None and high is not None and low > high:
            self.add_error("salary_min", SALARY_MIN_ABOVE_MAX)
        has_route = data.get("apply_url") or data.get("apply_email")
        route_errors = self.has_error("apply_url") or self.has_error("apply_email")
        if not has_route and not route_errors:
            self.add_error("apply_url", APPLY_ROUTE_MISSING)
        return data


class EmployerForm(forms.ModelForm[Employer]):
    website = HttpUrlField(required=False, assume_scheme="https", max_length=300)

    class Meta:
        model = Employer
        fields = ("company", "website")
        labels: ClassVar[dict[str, str]] = {"company": "Company or practice name"}


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=ReportReason.choices, widget=forms.RadioSelect)
    details = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AlertForm(forms.Form):
    frequency = forms.ChoiceField(choices=Frequency.choices, initial=Frequency.WEEKLY)


def _short_choices(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(value, value) for value, _ in choices]


class SearchForm(forms.Form):
    """The search box and filters, as GET parameters (the page, feeds, API, saved searches)."""

    q = forms.CharField(required=False, max_length=MAX_QUERY_CHARS, label="Words")
    city = forms.CharField(required=False, max_length=80)
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *US_STATES])
    mode = forms.MultipleChoiceField(
        required=False,
        choices=WorkMode.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Work mode",
    )
    type = forms.MultipleChoiceField(
        required=False,
        choices=EmploymentType.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Employment type",
    )
    credential = forms.MultipleChoiceField(
        required=False,
        choices=_short_choices(Credential.choices),
        widget=forms.CheckboxSelectMultiple,
        label="Credential",
    )
    specialty = forms.MultipleChoiceField(
        required=False,
        choices=Specialty.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    experience = forms.IntegerField(
        required=False, min_value=0, max_value=50, label="My years of experience"
    )
    salary = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_SALARY, label="Pays at least (a year, $)"
    )
    sort = forms.ChoiceField(
        required=False, choices=[(s, s.capitalize()) for s in SORTS], initial="newest"
    )

    def to_query(self) -> JobQuery:
        """The query from the fields that are valid (a bad field is ignored, and shown)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        sort = data.get("sort") or "newest"
        return JobQuery(
            words=" ".join((data.get("q") or "").split()),
            city=(data.get("city") or "").strip(),
            state=data.get("state") or "",
            work_modes=tuple(data.get("mode") or ()),
            employment_types=tuple(data.get("type") or ()),
            credentials=tuple(data.get("credential") or ()),
            specialties=tuple(data.get("specialty") or ()),
            max_experience=data.get("experience"),
            min_salary=data.get("salary"),
            sort="salary" if sort == "salary" else "newest",
        )


def parse_search(
    data: MultiValueDict[str, str] | Mapping[str, list[str]],
) -> tuple[JobQuery, SearchForm]:
    """Read a search from GET parameters or a saved search's stored fields (name -> values)."""
    form = SearchForm(data if isinstance(data, MultiValueDict) else MultiValueDict(dict(data)))
    form.is_valid()
    return form.to_query(), form
