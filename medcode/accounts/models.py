"""Plans, who is on which plan, API keys, usage counters and the staff audit trail.

Plans are data (editable in the admin): a limit left empty means unlimited. A user with no
Subscription row is on the "free" plan; guests are on the "guest" plan.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models


class Period(models.TextChoices):
    DAY = "day", "day"
    WEEK = "week", "week"
    MONTH = "month", "month"


class Plan(models.Model):
    slug = models.SlugField(unique=True, help_text="guest and free are used by the code.")
    name = models.CharField(max_length=80)
    price_label = models.CharField(max_length=80, blank=True)
    description = models.CharField(max_length=300, blank=True)
    gated_views = models.PositiveIntegerField(
        null=True, blank=True, help_text="Gated code pages per period; empty means unlimited."
    )
    gated_period = models.CharField(max_length=8, choices=Period.choices, default=Period.MONTH)
    casepilot_per_day = models.PositiveIntegerField(
        null=True, blank=True, help_text="CasePilot questions per day; empty means unlimited."
    )
    consult_per_month = models.PositiveIntegerField(
        null=True, blank=True, help_text="Consult emails per month; empty means unlimited."
    )
    api_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="API requests per minute; empty means unlimited."
    )
    api_per_day = models.PositiveIntegerField(
        null=True, blank=True, help_text="API requests per day; empty means unlimited."
    )
    watched_codes = models.PositiveIntegerField(
        default=100,
        validators=[MaxValueValidator(5000)],
        help_text="Codes a user may watch for What changed digests (at most 5,000).",
    )
    includes_expert_review = models.BooleanField(default=False)
    is_listed = models.BooleanField(default=True, help_text="Shown on the account page.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """Which plan a user is on; written only by `medcode.accounts.services.set_plan`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscription"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    source = models.CharField(max_length=80, help_text="Who set the plan: staff, payment, ...")
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} on {self.plan}"


class KeyScope(models.TextChoices):
    """What a key may do. None reads its owner's personal data unless it has ACCOUNT."""

    READ = "read", "read only (GET requests)"
    USE = "use", "use the API (look up, search, check claims, ask)"
    ACCOUNT = "account", "use the API and read my CasePilot history"


class ApiKey(models.Model):
    """An API key: only its prefix and a SHA-256 of the whole key are stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=8, choices=KeyScope.choices, default=KeyScope.USE)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class UsageCounter(models.Model):
    """How much of one kind a subject used in one period (a day, a month, a minute...).

    subject is "user:<id>", "key:<id>" or "guest:<hmac of the client address>".
    """

    subject = models.CharField(max_length=64)
    kind = models.CharField(max_length=16)
    period = models.CharField(max_length=20)
    count = models.PositiveIntegerField(default=0)
    # API requests: the day's row also counts the current minute, so one conditional UPDATE
    # checks and counts both limits.
    minute = models.CharField(max_length=20, blank=True, default="")
    minute_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind", "period"], name="usage_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.kind} {self.period}: {self.count}"


class GatedView(models.Model):
    """A gated code page a subject opened in a period: counted once per code per period."""

    subject = models.CharField(max_length=64)
    code = models.CharField(max_length=40, help_text="SYSTEM:CODE")
    period = models.CharField(max_length=20)
    viewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "code", "period"], name="gated_view_once")
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.code} {self.period}"


class AuditEvent(models.Model):
    """Who did what, when: staff actions and account events worth keeping."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=254, help_text="The actor as they were then.")
    action = models.CharField(max_length=60)
    target = models.CharField(max_length=254, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target}"


class LocalityPreference(models.Model):
    """The PFS payment locality a user chose on a code page (MAC-locality, e.g. 13202-01);
    the default of /codes/<code>/?locality= for them. Written by codes.locality_choice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="locality_preference"
    )
    locality = models.CharField(max_length=16)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} {self.locality}"
