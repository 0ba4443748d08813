"""End to end over real SMTP both ways: smtplib -> `medcode consult smtpd` (a subprocess) ->
`medcode worker` (a subprocess) -> our reply at a loopback aiosmtpd server."""

from __future__ import annotations

import smtplib
import time

import pytest

from medcode.consult.tests.conftest import CONSULT, SITE, make_mail
from medcode.consult.tests.live import add_user, base_env, import_samples, running
from tests.ports import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


def test_an_email_to_the_listener_gets_a_threaded_cited_reply(
    scratch_database_url, tmp_path, smtp_sink
) -> None:
    env = base_env(scratch_database_url, tmp_path / "var", smtp_url=smtp_sink.url, consult=CONSULT)
    import_samples(env, tmp_path / "data")
    add_user(env, "ann@clinic.test")
    port = free_port()
    with (
        running(
            env,
            "consult",
            "smtpd",
            "--port",
            str(port),
            ready="listening on",
            log=tmp_path / "smtpd.log",
        ),
        running(env, "worker", ready=None, log=tmp_path / "worker.log"),
    ):
        question = make_mail(
            "Hello,\n\nWhat is E11.9?\n\n-- \nAnn Coder, CPC",
            sender="Ann Coder <ann@clinic.test>",
            subject="Diabetes code",
            message_id="<e2e-1@clinic.test>",
            headers={"Reply-To": "someone-else@evil.test"},
        )
        loop = make_mail(
            "I am out of the office.",
            subject="Auto: Re: Diabetes code",
            message_id="<e2e-loop@clinic.test>",
            headers={"Auto-Submitted": "auto-replied"},
        )
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            # Not an open relay: only the consult address is accepted.
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.sendmail("ann@clinic.test", ["someone@else.test"], question)
            client.rset()
            refused = client.sendmail("ann@clinic.test", [CONSULT], question)
            assert refused == {}
            client.sendmail("ann@clinic.test", [CONSULT], loop)
            client.sendmail("ann@clinic.test", [CONSULT], question)  # delivered twice

        (reply,) = smtp_sink.wait_for(1, timeout=60)
        time.sleep(1.5)  # time enough for a wrong second reply (duplicate, loop) to arrive
    assert len(smtp_sink.messages) == 1
    assert reply.rcpt_tos == ["ann@clinic.test"]
    msg = reply.message
    assert msg["To"] == "ann@clinic.test"
    assert msg["In-Reply-To"] == "<e2e-1@clinic.test>"
    assert msg["References"] == "<e2e-1@clinic.test>"
    assert msg["Subject"] == "Re: Diabetes code"
    assert msg["Message-ID"].endswith("@medcode.test>")
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg.get_content_type() == "multipart/alternative"
    text, html = reply.text(), reply.html()
    assert "E11.9 is an ICD-10-CM diagnosis code" in text
    assert f"{SITE}/codes/E11.9/" in text and f'href="{SITE}/codes/E11.9/"' in html
    assert "no expert has reviewed it" in text
