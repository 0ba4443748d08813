"""What coders use: search, a posting, apply, save, alerts, reports, unsubscribe."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from medcode.jobs import queries, services
from medcode.jobs.descriptions import render_description
from medcode.jobs.forms import AlertForm, ReportForm, parse_search
from medcode.jobs.models import (
    PRIVATE_STATUSES,
    US_STATES,
    Credential,
    EmploymentType,
    Posting,
    SavedJob,
    Specialty,
    WorkMode,
)
from medcode.jobs.schema_org import job_posting
from medcode.jobs.search import SORTS, find_postings, page_of

ALERT_CREATED = "Alert saved: we email you new postings for {label} ({frequency})."
SAVED = "Saved. Your saved jobs are under “Saved jobs and alerts”."
REPORTED = "Thank you. Staff will look at this posting."
UNSUBSCRIBED = "You will get no more emails for the alert {label}."
BAD_UNSUBSCRIBE_LINK = "This unsubscribe link is not valid or has expired."


FILTER_CHOICES = {
    "states": US_STATES,
    "modes": WorkMode.choices,
    "types": EmploymentType.choices,
    "credentials": [(c.value, c.value) for c in Credential],
    "specialties": Specialty.choices,
    "sorts": [(s, s.capitalize()) for s in SORTS],
}


class MailtoRedirect(HttpResponseRedirect):
    allowed_schemes = ["mailto"]  # noqa: RUF012


def login_url() -> str:
    try:
        return resolve_url(settings.LOGIN_URL)
    except NoReverseMatch:
        return "/account/login/"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return redirect(target)


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    query, form = parse_search(request.GET)
    page = page_of(find_postings(query), request.GET.get("page"))
    saved = queries.saved_posting_ids(request.user, [p.pk for p in page.object_list])
    query_string = urlencode(query.to_params())
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "label": query.label,
        "page": page,
        "saved": saved,
        "query_string": query_string,
        "alert_form": AlertForm(),
        "feed_suffix": f"?{query_string}" if query_string else "",
        "login_url": login_url(),
        "filters": FILTER_CHOICES,
    }
    template = "jobs/search.html#results" if _is_htmx(request) else "jobs/search.html"
    return render(request, template, context)


@require_safe
def posting_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    posting = get_object_or_404(
        Posting.objects.select_related("employer").prefetch_related("credentials"), pk=pk
    )
    is_owner = queries.is_owner(request.user, posting)
    is_staff = bool(getattr(request.user, "is_staff", False))
    if posting.status in PRIVATE_STATUSES and not (is_owner or is_staff):
        raise Http404
    if slug != posting.slug:
        return redirect(posting, permanent=True)
    is_open = queries.is_open(posting)
    if is_open and not (is_owner or is_staff):
        services.record_view(posting_id=posting.pk)
    url = request.build_absolute_uri(posting.get_absolute_url())
    context = {
        "posting": posting,
        "description": render_description(posting.description),
        "json_ld": job_posting(posting, url=url) if is_open else None,
        "is_open": is_open,
        "is_owner": is_owner,
        "is_saved": queries.saved_posting_ids(request.user, [posting.pk]) != set(),
        "apply_host": urlsplit(posting.apply_url).hostname if posting.apply_url else "",
        "login_url": login_url(),
    }
    return render(request, "jobs/detail.html", context)


@require_safe
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Count the click, then hand over to the employer's link or the visitor's mail program."""
    posting = get_object_or_404(Posting.objects.live(), pk=pk)
    services.record_apply(posting_id=posting.pk)
    if posting.apply_url and urlsplit(posting.apply_url).scheme in {"http", "https"}:
        response: HttpResponse = HttpResponseRedirect(posting.apply_url)
    elif posting.apply_email:
        subject = quote(f"Application: {posting.title} ({posting.company})")
        response = MailtoRedirect(
            f"mailto:{quote(posting.apply_email, safe='@')}?subject={subject}"
        )
    else:
        raise Http404
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "origin"
    return response


@login_required
@require_POST
def save(request: HttpRequest, pk: int) -> HttpResponse:
    posting = get_object_or_404(Posting.objects.live(), pk=pk)
    if services.save_job(user=request.user, posting=posting):  # type: ignore[arg-type]
        messages.success(request, SAVED)
    return _back(request, posting.get_absolute_url())


@login_required
@require_POST
def unsave(request: HttpRequest, pk: int) -> HttpResponse:
    posting = get_object_or_404(Posting, pk=pk)
    services.unsave_job(user=request.user, posting=posting)  # type: ignore[arg-type]
    return _back(request, reverse("jobs:saved"))


@login_required
@require_safe
def saved_page(request: HttpRequest) -> HttpResponse:
    saved = (
        SavedJob.objects.filter(user=request.user)  # type: ignore[misc]
        .select_related("posting", "posting__employer")
        .order_by("-created_at")
    )
    alerts = queries.alerts_of(request.user)
    return render(request, "jobs/saved.html", {"saved": saved, "alerts": alerts})


@login_required
@require_POST
def create_alert(request: HttpRequest) -> HttpResponse:
    """Subscribe to the search in the query string (the search page's form posts here)."""
    query, _ = parse_search(request.GET)
    form = AlertForm(request.POST)
    search_url = reverse("jobs:search") + (f"?{request.GET.urlencode()}" if request.GET else "")
    if not form.is_valid():
        messages.error(request, "Pick how often you want the alert.")
        return redirect(search_url)
    try:
        alert = services.create_alert(
            user=request.user,  # type: ignore[arg-type]
            query=query,
            frequency=form.cleaned_data["frequency"],
        )
    except services.JobsError as error:
        messages.error(request, error.message)
        return redirect(search_url)
    messages.success(
        request,
        ALERT_CREATED.format(label=query.label, frequency=alert.get_frequency_display().lower()),
    )
    return redirect(search_url)


@login_required
@require_POST
def delete_alert(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.delete_alert(user=request.user, alert_id=pk):  # type: ignore[arg-type]
        raise Http404
    messages.success(request, "Alert deleted.")
    return redirect("jobs:saved")


# The signed token is the credential (it works from an email without signing in), and mail
# clients' one-click unsubscribe (RFC 8058) posts without a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    alert = services.alert_for_token(token)
    if alert is None:
        return render(request, "jobs/unsubscribe.html", {"error": BAD_UNSUBSCRIBE_LINK}, status=404)
    label = queries.query_of(alert).label
    if request.method == "POST":
        services.unsubscribe(token=token)
        return render(request, "jobs/unsubscribe.html", {"done": UNSUBSCRIBED.format(label=label)})
    # A GET only asks: mail scanners open links, and must not unsubscribe anyone.
    return render(request, "jobs/unsubscribe.html", {"alert": alert, "label": label})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    # Only what the public can see can be reported: a pending or removed posting's title and
    # company are not shown to whoever guesses its number.
    posting = get_object_or_404(Posting.objects.exclude(status__in=PRIVATE_STATUSES), pk=pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_posting(
            reporter=request.user,  # type: ignore[arg-type]
            posting=posting,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
        messages.success(request, REPORTED)
        return redirect(posting)
    return render(request, "jobs/report.html", {"posting": posting, "form": form})
