"""Read one raw email (bytes) into what CaseConsultant needs, with the standard `email` package.

Handles multipart mail (the text/plain part is preferred, else the HTML part turned into text),
quoted-printable and base64 bodies, any charset Python knows (undecodable bytes are replaced),
and lists attachments without opening them. The body is trimmed of quoted history and
signatures (trim.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses

from medcode.consult.html_text import html_to_text
from medcode.consult.trim import trim_body

MISSING_ID_DOMAIN = "no-message-id.medcode.invalid"
_MSGID = re.compile(r"<[^<>\s]+>")


class MailError(ValueError):
    """The bytes are not a usable email; the message says what is wrong."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int

    def as_dict(self) -> dict[str, object]:
        return {"filename": self.filename, "content_type": self.content_type, "size": self.size}


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    from_address: str  # lower case; "" when the From header has no address
    from_name: str
    subject: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    text: str  # what the sender wrote, trimmed
    attachments: tuple[Attachment, ...] = ()
    # Headers read by the sender rules (rules.py); the message itself is kept for them too.
    headers: dict[str, list[str]] = field(default_factory=dict)
    content_type: str = "text/plain"

    def header(self, name: str) -> list[str]:
        return self.headers.get(name.lower(), [])


_RULE_HEADERS = (
    "auto-submitted",
    "precedence",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "list-id",
    "list-unsubscribe",
    "return-path",
    "authentication-results",
    "received-spf",
    "x-mailgun-spf",
    "x-mailgun-dkim-check-result",
    "reply-to",
    "cc",
)


def parse_message(raw: bytes) -> ParsedMail:
    if not raw or not raw.strip():
        raise MailError("the message is empty")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; this is a last resort
        raise MailError(f"the message could not be parsed: {exc}") from exc
    assert isinstance(msg, EmailMessage)
    name, address = _from_of(msg)
    return ParsedMail(
        message_id=_message_id(msg, raw),
        from_address=address,
        from_name=name,
        subject=_header_text(msg, "subject")[:300],
        in_reply_to=tuple(_MSGID.findall(_header_text(msg, "in-reply-to"))),
        references=tuple(_MSGID.findall(_header_text(msg, "references")))[-20:],
        text=trim_body(body_text(msg)),
        attachments=tuple(attachments_of(msg)),
        headers={h: [str(v) for v in (_safe_all(msg, h))] for h in _RULE_HEADERS if msg.get_all(h)},
        content_type=msg.get_content_type(),
    )


def _safe_all(msg: Message, name: str) -> list[str]:
    values = []
    for value in msg.get_all(name) or []:
        try:
            values.append(str(value))
        except Exception:  # a malformed header the policy could not render
            values.append("")
    return values


def _header_text(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:
        return ""
    return " ".join(str(value or "").split())


def _from_of(msg: Message) -> tuple[str, str]:
    values = _safe_all(msg, "from")
    pairs = getaddresses(values) if values else []
    if len(pairs) != 1:  # none, or several authors: no single sender to answer
        return "", ""
    name, address = pairs[0]
    if "@" not in address:
        return name, ""
    return name, address.strip().lower()


def _message_id(msg: Message, raw: bytes) -> str:
    found: list[str] = _MSGID.findall(_header_text(msg, "message-id"))
    if found:
        return found[0][:255]
    # No Message-ID: one derived from the bytes, so a second delivery is still recognised.
    digest = hashlib.sha256(raw).hexdigest()[:40]
    return f"<{digest}@{MISSING_ID_DOMAIN}>"


def _content(part: Message) -> str:
    """A text part's content as str, whatever its transfer encoding and charset."""
    try:
        assert isinstance(part, EmailMessage)
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, AssertionError, KeyError):
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def body_text(msg: EmailMessage) -> str:
    """The message's text: text/plain preferred, else its HTML as text."""
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        # A single non-text part, or an unusual structure: look for any inline text part.
        for part in msg.walk():
            if part.get_content_maintype() == "text" and not _is_attachment(part):
                body = part
                break
    if body is None:
        return ""
    text = _content(body)
    if body.get_content_subtype() == "html":
        try:
            return html_to_text(text)
        except Exception as exc:  # a permanent reject (554), never a retry loop (451)
            raise MailError(f"the HTML body could not be read: {exc}") from exc
    return text


def _is_attachment(part: Message) -> bool:
    return part.get_content_disposition() == "attachment" or bool(part.get_filename())


def attachments_of(msg: EmailMessage) -> list[Attachment]:
    found = []
    body = msg.get_body(preferencelist=("plain", "html"))
    for part in msg.walk():
        if part is body:
            continue
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            size = len(first.as_bytes()) if isinstance(first, Message) else 0
        elif part.is_multipart() or not _is_attachment(part):
            continue
        else:
            payload = part.get_payload(decode=True)
            size = len(payload) if isinstance(payload, bytes) else 0
        found.append(
            Attachment(
                filename=(part.get_filename() or "(unnamed)")[:200],
                content_type=part.get_content_type(),
                size=size,
            )
        )
    return found[:50]


# One addr-spec: a dot-atom local part (no quoted forms: no sender needs them), "@", a host name.
_ADDR_SPEC = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)


_ANGLE = re.compile(r"<([^<>]*)>")
_BARE = re.compile(r"([^<>()]*?)\s*(?:\([^()]*\))?")


def address_of(value: str) -> str:
    """The one bare address in a header value or envelope address, lower case; "" when there is
    none, more than one (`consult@x, victim@y`), or it is malformed."""
    found = getaddresses([value or ""])
    if len(found) != 1:
        return ""
    address = found[0][1].strip().lower()
    # The parser drops what follows a broken address ("bob@exa mple.com" -> "bob@exa"): the
    # address as written, in <> or bare (a trailing comment aside), must be the one it found.
    written = _ANGLE.search(value) or _BARE.fullmatch(value.strip())
    if written is None or written.group(1).strip().lower() != address:
        return ""
    return address if len(address) <= 254 and _ADDR_SPEC.fullmatch(address) else ""
