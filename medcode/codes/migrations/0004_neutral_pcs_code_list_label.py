"""The older ICD-10-PCS code list's release label was "FY2024 (Tuva, unverified)": readers saw a
third-party name as a trust label. Imports now label it "FY2024 (year inferred)" (the About the
data page says who packaged it); this relabels releases imported before."""

from django.db import migrations

DATASET = "icd10pcs_codes_tuva"
OLD = "FY2024 (Tuva, unverified)"
NEW = "FY2024 (year inferred)"


def relabel(apps, schema_editor, old=OLD, new=NEW):
    Release = apps.get_model("codes", "Release")
    Release.objects.filter(dataset=DATASET, version_label=old).update(version_label=new)


def restore(apps, schema_editor):
    relabel(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [("codes", "0003_release_fk_without_own_index")]

    operations = [migrations.RunPython(relabel, restore, elidable=True)]
