"""The account page, closing an account, plans set in one place, and the audited admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from medcode.accounts import keys, metering
from medcode.accounts.models import ApiKey, AuditEvent, Plan, Subscription
from medcode.accounts.services import set_plan
from medcode.accounts.views import ACCOUNT_DELETED
from tests.users import PASSWORD, browser, make_user

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = browser()
    client.force_login(user)
    return client


def test_the_account_page_needs_a_signed_in_user():
    response = browser().get("/account/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/?next=")


def test_the_account_page_shows_the_plan_meters_and_every_plan():
    user = make_user()
    metering.open_gated(f"user:{user.pk}", "CPT:63650", limit=5, period="month")
    metering.check_quota(user, metering.CASEPILOT)
    html = signed_in(user).get("/account/").content.decode()
    assert "Plan: Free" in html
    assert "1 of 5 used, 4 remaining" in html
    assert "1 of 10 used, 9 remaining" in html
    for name in ("Guest", "Free", "Pro", "Team"):
        assert f'<th scope="row">{name}</th>' in html


def test_the_account_page_lists_saved_claim_worksheets():
    from medcode.claims.models import Worksheet

    user = make_user()
    Worksheet.objects.create(owner=user, name="Knee arthroscopy claim")
    html = signed_in(user).get("/account/").content.decode()
    assert "Knee arthroscopy claim" in html


def test_set_plan_is_the_one_place_a_plan_changes_and_it_is_audited():
    user = make_user()
    staff = make_user(staff=True)
    set_plan(user, Plan.objects.get(slug="pro"), source="payment:test:evt_1", actor=staff)
    subscription = Subscription.objects.get(user=user)
    assert subscription.plan.slug == "pro" and subscription.source == "payment:test:evt_1"
    event = AuditEvent.objects.get(action="plan.set")
    assert event.actor == staff and event.detail["previous"] == "free"
    assert event.detail["plan"] == "pro"


def test_deleting_an_account_needs_the_password_and_removes_its_keys():
    user = make_user()
    keys.create_key(user, name="ci")
    client = signed_in(user)
    wrong = client.post("/account/delete/", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 200 and User.objects.filter(pk=user.pk).exists()
    done = client.post("/account/delete/", {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert ACCOUNT_DELETED in done.content.decode()
    assert not User.objects.filter(pk=user.pk).exists() and ApiKey.objects.count() == 0
    assert AuditEvent.objects.filter(action="account.delete").exists()
    assert client.get("/account/").status_code == 302


def test_the_admin_requires_staff():
    response = signed_in(make_user()).get("/admin/accounts/plan/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_changes_in_the_admin_are_audited(superuser):
    staff = superuser
    client = signed_in(staff)
    plan = Plan.objects.get(slug="free")
    data = {
        "slug": "free",
        "name": "Free",
        "price_label": "Free",
        "description": "",
        "gated_views": "7",
        "gated_period": "month",
        "casepilot_per_day": "10",
        "consult_per_month": "2",
        "api_per_minute": "30",
        "api_per_day": "1000",
        "watched_codes": "100",
        "sort_order": "1",
        "is_listed": "on",
    }
    response = client.post(f"/admin/accounts/plan/{plan.pk}/change/", data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.gated_views == 7
    event = AuditEvent.objects.get(action="admin.change")
    assert event.actor == staff and "gated_views" in event.detail["fields"]


def test_staff_assign_a_plan_in_the_admin_through_set_plan(superuser):
    staff = superuser
    user = make_user()
    team = Plan.objects.get(slug="team")
    response = signed_in(staff).post(
        "/admin/accounts/subscription/add/", {"user": user.pk, "plan": team.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Subscription.objects.get(user=user).source == "staff"
    assert AuditEvent.objects.filter(action="plan.set", actor=staff).exists()


def test_the_usage_and_audit_admin_pages_are_read_only(superuser):
    client = signed_in(superuser)
    for model in ("usagecounter", "gatedview", "auditevent"):
        assert client.get(f"/admin/accounts/{model}/").status_code == 200
        assert client.get(f"/admin/accounts/{model}/add/").status_code == 403
