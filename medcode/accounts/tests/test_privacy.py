"""Personal pages are never kept by a shared cache: `Cache-Control: private, no-store`."""

from __future__ import annotations

import pytest

from tests.users import browser, make_user

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("path", ["/account/", "/pilot/", "/claims/", "/jobs/saved/"])
def test_a_signed_in_users_personal_pages_are_private_and_not_stored(path):
    client = browser()
    client.force_login(make_user())
    response = client.get(path)
    assert response.status_code == 200, path
    assert {"private", "no-store"} <= directives(response), path
    assert "public" not in directives(response)


def test_casepilot_is_private_for_a_guest_too():
    # A guest's question may describe a patient.
    response = browser().get("/pilot/")
    assert {"private", "no-store"} <= directives(response)


def test_a_public_page_is_left_alone_for_a_guest():
    response = browser().get("/jobs/")
    assert directives(response) == set()


def test_any_page_without_a_policy_is_private_for_a_signed_in_user():
    client = browser()
    client.force_login(make_user())
    response = client.get("/jobs/")
    assert directives(response) == {"private", "no-store"}
