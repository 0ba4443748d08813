"""Stored diffs name their releases by label: the older ICD-10-PCS code list's old label
"FY2024 (Tuva, unverified)" becomes "FY2024 (year inferred)" here too (codes 0004)."""

from django.db import migrations

OLD = "FY2024 (Tuva, unverified)"
NEW = "FY2024 (year inferred)"


def relabel(apps, schema_editor, old=OLD, new=NEW):
    ReleaseDiff = apps.get_model("changes", "ReleaseDiff")
    ReleaseDiff.objects.filter(family="icd10pcs", from_label=old).update(from_label=new)
    ReleaseDiff.objects.filter(family="icd10pcs", to_label=old).update(to_label=new)


def restore(apps, schema_editor):
    relabel(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0001_initial"),
        ("codes", "0004_neutral_pcs_code_list_label"),
    ]

    operations = [migrations.RunPython(relabel, restore, elidable=True)]
