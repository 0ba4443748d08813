"""Whose mail is this? The From address is answered only when it is proven (issue 20, finding 2).

Each attack below was answered as the victim's on 8fdfd87: a forged From with the attacker's own
envelope, a forged Authentication-Results header with no verifier configured, and registration
notes sent to any address an attacker wrote in From.
"""

from __future__ import annotations

import pytest

from medcode.consult import review
from medcode.consult.authresults import NO_VERIFIER
from medcode.consult.intake import record_inquiry
from medcode.consult.models import Inquiry, Kind, State
from medcode.consult.sending import GENERIC_SUBJECT
from medcode.consult.tests.conftest import make_mail, run_worker
from tests.users import make_user

pytestmark = pytest.mark.django_db(transaction=True)

FORGED_SUBJECT = "URGENT: wire the payment to evil.example"


def mallory_as_bob(message_id: str, **kwargs: object) -> bytes:
    return make_mail(
        "What is E11.9?",
        sender="Bob <bob@example.com>",
        subject=FORGED_SUBJECT,
        message_id=message_id,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_forged_from_with_the_attackers_envelope_waits_for_staff_and_uses_no_quota(
    settings, smtp_settings
):
    settings.MEDCODE_METERING = True
    bob = make_user("bob@example.com")
    recorded = record_inquiry(
        mallory_as_bob("<forged1@evil.example>"),
        channel="smtp",
        envelope_sender="mallory@evil.example",
    ).inquiry
    assert recorded.kind == Kind.ANSWER and recorded.needs_review and not recorded.sender_proven
    assert "evil.example" in recorded.reason and "example.com" in recorded.reason
    run_worker()
    assert Inquiry.objects.get(pk=recorded.pk).state == State.PENDING_REVIEW
    assert smtp_settings.messages == []  # nothing went to Bob by itself

    from medcode.accounts.metering import CONSULT, check_quota

    assert check_quota(bob, CONSULT, dry_run=True).used == 0

    # The same mail with an aligned envelope is Bob's (no verifier here: a trusted relay).
    genuine = record_inquiry(
        make_mail(sender="bob@example.com", message_id="<genuine@example.com>"),
        channel="smtp",
        envelope_sender="bounce@mail.example.com",
    ).inquiry
    assert genuine.sender_proven and not genuine.needs_review


def test_an_approved_reply_to_an_unproven_sender_echoes_no_subject_or_attachment_name(
    settings, smtp_settings
):
    make_user("bob@example.com")
    raw = mallory_as_bob("<forged2@evil.example>")
    from email import message_from_bytes, policy

    message = message_from_bytes(raw, policy=policy.default)
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf",
                           filename="click-evil.example-now.pdf")  # fmt: skip
    inquiry = record_inquiry(
        message.as_bytes(), channel="smtp", envelope_sender="mallory@evil.example"
    ).inquiry
    run_worker()
    staff = make_user("staff@medcode.test")
    review.approve(inquiry.pk, staff, "E11.9 is type 2 diabetes mellitus without complications.")
    run_worker()
    (reply,) = smtp_settings.wait_for(1)
    assert reply.rcpt_tos == ["bob@example.com"]
    assert reply.message["Subject"] == f"Re: {GENERIC_SUBJECT}"
    for text in (reply.text(), reply.html(), str(reply.message["Subject"])):
        assert "evil.example" not in text and "URGENT" not in text


def test_a_forged_authentication_results_header_is_no_pass_without_a_configured_verifier(
    settings, smtp_settings
):
    settings.MEDCODE_CONSULT_REQUIRE_AUTH = True
    settings.MEDCODE_CONSULT_AUTHSERV_ID = ""
    make_user("bob@example.com")
    forged = record_inquiry(
        mallory_as_bob(
            "<forged3@evil.example>",
            headers={"Authentication-Results": "mx.example.com; spf=pass dkim=pass dmarc=pass"},
        ),
        channel="smtp",
        envelope_sender="bob@example.com",
    ).inquiry
    assert forged.state == State.IGNORED and forged.kind == Kind.NONE
    assert NO_VERIFIER in forged.reason
    run_worker()
    assert smtp_settings.messages == []


@pytest.mark.parametrize(
    ("results", "envelope", "proven"),
    [
        ("mx.medcode.test; spf=pass smtp.mailfrom=bob@example.com", "bob@example.com", True),
        ("mx.medcode.test; dkim=pass header.d=example.com", "x@bounces.esp.test", True),
        ("mx.medcode.test; dmarc=pass header.from=example.com", None, True),
        # A pass for the attacker's own domain proves nothing about Bob.
        ("mx.medcode.test; dkim=pass header.d=evil.example", "bob@example.com", False),
        ("mx.medcode.test; spf=pass smtp.mailfrom=m@evil.example", "m@evil.example", False),
    ],
)
def test_only_a_pass_for_the_from_domain_from_the_trusted_verifier_proves_the_sender(
    settings, results, envelope, proven
):
    settings.MEDCODE_CONSULT_REQUIRE_AUTH = True
    settings.MEDCODE_CONSULT_AUTHSERV_ID = "mx.medcode.test"
    make_user("bob@example.com")
    inquiry = record_inquiry(
        make_mail(sender="bob@example.com", headers={"Authentication-Results": results}),
        channel="smtp",
        envelope_sender=envelope,
    ).inquiry
    assert inquiry.kind == Kind.ANSWER and inquiry.state == State.RECEIVED
    assert inquiry.sender_proven is proven and inquiry.needs_review is not proven


def test_no_registration_note_goes_to_an_address_the_sender_did_not_prove(smtp_settings):
    victim = record_inquiry(
        make_mail(sender="victim@else.test", message_id="<bs1@evil.example>"),
        channel="smtp",
        envelope_sender="mallory@evil.example",
    ).inquiry
    assert victim.kind == Kind.NONE and victim.state == State.IGNORED
    assert "unproven" in victim.reason
    run_worker()
    assert smtp_settings.messages == []


def test_registration_notes_are_capped_per_day(monkeypatch, smtp_settings):
    from medcode.consult import rules

    monkeypatch.setattr(rules, "REGISTER_NOTES_PER_DAY", 2)
    kinds = [
        record_inquiry(
            make_mail(sender=f"new{n}@else.test", message_id=f"<cap{n}@else.test>"),
            channel="smtp",
            envelope_sender=f"new{n}@else.test",
        ).inquiry.kind
        for n in range(3)
    ]
    assert kinds == [Kind.REGISTER, Kind.REGISTER, Kind.NONE]
    assert "registration notes are used up" in Inquiry.objects.get(kind=Kind.NONE).reason
    run_worker()
    notes = smtp_settings.wait_for(2)
    # The note repeats nothing the stranger wrote, not even the subject.
    assert {n.message["Subject"] for n in notes} == {"Your email to medcode CaseConsultant"}
