"""Medicare payment for a code in a locality ("99213 in Manhattan", "in Kings County, NY",
"locality 13202-01"): the code page's local payment panel (medcode.codes.page.payment: the RVUs
with the locality's GPCIs, times the conversion factor), from the releases of the date's year;
never mixed years, and no amount for a code Medicare does not pay."""

from __future__ import annotations

import re

from medcode.assistant.context import Context
from medcode.assistant.facts import Citation, Draft, Fact
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import Question

EXAMPLES = (
    "Medicare 2025 payment for 99213 in Manhattan?",
    "What does Medicare pay for 99214 in Kings County, NY in 2025?",
    "2025 fee for 20610 in locality 01112-05?",
)
PAYMENT = r"\bpa(y|id|yment)\b|\bfees?\b|\brates?\b|\bamount\b|allow|reimburs|\bprice\b"
# "locality 13202-01", "in Kings County, NY", "in Manhattan", "in Queens, New York".
LOCALITY = re.compile(
    r"\blocality\s+(\d{5}-\d{2}|[A-Z][\w.' -]{2,40}?)(?=[?.,;]|\s+(?:in|for|on)\b|$)|"
    r"\b(?:in|for)\s+((?:[A-Z][a-z.'-]+\s?){1,4}(?:County|Parish|Borough)?"
    r"(?:,\s*(?:[A-Z]{2}|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?))?)(?=[?.,;]|\s+(?:in|for|on)\b|\s*$)"
)
# Capitalised words after "in" that are not places.
NOT_PLACES = frozenset(
    {"Medicare", "Medicaid", "The", "A", "An", "Office", "Hospital", "Facility", "Clinic", "CY"}
)


def locality_of(text: str) -> str | None:
    for match in LOCALITY.finditer(text):
        value = (match.group(1) or match.group(2) or "").strip(" ,")
        if value and value.split()[0] not in NOT_PLACES and not re.fullmatch(r"\d{4}", value):
            return value
    return None


def score(question: Question) -> float:
    if len(question.procedure_codes) != 1 or not says(question.text, PAYMENT):
        return 0.0
    return 3.2 if locality_of(question.text) else 0.0


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures
    from medcode.codes.page.payment import locality_panel

    wanted = locality_of(ctx.question.text)
    codes = [c for c in ctx.procedures if c.system in {"CPT", "HCPCS"}]
    if not codes or wanted is None:
        return procedures.payment(ctx)
    check = codes[0]
    panel = locality_panel(check.code, ctx.on, wanted)
    if panel is None:
        return procedures.payment(ctx)
    citation = Citation(f"{check.display}: {panel.title}", check.url, panel.source.citation)
    if not panel.facts:
        # The payment module's own reason: GPCIs not loaded, another year, unknown locality.
        draft = procedures.payment(ctx)
        draft.notices.insert(0, panel.summary)
        return draft
    values = {f.label: f.value for f in panel.facts}
    # The locality by name: its MAC and locality numbers are in the facts, not the summary
    # (a five-digit MAC number reads like a code).
    place = values.get("Locality", wanted).split(" (")[0]
    facts = [
        Fact(f"{check.display} {f.label}: {f.value}" + (f" ({f.meaning})" if f.meaning else ""),
             citation)
        for f in panel.facts
    ]  # fmt: skip
    if "Medicare payment" in values:
        summary = f"No Medicare payment for {check.display} in {place}: " + next(
            f.meaning for f in panel.facts if f.label == "Medicare payment"
        )
        return Draft(summary, facts)
    summary = (
        f"Medicare's {ctx.on.year} fee schedule amount for {check.display} in "
        f"{place}: {values.get('Non-facility payment', 'NA')} "
        f"non-facility (office) and {values.get('Facility payment', 'NA')} facility. "
        + panel.summary
    )
    return Draft(summary, facts)


HANDLER = Handler("locality_payment", score, build, EXAMPLES)
