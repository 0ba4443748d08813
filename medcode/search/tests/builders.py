"""A small code store for search tests: a few codes of every set, built in the database.

The descriptions are the public-domain CMS/CDC titles; CPT codes are bare numbers (their
words come from medcode's own editorial articles in medcode/content).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from medcode.codes.models import Code, CodeNote, Heading, IndexEntry, Release
from medcode.search.index import rebuild_index

ICD10CM = [
    # code, display, title, billable
    ("S72", "S72", "Fracture of femur", False),
    ("S720", "S72.0", "Fracture of head and neck of femur", False),
    ("S7200", "S72.00", "Fracture of unspecified part of neck of femur", False),
    ("S72001", "S72.001", "Fracture of unspecified part of neck of right femur", False),
    (
        "S72001A",
        "S72.001A",
        "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
        True,
    ),
    (
        "S72002A",
        "S72.002A",
        "Fracture of unspecified part of neck of left femur, initial encounter for closed fracture",
        True,
    ),
    (
        "S72011A",
        "S72.011A",
        "Unspecified intracapsular fracture of right femur, initial encounter for closed fracture",
        True,
    ),
    (
        "S7221XA",
        "S72.21XA",
        "Displaced subtrochanteric fracture of right femur, initial encounter for closed fracture",
        True,
    ),
    (
        "S82101A",
        "S82.101A",
        "Unspecified fracture of upper end of right tibia, initial encounter for closed fracture",
        True,
    ),
    ("E10", "E10", "Type 1 diabetes mellitus", False),
    ("E1029", "E10.29", "Type 1 diabetes mellitus with other diabetic kidney complication", True),
    ("E11", "E11", "Type 2 diabetes mellitus", False),
    ("E112", "E11.2", "Type 2 diabetes mellitus with kidney complications", False),
    ("E1121", "E11.21", "Type 2 diabetes mellitus with diabetic nephropathy", True),
    ("E1122", "E11.22", "Type 2 diabetes mellitus with diabetic chronic kidney disease", True),
    ("E1129", "E11.29", "Type 2 diabetes mellitus with other diabetic kidney complication", True),
    ("E119", "E11.9", "Type 2 diabetes mellitus without complications", True),
    ("N189", "N18.9", "Chronic kidney disease, unspecified", True),
    ("N200", "N20.0", "Calculus of kidney", True),
    ("R079", "R07.9", "Chest pain, unspecified", True),
    ("R509", "R50.9", "Fever, unspecified", True),
    ("R0602", "R06.02", "Shortness of breath", True),
    ("I10", "I10", "Essential (primary) hypertension", True),
    ("I219", "I21.9", "Acute myocardial infarction, unspecified", True),
    ("J189", "J18.9", "Pneumonia, unspecified organism", True),
    ("J45909", "J45.909", "Unspecified asthma, uncomplicated", True),
    ("K3580", "K35.80", "Unspecified acute appendicitis", True),
    (
        "Z8249",
        "Z82.49",
        "Family history of ischemic heart disease and other diseases of the circulatory system",
        True,
    ),
    (
        "T85112A",
        "T85.112A",
        "Breakdown (mechanical) of implanted electronic neurostimulator of spinal cord electrode (lead), initial encounter",
        True,
    ),
    ("G8929", "G89.29", "Other chronic pain", True),
    ("M545", "M54.5", "Low back pain", False),
    ("M5450", "M54.50", "Low back pain, unspecified", True),
]
INCLUSION_TERMS = [
    ("E1121", "Type 2 diabetes mellitus with intercapillary glomerulosclerosis"),
    ("E1129", "Type 2 diabetes mellitus with renal tubular degeneration"),
    ("I10", "High blood pressure"),
    ("I10", "Hypertension (arterial) (benign) (essential) (malignant) (primary) (systemic)"),
]
# (level, term, code) in Alphabetic Index order; nemod goes to cells like the importer does.
INDEX = [
    (0, "Diabetes, diabetic", "E11.9", "(mellitus) (sugar)"),
    (1, "with", "", ""),
    (2, "chronic kidney disease", "E11.22", ""),
    (2, "kidney complications NEC", "E11.29", ""),
    (0, "Fracture, traumatic", "", ""),
    (1, "femur, femoral", "", ""),
    (2, "neck", "S72.00-", ""),
    (0, "Infarction", "", ""),
    (1, "myocardium, myocardial", "I21.9", "(acute)"),
    (0, "Appendicitis", "K35.80", ""),
]
ICD10PCS = [
    (
        "0SR90J9",
        "Replacement of Right Hip Joint with Synthetic Substitute, Cemented, Open Approach",
    ),
    ("0DTJ4ZZ", "Resection of Appendix, Percutaneous Endoscopic Approach"),
    ("0QS604Z", "Reposition Right Upper Femur with Internal Fixation Device, Open Approach"),
]
HCPCS = [
    # code, long, short
    (
        "K0813",
        "Power wheelchair, group 1 standard, portable, sling/solid seat and back, patient weight capacity up to and including 300 pounds",
        "Pwc gp 1 std port seat/back",
    ),
    ("K0898", "Power wheelchair, not otherwise classified", "Power wheelchair, nos"),
    (
        "E1230",
        "Power operated vehicle (three or four wheel nonhighway), specify brand name and model number",
        "Power operated vehicle",
    ),
    ("K0001", "Standard wheelchair", "Standard wheelchair"),
    ("L8680", "Implantable neurostimulator electrode, each", "Implt neurostim elctr each"),
    (
        "C1820",
        "Generator, neurostimulator (implantable), with rechargeable battery and charging system",
        "Gen neuro recharg bat sys",
    ),
    ("C1778", "Lead, neurostimulator (implantable)", "Lead, neurostimulator"),
    (
        "E0114",
        "Crutches underarm, other than wood, adjustable or fixed, pair, with pad, tip and handgrip",
        "Crutch underarm pair no wood",
    ),
    ("A4206", "Syringe with needle, sterile, 1 cc or less, each", "1 cc sterile syringe&needle"),
]
MODIFIERS = [
    ("59", "Distinct procedural service", "Distinct procedural service"),
    (
        "RT",
        "Right side (used to identify procedures performed on the right side of the body)",
        "Right side",
    ),
    (
        "LT",
        "Left side (used to identify procedures performed on the left side of the body)",
        "Left side",
    ),
    (
        "XS",
        "Separate structure, a service that is distinct because it was performed on a separate organ/structure",
        "Separate structure",
    ),
]
CPT = ["63650", "63655", "63661", "63685", "63688", "99213", "27130", "0042T"]
HEADINGS = [
    # kind, chapter, range, description
    ("chapter", "4", "", "Endocrine, nutritional and metabolic diseases (E00-E89)"),
    ("section", "4", "E08-E13", "Diabetes mellitus (E08-E13)"),
    (
        "chapter",
        "19",
        "",
        "Injury, poisoning and certain other consequences of external causes (S00-T88)",
    ),
    ("section", "19", "S70-S79", "Injuries to the hip and thigh (S70-S79)"),
    ("section", "19", "S80-S89", "Injuries to the knee and lower leg (S80-S89)"),
]
SECTIONS = {"E": ("4", "E08-E13"), "S7": ("19", "S70-S79"), "S8": ("19", "S80-S89")}


def chapter_and_section(code: str) -> tuple[str, str]:
    for prefix, found in SECTIONS.items():
        if code.startswith(prefix):
            return found
    return "", ""


# Only in the 2020 HCPCS release: gone from the current one.
RETIRED_HCPCS = [
    (
        "K0899",
        "Power mobility device, not coded by dme pdac or does not meet criteria",
        "Pmd, not coded or no criteria",
    )
]


def make_release(
    dataset: str, system: str, label: str, effective: dt.date, **counts: int
) -> Release:
    return Release.objects.create(
        dataset=dataset,
        code_system=system,
        version_label=label,
        effective_from=effective,
        source_file=f"{dataset}.csv.gz",
        sha256=f"{dataset}-{label}".ljust(64, "0")[:64],
        row_counts=counts or {"codes": 1},
        is_current=True,
    )


def add_hcpcs_release(dataset: str, rows: Iterable[tuple[str, str]], effective: dt.date) -> Release:
    """A current HCPCS release of (code, long description) rows, indexed for search (a test's
    own descriptors beside the sample code store)."""
    hcpcs = make_release(dataset, "HCPCS", "2026 January", effective)
    Code.objects.bulk_create(
        Code(release=hcpcs, system="HCPCS", code=c, display=c, long_description=text)
        for c, text in rows
    )
    rebuild_index(force=True)
    return hcpcs


def build_code_store() -> dict[str, Release]:
    """Releases and rows like the importers make them (no index built)."""
    cm = make_release(
        "icd10cm_codes", "ICD10CM", "FY2026 April", dt.date(2026, 4, 1), codes=len(ICD10CM)
    )
    Code.objects.bulk_create(
        Code(
            release=cm,
            system="ICD10CM",
            code=code,
            display=display,
            long_description=title,
            is_billable=billable,
            level="code" if billable else "category",
            chapter=chapter_and_section(code)[0],
            section=chapter_and_section(code)[1],
        )
        for code, display, title, billable in ICD10CM
    )
    headings = make_release(
        "icd10cm_chapters", "ICD10CM", "FY2026 April", dt.date(2026, 4, 1), headings=5
    )
    Heading.objects.bulk_create(
        Heading(
            release=headings, kind=kind, chapter=chapter, code_range=rng, description=text, seq=i
        )
        for i, (kind, chapter, rng, text) in enumerate(HEADINGS)
    )
    notes = make_release("icd10cm_notes", "ICD10CM", "FY2026 April", dt.date(2026, 4, 1), notes=4)
    CodeNote.objects.bulk_create(
        CodeNote(release=notes, code=code, note_type="inclusionTerm", seq=i, text=text)
        for i, (code, text) in enumerate(INCLUSION_TERMS)
    )
    index = make_release(
        "icd10cm_index", "ICD10CM", "FY2025", dt.date(2024, 10, 1), index_entries=10
    )
    IndexEntry.objects.bulk_create(
        IndexEntry(
            release=index,
            table="index",
            seq=i,
            level=level,
            term=term,
            code=code.replace(".", ""),
            cells={"nemod": nemod} if nemod else {},
        )
        for i, (level, term, code, nemod) in enumerate(INDEX)
    )
    pcs = make_release("icd10pcs_codes", "ICD10PCS", "FY2025", dt.date(2024, 10, 1))
    Code.objects.bulk_create(
        Code(release=pcs, system="ICD10PCS", code=code, display=code, long_description=title)
        for code, title in ICD10PCS
    )
    hcpcs = make_release("hcpcs_anweb", "HCPCS", "2024 July", dt.date(2024, 7, 1))
    Code.objects.bulk_create(
        [
            *(
                Code(
                    release=hcpcs,
                    system="HCPCS",
                    code=c,
                    display=c,
                    long_description=lo,
                    short_description=sh,
                )
                for c, lo, sh in HCPCS
            ),
            *(
                Code(
                    release=hcpcs,
                    system="MODIFIER",
                    code=c,
                    display=c,
                    long_description=lo,
                    short_description=sh,
                )
                for c, lo, sh in MODIFIERS
            ),
        ]
    )
    old = make_release("hcpcs_anweb", "HCPCS", "2020 January", dt.date(2020, 1, 1))
    Release.objects.filter(pk=old.pk).update(is_current=False)
    Code.objects.bulk_create(
        Code(
            release=old,
            system="HCPCS",
            code=c,
            display=c,
            long_description=lo,
            short_description=sh,
            terminated_on=dt.date(2023, 12, 31),
        )
        for c, lo, sh in [*HCPCS, *RETIRED_HCPCS]
    )
    pfs = make_release(
        "pfs_rvu", "CPT", "RVU25D", dt.date(2025, 10, 1), codes=len(CPT), fee_items=0
    )
    Code.objects.bulk_create(Code(release=pfs, system="CPT", code=c, display=c) for c in CPT)
    return {"cm": cm, "pcs": pcs, "hcpcs": hcpcs, "hcpcs_2020": old, "pfs": pfs}


# The ICD-10-CM files of the shared data the lay real-release tests read (fulldata), imported
# once for all of them by conftest's real_cm_lay.
REAL_CM_LAY = (
    "icd10cm_codes_2026.csv.gz",
    "icd10cm_tabular_notes_2026.csv.gz",
    "icd10cm_index_2025.csv.gz",
    "icd10cm_drug_table_2025.csv.gz",
    "icd10cm_neoplasm_table_2025.csv.gz",
    "icd10cm_external_cause_index_2025.csv.gz",
)


def import_real(data_dir: Path, names: Iterable[str]) -> None:
    """Import these files of the shared data for real, then build the word index over them (the
    real-release tests, marked fulldata)."""
    from medcode.codes.services import import_file
    from medcode.search.index import rebuild_index

    for name in names:
        import_file(data_dir / name)
    rebuild_index()


def top3_misses(examples: Mapping[str, str]) -> dict[str, list[str]]:
    """The queries whose top 3 holds no code starting with the expected code (or code prefix,
    for a character the query leaves open), each with the top 3 it got."""
    from medcode.search.facade import search

    misses = {}
    for q, expected in examples.items():
        codes = [r.code for r in search(q).results[:3]]
        if not any(code.startswith(expected) for code in codes):
            misses[q] = codes
    return misses
