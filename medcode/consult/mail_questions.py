"""What a consult mail asks: its questions one by one, or its claim lines as one claim check.

A coder's mail is rarely one question. "Patient had the trial 63650 on 11/3 and the permanent
63685 on 11/20. Do we need 58 on 63685, and is C1768 the right code for the rechargeable
generator?" holds two, and no claim. So:
- claim lines (two or more lines each with a procedure code and units, a date or a charge, or one
  such line and no question) make the mail a claim to check, read whole;
- otherwise each sentence that asks (ends with "?"), split at ", and is/do/can …", is one question;
  the mail's telling sentences (the case) go before a question that names no code or asks about
  a modifier (which relates one service to another), with "claim" read as "case" since no claim
  lines were sent;
- a mail without a question mark is one question, as written.
"""

from __future__ import annotations

import re

from medcode.assistant.intent import understand
from medcode.lib.codeshapes import HCPCS_LEVEL2

MAX_QUESTIONS = 4

_PROCEDURE = rf"(?:\b\d{{4}}[0-9A-Z]\b|\b{HCPCS_LEVEL2}\b)"
_CLAIM_DETAIL = (
    r"(?:\bx\s*\d+\b|\b\d+\s*units?\b|\bunits?\s*:?\s*\d+|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|\d{4}-\d{2}-\d{2}|\$\s*\d|,\s*\d+\s*,|\bpos\s*:?\s*\d{2}\b|\bdx\s*(?:pointer)?\s*:?\s*[1-4A-D]\b)"
)
_CLAIM_LINE = re.compile(rf"^[^\n?]*{_PROCEDURE}[^\n?]*{_CLAIM_DETAIL}[^\n?]*$", re.I | re.M)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")  # "E11.9" and "1.5 mg" are not ends
_AND_ASKS = re.compile(
    r",?\s+and\s+(?=(?:is|are|do|does|did|can|could|should|would|will|what|which|how|may|must)\b)",
    re.I,
)
_CLAIM_WORD = re.compile(r"\bclaims?\b", re.I)


def holds_claim_lines(text: str) -> bool:
    lines = _CLAIM_LINE.findall(text)
    return len(lines) >= 2 or (len(lines) == 1 and "?" not in text)


def questions_in(text: str) -> list[tuple[str, str]]:
    """(the question as the mail asks it, the text CasePilot answers) for each question; the
    whole text once for a claim or a single ask."""
    if holds_claim_lines(text) or "?" not in text:
        return [(text, text)]
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    asks = [s for s in sentences if s.endswith("?")]
    case = " ".join(
        _CLAIM_WORD.sub("case", s) for s in sentences if not s.endswith("?") and understand(s).codes
    )
    out: list[tuple[str, str]] = []
    for ask in asks:
        for part in _AND_ASKS.split(ask):
            part = part.strip(" ,")
            if not part:
                continue
            if not part.endswith("?"):
                part += "?"
            read = understand(part)
            needs_case = bool(case) and (not read.codes or bool(read.modifiers))
            out.append((part, f"{case} {part}" if needs_case else part))
    return out[:MAX_QUESTIONS] or [(text, text)]
