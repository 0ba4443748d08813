"""The CasePilot API: POST /api/v1/assistant/ask (JSON), /ask/stream (server-sent events),
and a signed-in user's conversations."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, Literal

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router, Schema
from ninja.security import django_auth

from medcode.accounts.quota_links import quota_links
from medcode.accounts.viewers import who_is
from medcode.api.errors import ApiError, ErrorOut
from medcode.assistant import cached, queries
from medcode.assistant.answer import (
    QuestionError,
    answer_events,
    validate_question,
)
from medcode.assistant.facts import Answer
from medcode.assistant.limits import check_question_quota
from medcode.assistant.services import keep_exchange
from medcode.assistant.views import sse

router = Router(tags=["assistant"])

CONVERSATION_NOT_FOUND = "No conversation {id} of yours."

# One event of /ask/stream, as OpenAPI 3.1 describes a text/event-stream item.
SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"enum": ["status", "answer", "fact", "code", "notice", "done"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
}


class AskIn(Schema):
    question: str
    date: dt.date | None = None
    setting: Literal["office", "facility"] | None = None
    conversation_id: int | None = None


class CitationOut(Schema):
    label: str
    url: str
    release: str


class AnswerFactOut(Schema):
    text: str
    citation: CitationOut


class CodeCheckOut(Schema):
    text: str
    code: str
    kind: str
    status: Literal["valid", "not_valid_on_date", "not_found"]
    system: str
    title: str
    detail: str
    url: str
    release: str
    is_billable: bool | None


class AnswerOut(Schema):
    question: str
    intent: str
    date: str
    answer: str
    facts: list[AnswerFactOut]
    codes: list[CodeCheckOut]
    notices: list[str]
    consult_url: str | None
    removed: list[str]
    phrased_by: str
    citations: list[CitationOut]
    conversation_id: int | None = None


class ConversationOut(Schema):
    id: int
    title: str
    created_at: dt.datetime
    updated_at: dt.datetime


class MessageOut(Schema):
    question: str
    answer: dict[str, Any]
    created_at: dt.datetime


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]


def _accept(request: HttpRequest, body: AskIn) -> tuple[str, int | None]:
    """The validated question and the conversation to add it to; takes one from the quota."""
    try:
        question = validate_question(body.question)
    except QuestionError as exc:
        raise ApiError(422, str(exc)) from None
    conversation_id = body.conversation_id
    user = getattr(request, "user", None)
    if conversation_id is not None and (
        user is None or queries.conversation_for(user, conversation_id) is None
    ):
        raise ApiError(404, CONVERSATION_NOT_FOUND.format(id=conversation_id))
    quota = check_question_quota(request)
    if not quota.allowed:
        links = quota_links(request, is_guest=who_is(request).is_guest)
        raise ApiError(429, quota.message, retry_after=quota.retry_after, links=links)
    return question, conversation_id


def _keep(
    request: HttpRequest, question: str, answer: Answer, conversation_id: int | None
) -> int | None:
    return keep_exchange(
        user=getattr(request, "user", None),
        question=question,
        answer=answer.as_dict(),
        conversation_id=conversation_id,
    )


@router.post(
    "/ask",
    response={200: AnswerOut, 404: ErrorOut},
    summary="Ask CasePilot a coding question",
    description="A short answer, then supporting facts, each with a citation (label, link, "
    "release). Every code-shaped token is checked against the code sets on the date in "
    "question; `codes` lists each with its status. 422: empty or too long (over 2,000 "
    "characters); 429: the daily question limit is reached; 404: `conversation_id` is not "
    "one of yours.",
)
def ask(request: HttpRequest, body: AskIn) -> dict[str, Any]:
    question, conversation_id = _accept(request, body)
    answer = cached.answer(question, on=body.date, setting=body.setting)
    result = answer.as_dict()
    result["conversation_id"] = _keep(request, question, answer, conversation_id)
    return result


@router.post(
    "/ask/stream",
    summary="Ask CasePilot, with the answer streamed as server-sent events",
    description="text/event-stream of events `status`, `answer`, `fact` (one per fact), "
    "`code`, `notice` and `done` (the whole answer, as /ask returns it), each with JSON data.",
    response={404: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "The answer as server-sent events.",
                "content": {"text/event-stream": {"schema": SSE_EVENT}},
            }
        }
    },
)
def ask_stream(request: HttpRequest, body: AskIn) -> StreamingHttpResponse:
    question, conversation_id = _accept(request, body)

    def stream() -> Iterator[str]:
        for name, data in answer_events(question, on=body.date, setting=body.setting):
            if name == "done":
                answer: Answer = data["answer"]
                data = answer.as_dict()
                data["conversation_id"] = _keep(request, question, answer, conversation_id)
            yield sse(name, json.dumps(data, ensure_ascii=False))

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@router.get("/conversations", response=list[ConversationOut], auth=django_auth)
def conversations(request: HttpRequest) -> list[Any]:
    return list(queries.conversations_of(request.user))


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationDetailOut, 404: ErrorOut},
    auth=django_auth,
)
def conversation(request: HttpRequest, conversation_id: int) -> dict[str, Any]:
    found = queries.conversation_for(request.user, conversation_id)
    if found is None:
        raise ApiError(404, CONVERSATION_NOT_FOUND.format(id=conversation_id))
    return {
        "id": found.pk,
        "title": found.title,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
        "messages": list(queries.messages_of(found)),
    }
