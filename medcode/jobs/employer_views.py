"""What employers use: take the employer role, post, edit, close, and see how postings do."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from medcode.jobs import queries, services
from medcode.jobs.forms import EmployerForm, PostingForm
from medcode.jobs.models import Employer, Posting, Status
from medcode.jobs.services import posts_per_day

NOT_AN_EMPLOYER = "Only employer accounts can post jobs."
SUBMITTED = "Sent for review: staff check new postings before they go live, usually within a day."
SAVED_DRAFT = "Draft saved. Submit it for review when it is ready."
STILL_LIVE = "Saved; the posting stays live."
CLOSED = "Closed: the posting no longer takes applications."

EmployerView = Callable[..., HttpResponse]


def employer_required(view: EmployerView) -> Callable[..., HttpResponse]:
    """Signed in and holding the employer role; others get a 403 page saying how to get it."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        employer = queries.employer_of(request.user)
        if employer is None:
            return render(
                request, "jobs/not_employer.html", {"message": NOT_AN_EMPLOYER}, status=403
            )
        return view(request, employer, *args, **kwargs)

    return wrapped


def _own_posting(employer: Employer, pk: int) -> Posting:
    """The employer's own posting; someone else's is a 404 (its existence is not told)."""
    return get_object_or_404(Posting.objects.filter(employer=employer), pk=pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    employer = queries.employer_of(request.user)
    form = EmployerForm(request.POST or None, instance=employer)
    if request.method == "POST" and form.is_valid():
        services.become_employer(
            user=request.user,  # type: ignore[arg-type]
            company=form.cleaned_data["company"],
            website=form.cleaned_data["website"],
        )
        messages.success(request, "Your employer profile is saved. You can post jobs now.")
        return redirect("jobs:employer")
    return render(request, "jobs/employer_join.html", {"form": form, "employer": employer})


@require_safe
@employer_required
def dashboard(request: HttpRequest, employer: Employer) -> HttpResponse:
    postings = list(queries.postings_of(employer))
    totals = {
        "views": sum(p.view_count for p in postings),
        "applies": sum(p.apply_count for p in postings),
        "live": sum(1 for p in postings if p.status == Status.LIVE),
    }
    context = {
        "employer": employer,
        "postings": postings,
        "totals": totals,
        "posts_per_day": posts_per_day(),
    }
    return render(request, "jobs/employer.html", context)


def _edit(request: HttpRequest, employer: Employer, posting: Posting | None) -> HttpResponse:
    form = PostingForm(request.POST or None, instance=posting)
    if posting is None and request.method == "GET":
        form.initial.setdefault("company", employer.company)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k in PostingForm.Meta.fields}
        try:
            saved = services.save_posting(
                employer=employer,
                posting=posting,
                fields=fields,
                credentials=form.cleaned_data["credentials"],
                submit=request.POST.get("action") != "draft",
            )
        except services.JobsError as error:
            form.add_error(None, error.message)
        else:
            if saved.status == Status.LIVE:
                messages.success(request, STILL_LIVE)
            elif saved.status == Status.PENDING:
                messages.success(request, SUBMITTED)
            else:
                messages.success(request, SAVED_DRAFT)
            return redirect("jobs:employer")
    status = 200 if request.method == "GET" or form.is_valid() else 400
    context = {"form": form, "posting": posting, "employer": employer}
    return render(request, "jobs/post_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@employer_required
def post_new(request: HttpRequest, employer: Employer) -> HttpResponse:
    return _edit(request, employer, None)


@require_http_methods(["GET", "HEAD", "POST"])
@employer_required
def post_edit(request: HttpRequest, employer: Employer, pk: int) -> HttpResponse:
    posting = _own_posting(employer, pk)
    if posting.status in {Status.CLOSED, Status.EXPIRED, Status.REMOVED}:
        messages.error(
            request, services.NOT_EDITABLE.format(status=posting.get_status_display().lower())
        )
        return redirect("jobs:employer")
    return _edit(request, employer, posting)


@require_POST
@employer_required
def post_close(request: HttpRequest, employer: Employer, pk: int) -> HttpResponse:
    posting = _own_posting(employer, pk)
    try:
        services.close_posting(employer=employer, posting=posting)
    except services.JobsError as error:
        messages.error(request, error.message)
    except Posting.DoesNotExist as missing:
        raise Http404 from missing
    else:
        messages.success(request, CLOSED)
    return redirect("jobs:employer")
