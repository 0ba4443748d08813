"""Django admin for plans, subscriptions, users' keys, usage and the audit trail.

Every change made here is written to the audit trail (who, what, when); a plan change goes
through `services.set_plan` like any other.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from medcode.accounts import services
from medcode.accounts.models import (
    ApiKey,
    AuditEvent,
    GatedView,
    Plan,
    Subscription,
    UsageCounter,
)
from medcode.accounts.viewers import forget_plans


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        super().save_model(request, obj, form, change)
        fields = sorted(form.changed_data)
        services.audit(
            request.user, f"admin.{'change' if change else 'add'}", repr_of(obj), fields=fields
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.audit(request.user, "admin.delete", repr_of(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            services.audit(request.user, "admin.delete", repr_of(obj))
        super().delete_queryset(request, queryset)


def repr_of(obj: Model) -> str:
    return f"{obj._meta.label} #{obj.pk}: {obj}"


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = (
        "name",
        "slug",
        "gated_views",
        "gated_period",
        "casepilot_per_day",
        "consult_per_month",
        "api_per_minute",
        "api_per_day",
        "watched_codes",
        "includes_expert_review",
        "price_label",
    )
    prepopulated_fields: ClassVar = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        super().save_model(request, obj, form, change)
        forget_plans()


@admin.register(Subscription)
class SubscriptionAdmin(AuditedAdmin):
    list_display = ("user", "plan", "source", "changed_at")
    list_filter = ("plan",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
    readonly_fields = ("source", "changed_at")

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        # The one way a plan changes, so a payment provider and staff leave the same trail.
        services.set_plan(obj.user, obj.plan, source="staff", actor=request.user)


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username", "user__email")
    readonly_fields = ("prefix", "secret_hash", "created_at", "last_used_at", "user")
    fields = ("name", "user", "prefix", "secret_hash", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are made by their owners, who see the secret once

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset.filter(revoked_at__isnull=True):
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            services.audit(request.user, "api_key.revoke", str(key), by="staff")


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UsageCounter)
class UsageCounterAdmin(ReadOnlyAdmin):
    list_display = ("subject", "kind", "period", "count", "updated_at")
    list_filter = ("kind",)
    search_fields = ("subject", "period")


@admin.register(GatedView)
class GatedViewAdmin(ReadOnlyAdmin):
    list_display = ("subject", "code", "period", "viewed_at")
    search_fields = ("subject", "code")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "target")
    list_filter = ("action",)
    search_fields = ("actor_label", "target", "action")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
