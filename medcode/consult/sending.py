"""The reply: plain text and HTML (autoescaped templates), threaded, to the verified sender only.

The recipient is always `inquiry.sender`, the address the sender rules matched to a verified
account (or the unregistered sender told how to register): never Reply-To, Cc or anything
written in the body. The inbound subject and attachment names are echoed only to a proven sender
(rules.py), never in a registration note: mail from the consult address must not carry a
stranger's words to somebody else.
"""

from __future__ import annotations

from email.utils import formataddr, make_msgid, parseaddr
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from medcode.consult.models import Inquiry, Kind

SENDER_NAME = "medcode CaseConsultant"


def consult_address() -> str:
    return parseaddr(settings.MEDCODE_CONSULT_ADDRESS)[1] or "consult@localhost"


def new_message_id() -> str:
    domain = consult_address().rsplit("@", 1)[-1] or "localhost"
    return make_msgid(idstring="consult", domain=domain)


GENERIC_SUBJECT = "Your coding question"
REGISTER_SUBJECT = "Your email to medcode CaseConsultant"


def echoes_sender(inquiry: Inquiry) -> bool:
    """Whether the reply may repeat what the sender wrote (subject, attachment names)."""
    return inquiry.sender_proven and inquiry.kind != Kind.REGISTER


def reply_subject(subject: str) -> str:
    subject = " ".join(subject.split())[:250] or GENERIC_SUBJECT
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def _absolute(url: str) -> str:
    """A citation link made absolute on the site; anything not http(s) is dropped."""
    full = urljoin(settings.MEDCODE_SITE_URL.rstrip("/") + "/", url or "")
    return full if urlsplit(full).scheme in {"http", "https"} else ""


def reply_context(inquiry: Inquiry) -> dict[str, Any]:
    draft = inquiry.draft or {}
    facts = [
        {
            "text": f.get("text", ""),
            "label": f.get("citation", {}).get("label", ""),
            "url": _absolute(f.get("citation", {}).get("url", "")),
            "release": f.get("citation", {}).get("release", ""),
        }
        for f in draft.get("facts", [])
    ]
    site = settings.MEDCODE_SITE_URL.rstrip("/")
    return {
        "inquiry": inquiry,
        "kind": inquiry.kind,
        "answer": inquiry.reply_text,
        "facts": facts,
        "notices": draft.get("notices", []),
        "reviewed": inquiry.reviewed_at is not None,
        "reviewed_at": inquiry.reviewed_at,
        "attachments": inquiry.attachments if echoes_sender(inquiry) else [],
        "site_url": site,
        "account_url": f"{site}/account/",
        "signup_url": f"{site}/account/signup/",
        "consult_address": consult_address(),
    }


def build_reply(inquiry: Inquiry) -> EmailMultiAlternatives:
    if not inquiry.outbound_message_id:
        raise ValueError(f"consult #{inquiry.pk} has no outbound Message-ID yet")
    context = reply_context(inquiry)
    references = [*inquiry.references.split(), inquiry.message_id]
    references = list(dict.fromkeys(references))[-20:]
    message = EmailMultiAlternatives(
        subject=reply_subject(inquiry.subject)
        if echoes_sender(inquiry)
        else (REGISTER_SUBJECT if inquiry.kind == Kind.REGISTER else f"Re: {GENERIC_SUBJECT}"),
        body=render_to_string("consult/reply.txt", context),
        from_email=formataddr((SENDER_NAME, consult_address())),
        to=[inquiry.sender],
        headers={
            "Message-ID": inquiry.outbound_message_id,
            "In-Reply-To": inquiry.message_id,
            "References": " ".join(references),
            # RFC 3834: an automatic reply, so the other side's autoresponders stay quiet.
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
        },
    )
    message.attach_alternative(render_to_string("consult/reply.html", context), "text/html")
    return message


def send_reply(inquiry: Inquiry) -> None:
    """Hand the reply to the SMTP server (settings MEDCODE_EMAIL_URL); raises on failure."""
    message = build_reply(inquiry)
    message.connection = get_connection(fail_silently=False)
    sent = message.send()
    if sent != 1:
        raise RuntimeError(f"the mail server did not accept the reply to consult #{inquiry.pk}")
