"""Which modifier for a second procedure or a visit during a global period: 58, 78, 79, 24,
57 or none, from the first procedure's PFS global days and the dates (CMS global surgery)."""

from __future__ import annotations

import datetime as dt
import re

from medcode.assistant.context import Context, with_kb
from medcode.assistant.facts import Draft
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import fee_fact, is_em, main_fee, says
from medcode.assistant.intent import Question

EXAMPLES = (
    "After 49505 on 1/6/2025 the patient goes back to the OR on 1/20/2025 for a complication "
    "(10140, same surgeon). Modifier?",
    "Same surgeon: 27236 on 3/4/2025, then an unrelated 64721 on 4/10/2025. Which modifier?",
    "Do I need 58 on the permanent 63650 after the trial?",
)
MODIFIERS = {"58", "78", "79", "24", "57"}
RELATED = (
    r"complication|return(s|ed)? to the (or|operating room)|back to the (or|operating room)|"
    r"unplanned"
)
STAGED = (
    r"staged|planned|more extensive|permanent|after the trial|second stage|therapy following|"
    r"anticipated"
)
UNRELATED = r"unrelated|not related|different (problem|condition|diagnosis)|new problem"


def score(question: Question) -> float:
    procedures = question.procedure_codes
    if not procedures:
        return 0.0
    named = set(question.modifiers) & MODIFIERS
    timing = says(
        question.text, rf"{RELATED}|{STAGED}|{UNRELATED}|post-?op|global (period|days)|later|then"
    )
    if len(dates_of(question)) >= 2 and len(procedures) >= 2 and timing:
        return 3.0
    if named and (timing or len(procedures) >= 1):
        return 2.6
    if len(question.dates) >= 2 and timing:
        return 2.6
    return 0.0


# "on 5/1, then on 5/6": month/day without a year.
_MONTH_DAY = re.compile(r"(?<![\d/])(1[0-2]|0?[1-9])/(3[01]|[12]\d|0?[1-9])(?![\d/])")


def dates_of(question: Question) -> tuple[dt.date, ...]:
    """The dates written; month/day pairs without a year read in one year (only the days
    between them matter for a postoperative period), the next year when the second is earlier
    (12/20 then 1/5)."""
    if len(question.dates) >= 2:
        return question.dates
    pairs = [(int(m), int(d)) for m, d in _MONTH_DAY.findall(question.text)]
    if len(pairs) < 2:
        return question.dates
    year = 2001  # a non-leap year: no date is real, only the gap between them is used
    found: list[dt.date] = []
    for month, day in pairs[:2]:
        try:
            value = dt.date(year, month, day)
        except ValueError:
            return question.dates
        if found and value < found[-1]:
            value = value.replace(year=year + 1)
        found.append(value)
    return tuple(found)


def _choice(text: str, second_is_visit: bool) -> tuple[str, str]:
    if second_is_visit:
        if says(text, UNRELATED):
            return (
                "24",
                "an unrelated E/M visit by the same physician during a postoperative period",
            )
        return "", "post-operative visits related to the surgery are part of the global package"
    if says(text, RELATED):
        return "78", (
            "an unplanned return to the operating room by the same physician for a related "
            "procedure during the postoperative period"
        )
    if says(text, STAGED):
        return "58", (
            "a staged or related procedure by the same physician during the postoperative period: "
            "planned at the time of the first, more extensive than it, or therapy following a "
            "diagnostic procedure"
        )
    if says(text, UNRELATED):
        return "79", "an unrelated procedure by the same physician during the postoperative period"
    return "", ""


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures

    codes = ctx.procedures
    if not codes:
        return procedures.code_lookup(ctx)
    text = ctx.question.text
    first = codes[0]
    second = codes[1] if len(codes) > 1 else None
    info = main_fee(first, ctx)
    dates = dates_of(ctx.question)
    undated = len(ctx.question.dates) < 2 <= len(dates)
    facts = []
    sentences: list[str] = []
    if info is not None:
        facts.append(fee_fact(first, info, f"{first.display} global period: {info.global_days}."))
    days = int(info.global_days) if info is not None and info.global_days.isdigit() else None
    second_is_visit = second is not None and is_em(second.code)
    modifier, why = _choice(text, second_is_visit)
    if len(dates) >= 2 and days is not None:
        start, later = dates[0], dates[1]
        end = start + dt.timedelta(days=days)
        inside = start <= later <= end
        gap = (later - start).days
        sentences.append(
            f"{first.display} has a {info.global_days if info else ''} global period: "
            + (
                f"the second service is {gap} days after the first, "
                f"{'inside' if inside else 'after'} the {days}-day postoperative period."
                if undated
                else f"its postoperative period runs from {start.isoformat()} through "
                f"{end.isoformat()}, so {later.isoformat()} is "
                f"{'inside' if inside else 'after'} it."
            )
        )
        if not inside:
            sentences.insert(
                0,
                "No global-period modifier is needed: the postoperative period has ended, so "
                "the second service is outside the global period.",
            )
            return with_kb(Draft(" ".join(sentences), facts), "global-surgery", limit=2)
    elif info is not None and days is None:
        sentences.append(f"{first.display} has global period {info.global_days}.")
    if modifier:
        target = second.display if second is not None else first.display
        sentences.insert(0, f"Use modifier {modifier} on {target}: {why}.")
        if modifier in {"58", "79"}:
            sentences.append(
                f"With modifier {modifier} a new postoperative period starts for {target}."
            )
        if modifier == "78":
            sentences.append(
                "With 78 no new global period starts; the procedure is paid at its "
                "intraoperative share."
            )
    else:
        named = sorted(set(ctx.question.modifiers) & {"58", "78", "79", "24"})
        if named:
            sentences.insert(
                0,
                f"Modifier {named[0]} applies only to a service by the same physician during "
                "another procedure's postoperative period: 58 when staged or planned, 78 for an "
                "unplanned return to the operating room for a related complication, 79 when "
                "unrelated.",
            )
        else:
            draft = with_kb(Draft(" ".join(sentences), facts), "global-surgery", limit=3)
            return draft
    return with_kb(Draft(" ".join(sentences), facts), "global-surgery", limit=2)


HANDLER = Handler("global_modifier", score, build, EXAMPLES)
