"""CasePilot drafts the answer (medcode.assistant.answer.answer_question; nothing reimplemented).

A mail of several questions gets each answered in turn (medcode.consult.mail_questions reads
them out; claim lines, and only they, make it a claim check), merged into one reply.

A follow-up that names no code is read together with the thread's earlier question, so
"and with modifier 59?" keeps the code the thread is about.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from medcode.assistant.answer import QuestionError, answer_question, validate_question
from medcode.assistant.intent import MAX_QUESTION_CHARS, understand
from medcode.consult.mail_questions import questions_in
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
        validate_question(text)
    except QuestionError:
        return {"answer": EMPTY_EMAIL, "facts": [], "notices": [], "citations": []}, EMPTY_EMAIL
    asked = questions_in(text)
    answers = [answer_question(validate_question(answer_text)) for _, answer_text in asked]
    if len(answers) == 1:
        draft = answers[0].as_dict()
        summary = answers[0].summary
    else:
        draft, summary = _merged([ask for ask, _ in asked], [a.as_dict() for a in answers])
    draft["notices"] = [*notices, *draft["notices"]]
    draft["context_from"] = context_from
    return draft, summary


def _merged(asks: list[str], drafts: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """One reply to a mail of several questions: each question with its answer, in order; the
    facts, codes, notices and citations of all, each once."""
    summary = "\n\n".join(
        f"\u201c{ask}\u201d\n{draft['answer']}" for ask, draft in zip(asks, drafts, strict=True)
    )

    def once(key: str, identity: Any) -> list[Any]:
        seen: dict[Any, Any] = {}
        for draft in drafts:
            for item in draft.get(key) or []:
                seen.setdefault(identity(item), item)
        return list(seen.values())

    merged = {
        **drafts[0],
        "question": " ".join(asks),
        "intent": "+".join(dict.fromkeys(d["intent"] for d in drafts)),
        "answer": summary,
        "facts": once("facts", lambda f: (f.get("text"), str(f.get("citation")))),
        "codes": once("codes", lambda c: c.get("code")),
        "notices": once("notices", lambda n: n),
        "removed": once("removed", lambda r: r),
        "citations": once("citations", lambda c: (c.get("label"), c.get("url"))),
        "consult_url": next((d["consult_url"] for d in drafts if d.get("consult_url")), None),
    }
    return merged, summary
