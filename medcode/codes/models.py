"""The versioned code store: every release of every data file, and the rows it brought.

Each release keeps a full snapshot of its rows, so a page can be shown as it was on any
date of service by picking the release in force on that date.

A table whose composite index starts with the release leaves out the foreign key's own index
(`db_index=False`): the composite one serves lookups and cascading deletes, and an index fewer
per row makes bulk loads faster (2.5 million NCCI PTP rows: 15.7 s -> 12.3 s CPU on SQLite).
"""

from __future__ import annotations

from django.db import models


class CodeSystem(models.TextChoices):
    ICD10CM = "ICD10CM", "ICD-10-CM"
    ICD10PCS = "ICD10PCS", "ICD-10-PCS"
    HCPCS = "HCPCS", "HCPCS Level II"
    MODIFIER = "MODIFIER", "HCPCS modifier"
    CPT = "CPT", "CPT"
    POS = "POS", "Place of service"


class ReleaseQuerySet(models.QuerySet["Release"]):
    def current(self) -> ReleaseQuerySet:
        return self.filter(is_current=True)

    def for_system(self, system: str) -> ReleaseQuerySet:
        return self.filter(code_system=system)


class Release(models.Model):
    """One imported release file: what it is, where it came from and what it held."""

    dataset = models.CharField(max_length=64, help_text="importer name, e.g. icd10cm_codes")
    code_system = models.CharField(max_length=12, blank=True, choices=CodeSystem.choices)
    version_label = models.CharField(max_length=64, help_text='e.g. "FY2026 April", "RVU25D"')
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    source_file = models.CharField(max_length=255)
    source_url = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64)
    row_counts = models.JSONField(default=dict)
    imported_at = models.DateTimeField(auto_now_add=True)
    is_current = models.BooleanField(default=False)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "sha256"], name="release_unique_file"),
            models.UniqueConstraint(
                fields=["dataset", "version_label"], name="release_unique_version"
            ),
        ]
        indexes = [models.Index(fields=["code_system", "effective_from"])]
        ordering = ["dataset", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.dataset} {self.version_label}"

    @property
    def citation(self) -> str:
        """How a page names this release: 'ICD-10-CM FY2026 April (icd10cm_codes_2026.csv.gz)'."""
        return f"{self.get_dataset_title()} {self.version_label}"

    def get_dataset_title(self) -> str:
        from medcode.codes.importers.registry import dataset_title

        return dataset_title(self.dataset)


class Code(models.Model):
    """A code as one release describes it."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="codes", db_index=False
    )
    system = models.CharField(max_length=12, choices=CodeSystem.choices)
    code = models.CharField(max_length=16, help_text="upper case, no dot")
    display = models.CharField(max_length=16, help_text="as printed, e.g. S72.001A")
    short_description = models.CharField(max_length=255, blank=True)
    long_description = models.TextField(blank=True)
    is_billable = models.BooleanField(default=True)
    level = models.CharField(max_length=16, blank=True, help_text="category, subcategory, ...")
    parent = models.CharField(max_length=16, blank=True)
    chapter = models.CharField(max_length=8, blank=True)
    section = models.CharField(max_length=16, blank=True)
    added_on = models.DateField(null=True, blank=True)
    action_on = models.DateField(null=True, blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    action_code = models.CharField(max_length=2, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "code"], name="code_unique_in_release")
        ]
        indexes = [
            models.Index(fields=["system", "code"]),
            models.Index(fields=["code"]),
            models.Index(fields=["release", "parent"]),
        ]

    def __str__(self) -> str:
        return f"{self.display} {self.short_description or self.long_description[:60]}"

    @property
    def description(self) -> str:
        return self.long_description or self.short_description


class CodeNote(models.Model):
    """An ICD-10-CM tabular instruction (includes, excludes1, code first, ...)."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    code = models.CharField(max_length=16, help_text="code (no dot), CH<n> or a section range")
    note_type = models.CharField(max_length=24)
    seq = models.PositiveIntegerField(default=0)
    text = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["release", "code"])]
        ordering = ["code", "note_type", "seq"]


class SeventhCharacter(models.Model):
    """A 7th-character value declared at a code and inherited by its descendants."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="seventh", db_index=False
    )
    code = models.CharField(max_length=16)
    character = models.CharField(max_length=1)
    description = models.CharField(max_length=255)

    class Meta:
        indexes = [models.Index(fields=["release", "code"])]


class Heading(models.Model):
    """ICD-10-CM chapters and sections (blocks)."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="headings", db_index=False
    )
    kind = models.CharField(max_length=8, help_text="chapter or section")
    chapter = models.CharField(max_length=8)
    code_range = models.CharField(max_length=16)
    description = models.CharField(max_length=255)
    seq = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["release", "kind"])]
        ordering = ["seq"]


class IndexEntry(models.Model):
    """A row of the ICD-10-CM alphabetic index, external cause index, drug or neoplasm table."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="index_entries", db_index=False
    )
    table = models.CharField(max_length=12, help_text="index, eindex, drug, neoplasm")
    seq = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField()
    term = models.CharField(max_length=500)
    path = models.TextField(blank=True)
    code = models.CharField(max_length=16, blank=True)
    see = models.CharField(max_length=500, blank=True)
    see_also = models.CharField(max_length=500, blank=True)
    cells = models.JSONField(default=dict, blank=True, help_text="table columns (drug, neoplasm)")

    class Meta:
        indexes = [models.Index(fields=["release", "code"]), models.Index(fields=["term"])]
        ordering = ["seq"]


class FeeScheduleItem(models.Model):
    """A row of the Medicare PFS national relative value file (PPRRVU)."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="fee_items", db_index=False
    )
    code = models.CharField(max_length=5)
    modifier = models.CharField(max_length=2, blank=True)
    status_code = models.CharField(max_length=1)
    work_rvu = models.FloatField(null=True)
    nonfac_pe_rvu = models.FloatField(null=True)
    nonfac_na = models.BooleanField(default=False)
    facility_pe_rvu = models.FloatField(null=True)
    facility_na = models.BooleanField(default=False)
    mp_rvu = models.FloatField(null=True)
    nonfac_total = models.FloatField(null=True)
    facility_total = models.FloatField(null=True)
    pctc_ind = models.CharField(max_length=1, blank=True)
    global_days = models.CharField(max_length=3, blank=True)
    pre_op = models.FloatField(null=True)
    intra_op = models.FloatField(null=True)
    post_op = models.FloatField(null=True)
    mult_proc_ind = models.CharField(max_length=1, blank=True)
    bilat_surg_ind = models.CharField(max_length=1, blank=True)
    asst_surg_ind = models.CharField(max_length=1, blank=True)
    co_surg_ind = models.CharField(max_length=1, blank=True)
    team_surg_ind = models.CharField(max_length=1, blank=True)
    endo_base = models.CharField(max_length=5, blank=True)
    conv_factor = models.FloatField(null=True)
    phys_supervision = models.CharField(max_length=2, blank=True)
    calc_flag = models.CharField(max_length=2, blank=True)
    diag_imaging_family = models.CharField(max_length=2, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["release", "code"]), models.Index(fields=["code"])]


class OppsItem(models.Model):
    """OPPS Addendum B: status indicator and national payment rate."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="opps_items", db_index=False
    )
    code = models.CharField(max_length=5)
    status_indicator = models.CharField(max_length=2)
    payment_rate = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    apc = models.CharField(max_length=5, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["release", "code"]), models.Index(fields=["code"])]


class SeverityDesignation(models.Model):
    """MS-DRG CC/MCC designation of an ICD-10-CM code (IPPS Tables 6I/6J)."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="severities", db_index=False
    )
    code = models.CharField(max_length=8)
    severity = models.CharField(max_length=3, help_text="CC or MCC")

    class Meta:
        # (release, code): a code page asks for one code in one release; with the release's
        # own index beside the code's, SQLite read the whole release (~18,000 rows, ~1.7 ms).
        indexes = [models.Index(fields=["code"]), models.Index(fields=["release", "code"])]


class LicensedDescriptor(models.Model):
    """An operator's licensed CPT descriptor: shown only on that install, never bundled."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="descriptors")
    code = models.CharField(max_length=5)
    descriptor = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["code"])]


class ReferenceRow(models.Model):
    """A row of a smaller reference table kept as data (GPCI, localities, DRG weights, ...)."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="reference_rows", db_index=False
    )
    key = models.CharField(max_length=64)
    data = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["release", "key"])]


class PtpEdit(models.Model):
    """An NCCI procedure-to-procedure edit (column 1 / column 2 pair)."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="ptp_edits", db_index=False
    )
    column_1 = models.CharField(max_length=5)
    column_2 = models.CharField(max_length=5)
    prior_1996 = models.BooleanField(default=False)
    effective_on = models.DateField(null=True)
    deleted_on = models.DateField(null=True)
    modifier_indicator = models.CharField(max_length=1)
    rationale = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["release", "column_1"])]


class MueLimit(models.Model):
    """An NCCI medically unlikely edit: units per line or per date of service."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="mue_limits", db_index=False
    )
    code = models.CharField(max_length=5)
    service_type = models.CharField(max_length=24)
    value = models.PositiveIntegerField()
    mai = models.PositiveSmallIntegerField()
    rationale = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["release", "code"])]


class AddOnEdit(models.Model):
    """An NCCI add-on code edit: the add-on and an eligible primary code."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="addon_edits", db_index=False
    )
    addon = models.CharField(max_length=5)
    primary = models.CharField(max_length=5)
    edit_type = models.PositiveSmallIntegerField()
    effective_on = models.DateField(null=True)
    deleted_on = models.DateField(null=True)
    notes = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["release", "addon"])]


class DiagnosisGem(models.Model):
    """A row of CMS's diagnosis General Equivalence Mappings (ICD-10-CM <-> ICD-9-CM).

    The direction is the release's dataset (icd10cm_gem_i10: ICD-10-CM -> ICD-9-CM,
    icd10cm_gem_i9: ICD-9-CM -> ICD-10-CM). Codes are stored without dots; a source with no
    equivalent has the target "NoDx" and `no_map` set.
    """

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="diagnosis_gems", db_index=False
    )
    source = models.CharField(max_length=8)
    target = models.CharField(max_length=8)
    approximate = models.BooleanField(default=False)
    no_map = models.BooleanField(default=False)
    combination = models.BooleanField(default=False)
    scenario = models.PositiveSmallIntegerField(default=0)
    choice_list = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["release", "source"]),
            models.Index(fields=["release", "target"]),
        ]


class NcdCodeListing(models.Model):
    """A code the NCD coding spreadsheet lists under a national coverage determination.

    CPT/HCPCS rows say which procedures an NCD applies to; ICD-10-CM rows carry the
    resolution: 1 covered, 2 denied, 3 does not support medical necessity.
    """

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="ncd_codes", db_index=False
    )
    ncd = models.CharField(max_length=16)
    title = models.CharField(max_length=255, blank=True)
    system = models.CharField(max_length=12, help_text="HCPCS (CPT/HCPCS) or ICD10CM")
    code = models.CharField(max_length=8, help_text="upper case, no dot")
    effective_on = models.DateField(null=True)
    terminated_on = models.DateField(null=True)
    resolution = models.PositiveSmallIntegerField(null=True)
    line = models.PositiveIntegerField(help_text="spreadsheet row")

    class Meta:
        indexes = [
            models.Index(fields=["release", "code"]),
            models.Index(fields=["release", "ncd"]),
        ]


class MceListing(models.Model):
    """A code on one of the Medicare Code Editor's edit lists (definitions manual)."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="mce_codes", db_index=False
    )
    edit = models.CharField(max_length=8, help_text='the manual\'s number: "4C", "11B"')
    list_key = models.CharField(max_length=40, help_text='e.g. "age_maternity"')
    system = models.CharField(max_length=12, help_text="ICD10CM or ICD10PCS")
    code = models.CharField(max_length=8, help_text="upper case, no dot")
    age_low = models.PositiveSmallIntegerField(null=True)
    age_high = models.PositiveSmallIntegerField(null=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["release", "code"]),
            models.Index(fields=["release", "list_key"]),
        ]
