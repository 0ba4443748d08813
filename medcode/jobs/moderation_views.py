"""Staff's moderation queue: approve or send back new postings, handle reports. Every
decision is written to the audit trail (ModerationEvent) with who made it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from medcode.jobs import queries, services
from medcode.jobs.models import ModerationAction, Posting

DECISIONS = {
    ModerationAction.APPROVE: "Approved: “{title}” is live.",
    ModerationAction.REJECT: "Sent back to the employer: “{title}”.",
    ModerationAction.CLOSE: "Taken down: “{title}”.",
    ModerationAction.DISMISS_REPORTS: "Reports dismissed for “{title}”.",
}


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_staff", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_safe
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    context = {
        "pending": queries.pending_postings(),
        "reported": queries.reported_postings(),
        "events": queries.recent_moderation(),
    }
    return render(request, "jobs/moderation.html", context)


@require_POST
@staff_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    posting = get_object_or_404(Posting, pk=pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")[:500]
    try:
        if action == ModerationAction.APPROVE:
            services.approve_posting(actor=request.user, posting=posting, note=note)
        elif action == ModerationAction.REJECT:
            services.reject_posting(actor=request.user, posting=posting, note=note)
        elif action == ModerationAction.CLOSE:
            services.take_down_posting(actor=request.user, posting=posting, note=note)
        elif action == ModerationAction.DISMISS_REPORTS:
            services.dismiss_reports(actor=request.user, posting=posting, note=note)
        else:
            return HttpResponse("Unknown action.", status=400, content_type="text/plain")
    except services.JobsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, DECISIONS[ModerationAction(action)].format(title=posting.title))
    return redirect("jobs:moderation")
