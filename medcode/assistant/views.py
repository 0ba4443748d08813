"""The CasePilot chat page /pilot/: ask (htmx), stream the answer (server-sent events).

POST /pilot/ask/ validates the question and takes one from the quota, then returns the
exchange partial, whose answer area opens GET /pilot/stream/<id>/ and fills in as the events
arrive. The question (it may hold patient details) stays in the server-side session under that
random id, never in the URL (access and proxy logs), and the id works once, within
TICKET_MAX_AGE, for that session only. Without JavaScript the same
POST renders the page with the whole answer. Every piece of user text is escaped by the
templates; the stream sends HTML rendered by the same templates.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from typing import Any

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from medcode.assistant import cached, knowledge, queries
from medcode.assistant.answer import (
    QuestionError,
    answer_events,
    validate_question,
)
from medcode.assistant.facts import Answer
from medcode.assistant.intent import MAX_QUESTION_CHARS
from medcode.assistant.limits import check_question_quota
from medcode.assistant.services import keep_exchange

STREAMS_KEY = "pilot_streams"
MAX_WAITING_STREAMS = 5  # per session: the page opens each stream at once
TICKET_MAX_AGE = 300  # seconds
TICKET_EXPIRED = "This answer link has expired or was used already; ask the question again."
NOT_YOUR_TICKET = "This answer belongs to another session."
EXAMPLES = (
    "What is E11.9?",
    "Can 63650 and 63685 be billed on the same day?",
    "What is the global period for 63650?",
    "MUE for 95972?",
    "Which code for a rechargeable spinal cord stimulator generator?",
    "When do I use modifier 59 vs XS?",
    "Guidelines for E/M services",
    "Is L8687 covered?",
)
_CODE_PARAM = re.compile(r"^[A-Za-z0-9.]{1,8}$")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return int(user.pk) if user is not None and user.is_authenticated else None


def _conversation_id(request: HttpRequest, value: str | None) -> int | None:
    if not value or not value.isdigit():
        return None
    found = queries.conversation_for(request.user, int(value))
    return found.pk if found is not None else None


def _page_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    code = request.GET.get("code", "").strip()
    prefill = request.GET.get("q", "")[:MAX_QUESTION_CHARS]
    if not prefill and _CODE_PARAM.match(code):
        prefill = f"What is {code.upper()}?"
    conversation_id = _conversation_id(request, request.GET.get("c"))
    conversation = (
        queries.conversation_for(request.user, conversation_id) if conversation_id else None
    )
    return {
        "prefill": prefill,
        "examples": EXAMPLES,
        "max_chars": MAX_QUESTION_CHARS,
        "conversations": queries.conversations_of(request.user),
        "conversation": conversation,
        "messages": queries.messages_of(conversation) if conversation is not None else [],
        **extra,
    }


@require_safe
def pilot_page(request: HttpRequest) -> HttpResponse:
    return render(request, "assistant/pilot.html", _page_context(request))


@require_POST
def ask(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("question", "")
    try:
        question = validate_question(text)
    except QuestionError as exc:
        return _refused(request, str(exc), text[:MAX_QUESTION_CHARS], status=422)
    quota = check_question_quota(request)
    if not quota.allowed:
        response = _refused(request, quota.message, question, status=429)
        if quota.retry_after:
            response["Retry-After"] = str(quota.retry_after)
        return response
    conversation_id = _conversation_id(request, request.POST.get("conversation"))
    if not _is_htmx(request):
        answer = cached.answer(question)
        data = answer.as_dict()
        conversation_id = _record(request, question, data, conversation_id)
        context = _page_context(
            request, answered=[{"question": question, "answer": data}], quota=quota.message
        )
        return render(request, "assistant/pilot.html", context)
    ticket = _keep_for_stream(request, question, conversation_id)
    return render(
        request,
        "assistant/_exchange.html",
        {
            "question": question,
            "stream_url": reverse("assistant:stream", args=[ticket]),
            "quota": quota.message,
        },
    )


def _refused(request: HttpRequest, message: str, question: str, *, status: int) -> HttpResponse:
    template = "assistant/_refused.html" if _is_htmx(request) else "assistant/pilot.html"
    # A quota (429) says how to get more: register, sign in or a paid plan.
    context = {"error": message, "question": question, "is_quota": status == 429}
    if not _is_htmx(request):
        context = _page_context(request, **context)
    return render(request, template, context, status=status)


def _record(
    request: HttpRequest, question: str, data: dict[str, Any], conversation_id: int | None
) -> int | None:
    return keep_exchange(
        user=getattr(request, "user", None),
        question=question,
        answer=data,
        conversation_id=conversation_id,
    )


def _keep_for_stream(request: HttpRequest, question: str, conversation_id: int | None) -> str:
    """A random single-use id for the stream; the question waits in the session under it."""
    now = time.time()
    waiting = {
        key: value
        for key, value in request.session.get(STREAMS_KEY, {}).items()
        if now - value["t"] < TICKET_MAX_AGE
    }
    ticket = secrets.token_urlsafe(18)
    waiting[ticket] = {"q": question, "u": _user_id(request), "c": conversation_id, "t": now}
    request.session[STREAMS_KEY] = dict(list(waiting.items())[-MAX_WAITING_STREAMS:])
    return ticket


def _take_for_stream(request: HttpRequest, ticket: str) -> dict[str, Any] | None:
    waiting = request.session.get(STREAMS_KEY) or {}
    data = waiting.pop(ticket, None)
    if data is None:
        return None
    request.session[STREAMS_KEY] = waiting
    request.session.save()  # used up before the first byte is sent, so a replay finds nothing
    return data if time.time() - data["t"] < TICKET_MAX_AGE else None


@require_safe
def stream(request: HttpRequest, ticket: str) -> HttpResponse | StreamingHttpResponse:
    data = _take_for_stream(request, ticket)
    if data is None:
        return HttpResponseBadRequest(TICKET_EXPIRED, content_type="text/plain")
    if data.get("u") is not None and data.get("u") != _user_id(request):
        return HttpResponseForbidden(NOT_YOUR_TICKET, content_type="text/plain")
    question = str(data.get("q", ""))
    conversation_id = data.get("c")

    def events() -> Iterator[str]:
        for name, payload in answer_events(question):
            if name == "done":
                answer: Answer = payload["answer"]
                saved = _record(request, question, answer.as_dict(), conversation_id)
                payload = {"conversation": saved, "consult": answer.offers_consult}
            context = {**payload, name: payload}
            yield sse(name, render_to_string(f"assistant/_stream.html#{name}", context, request))

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def sse(event: str, data: str) -> str:
    """One server-sent event; every line of the data gets its own `data:` field."""
    lines = data.strip().splitlines() or [""]
    return f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"


@require_safe
def knowledge_entry(request: HttpRequest, slug: str) -> HttpResponse:
    found = knowledge.entry(slug)
    if found is None:
        raise Http404(slug)
    return render(request, "assistant/knowledge.html", {"entry": found})
