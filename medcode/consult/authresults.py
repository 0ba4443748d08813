"""The sender-authentication verdict: did SPF/DKIM/DMARC pass or fail, and for which domains?

Where a verdict may come from, by channel:
- Authentication-Results headers written by the verifier named in MEDCODE_CONSULT_AUTHSERV_ID
  (your MX: Postfix with a milter, rspamd...). Without that setting no header can make a pass:
  anyone can write an Authentication-Results header into their own mail. A failure in the topmost
  header still refuses the mail (a sender can only hurt itself with one).
- Received-SPF headers: a failure refuses, a pass counts for nothing (they name no verifier).
- The provider's own POST fields on the webhook (Mailgun's X-Mailgun-Spf and
  X-Mailgun-Dkim-Check-Result fields), given by the caller.

A pass names the domains it proves (`vouched`): SPF the envelope (smtp.mailfrom) domain, DKIM the
signing domain (header.d), DMARC the From domain. rules.py answers a mail as its From address only
when one of them aligns with the From domain. With MEDCODE_CONSULT_REQUIRE_AUTH on (the default)
mail without a pass is not answered; `off` is for a trusted internal relay that verified it.
The SMTP listener does no DNS checks of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings

PASS = "pass"
FAIL = "fail"
NONE = "none"

_METHOD = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)([^;]*)", re.I)
_PROPERTY = re.compile(
    r"\b(smtp\.mailfrom|header\.d|header\.i|header\.from)\s*=\s*([^\s;()]+)", re.I
)
NO_VERIFIER = (
    "no trusted verifier is configured (set MEDCODE_CONSULT_AUTHSERV_ID to your MX host's"
    " authserv-id, or MEDCODE_CONSULT_REQUIRE_AUTH=off behind a trusted relay)"
)


@dataclass(frozen=True)
class Verdict:
    result: str  # pass, fail or none
    detail: str = ""
    vouched: frozenset[str] = field(default_factory=frozenset)  # domains a pass proves


def domain_of(address: str) -> str:
    return address.strip().strip("<>").rpartition("@")[2].strip().rstrip(".").lower()


def aligned(one: str, other: str) -> bool:
    """The same domain, or one a subdomain of the other (relaxed alignment, without the public
    suffix list: stricter than DMARC's organisational domain, never looser)."""
    if not one or not other:
        return False
    return one == other or one.endswith("." + other) or other.endswith("." + one)


def _authserv_id(header: str) -> str:
    return header.split(";", 1)[0].strip().split()[0].lower() if header.strip() else ""


def _outcomes(value: str, envelope_domain: str) -> dict[str, dict[str, set[str]]]:
    """{method: {outcome: domains}} of one Authentication-Results value."""
    results: dict[str, dict[str, set[str]]] = {}
    for method, outcome, rest in _METHOD.findall(value):
        props = {name.lower(): domain_of(v) for name, v in _PROPERTY.findall(rest)}
        method = method.lower()
        if method == "spf":
            domain = props.get("smtp.mailfrom") or envelope_domain
        elif method == "dkim":
            domain = props.get("header.d") or props.get("header.i", "")
        else:
            domain = props.get("header.from", "")
        results.setdefault(method, {}).setdefault(outcome.lower(), set()).add(domain)
    return results


def from_authentication_results(values: list[str], *, envelope_domain: str = "") -> Verdict:
    wanted = (getattr(settings, "MEDCODE_CONSULT_AUTHSERV_ID", "") or "").lower()
    chosen = [v for v in values if _authserv_id(v) == wanted] if wanted else values[:1]
    if not chosen:
        return Verdict(NONE, "no Authentication-Results from the trusted verifier")
    results = _outcomes(chosen[0], envelope_domain)
    dkim, spf = results.get("dkim", {}), results.get("spf", {})
    if FAIL in results.get("dmarc", {}):
        return Verdict(FAIL, "dmarc=fail")
    if FAIL in spf and PASS not in dkim:
        return Verdict(FAIL, "spf=fail")
    if FAIL in dkim and PASS not in dkim and PASS not in spf:
        return Verdict(FAIL, "dkim=fail")
    if not wanted:
        return Verdict(NONE, NO_VERIFIER)
    vouched = {d for method in results.values() for d in method.get(PASS, set()) if d}
    if PASS in spf or PASS in dkim or PASS in results.get("dmarc", {}):
        return Verdict(PASS, "authenticated by " + wanted, frozenset(vouched))
    return Verdict(NONE, "no SPF or DKIM result")


def from_received_spf(values: list[str]) -> Verdict:
    if not values:
        return Verdict(NONE)
    first = values[0].strip().split()[0].lower() if values[0].strip() else ""
    if first == FAIL:
        return Verdict(FAIL, "Received-SPF: fail")
    return Verdict(NONE, f"Received-SPF: {first or 'empty'} (names no verifier)")


def from_mailgun(
    spf: list[str], dkim: list[str], *, envelope_domain: str = "", dkim_domain: str = ""
) -> Verdict:
    """Mailgun's verdict from its POST fields. A field given twice is not Mailgun's alone."""
    if len(spf) > 1 or len(dkim) > 1:
        return Verdict(NONE, "Mailgun's verdict fields were given more than once")
    spf_value = spf[0].strip().lower() if spf else ""
    dkim_value = dkim[0].strip().lower() if dkim else ""
    if spf_value == FAIL and dkim_value != PASS:
        return Verdict(FAIL, "Mailgun SPF: fail")
    if dkim_value == FAIL and spf_value != PASS:
        return Verdict(FAIL, "Mailgun DKIM: fail")
    vouched = {
        domain
        for value, domain in ((spf_value, envelope_domain), (dkim_value, dkim_domain))
        if value == PASS and domain
    }
    if PASS in {spf_value, dkim_value}:
        return Verdict(PASS, "Mailgun SPF or DKIM: pass", frozenset(vouched))
    return Verdict(NONE, "no Mailgun verdict")


def combine(*verdicts: Verdict) -> Verdict:
    """A failure anywhere fails; else the passes together (their domains joined); else none."""
    for v in verdicts:
        if v.result == FAIL:
            return v
    passes = [v for v in verdicts if v.result == PASS]
    if passes:
        vouched = frozenset().union(*(v.vouched for v in passes))
        return Verdict(PASS, "; ".join(v.detail for v in passes), vouched)
    details = [v.detail for v in verdicts if v.detail]
    return Verdict(NONE, details[0] if details else "no authentication results")


def requires_pass() -> bool:
    return bool(getattr(settings, "MEDCODE_CONSULT_REQUIRE_AUTH", True))


def is_refused(verdict: Verdict) -> bool:
    if verdict.result == FAIL:
        return True
    return requires_pass() and verdict.result != PASS
