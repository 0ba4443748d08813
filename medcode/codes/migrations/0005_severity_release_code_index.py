"""MS-DRG CC/MCC designations get a (release, code) index, and their release foreign key loses
its own index as in 0003. With only the release's index and the code's, SQLite answered "this
code in this release" through the release's index, reading its ~18,000 rows: ~1.7 ms on every
billable ICD-10-CM page, twice. The state change drops the index with SQL, since Django's
SQLite schema editor would copy the table to change db_index."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "codes_severitydesignation"
RELEASE_INDEX = "codes_severitydesignation_release_id_1f46d941"


class Migration(migrations.Migration):
    dependencies = [("codes", "0004_neutral_pcs_code_list_label")]

    operations = [
        migrations.AddIndex(
            model_name="severitydesignation",
            index=models.Index(fields=["release", "code"], name="codes_sever_release_5b86ed_idx"),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{RELEASE_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{RELEASE_INDEX}" ON "{TABLE}" ("release_id")',
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="severitydesignation",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="severities",
                        to="codes.release",
                    ),
                )
            ],
        ),
    ]
