"""The one place that decides whether the gated part of a code page is shown.

Sections 5-8 and 10 of a code page (documentation, billing, modifiers, related codes, FAQ:
what medcode adds) are the gated part; official text, ICD-10-CM notes and the CMS data panels
(section 9) are public domain and open to everyone. The HTML page, its htmx partial and the
JSON twin all ask `can_see_gated` (for a page `has_gated_content`); nothing else decides.
The claim check (worksheet, API, CLI) computes from the same public-domain CMS tables (NCCI PTP
and MUE, PFS indicators, ICD-10-CM), so its findings are open on every face too; none carries
a gated section's text (accounts/tests/test_gate.py holds the faces to this).

The rules (limits come from the Plan rows, editable in the admin):
- MEDCODE_METERING=off: everything is open.
- Staff and plans without a gated-view limit (Pro, Team): open.
- Crawlers (known bot user agents, or none): the public part only.
- Everyone else is metered by `medcode.accounts.metering.open_gated`: a code counts once per
  period, a guest by session plus hashed client address, a user (and the user's API keys)
  by account. Guests open 1 code page a month, a free account 5 more.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

# The value medcode adds. Official text, notes and the CMS data panels are public domain and
# shown to everyone (the related-code lists too, except the editorial group).
GATED_SECTIONS = ("documentation", "billing", "modifiers", "related", "faq")

METERING_OFF = "metering_off"
UNLIMITED = "unlimited"
METERED = "metered"
LOCKED = "locked"
CRAWLER = "crawler"
NO_REQUEST = "no_request"
NOTHING_GATED = "nothing_gated"
# The related-code group of our own picks ("often reported or confused with it") is editorial.
EDITORIAL_GROUP = "editorial"

CRAWLER_MESSAGE = (
    "The documentation, billing, modifier and FAQ sections are for readers; search engines "
    "see the public part of this page."
)
NO_REQUEST_MESSAGE = "The gated sections are shown to readers only."
GUEST_LEFT = (
    "{remaining} full code page{s} remaining. Guests can open {limit} code page{ls} in full "
    "each {period}; {free_offer}"
)
GUEST_LAST = (
    "This is your free full code page this {period}: guests can open {limit} code page{ls} "
    "in full each {period}; {free_offer}"
)
GUEST_LOCKED = (
    "0 full code pages remaining. Guests can open {limit} code page{ls} in full each "
    "{period}; {free_offer}"
)
FREE_OFFER = "register a free account for {free} more."
FREE_OFFER_UNLIMITED = "register a free account to open every code page in full."
USER_LEFT = "{remaining} full code page{s} remaining this {period} on the {plan} plan."
USER_LAST = "This is the last of your {limit} full code page{ls} this {period} on the {plan} plan."
USER_LOCKED = (
    "0 full code pages remaining this {period}. The {plan} plan opens {limit} code page{ls} "
    "in full each {period}, renewed on {renews}. A paid plan has no limit."
)
REGISTER_LABEL = "Register a free account"
ACCOUNT_LABEL = "See your plan and usage"


@cache
def _url(name: str) -> str:
    return reverse(name)


@dataclass(frozen=True)
class GateDecision:
    visible: bool
    reason: str
    message: str = ""
    remaining: int | None = None
    action_url: str = ""
    action_label: str = ""
    is_guest: bool = False


def has_gated_content(page: Any) -> bool:
    """Whether a code page holds anything of the gated sections (editorial text, modifier
    advice, FAQ); a page of official text and CMS data alone is open and counts nothing."""
    return bool(
        page.documentation_html
        or page.billing_html
        or page.modifiers
        or page.modifier_notes_html
        or page.related_notes_html
        or page.faq
        or any(group.key == EDITORIAL_GROUP for group in page.related)
    )


def can_see_gated(request: HttpRequest | None, system: str, code: str) -> GateDecision:
    """Whether this request may see the gated sections of this code's page (and count it)."""
    if not settings.MEDCODE_METERING:
        return GateDecision(visible=True, reason=METERING_OFF)
    if request is None:
        return GateDecision(visible=False, reason=NO_REQUEST, message=NO_REQUEST_MESSAGE)
    from medcode.accounts import metering
    from medcode.accounts.viewers import SESSION_GUEST, is_crawler, who_is

    viewer = who_is(request)
    if viewer.is_guest and is_crawler(request):
        return GateDecision(visible=False, reason=CRAWLER, message=CRAWLER_MESSAGE)
    plan = viewer.plan
    if viewer.is_staff or plan.gated_views is None:
        return GateDecision(visible=True, reason=UNLIMITED)
    # A user's API keys share the user's meter; a guest's is the session's or the address's.
    subject = f"user:{viewer.user_id}" if viewer.user_id is not None else viewer.subject
    allowance = metering.open_gated(
        subject, f"{system}:{code}", limit=plan.gated_views, period=plan.gated_period
    )
    if viewer.is_guest and allowance.newly_counted and hasattr(request, "session"):
        request.session[SESSION_GUEST] = subject
    remaining = allowance.remaining or 0
    words = {
        "remaining": remaining,
        "s": "" if remaining == 1 else "s",
        "limit": plan.gated_views,
        "ls": "" if plan.gated_views == 1 else "s",
        "period": plan.gated_period,
        "plan": plan.name,
    }
    if viewer.is_guest:
        from medcode.accounts.viewers import FREE_PLAN, plan_named

        free = plan_named(FREE_PLAN).gated_views
        words["free_offer"] = FREE_OFFER_UNLIMITED if free is None else FREE_OFFER.format(free=free)
        template = GUEST_LEFT if allowance.allowed else GUEST_LOCKED
        if allowance.allowed and remaining == 0:  # the page being read is the last one
            template = GUEST_LAST
        action = (
            f"{_url('account_signup')}?{urlencode({'next': request.path})}",
            REGISTER_LABEL,
        )
    else:
        renews = timezone.localtime(allowance.resets_at)
        words["renews"] = f"{renews:%B} {renews.day}"
        template = USER_LEFT if allowance.allowed else USER_LOCKED
        if allowance.allowed and remaining == 0:
            template = USER_LAST
        action = (_url("accounts:home"), ACCOUNT_LABEL)
    return GateDecision(
        visible=allowance.allowed,
        reason=METERED if allowance.allowed else LOCKED,
        message=template.format(**words),
        remaining=remaining,
        action_url=action[0],
        action_label=action[1],
        is_guest=viewer.is_guest,
    )
