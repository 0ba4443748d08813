"""CasePilot drafts the answer (medcode.assistant.answer.answer_question; nothing reimplemented).

A follow-up that names no code is read together with the thread's earlier question, so
"and with modifier 59?" keeps the code the thread is about.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from medcode.assistant.answer import QuestionError, answer_question, validate_question
from medcode.assistant.intent import MAX_QUESTION_CHARS, understand
from medcode.consult.models import Inquiry

TRUNCATED = (
    "Your email was longer than {maximum:,} characters; CasePilot read the beginning of it."
    " An expert can read the whole case on plans with expert review."
)
EMPTY_EMAIL = (
    "Your email had no question we could read. Write the question in the body of the email,"
    " for example \u201cWhat is E11.9?\u201d."
)


def question_for(inquiry: Inquiry) -> tuple[str, int | None]:
    """The text CasePilot answers, and the earlier consult it took context from (if any)."""
    text = inquiry.question.strip()
    if not text and inquiry.subject:
        text = _subject_question(inquiry.subject)
    earlier = _earlier_in_thread(inquiry)
    if earlier is not None and text and not understand(text[:MAX_QUESTION_CHARS]).codes:
        combined = f"{earlier.question.strip()}\n{text}"
        return combined[-MAX_QUESTION_CHARS:], earlier.pk
    return text, None


def _subject_question(subject: str) -> str:
    while subject.lower().startswith(("re:", "fw:", "fwd:")):
        subject = subject.split(":", 1)[1].strip()
    return subject


def _earlier_in_thread(inquiry: Inquiry) -> Inquiry | None:
    if inquiry.thread_root_id is None or inquiry.user_id is None:
        return None
    root = inquiry.thread_root_id
    return (
        Inquiry.objects.filter(user_id=inquiry.user_id, received_at__lt=inquiry.received_at)
        .filter(Q(pk=root) | Q(thread_root_id=root))
        .order_by("-received_at")
        .first()
    )


def draft_answer(inquiry: Inquiry) -> tuple[dict[str, Any], str]:
    """(the draft as CasePilot's answer dict, the answer text the reply starts with)."""
    text, context_from = question_for(inquiry)
    notices: list[str] = []
    if len(text) > MAX_QUESTION_CHARS:
        text = text[:MAX_QUESTION_CHARS]
        notices.append(TRUNCATED.format(maximum=MAX_QUESTION_CHARS))
    try:
        question = validate_question(text)
    except QuestionError:
        return {"answer": EMPTY_EMAIL, "facts": [], "notices": [], "citations": []}, EMPTY_EMAIL
    answer = answer_question(question)
    draft = answer.as_dict()
    draft["notices"] = [*notices, *draft["notices"]]
    draft["context_from"] = context_from
    return draft, answer.summary
