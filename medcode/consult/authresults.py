"""The sender-authentication verdict: did SPF/DKIM/DMARC fail for this mail?

Read from the topmost Authentication-Results and Received-SPF headers (the ones the receiving
server added; lower ones may have been written by anyone), from the provider's own headers on
the webhook (X-Mailgun-Spf, X-Mailgun-Dkim-Check-Result), or given by the caller.

With MEDCODE_CONSULT_AUTHSERV_ID set, only Authentication-Results headers from that verifier
count. With MEDCODE_CONSULT_REQUIRE_AUTH on, mail needs a pass (SPF or DKIM); otherwise only
an explicit failure refuses it. The SMTP listener does no DNS checks of its own: put a
verifying MTA (Postfix with a milter, rspamd...) in front of it, or turn REQUIRE_AUTH off
knowingly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

PASS = "pass"
FAIL = "fail"
NONE = "none"

_METHOD = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.I)


@dataclass(frozen=True)
class Verdict:
    result: str  # pass, fail or none
    detail: str = ""


def _authserv_id(header: str) -> str:
    return header.split(";", 1)[0].strip().split()[0].lower() if header.strip() else ""


def from_authentication_results(values: list[str]) -> Verdict:
    wanted = (getattr(settings, "MEDCODE_CONSULT_AUTHSERV_ID", "") or "").lower()
    chosen = [v for v in values if _authserv_id(v) == wanted] if wanted else values[:1]
    if not chosen:
        return Verdict(NONE, "no Authentication-Results from the trusted verifier")
    results: dict[str, set[str]] = {}
    for value in chosen[:1]:
        for method, outcome in _METHOD.findall(value):
            results.setdefault(method.lower(), set()).add(outcome.lower())
    if FAIL in results.get("dmarc", set()):
        return Verdict(FAIL, "dmarc=fail")
    if FAIL in results.get("spf", set()) and PASS not in results.get("dkim", set()):
        return Verdict(FAIL, "spf=fail")
    dkim, spf = results.get("dkim", set()), results.get("spf", set())
    if FAIL in dkim and PASS not in dkim and PASS not in spf:
        return Verdict(FAIL, "dkim=fail")
    if PASS in results.get("spf", set()) or PASS in results.get("dkim", set()):
        return Verdict(PASS, "spf or dkim pass")
    return Verdict(NONE, "no SPF or DKIM result")


def from_received_spf(values: list[str]) -> Verdict:
    if not values:
        return Verdict(NONE)
    first = values[0].strip().split()[0].lower() if values[0].strip() else ""
    if first == FAIL:
        return Verdict(FAIL, "Received-SPF: fail")
    if first == PASS:
        return Verdict(PASS, "Received-SPF: pass")
    return Verdict(NONE, f"Received-SPF: {first or 'empty'}")


def from_mailgun(spf: list[str], dkim: list[str]) -> Verdict:
    spf_value = spf[0].strip().lower() if spf else ""
    dkim_value = dkim[0].strip().lower() if dkim else ""
    if spf_value == FAIL and dkim_value != PASS:
        return Verdict(FAIL, "Mailgun SPF: fail")
    if dkim_value == FAIL and spf_value != PASS:
        return Verdict(FAIL, "Mailgun DKIM: fail")
    if PASS in {spf_value, dkim_value}:
        return Verdict(PASS, "Mailgun SPF or DKIM: pass")
    return Verdict(NONE, "no Mailgun verdict")


def combine(*verdicts: Verdict) -> Verdict:
    """A failure anywhere fails; else a pass anywhere passes; else none."""
    for v in verdicts:
        if v.result == FAIL:
            return v
    for v in verdicts:
        if v.result == PASS:
            return v
    return Verdict(NONE, "no authentication results")


def is_refused(verdict: Verdict) -> bool:
    if verdict.result == FAIL:
        return True
    return bool(getattr(settings, "MEDCODE_CONSULT_REQUIRE_AUTH", False)) and verdict.result != PASS
