"""The gate: guests 1 code page, a free account 5 more, paid plans unlimited, crawlers none."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest
from django.test import RequestFactory

from medcode.accounts.gate import CRAWLER, LOCKED, METERED, METERING_OFF, UNLIMITED, can_see_gated
from medcode.accounts.models import GatedView, Plan
from medcode.accounts.viewers import client_address, guest_subject
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from tests.users import BROWSER, make_user

pytestmark = pytest.mark.django_db
CODES = ["63650", "63685", "99213", "E0114", "A0100", "M5450", "S72001A", "0SR90J9"]


def request(
    address: str = "198.51.100.4",
    *,
    user: Any = None,
    session: Any = None,
    agent: str = BROWSER,
    **meta: Any,
) -> HttpRequest:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    req = RequestFactory().get("/codes/x/", HTTP_USER_AGENT=agent, REMOTE_ADDR=address, **meta)
    req.user = user or AnonymousUser()
    req.session = session if session is not None else SessionStore()
    return req


def test_a_guest_sees_one_gated_page_and_is_told_so_on_the_second():
    first = can_see_gated(request(), "CPT", "63650")
    assert first.visible and first.reason == METERED and first.remaining == 0
    second = can_see_gated(request(), "CPT", "63685")
    assert not second.visible and second.reason == LOCKED
    assert second.message.startswith("0 full code pages remaining. Guests can open 1 code page")
    assert "register a free account for 5 more" in second.message
    assert second.action_url.startswith("/account/signup/?next=")


def test_opening_the_same_code_again_is_not_counted_twice():
    for _ in range(3):
        assert can_see_gated(request(), "CPT", "63650").visible
    assert GatedView.objects.count() == 1


def test_clearing_cookies_does_not_reset_a_guests_meter():
    assert can_see_gated(request(session=None), "CPT", "63650").visible
    # A new session from the same address is the same guest.
    assert not can_see_gated(request(), "CPT", "99213").visible


def test_a_guest_keeps_its_meter_in_the_session_when_its_address_changes():
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    assert can_see_gated(request("198.51.100.4", session=session), "CPT", "63650").visible
    assert not can_see_gated(request("192.0.2.99", session=session), "CPT", "99213").visible


def test_ipv6_guests_are_counted_by_their_64_network():
    assert can_see_gated(request("2001:db8:1:2::10"), "CPT", "63650").visible
    assert not can_see_gated(request("2001:db8:1:2:ffff::1"), "CPT", "99213").visible
    assert can_see_gated(request("2001:db8:1:3::10"), "CPT", "99213").visible


def test_a_free_account_opens_five_code_pages_then_meets_the_gate():
    user = make_user()
    decisions = [can_see_gated(request(user=user), "CPT", code) for code in CODES[:6]]
    assert [d.visible for d in decisions] == [True] * 5 + [False]
    assert decisions[0].message == "4 full code pages remaining this month on the Free plan."
    assert decisions[-1].message.startswith("0 full code pages remaining this month.")
    assert decisions[-1].action_url == "/account/"


@pytest.mark.parametrize("plan", ["pro", "team"])
def test_paid_plans_are_unlimited(plan):
    user = make_user(plan=plan)
    assert all(can_see_gated(request(user=user), "CPT", c).reason == UNLIMITED for c in CODES)


def test_staff_see_everything():
    staff = make_user(staff=True)
    assert all(can_see_gated(request(user=staff), "CPT", c).visible for c in CODES)


def test_metering_off_opens_everything(settings):
    settings.MEDCODE_METERING = False
    assert all(can_see_gated(request(), "CPT", c).reason == METERING_OFF for c in CODES)


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0",
        "",
    ],
)
def test_crawlers_get_the_public_part_only_and_are_not_counted(agent):
    decision = can_see_gated(request(agent=agent), "CPT", "63650")
    assert not decision.visible and decision.reason == CRAWLER
    assert GatedView.objects.count() == 0


def test_the_limits_come_from_the_plan_rows():
    Plan.objects.filter(slug="guest").update(gated_views=2)
    from medcode.accounts.viewers import forget_plans

    forget_plans()
    assert [can_see_gated(request(), "CPT", c).visible for c in CODES[:3]] == [True, True, False]


def test_x_forwarded_for_is_believed_only_from_trusted_proxies(settings):
    spoofed = {"HTTP_X_FORWARDED_FOR": "192.0.2.1"}
    assert can_see_gated(request("198.51.100.4", **spoofed), "CPT", "63650").visible
    # Without trusted proxies a forged header does not make a new guest.
    assert not can_see_gated(
        request("198.51.100.4", HTTP_X_FORWARDED_FOR="192.0.2.2"), "CPT", "99213"
    ).visible
    settings.MEDCODE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    behind = {"HTTP_X_FORWARDED_FOR": "192.0.2.50, 10.1.1.1"}
    assert can_see_gated(request("10.0.0.2", **behind), "CPT", "63650").visible
    assert not can_see_gated(request("10.0.0.3", **behind), "CPT", "99213").visible


def test_ipv4_mapped_guests_are_metered_as_their_ipv4_addresses():
    # On a dual-stack bind every IPv4 client arrives as ::ffff:a.b.c.d; before the fix they all
    # fell into one /64 meter, so one guest's views locked out every IPv4 guest.
    first = request("::ffff:198.51.100.7")
    assert guest_subject(first) == guest_subject(request("198.51.100.7"))
    assert guest_subject(first) != guest_subject(request("::ffff:203.0.113.9"))
    assert can_see_gated(first, "CPT", "63650").visible
    assert not can_see_gated(request("::ffff:198.51.100.7"), "CPT", "63685").visible
    assert can_see_gated(request("::ffff:203.0.113.9"), "CPT", "63685").visible


def test_a_mapped_proxy_address_is_trusted_as_its_ipv4_network(settings):
    settings.MEDCODE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    req = request("::ffff:10.0.0.2", HTTP_X_FORWARDED_FOR="::ffff:198.51.100.8")
    assert client_address(req) == "198.51.100.8"


def test_a_locked_out_guest_gets_the_same_public_domain_facts_on_every_face(code_samples, settings):
    """Issue 20, finding 10: the claim check gave a locked-out guest MUE values and bundling the
    code page withheld. Decided: CMS data (NCCI PTP and MUE, PFS indicators) is public domain and
    open on every face; the gate holds medcode's own sections, which no finding carries."""
    from tests.users import browser

    settings.MEDCODE_METERING = True
    guest = browser("198.51.100.77")
    guest.get("/codes/63685/?date=2024-08-01")  # the guest's one full page
    page = guest.get("/api/v1/codes/63650?date=2024-08-01").json()
    assert page["gate"]["reason"] == LOCKED
    assert page["documentation_html"] is None and page["modifiers"] is None and page["faq"] is None
    mue = next(p for p in page["panels"] if p["key"].startswith("mue_"))
    (table,) = [t for t in mue["tables"] if t["caption"] == "MUE values"]
    assert {row[1] for row in table["rows"]} == {"2"}  # units, practitioner and hospital

    claim = {"lines": [{"code": "63650", "units": 3, "date_of_service": "2024-08-01"}]}
    checked = guest.post("/api/v1/claims/check", claim, content_type="application/json").json()
    (finding,) = [f for f in checked["findings"] if f["rule"] == "mue"]
    assert "over the MUE of 2" in finding["message"]
    editorial = {"documentation_html", "billing_html", "modifiers", "modifier_notes_html", "faq"}
    assert not editorial & set(checked) and not any(editorial & set(f) for f in checked["findings"])
