"""Reads: a user's conversations and their messages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from medcode.assistant.models import Conversation, Message

HISTORY_SHOWN = 30


def conversations_of(user: Any, *, limit: int = HISTORY_SHOWN) -> QuerySet[Conversation]:
    if not getattr(user, "is_authenticated", False):
        return Conversation.objects.none()
    return Conversation.objects.filter(user=user)[:limit]


def conversation_for(user: Any, conversation_id: int) -> Conversation | None:
    """The user's own conversation, or None (someone else's is not found either)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Conversation.objects.filter(pk=conversation_id, user=user).first()


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.all()
