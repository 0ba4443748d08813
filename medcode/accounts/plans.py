"""The plans page: the plans as the operator defined them (Plan rows) and the way to a paid one."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from medcode.accounts.models import Plan

NO_UPGRADE_PATH = (
    "The operator of this site has not published a way to buy a paid plan here; ask them directly."
)


@require_safe
def plans_page(request: HttpRequest) -> HttpResponse:
    current = None
    if request.user.is_authenticated:
        from medcode.accounts.viewers import who_is

        current = who_is(request).plan.pk
    context = {
        "plans": list(Plan.objects.filter(is_listed=True)),
        "current": current,
        "upgrade_url": settings.MEDCODE_UPGRADE_URL,
        "sales_email": settings.MEDCODE_SALES_EMAIL,
        "no_upgrade_path": NO_UPGRADE_PATH,
        "metering": settings.MEDCODE_METERING,
    }
    return render(request, "accounts/plans.html", context)
