"""The three inbound channels (webhook, Maildir; the SMTP listener is in test_end_to_end.py)
all end in record_inquiry."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from medcode.cli import main as medcode
from medcode.consult.models import Inquiry, Kind, State
from medcode.consult.tests.conftest import make_mail
from medcode.consult.webhook import REPLAYED
from tests.users import make_user

pytestmark = pytest.mark.django_db

KEY = "key-test-signing-0123456789"
URL = "/consult/inbound/mailgun/"


def signed(
    fields: dict[str, str], *, key: str = KEY, timestamp: int | None = None
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    token = secrets.token_hex(25)  # Mailgun: a random 50-character token per request
    signature = hmac.new(key.encode(), f"{stamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {**fields, "timestamp": stamp, "token": token, "signature": signature}


@pytest.fixture
def webhook(settings) -> Client:
    settings.MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY = KEY
    settings.ALLOWED_HOSTS = ["testserver"]
    return Client(enforce_csrf_checks=True)


def mailgun_post(
    client: Client, raw: bytes, *, fields: dict[str, str] | None = None, **kwargs: Any
) -> Any:
    posted = {
        "body-mime": raw.decode(),
        "sender": "ann@clinic.test",
        "recipient": "consult@medcode.test",
        **(fields or {}),
    }
    return client.post(URL, signed(posted, **kwargs))


def test_a_signed_mailgun_post_is_recorded(webhook: Client) -> None:
    make_user("ann@clinic.test")
    response = mailgun_post(webhook, make_mail(message_id="<wh1@clinic.test>"))
    assert response.status_code == 200
    inquiry = Inquiry.objects.get(message_id="<wh1@clinic.test>")
    assert inquiry.channel == "webhook" and inquiry.state == State.RECEIVED
    assert inquiry.question == "What is E11.9?"
    # Mailgun retries deliveries: the same mail again is not recorded twice.
    assert mailgun_post(webhook, make_mail(message_id="<wh1@clinic.test>")).status_code == 200
    assert Inquiry.objects.count() == 1


def test_a_wrong_signature_is_refused_and_nothing_recorded(webhook: Client) -> None:
    make_user("ann@clinic.test")
    response = mailgun_post(webhook, make_mail(message_id="<wh2@clinic.test>"), key="wrong")
    assert response.status_code == 400
    assert not Inquiry.objects.exists()


def test_a_replayed_old_post_is_refused(webhook: Client) -> None:
    make_user("ann@clinic.test")
    old = int(time.time()) - 3600
    response = mailgun_post(webhook, make_mail(message_id="<wh3@clinic.test>"), timestamp=old)
    assert response.status_code == 403
    assert "15 minutes" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_mailguns_spf_failure_verdict_means_no_answer(webhook: Client) -> None:
    make_user("ann@clinic.test")
    raw = make_mail(message_id="<wh4@clinic.test>")
    verdict = {"X-Mailgun-Spf": "Fail", "X-Mailgun-Dkim-Check-Result": "Fail"}
    assert mailgun_post(webhook, raw, fields=verdict).status_code == 200
    inquiry = Inquiry.objects.get()
    assert inquiry.state == State.IGNORED and "Mailgun SPF: fail" in inquiry.reason


def test_a_captured_signed_post_is_not_accepted_again_with_another_body(webhook: Client) -> None:
    make_user("ann@clinic.test")
    first = signed(
        {
            "body-mime": make_mail(message_id="<wh5@clinic.test>").decode(),
            "sender": "ann@clinic.test",
        }
    )
    assert webhook.post(URL, first).status_code == 200
    replay = {
        **first,
        "body-mime": make_mail("What is 99213?", message_id="<evil@x.test>").decode(),
    }
    response = webhook.post(URL, replay)
    assert response.status_code == 400 and REPLAYED in response.content.decode()
    assert list(Inquiry.objects.values_list("message_id", flat=True)) == ["<wh5@clinic.test>"]


def test_a_forged_signature_uses_up_no_token(webhook: Client) -> None:
    make_user("ann@clinic.test")
    good = signed({"body-mime": make_mail(message_id="<wh6@clinic.test>").decode()})
    assert webhook.post(URL, {**good, "signature": "0" * 64}).status_code == 400
    assert webhook.post(URL, good).status_code == 200
    assert Inquiry.objects.filter(message_id="<wh6@clinic.test>").exists()


@pytest.mark.parametrize(("age", "status"), [(3600, 403), (0, 400)])
def test_a_json_post_is_age_checked_and_answered_4xx(
    webhook: Client, age: int, status: int
) -> None:
    fields = signed({}, timestamp=int(time.time()) - age)
    body = {
        "signature": {k: fields[k] for k in ("timestamp", "token", "signature")},
        "event-data": {"event": "delivered"},
    }
    response = webhook.post(URL, body, content_type="application/json")
    assert response.status_code == status
    assert not Inquiry.objects.exists()


def test_the_verdict_comes_from_mailguns_fields_not_from_headers_the_sender_wrote(
    webhook: Client, settings
) -> None:
    settings.MEDCODE_CONSULT_REQUIRE_AUTH = True
    make_user("ann@clinic.test")
    claims_pass = {"X-Mailgun-Spf": "Pass", "X-Mailgun-Dkim-Check-Result": "Pass"}
    forged = make_mail(message_id="<wh7@clinic.test>", headers=claims_pass)
    assert mailgun_post(webhook, forged).status_code == 200
    refused = Inquiry.objects.get(message_id="<wh7@clinic.test>")
    assert refused.state == State.IGNORED and "no Mailgun verdict" in refused.reason
    # Mailgun's own field says Fail: the Pass headers inside the message do not outvote it.
    forged = make_mail(message_id="<wh8@clinic.test>", headers=claims_pass)
    assert mailgun_post(webhook, forged, fields={"X-Mailgun-Spf": "Fail"}).status_code == 200
    assert Inquiry.objects.get(message_id="<wh8@clinic.test>").state == State.IGNORED
    # Mailgun's SPF pass for the envelope domain, aligned with From: answered.
    genuine = make_mail(message_id="<wh9@clinic.test>")
    assert mailgun_post(webhook, genuine, fields={"X-Mailgun-Spf": "Pass"}).status_code == 200
    answered = Inquiry.objects.get(message_id="<wh9@clinic.test>")
    assert answered.kind == Kind.ANSWER and answered.sender_proven


def test_without_a_signing_key_the_webhook_is_off(settings) -> None:
    settings.MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY = ""
    settings.ALLOWED_HOSTS = ["testserver"]
    response = Client().post(URL, signed({"body-mime": make_mail().decode()}))
    assert response.status_code == 404
    assert "MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY" in response.content.decode()


def maildir(root: Path) -> Path:
    for name in ("new", "cur", "tmp"):
        (root / name).mkdir(parents=True, exist_ok=True)
    return root


def test_maildir_records_then_moves_to_cur_and_leaves_unreadable_mail(tmp_path, capsys) -> None:
    make_user("ann@clinic.test")
    box = maildir(tmp_path / "Maildir")
    (box / "new" / "1.host").write_bytes(make_mail(message_id="<md1@clinic.test>"))
    (box / "new" / "2.host").write_bytes(
        b"Return-Path: <>\n" + make_mail(message_id="<md2@clinic.test>")
    )
    (box / "new" / "3.host").write_bytes(b"")  # not a message
    assert medcode(["consult", "maildir", str(box), "--json"]) == 1  # one was unreadable
    assert '"recorded": 2' in capsys.readouterr().out
    assert sorted(p.name for p in (box / "cur").iterdir()) == ["1.host:2,S", "2.host:2,S"]
    assert [p.name for p in (box / "new").iterdir()] == ["3.host"]
    bounce = Inquiry.objects.get(message_id="<md2@clinic.test>")
    assert bounce.state == State.IGNORED and "null envelope sender" in bounce.reason
    assert Inquiry.objects.get(message_id="<md1@clinic.test>").kind == Kind.ANSWER

    # A second copy of a recorded mail is a duplicate: moved, not recorded again.
    (box / "new" / "4.host").write_bytes(make_mail(message_id="<md1@clinic.test>"))
    (box / "new" / "3.host").unlink()
    assert medcode(["consult", "maildir", str(box), "--json"]) == 0
    assert '"duplicates": 1' in capsys.readouterr().out
    assert Inquiry.objects.count() == 2


def test_maildir_names_the_missing_folder(tmp_path, capsys) -> None:
    (tmp_path / "new").mkdir()
    assert medcode(["consult", "maildir", str(tmp_path)]) == 2
    assert f"{tmp_path} is not a Maildir: it has no cur/ folder" in capsys.readouterr().err


def test_an_unusable_message_is_acknowledged_not_recorded(webhook: Client) -> None:
    response = webhook.post(URL, signed({"body-mime": ""}))
    assert response.status_code == 200  # a retry would not help
    assert not Inquiry.objects.exists()
