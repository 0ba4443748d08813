"""The SMTP listener's daily intake limits, over a real SMTP conversation with smtplib."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest

from medcode.accounts import metering
from medcode.consult.models import Inquiry
from medcode.consult.smtpd import controller
from medcode.consult.tests.conftest import CONSULT, make_mail
from tests.ports import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


@pytest.fixture
def listener(settings) -> Iterator[int]:
    """The listener in this process; its counters in the test database (a Redis would keep
    them from one run to the next)."""
    settings.REDIS_URL = ""
    metering.redis_state.reset()
    port = free_port()
    running = controller("127.0.0.1", port)
    running.start()
    try:
        yield port
    finally:
        running.stop()
        metering.redis_state.reset()


def send(port: int, sender: str, message_id: str) -> tuple[int, bytes]:
    mail = make_mail(sender=sender, message_id=message_id)
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.ehlo()
        client.mail(sender)
        client.rcpt(CONSULT)
        return client.data(mail)


def test_a_sender_over_its_daily_limit_gets_450_and_nothing_is_recorded(listener, settings):
    settings.MEDCODE_CONSULT_SMTP_PER_SENDER_DAY = 2
    answers = [send(listener, "flood@spam.test", f"<flood-{n}@spam.test>") for n in range(3)]
    assert [code for code, _ in answers] == [250, 250, 450]
    assert b"Too many messages from this sender today" in answers[2][1]
    assert Inquiry.objects.filter(sender="flood@spam.test").count() == 2
    # Another sender from the same host is still taken.
    assert send(listener, "ann@clinic.test", "<ann-1@clinic.test>")[0] == 250


def test_a_host_over_its_daily_limit_gets_450_whoever_the_sender(listener, settings):
    settings.MEDCODE_CONSULT_SMTP_PER_CLIENT_DAY = 1
    assert send(listener, "one@a.test", "<one@a.test>")[0] == 250
    code, text = send(listener, "two@b.test", "<two@b.test>")
    assert code == 450 and b"from this host" in text
    assert Inquiry.objects.count() == 1


def test_a_recipient_list_smuggled_into_one_rcpt_is_refused(listener):
    with smtplib.SMTP("127.0.0.1", listener, timeout=10) as client:
        client.ehlo()
        client.mail("ann@clinic.test")
        # Sent as typed (smtplib's rcpt() would quote only the first address).
        code, _ = client.docmd(f"RCPT TO:<{CONSULT},victim@elsewhere.test>")
        assert code == 501
        assert client.rcpt(CONSULT)[0] == 250


@pytest.mark.parametrize("postmaster", ["postmaster", "postmaster@medcode.test"])
def test_mail_for_the_postmaster_is_taken_and_kept_for_the_operator(
    listener, settings, tmp_path, postmaster
):
    settings.VAR_DIR = tmp_path
    mail = make_mail(sender="mta@clinic.test", message_id="<bounce-1@clinic.test>")
    with smtplib.SMTP("127.0.0.1", listener, timeout=10) as client:
        client.ehlo()
        client.mail("mta@clinic.test")
        assert client.rcpt(postmaster)[0] == 250
        code, text = client.data(mail)
    assert code == 250 and b"postmaster" in text
    kept = list((tmp_path / "postmaster" / "new").iterdir())
    assert len(kept) == 1 and b"<bounce-1@clinic.test>" in kept[0].read_bytes()
    assert Inquiry.objects.count() == 0  # not a consult: nothing is answered
