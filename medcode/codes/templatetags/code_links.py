"""Template filters for code pages: link the ICD-10-CM codes cited inside note text."""

from __future__ import annotations

import re

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from medcode.codes import cpt_ranges
from medcode.codes.page.panels import Table
from medcode.lib.codeshapes import ICD10CM_CATEGORY

register = template.Library()

# "S78.-", "T63.4-", "Z18.-", "P10-P15", "M97.0-", "A01.00": a letter, a digit, a third
# character, then an optional dotted part. The trailing dash means "and the codes below".
ICD10CM_REFERENCE = re.compile(
    rf"\b({ICD10CM_CATEGORY})(?:\.([0-9A-Z]{{1,4}}))?(?:\.?-)?(?![0-9A-Za-z])"
)


@register.filter
def link_codes(text: str) -> SafeString:
    """Escape `text` and link each ICD-10-CM code reference in it to its page."""
    parts: list[str] = []
    last = 0
    for found in ICD10CM_REFERENCE.finditer(text):
        display = found.group(1) + (f".{found.group(2)}" if found.group(2) else "")
        parts.append(escape(text[last : found.start()]))
        url = reverse("codes:detail", args=[display])
        parts.append(f'<a href="{escape(url)}">{escape(found.group(0))}</a>')
        last = found.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every piece is escaped above


@register.simple_tag
def table_rows(table: Table, code_prefix: str, date_query: str) -> SafeString:
    """The <tr> rows of a panel table; cells in code columns link to the code's page.

    Rendered here rather than with template loops: a page can hold several tables of dozens
    of rows, and a loop per cell costs more than the rest of the page.
    """
    links = set(table.code_columns)
    out = []
    for row in table.rows:
        cells = []
        for index, cell in enumerate(row):
            text: str = escape(cell)
            if index in links and cell:
                text = f'<a href="{escape(code_prefix)}{text}/{escape(date_query)}">{text}</a>'
            cells.append(f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(out))  # every cell is escaped above


@register.filter
def cpt_range(code: str) -> str:
    """medcode's name for a CPT code's range ('Surgery: pelvis and hip joint'), or ''."""
    return cpt_ranges.label(str(code))


@register.filter
def cpt_area(code: str) -> str:
    """The range's area alone ('Pelvis and hip joint'), else its section, or ''."""
    found = cpt_ranges.range_of(str(code))
    if found is None:
        return ""
    return found.area or found.section


@register.filter
def cite(source: object) -> str:
    """A release as readers name it ('Medicare PFS relative values RVU25D'): no file name."""
    title = str(getattr(source, "title", "") or "")
    version = str(getattr(source, "version_label", "") or "")
    return f"{title} {version}".strip()


# A release citation built for the API and the CLI ends with its file in parentheses:
# "DMEPOS fee schedule 2025 April (dmepos_fee_schedule_2025_04.csv.gz)". Pages drop it.
FILE_IN_PARENTHESES = re.compile(
    r"\s*\([^()]*\.(?:csv|txt|tsv|xlsx|xls|xml|json|jsonl|zip|gz|pdf)\)", re.IGNORECASE
)


@register.filter
def without_file_name(citation: object) -> str:
    """'ICD-10-CM FY2026 April (icd10cm_codes_2026.csv.gz)' -> 'ICD-10-CM FY2026 April'."""
    return FILE_IN_PARENTHESES.sub("", str(citation or ""))
