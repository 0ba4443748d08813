"""CaseConsultant pages: the public landing page and the staff review queue."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from medcode.consult import review
from medcode.consult.models import Inquiry, State
from medcode.consult.sending import consult_address, reply_context

REVIEW_PERMISSION = "consult.review_inquiry"
APPROVED = "Approved: the answer to {sender} is on its way."
REJECTED = "Rejected: {sender} is sent a polite reply with your reason."


class ApproveForm(forms.Form):
    reply_text = forms.CharField(
        label="Answer", widget=forms.Textarea(attrs={"rows": 12}), max_length=review.MAX_REPLY_CHARS
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the user)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


def reviewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff with the review permission; others are sent to sign in or get 403."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_staff and user.has_perm(REVIEW_PERMISSION)):
            raise PermissionDenied("Only staff reviewers can open the consult queue.")
        return view(request, *args, **kwargs)

    return wrapped


def landing(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consult/landing.html",
        {"address": consult_address(), "target_hours": settings.MEDCODE_CONSULT_TARGET_HOURS},
    )


@reviewer_required
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consult/queue.html",
        {"items": review.pending(), "target_hours": settings.MEDCODE_CONSULT_TARGET_HOURS},
    )


@reviewer_required
def review_item(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = get_object_or_404(Inquiry.objects.select_related("user"), pk=inquiry_id)
    return _review_page(request, inquiry)


def _review_page(
    request: HttpRequest,
    inquiry: Inquiry,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = reply_context(inquiry)
    context.update(
        approve_form=approve_form or ApproveForm(initial={"reply_text": inquiry.reply_text}),
        reject_form=reject_form or RejectForm(),
        is_pending=inquiry.state == State.PENDING_REVIEW,
    )
    return render(request, "consult/review.html", context, status=status)


@reviewer_required
@require_POST
def approve(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = get_object_or_404(Inquiry, pk=inquiry_id)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _review_page(request, inquiry, approve_form=form, status=400)
    try:
        done = review.approve(inquiry.pk, request.user, form.cleaned_data["reply_text"])
    except review.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect("consult:review", inquiry.pk)
    messages.success(request, APPROVED.format(sender=done.sender))
    return redirect("consult:queue")


@reviewer_required
@require_POST
def reject(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = get_object_or_404(Inquiry, pk=inquiry_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _review_page(request, inquiry, reject_form=form, status=400)
    try:
        done = review.reject(inquiry.pk, request.user, form.cleaned_data["reason"])
    except review.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect("consult:review", inquiry.pk)
    messages.success(request, REJECTED.format(sender=done.sender))
    return redirect("consult:queue")
