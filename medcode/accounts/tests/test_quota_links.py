"""A 429 from the API says where to go next: a guest registers, signs in or upgrades; an account
upgrades or reads its plan and usage (links in the JSON body, absolute)."""

from __future__ import annotations

import pytest

from medcode.accounts import costs, keys, metering
from medcode.accounts.tests.test_api_keys import api, limit_plan
from medcode.accounts.viewers import guest_id
from tests.users import browser, make_user

pytestmark = pytest.mark.django_db

GUEST_LINKS = [
    ("register", "http://testserver/account/signup/"),
    ("sign_in", "http://testserver/account/login/"),
    ("upgrade", "http://testserver/account/plans/"),
]
ACCOUNT_LINKS = [
    ("upgrade", "http://testserver/account/plans/"),
    ("account", "http://testserver/account/"),
]


def links_of(response) -> list[tuple[str, str]]:
    return [(link["rel"], link["href"]) for link in response.json().get("links", [])]


@pytest.mark.usefixtures("early_in_a_minute")
def test_a_guest_past_the_api_rate_gets_register_sign_in_and_upgrade_links():
    limit_plan("guest", api_per_minute=1)
    client = browser("192.0.2.77")
    assert client.get("/api/v1/codes/ZZ999").status_code == 404
    refused = client.get("/api/v1/codes/ZZ999")
    assert refused.status_code == 429
    assert links_of(refused) == GUEST_LINKS
    assert [link["title"] for link in refused.json()["links"]] == [
        "Register free",
        "Sign in",
        "Upgrade your plan",
    ]
    # The links lead somewhere.
    for _, href in GUEST_LINKS:
        assert browser("192.0.2.78").get(href.removeprefix("http://testserver")).status_code == 200


def test_an_account_past_its_daily_api_quota_gets_upgrade_and_usage_links():
    limit_plan("free", api_per_day=1)
    made = keys.create_key(make_user(), name="ci")
    assert api(browser(), "/api/v1/codes/ZZ999", made.secret).status_code == 404
    refused = api(browser(), "/api/v1/codes/ZZ999", made.secret)
    assert refused.status_code == 429
    assert links_of(refused) == ACCOUNT_LINKS


@pytest.mark.usefixtures("early_in_a_minute")
def test_a_guest_past_the_note_rate_gets_the_links_too(settings):
    settings.MEDCODE_METERING = True
    address = "198.51.100.61"
    metering.consume(
        f"guest:{guest_id(address)}",
        costs.NOTE.kind,
        limit=None,
        period=metering.MINUTE,
        amount=costs.NOTE.guest_per_minute,
    )
    refused = browser(address).post(
        "/api/v1/search/note", {"text": "chest pain"}, content_type="application/json"
    )
    assert refused.status_code == 429
    assert links_of(refused) == GUEST_LINKS


def test_other_refusals_carry_no_links():
    response = browser().get("/api/v1/codes/63650?api_key=mck_abcdefghij_x")
    assert response.status_code == 400
    assert "links" not in response.json()
