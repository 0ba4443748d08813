"""The shape of codes, written once: regular-expression pieces, whole-code patterns and
`system_of(code)`, shared by importers, rules, claims, pages, search and CasePilot.

- CPT (Level I HCPCS): five digits, or four digits and a letter: F (Category II), T
  (Category III), U (proprietary laboratory analyses), M (multianalyte assays with
  algorithmic analyses) or A (vaccine administration, e.g. 0001A, in the NCCI PTP files).
- HCPCS Level II: a letter and four digits; the letters in use run from A to V (the CMS files
  of 2020-2026 use A-C, E, G, H, J-M and P-V; D codes are the ADA's CDT).
- ICD-10-CM: a category of a letter, a digit, then a digit or letter ("S72", "C4A") — and, since
  FY2026, a letter, a letter, then a digit: the new QA0 category ("QA0.0101") — then up to four
  characters, with or without the dot.
- ICD-10-PCS: seven characters of 0-9 and the letters other than I and O.
- Modifiers: two letters or digits.
"""

from __future__ import annotations

import re

ICD10CM_CATEGORY = r"[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])"
ICD10CM = rf"{ICD10CM_CATEGORY}(?:\.?[0-9A-Z]{{1,4}})?"
ICD10CM_STORED = rf"{ICD10CM_CATEGORY}[0-9A-Z]{{0,4}}"  # as CMS files and medcode store it: no dot
CPT = r"(?:\d{5}|\d{4}[AFMTU])"
HCPCS_LEVEL2 = r"[A-V]\d{4}"
CDT = r"D\d{4}"
ICD10PCS_CHAR = r"[0-9A-HJ-NP-Z]"
ICD10PCS = rf"{ICD10PCS_CHAR}{{7}}"
MODIFIER = r"[0-9A-Z]{2}"
# What CMS payment and coverage files put in a HCPCS column, read leniently so that an
# importer accepts a new code of either level: four digits and a digit or letter, or a
# letter and four digits.
HCPCS_COLUMN = r"(?:\d{4}[0-9A-Z]|[A-Z]\d{4})"

# Whole codes (upper case, as stored).
CPT_CODE = re.compile(rf"^{CPT}$")
HCPCS_LEVEL2_CODE = re.compile(rf"^{HCPCS_LEVEL2}$")
PROCEDURE_CODE = re.compile(rf"^(?:{CPT}|{HCPCS_LEVEL2})$")
CDT_CODE = re.compile(rf"^{CDT}$")
ICD10CM_CODE = re.compile(rf"^{ICD10CM}$")
ICD10CM_STORED_CODE = re.compile(rf"^{ICD10CM_STORED}$")
ICD10PCS_CODE = re.compile(rf"^{ICD10PCS}$")
MODIFIER_CODE = re.compile(rf"^{MODIFIER}$")
HCPCS_COLUMN_CODE = re.compile(rf"^{HCPCS_COLUMN}$")


def system_of(code: str) -> str | None:
    """The code set a code's shape says it belongs to: "CPT", "HCPCS" (Level II), "ICD10CM",
    "ICD10PCS" or None. Nothing is looked up.

    Shapes overlap, so the first that fits wins, in this order: CPT, HCPCS, ICD10CM, ICD10PCS.
    "E1100" is read as HCPCS (E11.00 needs its dot to be read as ICD-10-CM); a seven-character
    code led by a letter and a digit ("S72001A") as ICD-10-CM; "0DTJ4ZZ" as ICD-10-PCS.
    """
    value = code.strip().upper()
    if "." not in value:
        if CPT_CODE.match(value):
            return "CPT"
        if HCPCS_LEVEL2_CODE.match(value):
            return "HCPCS"
    if ICD10CM_CODE.match(value):
        return "ICD10CM"
    if ICD10PCS_CODE.match(value):
        return "ICD10PCS"
    return None
