"""API key scopes (issue 20, item 13: any key read its owner's CasePilot history, and no key could
be limited to reading)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from medcode.accounts.keys import create_key
from medcode.accounts.models import ApiKey, KeyScope
from medcode.accounts.throttle import READ_ONLY_KEY
from medcode.assistant.services import keep_exchange
from tests.users import browser, make_user

pytestmark = pytest.mark.django_db

HISTORY = "/api/v1/assistant/conversations"
CLAIM = {"lines": [{"code": "99213", "units": 1, "date_of_service": "2024-07-15"}]}


def with_key(secret: str) -> Client:
    return browser(HTTP_AUTHORIZATION=f"Bearer {secret}")


def owner_with_history() -> tuple[Any, int | None]:
    user = make_user()
    conversation = keep_exchange(
        user=user, question="Is J45.909 billable?", answer={"answer": "yes"}, conversation_id=None
    )
    return user, conversation


def test_a_key_reads_its_owners_history_only_with_the_account_scope():
    user, conversation = owner_with_history()
    plain = with_key(create_key(user, name="script").secret)  # the default scope: use
    assert plain.get(HISTORY).status_code == 401
    assert plain.get(f"{HISTORY}/{conversation}").status_code == 401
    asked = plain.post(
        "/api/v1/assistant/ask",
        {"question": "And J45.901?", "conversation_id": conversation},
        content_type="application/json",
    )
    assert asked.status_code == 404  # it cannot add to, or read through, the owner's thread
    trusted = with_key(create_key(user, name="my app", scope=KeyScope.ACCOUNT).secret)
    listed = trusted.get(HISTORY)
    assert listed.status_code == 200 and [c["id"] for c in listed.json()] == [conversation]


def test_a_read_only_key_may_only_make_get_requests():
    key = with_key(create_key(make_user(), name="dashboard", scope=KeyScope.READ).secret)
    assert key.get("/api/v1/search?q=asthma").status_code == 200
    refused = key.post("/api/v1/claims/check", CLAIM, content_type="application/json")
    assert refused.status_code == 403
    assert json.loads(refused.content)["detail"] == READ_ONLY_KEY


def test_the_account_page_makes_a_key_of_the_chosen_scope():
    user = make_user()
    client = browser()
    client.force_login(user)
    response = client.post("/account/keys/", {"name": "reports", "scope": "read"})
    assert response.status_code == 302
    assert ApiKey.objects.get(user=user).scope == KeyScope.READ
    page = client.get("/account/").content.decode()
    assert "read only (GET requests)" in page


def test_a_read_only_key_still_serves_the_read_only_mcp_endpoint():
    from medcode.mcp.tests.test_server import HEADERS, INITIALIZE

    secret = create_key(make_user(), name="agent", scope=KeyScope.READ).secret
    response = Client().post(
        "/mcp",
        INITIALIZE,
        content_type="application/json",
        headers={**HEADERS, "Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200, response.content
