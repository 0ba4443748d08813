"""Password resets: no mail to an address without an account, and a tight limit per address."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.users import browser, make_user

pytestmark = pytest.mark.django_db

RESET = "/account/password/reset/"


def test_a_reset_for_an_unknown_address_sends_nothing_and_looks_the_same():
    client = browser()
    unknown = client.post(RESET, {"email": "stranger@example.net"})
    assert mail.outbox == []
    known_user = make_user()
    known = browser("203.0.113.8").post(RESET, {"email": known_user.email})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [known_user.email]
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]


def test_resets_from_one_address_are_limited_per_hour():
    client = browser("198.51.100.77")
    answers = [client.post(RESET, {"email": f"x{n}@example.net"}).status_code for n in range(6)]
    assert answers[:5] == [302] * 5
    assert answers[5] == 429
