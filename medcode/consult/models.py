"""One row per inbound consult email: what was asked, what was drafted, what was sent.

The row's `state` moves forward only (see medcode/consult/processing.py):

    received -> drafted -> [pending_review -> approved] -> sending -> sent
    received -> ignored                 (loops, bounces, failed SPF/DKIM: never answered)

`message_id` is unique, so the same mail delivered twice is recorded once; `outbound_message_id`
is chosen and stored before the reply is handed to SMTP, so a retry after a crash sends the same
message again rather than a second, different one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class State(models.TextChoices):
    RECEIVED = "received", "received"
    DRAFTED = "drafted", "drafted"
    PENDING_REVIEW = "pending_review", "waiting for expert review"
    APPROVED = "approved", "approved"
    SENDING = "sending", "sending"
    SENT = "sent", "sent"
    IGNORED = "ignored", "not answered"


class Kind(models.TextChoices):
    """What the reply says (decided when the mail is recorded, or by the reviewer)."""

    ANSWER = "answer", "answer"
    REJECTED = "rejected", "declined by an expert"
    REGISTER = "register", "how to register"
    QUOTA = "quota", "quota reached"
    NONE = "none", "no reply"


# Rows in these states still have work to do; `medcode consult requeue` looks at them.
OPEN_STATES = (State.RECEIVED, State.DRAFTED, State.APPROVED, State.SENDING)


class Inquiry(models.Model):
    message_id = models.CharField(max_length=255, unique=True)
    channel = models.CharField(max_length=16, help_text="smtp, webhook or maildir")
    sender = models.EmailField(max_length=254, help_text="The From address, lower case.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="consult_inquiries",
    )
    subject = models.CharField(max_length=300, blank=True)
    question = models.TextField(blank=True, help_text="The body, trimmed of quotes and signature.")
    attachments = models.JSONField(default=list, blank=True)
    references = models.TextField(blank=True, help_text="The inbound References + In-Reply-To.")
    thread_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ANSWER)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it is not answered.")
    needs_review = models.BooleanField(default=False)
    sender_proven = models.BooleanField(
        default=False,
        help_text="The From address was proven (authenticated or aligned); else staff review.",
    )
    # The draft: CasePilot's answer as a dict (answer, facts with citations, notices).
    draft = models.JSONField(default=dict, blank=True)
    reply_text = models.TextField(blank=True, help_text="The answer as sent (after any edit).")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consults_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outbound_message_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(db_index=True)
    drafted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "inquiries"
        permissions = [("review_inquiry", "Can review and approve consult drafts")]
        indexes = [models.Index(fields=["state", "updated_at"], name="consult_state_idx")]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject or '(no subject)'} [{self.state}]"


class WebhookToken(models.Model):
    """A provider webhook's signed token, used once: the same signed request again is a replay."""

    token = models.CharField(max_length=128, unique=True)
    used_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.token[:12]}… at {self.used_at:%Y-%m-%d %H:%M:%S}"
