"""Writes: keeping a signed-in user's questions and answers."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from medcode.assistant.models import Conversation, Message

TITLE_CHARS = 80


class ConversationNotFound(LookupError):
    pass


@transaction.atomic
def record_exchange(
    *, user: Any, question: str, answer: dict[str, Any], conversation_id: int | None = None
) -> Message:
    """Add one question and its answer to the user's conversation (a new one when none given)."""
    if conversation_id is not None:
        conversation = (
            Conversation.objects.select_for_update().filter(pk=conversation_id, user=user).first()
        )
        if conversation is None:
            raise ConversationNotFound(conversation_id)
        conversation.save(update_fields=["updated_at"])
    else:
        title = " ".join(question.split())
        if len(title) > TITLE_CHARS:
            title = title[: TITLE_CHARS - 1].rstrip() + "\u2026"
        conversation = Conversation.objects.create(user=user, title=title)
    return Message.objects.create(conversation=conversation, question=question, answer=answer)


def keep_exchange(
    *, user: Any, question: str, answer: dict[str, Any], conversation_id: int | None
) -> int | None:
    """Keep a signed-in user's exchange (guests' are not kept); the conversation's id.

    A conversation that is no longer the user's (deleted meanwhile) starts a new one.
    """
    if user is None or not user.is_authenticated:
        return None
    try:
        message = record_exchange(
            user=user, question=question, answer=answer, conversation_id=conversation_id
        )
    except ConversationNotFound:
        message = record_exchange(user=user, question=question, answer=answer)
    return message.conversation_id
