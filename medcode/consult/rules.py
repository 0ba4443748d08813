"""Which inbound mail is answered, and how: loops and bounces never; spoofed mail never;
unregistered senders get one note on how to register; senders over quota one note a day.

A mail is answered as its From address only when that address is proven: an authentication pass
(authresults.py) for a domain aligned with the From domain, or, where the operator turned
MEDCODE_CONSULT_REQUIRE_AUTH off for a trusted relay (or ingests a file by hand), an envelope sender
aligned with it. A mail from an unproven sender is never answered automatically: for an account
it waits for staff review (not counted against the quota, its subject and attachment names never
echoed), and an unregistered one gets no note at all, so nobody can aim our mail at a third party.
Registration notes are also capped per day (REGISTER_NOTES_PER_DAY).
"""

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
REGISTER_NOTES_PER_DAY = 100
REGISTER_NOTES = "consult_regnote"  # a UsageCounter kind: at most 16 characters
_AUTOMATED_LOCALS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply"}
_BULK = {"bulk", "junk", "list", "auto_reply"}


@dataclass(frozen=True)
class Decision:
    kind: str  # a Kind value
    reason: str = ""
    user: Any = None
    needs_review: bool = False
    sender_proven: bool = True

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


def verdict_for(
    mail: ParsedMail,
    provider: authresults.Verdict | None,
    *,
    envelope_sender: str | None = None,
    channel: str = "smtp",
) -> authresults.Verdict:
    envelope_domain = authresults.domain_of(address_of(envelope_sender or ""))
    found = [
        authresults.from_authentication_results(
            mail.header("authentication-results"), envelope_domain=envelope_domain
        ),
        authresults.from_received_spf(mail.header("received-spf")),
    ]
    if channel == "webhook":
        # No verifier of ours saw this mail: its headers may only make it fail.
        found = [v for v in found if v.result == authresults.FAIL]
    if provider is not None:
        found.insert(0, provider)
    return authresults.combine(*found)


def unproven_reason(
    mail: ParsedMail, envelope_sender: str | None, verdict: authresults.Verdict, channel: str
) -> str:
    """Why the From address is not proven to be the sender's, or "" when it is."""
    from_domain = authresults.domain_of(mail.from_address)
    if verdict.result == authresults.PASS and any(
        authresults.aligned(domain, from_domain) for domain in verdict.vouched
    ):
        return ""
    if envelope_sender is not None:
        envelope = address_of(envelope_sender)
        if not envelope:
            return "the envelope sender is not one well-formed address"
        envelope_domain = authresults.domain_of(envelope)
        if not authresults.aligned(envelope_domain, from_domain):
            return (
                f"the envelope sender's domain ({envelope_domain}) does not match"
                f" the From domain ({from_domain})"
            )
    if channel == "cli" or not authresults.requires_pass():
        return ""
    proven = ", ".join(sorted(verdict.vouched)) or "none"
    return f"no authenticated domain ({proven}) matches the From domain ({from_domain})"


def _may_send_register_note(now: dt.datetime) -> bool:
    from medcode.accounts.metering import consume
    from medcode.accounts.models import Period

    allowance = consume(
        "consult", REGISTER_NOTES, limit=REGISTER_NOTES_PER_DAY, period=Period.DAY, now=now
    )
    return allowance.allowed


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
    channel: str = "smtp",
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
    verdict = verdict_for(mail, provider_verdict, envelope_sender=envelope_sender, channel=channel)
    # A file the operator ingests by hand is vouched for by the operator (its fails still count).
    if authresults.is_refused(verdict) and not (channel == "cli" and verdict.result != "fail"):
        return Decision(Kind.NONE, f"not answered: sender authentication: {verdict.detail}")
    unproven = unproven_reason(mail, envelope_sender, verdict, channel)
    user = verified_user(mail.from_address)
    if unproven and user is None:
        return Decision(Kind.NONE, f"not answered: unregistered and unproven sender: {unproven}")
    if unproven:
        reason = f"held for staff review: the sender is not proven: {unproven}"
        return Decision(Kind.ANSWER, reason, user, needs_review=True, sender_proven=False)
    if user is None:
        told = Inquiry.objects.filter(
            sender=mail.from_address,
            kind=Kind.REGISTER,
            received_at__gte=now - dt.timedelta(days=REGISTER_NOTICE_DAYS),
        ).exclude(state=State.IGNORED)
        if told.exists():
            return Decision(Kind.NONE, "not answered: unregistered sender, already told")
        if not _may_send_register_note(now):
            return Decision(Kind.NONE, "not answered: today's registration notes are used up")
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
