"""Sender rules: who gets an answer, a note, or nothing (loops, bounces, spoofing)."""

from __future__ import annotations

import pytest

from medcode.consult.intake import record_inquiry
from medcode.consult.models import Inquiry, Kind, State
from medcode.consult.tests.conftest import CONSULT, make_mail, run_worker
from tests.users import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def record(raw: bytes, **kwargs):
    return record_inquiry(raw, channel="smtp", **kwargs).inquiry


@pytest.mark.parametrize(
    ("headers", "envelope", "sender", "why"),
    [
        ({"Auto-Submitted": "auto-replied"}, None, "ann@clinic.test", "Auto-Submitted"),
        ({"Precedence": "bulk"}, None, "ann@clinic.test", "Precedence"),
        ({"Precedence": "junk"}, None, "ann@clinic.test", "Precedence"),
        ({"X-Autoreply": "yes"}, None, "ann@clinic.test", "x-autoreply"),
        ({}, "<>", "ann@clinic.test", "null envelope sender"),
        ({}, None, "MAILER-DAEMON@mx.clinic.test", "automated sender"),
        ({"List-Id": "<coders.lists.test>"}, None, "ann@clinic.test", "mailing-list"),
        ({}, None, CONSULT, "consult address itself"),
    ],
)
def test_loops_and_bounces_are_never_answered(headers, envelope, sender, why, smtp_settings):
    make_user("ann@clinic.test")
    inquiry = record(make_mail(sender=sender, headers=headers), envelope_sender=envelope)
    assert inquiry.state == State.IGNORED and inquiry.kind == Kind.NONE
    assert why in inquiry.reason
    run_worker()
    assert smtp_settings.messages == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Authentication-Results": "mx.medcode.test; spf=fail smtp.mailfrom=ann@clinic.test"},
        {"Received-SPF": "Fail (mx.medcode.test: domain of clinic.test does not designate ...)"},
        {"Authentication-Results": "mx.medcode.test; dmarc=fail header.from=clinic.test"},
    ],
)
def test_a_spoofed_sender_is_not_answered(headers, smtp_settings):
    make_user("ann@clinic.test")
    inquiry = record(make_mail(headers=headers))
    assert inquiry.state == State.IGNORED
    assert "sender authentication" in inquiry.reason
    run_worker()
    assert smtp_settings.messages == []


def test_only_the_trusted_verifiers_results_count(settings):
    settings.MEDCODE_CONSULT_AUTHSERV_ID = "mx.medcode.test"
    settings.MEDCODE_CONSULT_REQUIRE_AUTH = True
    make_user("ann@clinic.test")
    forged = record(
        make_mail(
            message_id="<forged@clinic.test>",
            headers={"Authentication-Results": "evil.test; spf=pass smtp.mailfrom=clinic.test"},
        )
    )
    assert forged.state == State.IGNORED
    genuine = record(
        make_mail(
            message_id="<genuine@clinic.test>",
            headers={"Authentication-Results": "mx.medcode.test; spf=pass dkim=pass"},
        )
    )
    assert genuine.state == State.RECEIVED and genuine.kind == Kind.ANSWER


def test_an_unregistered_sender_is_told_how_to_register_once(smtp_settings):
    record(make_mail(sender="stranger@else.test", message_id="<s1@else.test>"))
    second = record(make_mail(sender="stranger@else.test", message_id="<s2@else.test>"))
    assert second.state == State.IGNORED and "already told" in second.reason
    run_worker()
    (note,) = smtp_settings.wait_for(1)
    assert note.rcpt_tos == ["stranger@else.test"]
    assert "Register at https://medcode.example/account/signup/" in note.text()
    assert note.message["In-Reply-To"] == "<s1@else.test>"


def test_an_unverified_address_counts_as_unregistered(smtp_settings):
    make_user("new@clinic.test", verified=False)
    inquiry = record(make_mail(sender="new@clinic.test"))
    assert inquiry.kind == Kind.REGISTER and inquiry.user is None


def test_the_plan_quota_is_counted_and_a_note_sent_once_when_reached(settings, smtp_settings):
    settings.MEDCODE_METERING = True
    ann = make_user("ann@clinic.test")  # the free plan: 2 consult emails a month
    kinds = [record(make_mail(message_id=f"<quota{n}@clinic.test>")).kind for n in range(4)]
    assert kinds == [Kind.ANSWER, Kind.ANSWER, Kind.QUOTA, Kind.NONE]
    quota = Inquiry.objects.get(kind=Kind.QUOTA)
    assert quota.user == ann and "You have used all 2 consult emails" in quota.reason
    # A duplicate of an answered mail is not counted again.
    assert not record_inquiry(make_mail(message_id="<quota0@clinic.test>"), channel="smtp").created
    from medcode.accounts.metering import CONSULT as KIND
    from medcode.accounts.metering import check_quota

    assert check_quota(ann, KIND, dry_run=True).used == 2
