"""The release foreign key of tables whose composite index starts with the release loses its
own index (see models.py). Only the indexes are dropped: Django's SQLite schema editor would
copy each table to change db_index, which on a loaded database means millions of rows."""

import django.db.models.deletion
from django.db import migrations, models

# (table, the foreign key index Django named for it in 0001/0002)
INDEXES = [
    ("codes_code", "codes_code_release_id_eb01a7d3"),
    ("codes_codenote", "codes_codenote_release_id_f7dc9075"),
    ("codes_seventhcharacter", "codes_seventhcharacter_release_id_5cfce1fb"),
    ("codes_heading", "codes_heading_release_id_34f2d29d"),
    ("codes_indexentry", "codes_indexentry_release_id_1543c124"),
    ("codes_feescheduleitem", "codes_feescheduleitem_release_id_91b54b8e"),
    ("codes_oppsitem", "codes_oppsitem_release_id_fc2378a5"),
    ("codes_referencerow", "codes_referencerow_release_id_d9a700b6"),
    ("codes_ptpedit", "codes_ptpedit_release_id_734732e2"),
    ("codes_muelimit", "codes_muelimit_release_id_181bffa4"),
    ("codes_addonedit", "codes_addonedit_release_id_f2e62635"),
    ("codes_diagnosisgem", "codes_diagnosisgem_release_id_b9919e29"),
    ("codes_ncdcodelisting", "codes_ncdcodelisting_release_id_95b24440"),
    ("codes_mcelisting", "codes_mcelisting_release_id_ec45c0d5"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0002_diagnosis_gems_ncd_mce"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("release_id")',
                )
                for table, name in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="addonedit",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="addon_edits",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="code",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="codes",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="codenote",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notes",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="diagnosisgem",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="diagnosis_gems",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="feescheduleitem",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="fee_items",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="heading",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="headings",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="indexentry",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="index_entries",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="mcelisting",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mce_codes",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="muelimit",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mue_limits",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="ncdcodelisting",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ncd_codes",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="oppsitem",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="opps_items",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="ptpedit",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ptp_edits",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="referencerow",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reference_rows",
                        to="codes.release",
                    ),
                ),
                migrations.AlterField(
                    model_name="seventhcharacter",
                    name="release",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="seventh",
                        to="codes.release",
                    ),
                ),
            ],
        ),
    ]
