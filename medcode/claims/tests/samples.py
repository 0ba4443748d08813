"""Small release files in the shared CSV layouts, imported through the real importers.

Each sample is written into tmp_path under its shared file name and imported with
medcode.codes.services.import_file. A file no importer recognises yet (an importer still to
land) is loaded with the ORM instead, into a release shaped as that importer's would be, so
the claim tests exercise the real importers as soon as they exist.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

from medcode.codes import models as m
from medcode.codes.importers.registry import detect
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError

DOS = "2024-07-15"


def _columns(header: str) -> list[str]:
    return header.split(",")


PTP_HEADER = (
    "column_1",
    "column_2",
    "prior_1996",
    "deletion_date",
    "modifier_indicator",
    "ptp_edit_rationale",
)
PTP_2024Q3 = [
    ("11042", "97597", "", "", "1", "Misuse of column two code with column one code"),
    ("11042", "99213", "", "", "1", "Standards of medical/surgical practice"),
    ("27447", "27446", "", "", "0", "Mutually exclusive procedures"),
    ("11042", "11000", "", "2024-08-31", "1", "More extensive procedure"),  # deleted
]
# Only in the earlier quarter: fires on a date in 2024Q2, not in 2024Q3.
PTP_2024Q2 = [
    *PTP_2024Q3[:3],
    ("11042", "97598", "", "", "1", "Misuse of column two code with column one code"),
]

MUE_HEADER = ("hcpcs", "service_type", "mue_value", "mai", "mai_description", "mue_rationale")
MUE_2024Q3 = [
    ("20610", "practitioner", "1", "1", "Line Edit", "Anatomic Consideration"),
    ("97597", "practitioner", "1", "2", "Date of Service Edit: Policy", "CMS Policy"),
    ("11045", "practitioner", "12", "3", "Date of Service Edit: Clinical", "Clinical: Data"),
    ("97597", "outpatient_hospital", "3", "2", "Date of Service Edit: Policy", "CMS Policy"),
]

AOC_HEADER = (
    "add_on_code",
    "primary_code",
    "aoc_edit_type",
    "aoc_edit_effective_year",
    "special_instruction_note",
)
AOC_2024Q3 = [
    ("11045", "11042", "1", "2011", ""),
    ("64484", "64483", "1", "2011", ""),
]

RVU_HEADER = _columns(
    "hcpcs,modifier,description,status_code,not_used_for_medicare_payment,work_rvu,"
    "nonfac_pe_rvu,nonfac_na_indicator,facility_pe_rvu,facility_na_indicator,mp_rvu,"
    "nonfac_total_rvu,facility_total_rvu,pctc_ind,global_days,pre_op_pct,intra_op_pct,"
    "post_op_pct,mult_proc_ind,bilat_surg_ind,asst_surg_ind,co_surg_ind,team_surg_ind,endo_base,"
    "conv_factor,phys_supervision_diag_ind,calculation_flag,diag_imaging_family_ind,"
    "nonfac_pe_used_for_opps,facility_pe_used_for_opps,mp_used_for_opps"
)
# code, modifier, status, pctc, global days, mult, bilateral, assistant, co-surgeon, team
FEES = [
    ("11042", "", "A", "0", "000", "2", "0", "1", "0", "0"),
    ("11045", "", "A", "0", "ZZZ", "0", "0", "1", "0", "0"),
    ("97597", "", "A", "0", "000", "2", "0", "1", "0", "0"),
    ("97598", "", "A", "0", "ZZZ", "0", "0", "1", "0", "0"),
    ("11000", "", "A", "0", "000", "2", "0", "1", "0", "0"),
    ("99213", "", "A", "0", "XXX", "0", "0", "1", "0", "0"),
    ("20610", "", "A", "0", "000", "2", "1", "1", "0", "0"),
    ("27446", "", "A", "0", "090", "2", "1", "2", "1", "0"),
    ("27447", "", "A", "0", "090", "2", "1", "2", "1", "1"),
    ("63650", "", "A", "0", "010", "2", "0", "1", "0", "0"),
    ("64483", "", "A", "0", "000", "2", "1", "1", "0", "0"),
    ("64484", "", "A", "0", "ZZZ", "0", "1", "1", "0", "0"),
    ("71046", "", "A", "1", "XXX", "0", "0", "9", "9", "9"),
    ("71046", "26", "A", "1", "XXX", "0", "0", "9", "9", "9"),
    ("71046", "TC", "A", "1", "XXX", "0", "0", "9", "9", "9"),
    ("99070", "", "B", "9", "XXX", "9", "9", "9", "9", "9"),
    ("G0283", "", "A", "0", "XXX", "0", "0", "9", "9", "9"),
]

MODIFIER_HEADER = _columns(
    "hcpc,seqnum,recid,long_description,short_description,pricing_indicator,mult_pi,cim,mcm,"
    "statute,labcert,xref,cov,asc_group,asc_date,procnote,procnote_description,betos,tos,"
    "anest_bu,date_added,action_date,date_term,action"
)
# modifier, description, added, terminated
MODIFIERS = [
    ("XE", "Separate encounter", "2015-01-01", ""),
    ("XP", "Separate practitioner", "2015-01-01", ""),
    ("XS", "Separate organ/structure", "2015-01-01", ""),
    ("XU", "Unusual non-overlapping service", "2015-01-01", ""),
    ("RT", "Right side", "1984-01-01", ""),
    ("LT", "Left side", "1984-01-01", ""),
    ("TC", "Technical component", "1984-01-01", ""),
    ("GY", "Statutorily excluded item or service", "2002-01-01", ""),
    ("QJ", "Services provided to a prisoner", "2002-01-01", "2024-06-30"),
]

ICD_HEADER = (
    "code",
    "code_nodot",
    "description",
    "level",
    "billable",
    "parent",
    "chapter",
    "section",
    "description_derived",
)
ICD_CODES = [
    ("E10", "Type 1 diabetes mellitus", "category", "0", ""),
    ("E10.9", "Type 1 diabetes mellitus without complications", "subcategory", "1", "E10"),
    ("E11", "Type 2 diabetes mellitus", "category", "0", ""),
    ("E11.9", "Type 2 diabetes mellitus without complications", "subcategory", "1", "E11"),
    (
        "E11.6",
        "Type 2 diabetes mellitus with other specified complications",
        "subcategory",
        "0",
        "E11",
    ),
    ("E11.62", "Type 2 diabetes mellitus with skin complications", "subcategory", "0", "E11.6"),
    ("E11.621", "Type 2 diabetes mellitus with foot ulcer", "subcategory", "1", "E11.62"),
    (
        "L97.421",
        "Non-pressure chronic ulcer of left heel and midfoot limited to breakdown of skin",
        "subcategory",
        "1",
        "L97.42",
    ),
    ("M79.89", "Other specified soft tissue disorders", "subcategory", "1", "M79.8"),
]
NOTE_HEADER = ("code", "note_type", "seq", "text")
ICD_NOTES = [
    ("E10", "excludes1", "1", "diabetes mellitus due to underlying condition (E08.-)"),
    ("E11", "excludes1", "1", "type 1 diabetes mellitus (E10.-)"),
    ("E11", "excludes1", "2", "gestational diabetes (O24.4-)"),
    ("E11.621", "useAdditionalCode", "1", "code to identify site of ulcer (L97.4-, L97.5-)"),
]


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _icd_rows() -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for display, text, level, billable, parent in ICD_CODES:
        section = "E08-E13" if display.startswith("E") else "L76-L99"
        chapter = "4" if display.startswith("E") else "12"
        if display.startswith("M"):
            section, chapter = "M70-M79", "13"
        rows.append(
            (
                display,
                display.replace(".", ""),
                text,
                level,
                billable,
                parent,
                chapter,
                section,
                "0",
            )
        )
    return rows


# code -> work, non-facility PE, facility PE, MP RVUs (the others are 0.00): for the expected
# payment. National office amounts at CF 32.7442: 11042 126.72, 99213 85.13, 27447 1273.09.
SAMPLE_RVUS = {
    "11042": ("1.01", "2.73", "0.68", "0.13"),
    "99213": ("1.30", "1.20", "0.55", "0.10"),
    "27447": ("19.60", "15.30", "15.30", "3.98"),
}


def _rvu_rows() -> list[list[str]]:
    rows = []
    for code, mod, status, pctc, days, mult, bilat, asst, co, team in FEES:
        values = dict.fromkeys(RVU_HEADER, "0.00")
        if not mod and code in SAMPLE_RVUS:
            work, nonfac_pe, facility_pe, mp = SAMPLE_RVUS[code]
            values.update(
                work_rvu=work,
                nonfac_pe_rvu=nonfac_pe,
                facility_pe_rvu=facility_pe,
                mp_rvu=mp,
                nonfac_total_rvu=f"{float(work) + float(nonfac_pe) + float(mp):.2f}",
                facility_total_rvu=f"{float(work) + float(facility_pe) + float(mp):.2f}",
            )
        values.update(
            hcpcs=code,
            modifier=mod,
            description="",
            status_code=status,
            not_used_for_medicare_payment="",
            nonfac_na_indicator="",
            facility_na_indicator="",
            pctc_ind=pctc,
            global_days=days,
            mult_proc_ind=mult,
            bilat_surg_ind=bilat,
            asst_surg_ind=asst,
            co_surg_ind=co,
            team_surg_ind=team,
            endo_base="",
            conv_factor="32.7442",
            phys_supervision_diag_ind="09",
            calculation_flag="0",
            diag_imaging_family_ind="99",
        )
        rows.append([values[c] for c in RVU_HEADER])
    return rows


def _modifier_rows() -> list[list[str]]:
    rows = []
    for code, text, added, terminated in MODIFIERS:
        values = dict.fromkeys(MODIFIER_HEADER, "")
        values.update(
            hcpc=code,
            seqnum="0010",
            recid="7",
            long_description=text,
            short_description=text[:28],
            cov="C",
            date_added=added,
            action_date=added,
            date_term=terminated,
            action="N",
        )
        rows.append([values[c] for c in MODIFIER_HEADER])
    return rows


SAMPLES: dict[str, tuple[Sequence[str], Sequence[Sequence[str]]]] = {
    "ncci_ptp_practitioner_2024q3.csv": (PTP_HEADER, PTP_2024Q3),
    "ncci_ptp_practitioner_2024q2.csv": (PTP_HEADER, PTP_2024Q2),
    "ncci_mue_2024q3.csv": (MUE_HEADER, MUE_2024Q3),
    "ncci_aoc_2024q3.csv": (AOC_HEADER, AOC_2024Q3),
    "pfs_rvu_2024c.csv": (RVU_HEADER, _rvu_rows()),
    "hcpcs_modifiers_2024_04.csv": (MODIFIER_HEADER, _modifier_rows()),
    "icd10cm_codes_2026.csv": (ICD_HEADER, _icd_rows()),
    "icd10cm_tabular_notes_2026.csv": (NOTE_HEADER, ICD_NOTES),
}


def write_sample(folder: Path, name: str) -> Path:
    header, rows = SAMPLES[name]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(_csv(header, rows), encoding="utf-8")
    return path


def load_samples(folder: Path, names: Sequence[str] | None = None) -> dict[str, str]:
    """Import the samples; returns how each was loaded ("importer" or "orm") by file name."""
    how = {}
    for name in names or list(SAMPLES):
        path = write_sample(folder, name)
        try:
            detect(path)
        except DataFileError:
            _orm_load(name)
            how[name] = "orm"
            continue
        import_file(path)
        how[name] = "importer"
    return how


def _release(
    dataset: str, label: str, effective: dt.date, counts: dict[str, int], system: str = ""
) -> m.Release:
    return m.Release.objects.create(
        dataset=dataset,
        code_system=system,
        version_label=label,
        effective_from=effective,
        source_file=f"{dataset}_{label}.csv",
        sha256=f"{dataset}-{label}",
        row_counts=counts,
        is_current=True,
    )


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _orm_load(name: str) -> None:
    """The rows an importer not yet landed would load, for the NCCI shared files."""
    _, rows = SAMPLES[name]
    if name.startswith("ncci_ptp_practitioner_"):
        quarter = name.rsplit("_", 1)[1].removesuffix(".csv")
        year, q = int(quarter[:4]), int(quarter[5])
        release = _release(
            "ncci_ptp_practitioner",
            f"{year}Q{q}",
            dt.date(year, 3 * q - 2, 1),
            {"ptp_edits": len(rows)},
        )
        m.PtpEdit.objects.bulk_create(
            m.PtpEdit(
                release=release,
                column_1=c1,
                column_2=c2,
                prior_1996=prior == "*",
                effective_on=None,
                deleted_on=_date(deleted),
                modifier_indicator=indicator,
                rationale=rationale,
            )
            for c1, c2, prior, deleted, indicator, rationale in rows
        )
    elif name.startswith("ncci_mue_"):
        release = _release("ncci_mue", "2024Q3", dt.date(2024, 7, 1), {"mue_limits": len(rows)})
        m.MueLimit.objects.bulk_create(
            m.MueLimit(
                release=release,
                code=code,
                service_type=service,
                value=int(value),
                mai=int(mai),
                rationale=rationale,
            )
            for code, service, value, mai, _, rationale in rows
        )
    elif name.startswith("ncci_aoc_"):
        release = _release("ncci_aoc", "2024Q3", dt.date(2024, 7, 1), {"addon_edits": len(rows)})
        m.AddOnEdit.objects.bulk_create(
            m.AddOnEdit(
                release=release,
                addon=addon,
                primary=primary,
                edit_type=int(kind),
                effective_on=dt.date(int(year), 1, 1) if year else None,
                notes=note,
            )
            for addon, primary, kind, year, note in rows
        )
    else:
        raise AssertionError(f"no importer takes {name} and no ORM stand-in is written for it")
