"""Regular-expression pieces for the shape of codes, shared by parsers, rules and search.

ICD-10-CM categories are a letter, a digit, then a digit or letter ("S72", "C4A") — and, since
FY2026, a letter, a letter, then a digit: the new QA0 category ("QA0.0101").
"""

ICD10CM_CATEGORY = r"[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])"
