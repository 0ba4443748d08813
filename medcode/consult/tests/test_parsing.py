"""Real MIME samples, written out byte for byte, read by the standard-library parser."""

from __future__ import annotations

import time

import pytest

from medcode.consult.html_text import MAX_TEXT_CHARS, html_to_text
from medcode.consult.parsing import MISSING_ID_DOMAIN, MailError, address_of, parse_message

ALTERNATIVE = b"""\
From: Ann Coder <Ann@Clinic.test>
To: consult@medcode.test
Subject: =?utf-8?q?Modifier_question_=E2=80=93_63650?=
Message-ID: <alt-1@clinic.test>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

Can 63650 be billed with modifier 59?

Thanks,
Ann
--b1
Content-Type: text/html; charset=utf-8

<p>Can <b>63650</b> be billed with modifier 59? (HTML part)</p>
--b1--
"""

HTML_ONLY = b"""\
From: bob@clinic.test
To: consult@medcode.test
Subject: html only
Message-ID: <html-1@clinic.test>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><style>p {color: red}</style><script>alert(1)</script></head>
<body><p>Is&nbsp;E11.9 billable?</p><ul><li>first visit</li><li>type 2</li></ul>
<div class="gmail_quote">On Mon, Ann wrote:<blockquote>old question about Z00.00</blockquote></div>
</body></html>
"""

QUOTED_PRINTABLE = b"""\
From: carol@clinic.test
To: consult@medcode.test
Subject: qp
Message-ID: <qp-1@clinic.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

A patient=E2=80=99s visit: what is the code for a caf=C3=A9-au-lait spot? This l=
ine is soft-wrapped.
"""

LATIN1 = b"""\
From: =?iso-8859-1?q?Jos=E9_P=E9rez?= <jose@clinica.test>
To: consult@medcode.test
Subject: =?iso-8859-1?q?C=F3digo_para_diabetes?=
Message-ID: <latin-1@clinica.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit

\xbfQu\xe9 c\xf3digo es E11.9? Se\xf1or Garc\xeda pregunta.
"""

REPLIED = b"""\
From: ann@clinic.test
To: consult@medcode.test
Subject: Re: Coding question
Message-ID: <reply-2@clinic.test>
In-Reply-To: <consult.1@medcode.test>
References: <first-1@clinic.test> <consult.1@medcode.test>
Content-Type: text/plain; charset=utf-8

And with modifier 59?

--
Ann Coder, CPC
Lakeside Clinic

On Tue, 3 Mar 2026 at 10:00, medcode CaseConsultant <consult@medcode.test> wrote:
> E11.9 is an ICD-10-CM diagnosis code.
> Supporting facts
"""

OUTLOOK_REPLY = b"""\
From: dan@clinic.test
To: consult@medcode.test
Subject: RE: Coding question
Message-ID: <outlook-1@clinic.test>
Content-Type: text/plain; charset=utf-8

Is 99213 payable on the same day?

________________________________
From: medcode CaseConsultant <consult@medcode.test>
Sent: Tuesday, March 3, 2026 10:00 AM
Subject: Coding question

earlier answer text
"""

FORWARDED = b"""\
From: eve@clinic.test
To: consult@medcode.test
Subject: Fwd: denial
Message-ID: <fwd-1@clinic.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="m1"

--m1
Content-Type: text/plain; charset=utf-8

Why was this denied? See below.

---------- Forwarded message ---------
From: Payer <claims@payer.test>
Subject: Denial CO-97

Line 2 63650-59 denied: bundled with 64999.
--m1
Content-Type: application/pdf; name="eob.pdf"
Content-Disposition: attachment; filename="eob.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKNSAwIG9iago=
--m1
Content-Type: message/rfc822

From: someone@payer.test
Subject: inner

inner body
--m1--
"""


def test_multipart_alternative_prefers_the_plain_part_and_trims_the_sign_off() -> None:
    mail = parse_message(ALTERNATIVE)
    assert mail.message_id == "<alt-1@clinic.test>"
    assert mail.from_address == "ann@clinic.test"  # lower-cased
    assert mail.from_name == "Ann Coder"
    assert mail.subject == "Modifier question \u2013 63650"
    assert mail.text.startswith("Can 63650 be billed with modifier 59?")
    assert "(HTML part)" not in mail.text
    assert mail.attachments == ()


def test_html_only_mail_becomes_text_without_scripts_styles_or_quoted_history() -> None:
    mail = parse_message(HTML_ONLY)
    assert "Is E11.9 billable?" in mail.text
    assert "- first visit" in mail.text
    assert "alert" not in mail.text and "color" not in mail.text
    assert "Z00.00" not in mail.text and "wrote" not in mail.text


def test_quoted_printable_is_decoded_and_soft_breaks_joined() -> None:
    mail = parse_message(QUOTED_PRINTABLE)
    assert "A patient\u2019s visit" in mail.text
    assert "caf\u00e9-au-lait" in mail.text
    assert "This line is soft-wrapped." in mail.text


def test_iso_8859_1_body_and_encoded_headers() -> None:
    mail = parse_message(LATIN1)
    assert mail.text == "\u00bfQu\u00e9 c\u00f3digo es E11.9? Se\u00f1or Garc\u00eda pregunta."
    assert mail.subject == "C\u00f3digo para diabetes"
    assert mail.from_name == "Jos\u00e9 P\u00e9rez"


def test_a_reply_keeps_only_the_new_text_and_its_thread_ids() -> None:
    mail = parse_message(REPLIED)
    assert mail.text == "And with modifier 59?"
    assert mail.in_reply_to == ("<consult.1@medcode.test>",)
    assert mail.references == ("<first-1@clinic.test>", "<consult.1@medcode.test>")


def test_an_outlook_reply_drops_the_original_message_block() -> None:
    mail = parse_message(OUTLOOK_REPLY)
    assert mail.text == "Is 99213 payable on the same day?"


def test_forwarded_content_is_kept_and_attachments_listed_not_read() -> None:
    mail = parse_message(FORWARDED)
    assert "Why was this denied?" in mail.text
    assert "63650-59 denied" in mail.text  # the forwarded case is the question's context
    assert [a.filename for a in mail.attachments] == ["eob.pdf", "(unnamed)"]
    assert [a.content_type for a in mail.attachments] == ["application/pdf", "message/rfc822"]
    assert mail.attachments[0].size == len(b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n5 0 obj\n")


def test_mail_without_message_id_gets_a_stable_derived_one() -> None:
    raw = b"From: a@clinic.test\nTo: consult@medcode.test\nSubject: x\n\nWhat is E11.9?\n"
    first, second = parse_message(raw), parse_message(raw)
    assert first.message_id == second.message_id
    assert first.message_id.endswith(f"@{MISSING_ID_DOMAIN}>")
    assert parse_message(raw + b"more\n").message_id != first.message_id


def test_several_from_addresses_leave_no_sender() -> None:
    raw = b"From: a@x.test, b@y.test\nMessage-ID: <m@x.test>\n\nhi\n"
    assert parse_message(raw).from_address == ""


@pytest.mark.parametrize("raw", [b"", b"   \r\n"])
def test_empty_bytes_are_a_clear_error(raw: bytes) -> None:
    with pytest.raises(MailError, match="empty"):
        parse_message(raw)


# Inputs on which the standard library's HTMLParser (Python 3.11.7) took time quadratic in their
# length (120 KB: 11.5 s to minutes) or raised ("<![" -> AssertionError, so the listener answered
# 451 and the sender retried for ever).
HOSTILE_HTML = {
    "unclosed tag starts": "<a" * 500_000,
    "unclosed comments": "<!--" * 250_000,
    "unclosed end tags": "</" * 500_000,
    "processing instructions": "<?" * 500_000,
    "marked sections": "<![" * 300_000,
    "deep nesting": "<div>" * 200_000,
    "deep nesting in a quote": '<blockquote type="cite">' + "<div>" * 200_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_HTML))
def test_hostile_html_is_read_in_bounded_time_and_never_raises(name: str) -> None:
    started = time.process_time()
    text = html_to_text("<p>Is E11.9 billable?</p>" + HOSTILE_HTML[name])
    # A regression guard, not a benchmark: the old parser needed 26 s to minutes for these.
    assert time.process_time() - started < 5
    assert text.startswith("Is E11.9 billable?")
    assert len(text) <= MAX_TEXT_CHARS


def test_html_text_keeps_entities_lists_and_drops_quotes_scripts_and_comments() -> None:
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body><p>Hi<br>there &amp; you"
        '</p><!-- hidden --><blockquote type="cite">old <div>nested</div> still old</blockquote>'
        '<div class="gmail_quote">quoted</div><script>if (a<b) x()</script>a &lt; b'
        "<ul><li>one<li>two</ul></body></html>"
    )
    assert html_to_text(html) == "Hi\nthere & you\na < b\n\n- one\n- two"


def test_a_marked_section_in_html_mail_is_read_not_rejected() -> None:
    mail = parse_message(HTML_ONLY.replace(b"<body>", b"<body><![if !supportLists]>"))
    assert "Is E11.9 billable?" in mail.text


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Bob <Bob@Example.com>", "bob@example.com"),
        ("bob@example.com (Bob)", "bob@example.com"),
        ("<consult@medcode.test>", "consult@medcode.test"),
        ("consult@medcode.test,victim@elsewhere.test", ""),
        ("bob@@example.com", ""),
        ("bob", ""),
        ("bob@exa mple.com", ""),
        ("bob@-example.com", ""),
        ("", ""),
    ],
)
def test_address_of_takes_one_well_formed_address_or_none(value: str, expected: str) -> None:
    assert address_of(value) == expected
