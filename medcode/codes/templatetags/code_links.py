"""Template filters for code pages: link the ICD-10-CM codes cited inside note text."""

from __future__ import annotations

import functools
import html
import re

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.template.context import Context
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from medcode.codes import cpt_ranges
from medcode.codes.page.panels import Fact, ListItem, Panel, Table
from medcode.codes.page.reads import RelatedCode
from medcode.lib.codeshapes import ICD10CM_CATEGORY

register = template.Library()

# "S78.-", "T63.4-", "Z18.-", "P10-P15", "M97.0-", "A01.00": a letter, a digit, a third
# character, then an optional dotted part. The trailing dash means "and the codes below".
ICD10CM_REFERENCE = re.compile(
    rf"\b({ICD10CM_CATEGORY})(?:\.([0-9A-Z]{{1,4}}))?(?:\.?-)?(?![0-9A-Za-z])"
)


# The tags below build much of a code page's HTML, a few hundred values a page; Django's escape
# functions check every argument for a lazy string first, which cost more than the escaping.
def _escape(text: object) -> str:
    """django.utils.html.escape without its lazy-string check (it is html.escape(str(text)))."""
    return html.escape(str(text))


def _escaped(value: str) -> str:
    """conditional_escape, with plain text escaped at once."""
    return html.escape(value) if type(value) is str else str(conditional_escape(value))


def _shown(value: object, context: Context) -> str:
    """`{{ value }}` as the template engine renders it (render_value_in_context), with plain
    text under autoescaping escaped at once (localizing text leaves it as it is)."""
    if type(value) is str and context.autoescape:
        return html.escape(value)
    return str(render_value_in_context(value, context))


@functools.lru_cache(maxsize=8)
def _detail_prefix(script_prefix: str, urlconf: object) -> str:
    """The code page path before the code ("/codes/"), for a script prefix and URLconf (what
    reverse() reads): one reverse() a process instead of one per code a note cites."""
    return reverse("codes:detail", args=["_"])[:-2]


def detail_prefix() -> str:
    """The code page path before the code ("/codes/"), reversed once per process."""
    return _detail_prefix(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@register.filter
def link_codes(text: str) -> SafeString:
    """Escape `text` and link each ICD-10-CM code reference in it to its page."""
    parts: list[str] = []
    last = 0
    prefix = ""
    for found in ICD10CM_REFERENCE.finditer(text):
        display = found.group(1) + (f".{found.group(2)}" if found.group(2) else "")
        parts.append(_escape(text[last : found.start()]))
        # Codes are letters, digits and dots: safe in a path, so one reverse() gives the prefix.
        prefix = prefix or detail_prefix()
        url = f"{prefix}{display}/"
        parts.append(f'<a href="{_escape(url)}">{_escape(found.group(0))}</a>')
        last = found.end()
    parts.append(_escape(text[last:]))
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
            text: str = _escape(cell)
            if index in links and cell:
                text = f'<a href="{_escape(code_prefix)}{text}/{_escape(date_query)}">{text}</a>'
            cells.append(f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(out))  # every cell is escaped above


@register.simple_tag(takes_context=True)
def panel_section(context: Context, panel: Panel, code_prefix: str, date_query: str) -> SafeString:
    """One data panel: its heading, notice, summary, facts, note groups, tables and source.

    Rendered here rather than by including a template for each panel: the include and the
    panel's template nodes were a tenth of a long-tail page's CPU (cProfile, bench/page_miss.py).
    Each value is rendered as `{{ value }}` renders it (render_value_in_context).
    """

    def text(value: object) -> str:
        return _shown(value, context)

    key = text(panel.key)
    out = [
        f'<section class="panel" id="panel-{key}" aria-labelledby="panel-{key}-h">\n'
        f'  <h3 id="panel-{key}-h">{text(panel.title)}</h3>\n  '
    ]
    if panel.stale:
        out.append(f'<p class="notice notice--stale" role="status">{text(panel.stale)}</p>')
    out.append("\n  ")
    if panel.summary:
        out.append(f'<p class="panel__summary">{text(panel.summary)}</p>')
    out.append("\n  ")
    if panel.facts:
        out.append(f'\n  <dl class="facts">\n    {fact_items(context, panel.facts)}\n  </dl>\n  ')
    out.append("\n  ")
    for group in panel.groups:
        meaning = (
            f'<p class="note-group__meaning">{text(group.meaning)}</p>' if group.meaning else ""
        )
        out.append(
            f'\n  <div class="note-group">\n    <h4>{text(group.title)}</h4>\n    {meaning}\n'
            f"    <ul>\n      {list_items(context, group.items, panel.key)}\n"
            "    </ul>\n  </div>\n  "
        )
    out.append("\n  ")
    for table in panel.tables:
        caption = text(table.caption)
        columns = "".join(f'<th scope="col">{text(column)}</th>' for column in table.columns)
        out.append(
            f'\n  <div class="table-wrap" tabindex="0" role="region" aria-label="{caption}">\n'
            f"    <table>\n      <caption>{caption}</caption>\n"
            f"      <thead><tr>{columns}</tr></thead>\n      <tbody>\n"
            f"        {table_rows(table, code_prefix, date_query)}\n      </tbody>\n"
            "    </table>\n  </div>\n  "
        )
    source = panel.source
    until = f" to {text(source.effective_to.isoformat())}" if source.effective_to else ""
    out.append(
        f'\n  <p class="source panel__source">Source: <cite>{text(cite(source))}</cite> · '
        f"release effective {text(source.effective_from.isoformat())}{until} · "
        f"as of {text(panel.as_of.isoformat())}</p>\n</section>\n"
    )
    return mark_safe("".join(out))  # every value is escaped above


@register.simple_tag(takes_context=True)
def fact_items(context: Context, facts: tuple[Fact, ...]) -> SafeString:
    """A panel's facts, each a <div> of its <dt> label and <dd> value (and meaning).

    Rendered here, as `table_rows`: the template loops of a panel were most of rendering one.
    Each value is rendered as `{{ value }}` renders it (render_value_in_context).
    """
    out = []
    for fact in facts:
        meaning = (
            f' <span class="fact__meaning">{_shown(fact.meaning, context)}</span>'
            if fact.meaning
            else ""
        )
        out.append(
            f'\n    <div class="fact"><dt>{_shown(fact.label, context)}</dt>'
            f'<dd><span class="fact__value">{_shown(fact.value, context)}</span>'
            f"{meaning}</dd></div>\n    "
        )
    return mark_safe("".join(out))  # every value is escaped above


@register.simple_tag(takes_context=True)
def list_items(context: Context, items: tuple[ListItem, ...], panel_key: str) -> SafeString:
    """A panel group's <li> items; in the ICD-10-CM notes panel the codes cited are linked
    (`link_codes`), and an inherited note says where from."""
    out = []
    for item in items:
        text = link_codes(item.text) if panel_key == "icd10cm_notes" else _shown(item.text, context)
        if item.inherited_from:
            source = _shown(item.inherited_from, context)
            text += f' <span class="inherited">from {source}</span>'
        out.append(f"<li>{text}</li>")
    return mark_safe("".join(out))  # every value is escaped above


@register.simple_tag
def related_items(links: list[tuple[RelatedCode, str]], page_title: str) -> SafeString:
    """The <li> items of a related-codes list: each code linked, with its title, else (a CPT
    code) medcode's name for its range when that is not the page's title, and its note.

    Rendered here for the same reason as `table_rows`: a page lists up to 120 related codes,
    and the template loop over them was the largest part of rendering a long-tail page.
    """
    out = []
    for c, url in links:
        item = f'<li><a href="{_escaped(url)}">{_escaped(c.code)}</a>'
        if c.title:
            item += f' <span class="code-title">{_escaped(c.title)}</span>'
        elif c.system == "CPT":
            area = cpt_range(c.code)
            if area and area != page_title:
                item += f' <span class="code-range">{_escaped(area)}</span>'
        if c.note:
            item += f" <em>({_escaped(c.note)})</em>"
        out.append(f"\n          {item}</li>\n          ")
    return mark_safe("".join(out))  # every value is escaped above


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
