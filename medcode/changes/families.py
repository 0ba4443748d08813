"""Which rows each diffed dataset family compares, as data: the table, the row filter, the key
columns and the compared fields with the kind of change each one is.

A family groups the datasets that carry one table across releases (e.g. the 2024Q3 shared MUE
CSV and the 2026Q2 official practitioner file), preferred dataset first. Row expressions are
SQL over the family's table; `{json:name}` reads a key of a reference row's JSON data.
"""

from __future__ import annotations

from dataclasses import dataclass

# Rows of an NCCI edit table in force on the release's first day: the same test the code
# pages and claim check use (deleted on or after that day = still in force that day).
IN_FORCE = (
    "(effective_on IS NULL OR effective_on <= %(day)s) "
    "AND (deleted_on IS NULL OR deleted_on >= %(day)s)"
)


# A family whose rows name their code set in the qualifier key (NCD listings).
FROM_QUALIFIER = "(qualifier)"


@dataclass(frozen=True)
class Field:
    name: str
    sql: str
    kind: str
    # Soft fields are compared only when both sides have a value (an older source that lacks
    # short titles must not read as every title changed).
    soft: bool = False
    numeric: bool = False
    places: int | None = None  # decimals shown (money: 2)


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    datasets: tuple[str, ...]
    table: str
    keys: tuple[str, ...]  # SQL for code, then optionally other_code and qualifier
    fields: tuple[Field, ...]
    where: str = "1 = 1"
    code_system: str = ""  # "" = from the code's shape (CPT digits vs HCPCS letter)
    key_names: tuple[str, ...] = ("code",)
    # For the largest tables (NCCI PTP): the first key has an index (release, key), and the
    # second key and the fields are code-like text (no control characters). The diff then
    # compares each first key's rows as one string per side, read in index order with no
    # sort, and looks row by row only at the groups that differ (services.grouped_rows).
    grouped: bool = False


def _code_family(name: str, title: str, datasets: tuple[str, ...], system: str) -> Family:
    return Family(
        name=name,
        title=title,
        datasets=datasets,
        table="codes_code",
        where=f"system = '{system}'",
        keys=("code",),
        code_system=system,
        fields=(
            Field("title", "NULLIF(long_description, '')", "retitled", soft=True),
            Field("short_title", "NULLIF(short_description, '')", "retitled", soft=True),
            Field("billable", "CASE WHEN is_billable THEN 'yes' ELSE 'no' END", "billable"),
            Field("terminated_on", "terminated_on", "terminated"),
        ),
    )


def _mue_family(name: str, title: str, dataset: str, service_type: str) -> Family:
    return Family(
        name=name,
        title=title,
        datasets=(dataset, "ncci_mue"),
        table="codes_muelimit",
        where=f"service_type = '{service_type}'",
        keys=("code",),
        fields=(
            Field("mue", "value", "mue", numeric=True),
            Field("mai", "mai", "mai"),
        ),
    )


def _ptp_family(name: str, title: str) -> Family:
    return Family(
        name=name,
        title=title,
        datasets=(name,),
        table="codes_ptpedit",
        where=IN_FORCE,
        keys=("column_1", "column_2"),
        key_names=("column 1", "column 2"),
        fields=(Field("modifier_indicator", "modifier_indicator", "modifier_indicator"),),
        grouped=True,
    )


def _payment(total: str, na: str) -> str:
    return f"CASE WHEN {na} THEN NULL ELSE ROUND(CAST({total} * conv_factor AS NUMERIC), 2) END"


def _indicator(name: str, column: str) -> Field:
    return Field(name, f"NULLIF({column}, '')", "indicator")


def _rvu(name: str, column: str) -> Field:
    return Field(name, column, "rvu", numeric=True, places=2)


FAMILIES: tuple[Family, ...] = (
    _code_family("hcpcs", "HCPCS Level II codes", ("hcpcs_anweb",), "HCPCS"),
    _code_family(
        "hcpcs_modifiers", "HCPCS modifiers", ("hcpcs_modifiers", "hcpcs_anweb"), "MODIFIER"
    ),
    _code_family(
        "icd10cm",
        "ICD-10-CM codes",
        ("icd10cm_tabular", "icd10cm_codes", "icd10cm_order"),
        "ICD10CM",
    ),
    _code_family(
        "icd10pcs", "ICD-10-PCS codes", ("icd10pcs_order", "icd10pcs_codes_tuva"), "ICD10PCS"
    ),
    _code_family("pos", "Place of service codes", ("pos",), "POS"),
    _ptp_family("ncci_ptp_practitioner", "NCCI PTP edits, practitioner"),
    _ptp_family("ncci_ptp_hospital", "NCCI PTP edits, outpatient hospital"),
    _mue_family(
        "ncci_mue_practitioner", "NCCI MUEs, practitioner", "ncci_mue_practitioner", "practitioner"
    ),
    _mue_family(
        "ncci_mue_hospital",
        "NCCI MUEs, outpatient hospital",
        "ncci_mue_hospital",
        "outpatient_hospital",
    ),
    _mue_family("ncci_mue_dme", "NCCI MUEs, DME supplier", "ncci_mue_dme", "dme"),
    Family(
        name="ncci_aoc",
        title="NCCI add-on code edits",
        datasets=("ncci_aoc",),
        table="codes_addonedit",
        where=IN_FORCE,
        keys=("addon", '"primary"'),
        key_names=("add-on", "primary"),
        fields=(Field("edit_type", "edit_type", "edit_type"),),
    ),
    Family(
        name="pfs_rvu",
        title="Medicare Physician Fee Schedule (RVU file)",
        datasets=("pfs_rvu",),
        table="codes_feescheduleitem",
        keys=("code", "''", "modifier"),
        fields=(
            Field("status", "status_code", "status"),
            Field("global_days", "NULLIF(global_days, '')", "global_days"),
            _indicator("pctc_ind", "pctc_ind"),
            _indicator("mult_proc_ind", "mult_proc_ind"),
            _indicator("bilat_surg_ind", "bilat_surg_ind"),
            _indicator("asst_surg_ind", "asst_surg_ind"),
            _indicator("co_surg_ind", "co_surg_ind"),
            _indicator("team_surg_ind", "team_surg_ind"),
            _rvu("work_rvu", "work_rvu"),
            _rvu("nonfac_pe_rvu", "nonfac_pe_rvu"),
            _rvu("facility_pe_rvu", "facility_pe_rvu"),
            _rvu("mp_rvu", "mp_rvu"),
            _rvu("nonfac_total", "nonfac_total"),
            _rvu("facility_total", "facility_total"),
            Field("conv_factor", "conv_factor", "payment", numeric=True, places=4),
            Field(
                "nonfac_payment",
                _payment("nonfac_total", "nonfac_na"),
                "payment",
                numeric=True,
                places=2,
            ),
            Field(
                "facility_payment",
                _payment("facility_total", "facility_na"),
                "payment",
                numeric=True,
                places=2,
            ),
        ),
    ),
    Family(
        name="opps_addendum_b",
        title="OPPS Addendum B",
        datasets=("opps_addendum_b",),
        table="codes_oppsitem",
        keys=("code",),
        fields=(
            Field("status_indicator", "status_indicator", "status"),
            Field("payment_rate", "payment_rate", "payment", numeric=True, places=2),
            Field("apc", "NULLIF(apc, '')", "apc"),
        ),
    ),
    Family(
        name="ncd_coding",
        title="NCD coding spreadsheet (coverage)",
        datasets=("ncd_coding_spreadsheet",),
        table="codes_ncdcodelisting",
        keys=("code", "ncd", "system"),
        key_names=("code", "NCD", "code set"),
        code_system=FROM_QUALIFIER,
        fields=(
            Field("resolution", "resolution", "coverage"),
            Field("terminated_on", "terminated_on", "terminated"),
        ),
    ),
    Family(
        name="mcd_article_icd10",
        title="Coverage articles: procedure and diagnosis pairs",
        datasets=("mcd_article_icd10",),
        table="codes_referencerow",
        where="key = 'article_icd10'",
        keys=("{json:hcpcs}", "{json:icd10cm}"),
        key_names=("procedure", "diagnosis"),
        fields=(Field("coverage", "{json:status}", "coverage"),),
    ),
    Family(
        name="mcd_lcd_hcpcs",
        title="LCD HCPCS code lists",
        datasets=("mcd_lcd_hcpcs",),
        table="codes_referencerow",
        where="key = 'lcd_hcpcs'",
        keys=("{json:hcpcs}", "{json:lcd_id}"),
        key_names=("code", "LCD"),
        fields=(Field("group", "{json:group}", "coverage"),),
    ),
)

BY_NAME = {f.name: f for f in FAMILIES}
KINDS = (
    "added",
    "deleted",
    "retitled",
    "billable",
    "terminated",
    "status",
    "global_days",
    "indicator",
    "rvu",
    "payment",
    "apc",
    "modifier_indicator",
    "mue",
    "mai",
    "edit_type",
    "coverage",
)


def families_of(dataset: str) -> list[Family]:
    return [f for f in FAMILIES if dataset in f.datasets]
