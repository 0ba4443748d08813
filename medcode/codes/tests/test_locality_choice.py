"""The locality picker remembered per visitor: on the account when signed in, else in the
session; the default of a code page's ?locality=, which an explicit ?locality= overrides."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from medcode.accounts.models import LocalityPreference
from medcode.codes.tests.test_locality_payment import real_pfs  # noqa: F401 (fixture)
from tests.users import make_user

PAGE = "/codes/99214/?date=2025-11-03"
LOCAL = 'id="panel-fee_schedule_locality"'
MANHATTAN = "MANHATTAN (NY; MAC 13202, locality 01)"
pytestmark = pytest.mark.fulldata


def signed_in(email: str) -> Client:
    user = make_user(email)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def save(client: Client, locality: str, next_url: str = PAGE):
    token = client.get(PAGE, HTTP_HOST="localhost").cookies["csrftoken"].value
    return client.post(
        "/codes/locality/",
        {"locality": locality, "next": next_url, "csrfmiddlewaretoken": token},
        HTTP_HOST="localhost",
    )


def page(client: Client, query: str = "") -> str:
    return client.get(PAGE + query, HTTP_HOST="localhost").content.decode()


def test_a_signed_in_users_locality_is_kept_on_the_account_and_not_shown_to_another(real_pfs):  # noqa: F811
    alice, bob = signed_in("alice@example.com"), signed_in("bob@example.com")
    assert LOCAL not in page(alice)  # nothing chosen yet: national only

    response = save(alice, "Manhattan")

    assert response.status_code == 303
    assert response["Location"] == PAGE
    saved = LocalityPreference.objects.get(user__email="alice@example.com")
    assert saved.locality == "13202-01"  # a name is stored as its MAC-locality key
    shown = page(alice)
    assert LOCAL in shown and MANHATTAN in shown
    assert '<option value="13202-01" selected>' in shown
    bob_html = page(bob)
    assert LOCAL not in bob_html and MANHATTAN not in bob_html
    assert '<option value="" selected>' in bob_html
    # An explicit ?locality= wins over the saved one; an empty one means national.
    suburbs = page(alice, "&locality=13202-02")
    assert "NYC SUBURBS/LONG ISLAND (NY; MAC 13202, locality 02)" in suburbs
    assert MANHATTAN not in suburbs
    assert LOCAL not in page(alice, "&locality=")


def test_a_guest_keeps_the_locality_in_the_session_only(real_pfs):  # noqa: F811
    guest, other = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    assert save(guest, "13202-01").status_code == 303

    assert LocalityPreference.objects.count() == 0
    assert LOCAL in page(guest)
    assert LOCAL not in page(other)
    assert save(guest, "").status_code == 303  # forget
    assert LOCAL not in page(guest)


def test_saving_needs_the_csrf_token_a_post_and_a_known_locality(real_pfs):  # noqa: F811
    client = signed_in("carol@example.com")

    refused = client.post("/codes/locality/", {"locality": "13202-01"}, HTTP_HOST="localhost")
    assert refused.status_code == 403
    assert client.get("/codes/locality/", HTTP_HOST="localhost").status_code == 405
    unknown = save(client, "00000-77")
    assert unknown.status_code == 400
    said = html.unescape(unknown.content.decode())
    assert "No payment locality '00000-77' in the 2025 GPCI file" in said
    assert not LocalityPreference.objects.exists()
    # A next= that leaves the site is not followed.
    assert save(client, "13202-01", "https://evil.example/")["Location"] == "/"


def test_a_page_in_a_remembered_locality_is_revalidated_by_its_own_etag(real_pfs):  # noqa: F811
    guest = Client(enforce_csrf_checks=True)
    assert save(guest, "13202-01").status_code == 303
    page(guest)  # shows the message the save left
    first = guest.get(PAGE, HTTP_HOST="localhost")
    assert LOCAL in first.content.decode()
    # Its forms' tokens are masked afresh for each request; its ETag stays.
    again = guest.get(PAGE, HTTP_HOST="localhost", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # The page depends on this visitor's session: no shared cache may keep it, and another
    # locality is another page.
    assert "private" in first["Cache-Control"]
    assert save(guest, "13202-02").status_code == 303
    page(guest)
    moved = guest.get(PAGE, HTTP_HOST="localhost", HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved.status_code == 200 and "NYC SUBURBS" in moved.content.decode()
