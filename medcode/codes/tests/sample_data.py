"""Small release files in the shared CSV layouts (shared/data/MANIFEST.md), for page tests.

`write_samples` writes them into a folder and `load_samples` imports them through the real
importers, so page tests exercise the whole path from a release file to a page. CPT codes
appear as bare numbers only: no AMA text. The FY2025 ICD-10-CM order file lists M54.5 and
X99.99, which the FY2026 file does not (deleted code; code of a family FY2026 does not cover);
HCPCS C9159 is terminated with a cross-reference; A0100 is both HCPCS and ICD-10-CM (A01.00);
50 is both a modifier and a place of service.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from medcode.codes.importers.registry import detect
from medcode.codes.queries import clear_caches
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError
from tests.kept import Keeper, keeps, kept, kept_value

# File name -> content, in the layout of the shared file of that name.
SAMPLES: dict[str, str] = {
    "icd10cm_codes_2026.csv.gz": """\
code,code_nodot,description,level,billable,parent,chapter,section,description_derived
A01,A01,Typhoid and paratyphoid fevers,category,0,,1,A00-A09,0
A01.0,A010,Typhoid fever,subcategory,0,A01,1,A00-A09,0
A01.00,A0100,"Typhoid fever, unspecified",subcategory,1,A010,1,A00-A09,0
M54,M54,Dorsalgia,category,0,,13,M50-M54,0
M54.50,M5450,"Low back pain, unspecified",subcategory,1,M545,13,M50-M54,0
S72,S72,Fracture of femur,category,0,,19,S70-S79,0
S72.0,S720,Fracture of head and neck of femur,subcategory,0,S72,19,S70-S79,0
S72.00,S7200,Fracture of unspecified part of neck of femur,subcategory,0,S720,19,S70-S79,0
S72.001,S72001,Fracture of unspecified part of neck of right femur,subcategory,0,S7200,19,S70-S79,0
S72.001A,S72001A,"Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",code_7th_char,1,S72001,19,S70-S79,1
S72.001B,S72001B,"Fracture of unspecified part of neck of right femur, initial encounter for open fracture type I or II",code_7th_char,1,S72001,19,S70-S79,1
S72.001D,S72001D,"Fracture of unspecified part of neck of right femur, subsequent encounter for closed fracture with routine healing",code_7th_char,1,S72001,19,S70-S79,1
S72.001S,S72001S,"Fracture of unspecified part of neck of right femur, sequela",code_7th_char,1,S72001,19,S70-S79,1
S72.002,S72002,Fracture of unspecified part of neck of left femur,subcategory,0,S7200,19,S70-S79,0
S72.002A,S72002A,"Fracture of unspecified part of neck of left femur, initial encounter for closed fracture",code_7th_char,1,S72002,19,S70-S79,1
S72.002B,S72002B,"Fracture of unspecified part of neck of left femur, initial encounter for open fracture type I or II",code_7th_char,1,S72002,19,S70-S79,1
S72.002D,S72002D,"Fracture of unspecified part of neck of left femur, subsequent encounter for closed fracture with routine healing",code_7th_char,1,S72002,19,S70-S79,1
S72.002S,S72002S,"Fracture of unspecified part of neck of left femur, sequela",code_7th_char,1,S72002,19,S70-S79,1
""",
    "icd10cm_tabular_notes_2026.csv": """\
code,note_type,seq,text
CH19,excludes2,1,birth trauma (P10-P15)
S70-S79,excludes2,1,burns and corrosions (T20-T32)
S72,excludes1,1,traumatic amputation of hip and thigh (S78.-)
S72,excludes2,1,fracture of lower leg and ankle (S82.-)
S72,notes,1,A fracture not indicated as open or closed should be coded to closed
S72,sevenChrNote,1,The appropriate 7th character is to be added to all codes from category S72
S72.00,inclusionTerm,1,Fracture of hip NOS
A01.0,codeAlso,1,any associated complication
A01,useAdditionalCode,1,code to identify the organism
""",
    "icd10cm_7th_characters_2026.csv": """\
code,character,description
S72,A,initial encounter for closed fracture
S72,B,initial encounter for open fracture type I or II
S72,D,subsequent encounter for closed fracture with routine healing
S72,S,sequela
""",
    "icd10cm_chapters_sections_2026.csv": """\
chapter,section_range,description,kind
1,,Certain infectious and parasitic diseases (A00-B99),chapter
1,A00-A09,Intestinal infectious diseases (A00-A09),section
13,,Diseases of the musculoskeletal system and connective tissue (M00-M99),chapter
13,M50-M54,Other dorsopathies (M50-M54),section
19,,"Injury, poisoning and certain other consequences of external causes (S00-T88)",chapter
19,S70-S79,Injuries to the hip and thigh (S70-S79),section
""",
    "icd10cm_order_2025.csv": """\
code,code_dot,billable,short_description,long_description
M54,M54,0,Dorsalgia,Dorsalgia
M545,M54.5,1,Low back pain,Low back pain
S72,S72,0,Fracture of femur,Fracture of femur
S72001A,S72.001A,1,"Fx unsp part of nk of r femr, init","Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
X9999,X99.99,1,Old code,A code that FY2026 no longer lists
X99,X99,0,Old category,An old category
""",
    "icd10cm_index_2025.csv": """\
seq,letter,level,term,see,see_also,nemod,code
1,F,0,Fracture,,,,
2,F,1,femur,,,,S72.9-
3,F,2,neck,,,,S72.00-
4,S,0,Salmonella,,,,A02.9
""",
    "icd10cm_cc_mcc_fy2026.csv": """\
code,code_nodot,severity,description
S72.001A,S72001A,MCC,"Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
""",
    "pfs_rvu_2025d.csv": """\
hcpcs,modifier,description,status_code,not_used_for_medicare_payment,work_rvu,nonfac_pe_rvu,nonfac_na_indicator,facility_pe_rvu,facility_na_indicator,mp_rvu,nonfac_total_rvu,facility_total_rvu,pctc_ind,global_days,pre_op_pct,intra_op_pct,post_op_pct,mult_proc_ind,bilat_surg_ind,asst_surg_ind,co_surg_ind,team_surg_ind,endo_base,conv_factor,phys_supervision_diag_ind,calculation_flag,diag_imaging_family_ind,nonfac_pe_used_for_opps,facility_pe_used_for_opps,mp_used_for_opps
63650,,,A,,7.15,57.79,,4.51,,0.82,65.76,12.48,0,010,0.10,0.80,0.10,2,0,1,0,0,,32.3465,09,0,99,0.00,0.00,0.00
63655,,,A,,10.92,11.09,NA,11.09,,3.80,25.81,25.81,0,090,0.10,0.80,0.10,2,0,2,1,0,,32.3465,09,0,99,0.00,0.00,0.00
63661,,,A,,5.08,14.25,,3.92,,1.01,20.34,10.01,0,010,0.10,0.80,0.10,2,0,2,1,0,,32.3465,09,0,99,0.00,0.00,0.00
63685,,,A,,5.19,4.04,NA,4.04,,1.05,10.28,10.28,0,010,0.10,0.80,0.10,2,0,2,1,0,,32.3465,09,0,99,0.00,0.00,0.00
27130,,,A,,19.60,11.50,NA,11.50,,4.00,35.10,35.10,0,090,0.10,0.80,0.10,2,1,2,1,0,,32.3465,09,0,99,0.00,0.00,0.00
70450,,,A,,0.85,2.35,,2.35,,0.05,3.25,3.25,1,XXX,0.00,0.00,0.00,4,0,0,0,0,,32.3465,09,0,88,0.00,0.00,0.00
70450,26,,A,,0.85,0.31,,0.31,,0.04,1.20,1.20,1,XXX,0.00,0.00,0.00,4,0,0,0,0,,32.3465,09,0,88,0.00,0.00,0.00
70450,TC,,A,,0.00,2.04,,2.04,,0.01,2.05,2.05,1,XXX,0.00,0.00,0.00,4,0,0,0,0,,32.3465,09,0,88,0.00,0.00,0.00
22551,,,A,,7.15,57.79,,4.51,,0.82,65.76,12.48,0,090,0.10,0.80,0.10,2,0,1,0,0,,32.3465,09,0,99,0.00,0.00,0.00
22552,,,A,,7.15,57.79,,4.51,,0.82,65.76,12.48,0,ZZZ,0.00,0.00,0.00,0,0,1,0,0,,32.3465,09,0,99,0.00,0.00,0.00
""",
    "hcpcs_level2_2024_07.csv": """\
hcpcs_code,long_description,short_description_2024_04,pricing_indicator,mult_pi,cov,betos,tos,action,cim,mcm,statute,labcert,xref,asc_grp,procnote,anest_bu,date_term,date_added,date_asc,action_date
A0100,Nonemergency transportation; taxi,Nonemergency transport taxi,00,9,I,O1A,D,N,,,,,,,,0,,2001-01-01,,2001-01-01
C1767,"Generator, neurostimulator (implantable), non-rechargeable","Generator, neuro non-recharg",53,A,D,D1A,9:S,N,,,,,,,,0,,2001-01-01,,2001-01-01
C1778,"Lead, neurostimulator (implantable)","Lead, neurostimulator",53,A,D,D1A,9:S,N,,,,,,,,0,,2001-01-01,,2001-01-01
C9159,"Injection, sample drug, per unit",Inj sample drug,53,A,D,O1E,1:F,D,,,,,J7168,,,0,2024-03-31,2024-01-01,,2024-04-01
E0112,"Crutches underarm, wood, adjustable or fixed, pair, with pads, tips and handgrips",Crutch underarm pair wood,32,A,D,D1E,A:P:R,N,,,,,,,,0,,2001-01-01,,2001-01-01
E0114,"Crutches underarm, other than wood, adjustable or fixed, pair, with pads, tips and handgrips",Crutch underarm pair no wood,32,A,D,D1E,A:P:R,N,,,,,,,,0,,1986-01-01,,1997-01-01
E0116,"Crutch, underarm, other than wood, adjustable or fixed, with pad, tip, handgrip, with or without shock absorber, each",Crutch underarm each no wood,32,A,D,D1E,A:P:R,N,,,,,,,,0,,2001-01-01,,2001-01-01
L8680,"Implantable neurostimulator electrode, each",Implt neurostim elctr each,00,9,I,D1F,P,N,,,,,,,,0,,2001-01-01,,2001-01-01
""",
    "hcpcs_modifiers_2024_04.csv": """\
hcpc,seqnum,recid,long_description,short_description,pricing_indicator,mult_pi,cim,mcm,statute,labcert,xref,cov,asc_group,asc_date,procnote,procnote_description,betos,tos,anest_bu,date_added,action_date,date_term,action
AS,0010,7,"Physician assistant, nurse practitioner, or clinical nurse specialist services for assistant at surgery",Assistant at surgery service,,,,,,,,C,,,,,,,,2015-01-01,2015-01-01,,N
LT,0010,7,Left side (used to identify procedures performed on the left side of the body),Left side,,,,,,,,C,,,,,,,,2015-01-01,2015-01-01,,N
RT,0010,7,Right side (used to identify procedures performed on the right side of the body),Right side,,,,,,,,C,,,,,,,,2015-01-01,2015-01-01,,N
TC,0010,7,Technical component,Technical component,,,,,,,,C,,,,,,,,2015-01-01,2015-01-01,,N
XE,0010,7,"Separate encounter, a service that is distinct because it occurred during a separate encounter",Separate encounter,,,,,,,,C,,,,,,,,2015-01-01,2015-01-01,,N
XP,0010,7,"Separate practitioner, a service that is distinct because it was performed by a different practitioner",Separate practitioner,,,,,,,,C,,,,,,,,2015-01-01,2015-01-01,,N
XS,0010,7,"Separate structure, a service that is distinct because it was performed on a separate organ/structure",Separate structure,,,,,,,,C,,,,,,,,2015-01-01,2015-01-01,,N
XU,0010,7,"Unusual non-overlapping service, the use of a service that is distinct because it does not overlap usual components of the main service",Unusual non-overlapping serv,,,,,,,,C,,,,,,,,2015-01-01,2015-01-01,,N
""",
    "icd10pcs_medsurg_2025.csv": """\
code,short_description,long_description
0SR9019,"Replace R Hip Jt w Metal Syn Sub, Cement, Open","Replacement of Right Hip Joint with Metal Synthetic Substitute, Cemented, Open Approach"
0SR90J9,"Replace of R Hip Jt with Synth Sub, Cement, Open Approach","Replacement of Right Hip Joint with Synthetic Substitute, Cemented, Open Approach"
0SR90JA,"Replace of R Hip Jt with Synth Sub, Uncement, Open Approach","Replacement of Right Hip Joint with Synthetic Substitute, Uncemented, Open Approach"
0SR90JZ,"Replacement of R Hip Jt with Synth Sub, Open Approach","Replacement of Right Hip Joint with Synthetic Substitute, Open Approach"
0SRB0J9,"Replace of L Hip Jt with Synth Sub, Cement, Open Approach","Replacement of Left Hip Joint with Synthetic Substitute, Cemented, Open Approach"
""",
    "opps_addendum_b_2026_04.csv": """\
hcpcs,short_description_level2_only,status_indicator,payment_rate,changed_vs_prior,release
63650,,J1,6511.03,false,2026-04
63685,,J1,30000.00,false,2026-04
C1778,"Lead, neurostimulator",N,,false,2026-04
E0114,Crutch underarm pair no wood,Y,,false,2026-04
""",
    "place_of_service_codes_2024.csv": """\
pos_code,facility_or_nonfacility,pos_name,pos_description
11,Non-Facility,Office,Location where the health professional routinely provides care.
50,Non-Facility,Federally Qualified Health Center,A facility in a medically underserved area.
""",
    "ncci_ptp_practitioner_2024q3.csv": """\
column_1,column_2,prior_1996,deletion_date,modifier_indicator,ptp_edit_rationale
63650,62321,,,0,Standards of medical/surgical practice
63650,63661,,,1,Misuse of column two code with column one code
63650,77003,,,0,CPT Manual or CMS manual coding instruction
63650,64999,,2020-12-31,9,Mutually exclusive procedures
63685,63688,,,1,More extensive procedure
""",
    "ncci_mue_2024q3.csv": """\
hcpcs,service_type,mue_value,mai,mai_description,mue_rationale
63650,practitioner,2,3,Date of Service Edit: Clinical,Nature of Service/Procedure
63650,outpatient_hospital,2,3,Date of Service Edit: Clinical,Nature of Service/Procedure
E0114,dme_supplier,1,2,Date of Service Edit: Policy,Code Descriptor / CPT Instruction
""",
    "ncci_aoc_2024q3.csv": """\
add_on_code,primary_code,aoc_edit_type,aoc_edit_effective_year,special_instruction_note
22552,22551,1,2017,
22552,22554,1,2017,
""",
}


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> Path:
    """A one-off CSV for a test (quoting only what needs it)."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in SAMPLES.items():
        path = folder / name
        if name.endswith(".gz"):
            with gzip.open(path, "wt", encoding="utf-8") as fh:
                fh.write(text)
        else:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def importable(path: Path) -> bool:
    """Whether an importer recognises the file (false while an importer is unwritten)."""
    try:
        detect(path)
    except DataFileError:
        return False
    return True


def load_samples(folder: Path) -> list[Path]:
    """Write and import every sample file an importer recognises; returns those skipped."""
    skipped = []
    for path in write_samples(folder):
        if importable(path):
            import_file(path)
        else:
            skipped.append(path)
    return skipped


NCCI_MISSING = "the NCCI importer does not recognise the sample NCCI files yet"


@dataclass(frozen=True)
class Samples:
    folder: Path
    skipped: tuple[Path, ...]

    @property
    def has_ncci(self) -> bool:
        return not any(p.name.startswith("ncci_") for p in self.skipped)


@kept("code_samples")
def build_code_samples(folder: Path) -> Samples:
    """Every sample release imported (kept for the tests that use it: tests/kept.py)."""
    from django.test import override_settings

    with override_settings(MEDCODE_RELEASE_CHECK_SECONDS=0):
        clear_caches()
        skipped = load_samples(folder / "data")
        clear_caches()
    return Samples(folder / "data", tuple(skipped))


@pytest.fixture(name="code_samples")
@keeps("code_samples")
def code_samples_fixture(
    kept_database: Keeper, db: None, settings: Any, request: pytest.FixtureRequest
) -> Iterator[Samples]:
    """Every sample release imported into the test database, with page caches cleared. Built
    once while consecutive tests use it (tests/kept.py); each test's changes are rolled back."""
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    clear_caches()
    yield kept_value(kept_database, "code_samples", request)
    clear_caches()
