"""Plan.watched_codes: how many codes a user may watch (was a constant in changes.watchlists:
100 on plans with a monthly page limit, 5,000 on the unlimited ones; those values are kept)."""

import django.core.validators
from django.db import migrations, models


def set_limits(apps, schema_editor):
    plan = apps.get_model("accounts", "Plan")
    plan.objects.filter(gated_views__isnull=True).update(watched_codes=5000)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_api_key_scope")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="watched_codes",
            field=models.PositiveIntegerField(
                default=100,
                help_text="Codes a user may watch for What changed digests (at most 5,000).",
                validators=[django.core.validators.MaxValueValidator(5000)],
            ),
        ),
        migrations.RunPython(set_limits, migrations.RunPython.noop),
    ]
