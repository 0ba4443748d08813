"""The four starting plans; operators edit them in the admin (a limit left empty = unlimited)."""

from django.db import migrations

PLANS = [
    {
        "slug": "guest",
        "name": "Guest",
        "price_label": "No account",
        "description": "Reading without an account.",
        "gated_views": 1,
        "gated_period": "month",
        "casepilot_per_day": 3,
        "consult_per_month": 0,
        "api_per_minute": 10,
        "api_per_day": 100,
        "includes_expert_review": False,
        "is_listed": True,
        "sort_order": 0,
    },
    {
        "slug": "free",
        "name": "Free",
        "price_label": "Free",
        "description": "A free account.",
        "gated_views": 5,
        "gated_period": "month",
        "casepilot_per_day": 10,
        "consult_per_month": 2,
        "api_per_minute": 30,
        "api_per_day": 1000,
        "includes_expert_review": False,
        "is_listed": True,
        "sort_order": 1,
    },
    {
        "slug": "pro",
        "name": "Pro",
        "price_label": "Paid, per user",
        "description": "Unlimited code pages for one coder.",
        "gated_views": None,
        "gated_period": "month",
        "casepilot_per_day": 200,
        "consult_per_month": 20,
        "api_per_minute": 120,
        "api_per_day": 20000,
        "includes_expert_review": False,
        "is_listed": True,
        "sort_order": 2,
    },
    {
        "slug": "team",
        "name": "Team",
        "price_label": "Paid, per team",
        "description": "Unlimited code pages, more CasePilot, and consults reviewed by an expert.",
        "gated_views": None,
        "gated_period": "month",
        "casepilot_per_day": 1000,
        "consult_per_month": 100,
        "api_per_minute": 600,
        "api_per_day": 200000,
        "includes_expert_review": True,
        "is_listed": True,
        "sort_order": 3,
    },
]


def add_plans(apps, schema_editor):
    plan = apps.get_model("accounts", "Plan")
    for row in PLANS:
        plan.objects.update_or_create(slug=row["slug"], defaults=row)


def remove_plans(apps, schema_editor):
    apps.get_model("accounts", "Plan").objects.filter(
        slug__in=[row["slug"] for row in PLANS], subscriptions__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(add_plans, remove_plans)]
