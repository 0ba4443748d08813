"""Answering a question: understand it, run the tools, assemble, guard.

`answer_question` is the one function behind the chat page, its stream, the JSON API and the
CLI. Without a language model (the default) the builders write the answer; with one
(llm.py, configured by the operator) the model may choose the tools and phrase the short
answer, and the same guard checks whatever it wrote. Either way the supporting facts come from
the tools, each with its citation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from medcode.assistant import builders, guidance, handlers, llm, tools
from medcode.assistant.builders import Context
from medcode.assistant.facts import Answer, Draft
from medcode.assistant.guard import CodeChecker, guard_answer
from medcode.assistant.intent import MAX_QUESTION_CHARS, Question, named_systems, understand

log = logging.getLogger(__name__)

QUESTION_TOO_LONG = (
    "The question is too long: CasePilot takes at most {maximum:,} characters, and this one has "
    "{length:,}. Ask about one thing at a time, or send long cases to CaseConsultant."
)
QUESTION_EMPTY = "Type a question first, for example \u201cWhat is E11.9?\u201d."
LLM_FAILED = "The language model did not answer, so this answer was written without it."


# The datasets (medcode.codes.staleness families) each kind of answer rests on: when the date
# of service is after their newest loaded release, the answer says so.
STALE_FAMILIES: dict[str, tuple[str, ...]] = {
    "ptp_pair": ("ncci_ptp",),
    "procedure_pair": ("ncci_ptp", "ncci_aoc", "pfs"),
    "mue": ("ncci_mue",),
    "addon": ("ncci_aoc",),
    "payment": ("pfs",),
    "global_period": ("pfs",),
    "global_modifier": ("pfs",),
    "modifier_fit": ("pfs",),
    "drug_units": ("hcpcs",),
    "date_validity": ("hcpcs", "icd10cm"),
    "billable": ("icd10cm",),
    "opps_status": ("opps",),
    "diagnosis_pair": ("icd10cm",),
    "excludes": ("icd10cm",),
}


class QuestionError(ValueError):
    """The question cannot be answered as sent (empty or too long); the message says why."""


# Control characters (tab and line breaks aside) and lone surrogates: never part of a question,
# and PostgreSQL cannot store NUL or unpaired surrogates in a text column.
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def validate_question(text: str) -> str:
    """The question as CasePilot reads it; raises QuestionError for empty or too long ones."""
    value = UNPRINTABLE.sub(" ", text or "").strip()
    if not value:
        raise QuestionError(QUESTION_EMPTY)
    if len(value) > MAX_QUESTION_CHARS:
        raise QuestionError(QUESTION_TOO_LONG.format(maximum=MAX_QUESTION_CHARS, length=len(value)))
    return value


# "2025 national Medicare fee", "CY2025", "calendar year 2025": a fee schedule year.
FEE_WORDS = re.compile(
    r"\bpa(y|id|yment)\b|\bfees?\b|\brates?\b|\bamount\b|\bprice\b|allow|reimburs|\brvus?\b|"
    r"\bpfs\b|fee schedule|dollar",
    re.IGNORECASE,
)
BARE_YEAR = re.compile(
    r"(?<![\d/.-])(?:cy\s?|calendar\s+(?:year\s+)?)?(20\d\d)(?!\d)(?![/.-]\d)", re.I
)


def fee_year_date(text: str, today: dt.date) -> dt.date | None:
    """The last day of the past calendar year a fee question names ("Medicare 2025 payment
    for 99213" -> 2025-12-31, that year's last fee schedule release), else None."""
    if not FEE_WORDS.search(text):
        return None
    years = {int(y) for y in BARE_YEAR.findall(text)}
    if len(years) != 1:
        return None
    year = years.pop()
    if year >= today.year or year < 2000:
        return None
    return dt.date(year, 12, 31)


def context_for(
    question: Question,
    *,
    on: dt.date | None = None,
    today: dt.date | None = None,
    setting: str | None = None,
) -> Context:
    """The date in question is the one the question names, else `on`, else today."""
    named = question.on or on or fee_year_date(question.text, today or timezone.localdate())
    day = named or today or timezone.localdate()
    # The NCCI table follows who bills: physicians and ASCs the practitioner table, hospital
    # outpatient claims the hospital one. A bare "facility" (the API's setting) means hospital.
    if question.place in {"practitioner", "asc"}:
        claim_setting = "practitioner"
    elif question.place == "outpatient_hospital" or setting in {"facility", "outpatient_hospital"}:
        claim_setting = "outpatient_hospital"
    else:
        claim_setting = "practitioner"
    checker = CodeChecker(day, link_date=named, prefer=named_systems(question.text))
    return Context(question, checker, day, claim_setting)


def answer_question(
    text: str,
    *,
    on: dt.date | None = None,
    today: dt.date | None = None,
    setting: str | None = None,
    use_llm: bool | None = None,
) -> Answer:
    """The guarded, cited answer to one question (`on`: a date of service to answer for)."""
    answer: Answer | None = None
    events = answer_events(text, on=on, today=today, setting=setting, use_llm=use_llm)
    for event, data in events:
        if event == "done":
            answer = data["answer"]
    assert answer is not None
    return answer


def answer_events(
    text: str,
    *,
    on: dt.date | None = None,
    today: dt.date | None = None,
    setting: str | None = None,
    use_llm: bool | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The answer as it is built: progress, then the answer, each fact, the codes, done.

    The events are ("status", {"text"}), ("answer", {"text", "intent", "date"}),
    ("fact", {...}), ("code", {...}), ("notice", {"text"}) and ("done", {"answer": Answer}).
    """
    question = understand(text)
    handler = handlers.pick(question)
    if handler is not None:
        question = dataclasses.replace(question, intent=handler.name)  # type: ignore[arg-type]
    ctx = context_for(question, on=on, today=today, setting=setting)
    wanted_llm = llm.is_configured() if use_llm is None else use_llm and llm.is_configured()
    phrased_by = "medcode"
    draft: Draft
    if wanted_llm and question.intent not in {"empty"}:
        yield "status", {"text": "Asking the language model which facts to look up\u2026"}
        try:
            draft = llm.answer_with_model(ctx)
            phrased_by = f"llm:{llm.model_name()}"
        except llm.ModelError as exc:
            log.warning("language model failed: %s", exc)
            draft = builders.build(ctx)
            draft.notices.append(LLM_FAILED)
    else:
        draft = builders.build(ctx)
    if not draft.summary and question.intent not in {"empty", "off_topic"}:
        # Nothing answered: a grounded partial answer rather than "I cannot answer".
        draft = guidance.partial(ctx, draft)
    draft.notices += [
        n
        for n in tools.stale_notices(ctx.on, STALE_FAMILIES.get(question.intent, ()))
        if n not in draft.notices
    ]
    answer = guard_answer(
        draft, question=question, intent=question.intent, checker=ctx.checker, phrased_by=phrased_by
    )
    yield "answer", {"text": answer.summary, "intent": answer.intent, "date": answer.on.isoformat()}
    for fact in answer.facts:
        yield "fact", fact.as_dict()
    for check in answer.codes:
        yield "code", check.as_dict()
    for notice in answer.notices:
        yield "notice", {"text": notice}
    yield "done", {"answer": answer}
