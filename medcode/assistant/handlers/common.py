"""What the handlers share: reading the question's words, the PTP table names, notices."""

from __future__ import annotations

import re

from medcode.assistant import tools
from medcode.assistant.context import Context
from medcode.assistant.facts import Citation, Fact
from medcode.assistant.guard import CodeCheck


def says(question_text: str, pattern: str) -> bool:
    return re.search(pattern, question_text, re.IGNORECASE) is not None


def is_em(code: str) -> bool:
    """An evaluation and management visit code (99202-99499) or the HCPCS visit codes."""
    return (code.isdigit() and 99202 <= int(code) <= 99499) or code in {"G0463", "G2211"}


TABLE_NAMES = {
    "practitioner": "practitioner table (physicians, other practitioners and ASCs)",
    "outpatient_hospital": "outpatient hospital table (hospital outpatient claims, OPPS)",
}


def table_of(setting: str) -> str:
    return "outpatient_hospital" if setting == "outpatient_hospital" else "practitioner"


def in_table(table_title: str, table: str) -> bool:
    return ("hospital" in table_title.lower()) == (table == "outpatient_hospital")


def fee_fact(check: CodeCheck, info: tools.FeeInfo, text: str) -> Fact:
    return Fact(
        text,
        Citation(f"{check.display}: Medicare Physician Fee Schedule", check.url, info.citation),
    )


def main_fee(check: CodeCheck, ctx: Context) -> tools.FeeInfo | None:
    rows = tools.fee_rows(check.code, ctx.on)
    return next((r for r in rows if not r.modifier), rows[0] if rows else None)
