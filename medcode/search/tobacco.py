"""Tobacco in a note, read as the ICD-10-CM Alphabetic Index reads it.

"Smoker" is "see Dependence, drug, nicotine" (F17.200), and with cigarettes named
"Dependence, drug, nicotine, cigarettes" (F17.210); a former smoker is "History, personal
(of), nicotine dependence" (Z87.891); a non-smoker is nothing to code. Clinicians write
"smokes 1 ppd", "30 pack-years", "ex-smoker", "quit smoking in 2010": this module says which
of the three a finding is and gives the Index's words for it.
"""

from __future__ import annotations

import re
from typing import Literal

Smoking = Literal["current", "former", "never"]

_NEVER = re.compile(
    r"\b(?:non-?smok\w*|never\s+(?:a\s+)?smok\w*|never\s+used\s+tobacco|no\s+(?:tobacco|smoking)"
    r"|denies\s+(?:\w+\s+){0,3}?(?:smok\w*|tobacco))\b",
    re.IGNORECASE,
)
_FORMER = re.compile(
    r"(?:\b(?:former|previous|past|prior|remote)\s+(?:\w+\s+){0,2}?|\bex-)"
    r"(?:smok\w*|tobacco|cigarettes?)\b|\b(?:quit|stopped|ceased)\s+(?:smoking|tobacco|cigarettes)\b",
    re.IGNORECASE,
)
_SMOKES = re.compile(
    r"\b(?:smok(?:es|ing|er|ed)|cigarettes?|cigs|ppd|packs?\s*(?:per|a|/)\s*day"
    r"|pack[- ]?years?)\b",
    re.IGNORECASE,
)
_CIGARETTES = re.compile(r"\b(?:cigarettes?|cigs|ppd|packs?|pack[- ]?years?)\b", re.IGNORECASE)
_CURRENT = re.compile(r"\b(?:current(?:ly)?|active(?:ly)?|still|continues)\b", re.IGNORECASE)
_PASSIVE = re.compile(r"\b(?:passive|second-?hand)\b", re.IGNORECASE)


def smoking(text: str, *, is_history: bool = False) -> Smoking | None:
    """Whether the finding says the patient smokes, smoked or never smoked (None: it says
    nothing of the patient's own smoking). A finding read as past history ("history of
    smoking") is a former smoker unless it says the smoking is current ("History: current
    smoker, 1 ppd")."""
    if _PASSIVE.search(text):
        return None
    if _NEVER.search(text):
        return "never"
    if _FORMER.search(text):
        return "former"
    if is_history and _SMOKES.search(text) and not _CURRENT.search(text):
        return "former"
    return "current" if _SMOKES.search(text) else None


def index_words(text: str, kind: Smoking) -> str:
    """The Index's words for a smoking `kind` in `text` (the note, whose words name the
    product): "smoker [cigarettes]" for a current
    smoker, "nicotine dependence" (under History, personal) for a former one."""
    if kind == "former":
        return "nicotine dependence"
    if kind == "current":
        return "smoker cigarettes" if _CIGARETTES.search(text) else "smoker"
    return ""
