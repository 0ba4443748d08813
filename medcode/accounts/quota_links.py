"""Where a request refused for a quota can go next, as links for a JSON answer.

A guest registers (a free account raises the limits), signs in, or reads the plans to upgrade;
an account upgrades (the plans page, which shows the operator's way to a paid plan) or reads its
own plan and usage. The HTML gates show the same choices as buttons (codes.views.gate_actions).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

REGISTER = "Register free"
SIGN_IN = "Sign in"
UPGRADE = "Upgrade your plan"
USAGE = "See your plan and usage"


def quota_links(request: HttpRequest, *, is_guest: bool) -> list[dict[str, str]]:
    """[{"rel", "title", "href"}], each href absolute (API clients have no page to resolve
    a relative one against)."""
    plans = ("upgrade", UPGRADE, reverse("accounts:plans"))
    if is_guest:
        links = [
            ("register", REGISTER, reverse("account_signup")),
            ("sign_in", SIGN_IN, reverse("account_login")),
            plans,
        ]
    else:
        links = [plans, ("account", USAGE, reverse("accounts:home"))]
    return [
        {"rel": rel, "title": title, "href": request.build_absolute_uri(path)}
        for rel, title, path in links
    ]
