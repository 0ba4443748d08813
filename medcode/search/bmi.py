"""Body mass index in a note -> its Z68 code, read from the release's own titles
("Body mass index [BMI] 33.0-33.9, adult"), not from a list of ours.

A BMI code is a secondary code: it is reported with a weight-related diagnosis the note
documents (obesity, overweight, underweight, malnutrition, cachexia), so a BMI alone
suggests nothing. Adult BMI codes are for patients of 20 or older; a child's BMI is coded
by percentile, which the value alone does not give, so it is left out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from medcode.search.codebook import CodeBook

ADULT_AGE = 20
# The value: up to three digits (a BMI over 100 is rare, not impossible) and two decimals,
# not followed by more digits; bounded, so a long run of digits is not backtracked through.
_BMI = re.compile(
    r"\b(?:BMI|body mass index)\b[^0-9\n]{0,16}?(\d{1,3}(?:\.\d{1,2})?)(?!\d)"
    r"(?![\d.]*\s*(?:th|st|nd|rd|%))",
    re.IGNORECASE,
)
_WEIGHT_DIAGNOSIS = re.compile(
    r"\b(?:obes\w*|overweight|underweight|malnutrition|malnourish\w*|cachexi\w*|cachectic)\b",
    re.IGNORECASE,
)
_RANGE = re.compile(
    r"^Body mass index \[BMI\] (?:(\d+(?:\.\d)?)-(\d+(?:\.\d)?)|(\d+(?:\.\d)?) or less|"
    r"(\d+(?:\.\d)?) or greater), adult$"
)


@dataclass(frozen=True)
class BmiRange:
    code: str
    low: float  # inclusive
    high: float  # inclusive, to one decimal as the titles state it


def adult_ranges(book: CodeBook) -> list[BmiRange]:
    """The billable adult BMI codes and the ranges their titles state."""
    out = []
    for code in book.descendants("Z68"):
        m = _RANGE.match(book.titles.get(code, ""))
        if not m:
            continue
        if m.group(1):
            low, high = float(m.group(1)), float(m.group(2))
        elif m.group(3):
            low, high = 0.0, float(m.group(3))
        else:
            low, high = float(m.group(4)), 1000.0
        out.append(BmiRange(code, low, high))
    return out


def bmi_code(finding: str, note: str, ranges: list[BmiRange], *, age: float | None) -> str | None:
    """The adult Z68 code of the BMI a finding states, when the note also documents a
    weight-related diagnosis and the patient is not known to be under 20."""
    if age is not None and age < ADULT_AGE:
        return None
    m = _BMI.search(finding)
    if not m or not _WEIGHT_DIAGNOSIS.search(note):
        return None
    value = math.floor(float(m.group(1)) * 10) / 10  # 33.95 is in "33.0-33.9"
    return next((r.code for r in ranges if r.low <= value <= r.high), None)
