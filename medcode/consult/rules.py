"""Which inbound mail is answered, and how: loops and bounces never; spoofed mail never;
unregistered senders get one note on how to register; senders over quota one note a day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from medcode.consult import authresults
from medcode.consult.models import Inquiry, Kind, State
from medcode.consult.parsing import ParsedMail, address_of

REGISTER_NOTICE_DAYS = 30
QUOTA_NOTICE_HOURS = 24
_AUTOMATED_LOCALS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply"}
_BULK = {"bulk", "junk", "list", "auto_reply"}


@dataclass(frozen=True)
class Decision:
    kind: str  # a Kind value
    reason: str = ""
    user: Any = None
    needs_review: bool = False

    @property
    def answered(self) -> bool:
        return self.kind != Kind.NONE


def automated_reason(mail: ParsedMail, envelope_sender: str | None) -> str:
    """Why this mail looks machine-sent (bounce, auto-reply, list), or "" for a person."""
    if envelope_sender is not None and envelope_sender.strip() in {"", "<>"}:
        return "null envelope sender (a bounce)"
    envelope = address_of(envelope_sender or "")
    for address in (envelope, mail.from_address):
        if address and address.split("@", 1)[0] in _AUTOMATED_LOCALS:
            return f"automated sender {address}"
    consult = address_of(settings.MEDCODE_CONSULT_ADDRESS)
    if mail.from_address and mail.from_address == consult:
        return "mail from the consult address itself"
    for value in mail.header("auto-submitted"):
        if value.strip().lower().split(";")[0] != "no":
            return f"Auto-Submitted: {value.strip()}"
    for value in mail.header("precedence"):
        if value.strip().lower() in _BULK:
            return f"Precedence: {value.strip()}"
    for name in ("x-autoreply", "x-autorespond"):
        if mail.header(name):
            return f"{name} header"
    if mail.header("list-id") or mail.header("list-unsubscribe"):
        return "mailing-list mail"
    if mail.content_type == "multipart/report":
        return "a delivery report"
    return ""


def verdict_for(mail: ParsedMail, provider: authresults.Verdict | None) -> authresults.Verdict:
    found = [
        authresults.from_authentication_results(mail.header("authentication-results")),
        authresults.from_received_spf(mail.header("received-spf")),
    ]
    if provider is not None:
        found.insert(0, provider)
    return authresults.combine(*found)


def verified_user(address: str) -> Any:
    """The active user whose verified address this is, or None."""
    from allauth.account.models import EmailAddress

    if not address:
        return None
    found = (
        EmailAddress.objects.filter(email__iexact=address, verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return found.user if found is not None else None


def decide(
    mail: ParsedMail,
    *,
    envelope_sender: str | None,
    provider_verdict: authresults.Verdict | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """The decision for one new inbound mail. Counts one consult against the sender's quota
    when it will be answered (call it once, inside the recording transaction)."""
    from medcode.accounts.metering import CONSULT, check_quota
    from medcode.accounts.viewers import plan_of_user

    now = now or timezone.now()
    automated = automated_reason(mail, envelope_sender)
    if automated:
        return Decision(Kind.NONE, f"not answered: {automated}")
    if not mail.from_address:
        return Decision(Kind.NONE, "not answered: no single From address")
    verdict = verdict_for(mail, provider_verdict)
    if authresults.is_refused(verdict):
        return Decision(Kind.NONE, f"not answered: sender authentication {verdict.detail}")
    user = verified_user(mail.from_address)
    if user is None:
        told = Inquiry.objects.filter(
            sender=mail.from_address,
            kind=Kind.REGISTER,
            received_at__gte=now - dt.timedelta(days=REGISTER_NOTICE_DAYS),
        ).exclude(state=State.IGNORED)
        if told.exists():
            return Decision(Kind.NONE, "not answered: unregistered sender, already told")
        return Decision(Kind.REGISTER, "the sender has no verified account")
    allowance = check_quota(user, CONSULT)
    if not allowance.allowed:
        told = Inquiry.objects.filter(
            user=user,
            kind=Kind.QUOTA,
            received_at__gte=now - dt.timedelta(hours=QUOTA_NOTICE_HOURS),
        ).exclude(state=State.IGNORED)
        if told.exists():
            return Decision(Kind.NONE, "not answered: over quota, already told today", user)
        return Decision(Kind.QUOTA, allowance.message, user)
    review = bool(plan_of_user(user.pk).includes_expert_review)
    return Decision(Kind.ANSWER, "", user, needs_review=review)
