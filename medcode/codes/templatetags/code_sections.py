"""The sections of a code page's body, one tag each in the kept parts' templates
(codes/_body_before_gate.html, codes/_body_from_gate.html: the outline; the tags: the HTML),
and `actions_section`, a function that medcode.codes.views.page_body calls for each request.

Rendered in Python rather than with template nodes: on a long-tail page (most of them miss the
page cache) the body's `{% if %}`, `{% for %}` and `{{ value }}` nodes cost more than the reads
that fill the page (cProfile, bench/page_miss.py). Each value is rendered as `{{ value }}`
renders it (`text`: plain text escaped at once, anything else through
render_value_in_context), so the HTML is byte for byte what the template gave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

from django import template
from django.template.context import Context
from django.template.defaultfilters import floatformat, urlencode
from django.utils.safestring import SafeString, mark_safe

from medcode.codes.templatetags.code_links import _shown, cite, panel_section, related_items
from medcode.ops.templatetags.site_paths import path

if TYPE_CHECKING:
    from medcode.codes.page.cache import Target

register = template.Library()


def _text(context: Context) -> Callable[[object], str]:
    def text(value: object) -> str:
        return _shown(value, context)

    return text


@register.simple_tag(takes_context=True)
def breadcrumbs_section(context: Context) -> SafeString:
    """Where the code sits: its code set, chapter, section and the codes above it."""
    page = context["page"]
    if not page.hierarchy:
        return mark_safe("")
    text = _text(context)
    prefix, query = text(context["code_prefix"]), text(context["date_query"])
    out = [
        '\n  <nav class="breadcrumbs" aria-label="Where this code sits">\n    <ol>\n'
        f'      <li><a href="{text(path("codes:index"))}">{text(page.system_label)}</a></li>\n'
        "      "
    ]
    for crumb in page.hierarchy:
        if crumb.code:
            code = text(crumb.code)
            inner = (
                f'<a href="{prefix}{code}/{query}">{code}</a> '
                f'<span class="crumb-title">{text(crumb.label)}</span>'
            )
        else:
            inner = text(crumb.label)
        out.append(f"\n        <li>{inner}</li>\n      ")
    out.append("\n    </ol>\n  </nav>\n  ")
    return mark_safe("".join(out))  # every value is escaped above


@register.simple_tag(takes_context=True)
def head_section(context: Context) -> SafeString:
    """1. The code, its code set, status and billable badges, the date forms, notices, dates."""
    page = context["page"]
    text = _text(context)
    prefix, query = text(context["code_prefix"]), text(context["date_query"])
    here = text(context["request"].path)
    on = text(page.on.isoformat())
    system_param = context["system_param"]
    system_input = (
        f'<input type="hidden" name="system" value="{text(system_param)}">' if system_param else ""
    )
    status = page.status
    billable = ""
    if page.billable_label:
        kind = "billable" if page.is_billable else "heading"
        billable = f'<li class="badge badge--{kind}">{text(page.billable_label)}</li>'
    editorial = (
        f'<li class="badge badge--editorial">Editorial: {text(page.editorial.status)}</li>'
        if page.editorial
        else ""
    )
    detail = ""
    if status.detail:
        replaced = ""
        if status.replaced_by:
            links = ", ".join(
                f'<a href="{prefix}{text(c)}/{query}">{text(c)}</a>' for c in status.replaced_by
            )
            replaced = f" Replaced by:\n      {links}."
        detail = f'<p class="status-detail">{text(status.detail)}{replaced}</p>'
    comparison = context.get("comparison")
    compared = text(comparison.second_on.isoformat()) if comparison else ""
    notice = (
        f'<p class="notice" role="status">{text(page.date_notice)}</p>' if page.date_notice else ""
    )
    also = context.get("also")
    also_html = ""
    if also:
        refs = "; ".join(
            f'<a href="{text(url)}">{text(ref.system_label)} {text(ref.display)}</a>'
            f" ({text(ref.title)})"
            for ref, url in also
        )
        also_html = f'<p class="notice notice--info">Also a code in another set:\n      {refs}.</p>'
    dates = ""
    if page.dates:
        facts = "".join(
            f"<div><dt>{text(fact.label)}</dt><dd>{text(fact.value)}</dd></div>"
            for fact in page.dates
        )
        dates = f'\n    <dl class="dates">\n      {facts}\n    </dl>\n    '
    html = (
        '<header class="code-head">\n'
        f'    <p class="code-head__system">{text(page.system_label)}</p>\n'
        f'    <h1><span class="code-head__code">{text(page.display)}</span> '
        f'<span class="code-head__title">{text(page.title)}</span></h1>\n'
        '    <ul class="badges" aria-label="Status">\n'
        f'      <li class="badge badge--{text(status.state)}">{text(status.label)}</li>\n'
        f"      {billable}\n"
        f"      {editorial}\n"
        "    </ul>\n"
        f"    {detail}\n"
        f'    <form class="date-switch" method="get" action="{here}"\n'
        f'          hx-get="{here}" hx-target="#code-page-body" hx-swap="outerHTML"'
        ' hx-push-url="true">\n'
        '      <label for="date-of-service">Date of service</label>\n'
        f'      <input type="date" id="date-of-service" name="date" value="{on}" required>\n'
        f"      {system_input}\n"
        '      <button type="submit">Show this date</button>\n'
        "    </form>\n"
        f'    <form class="date-switch date-compare" method="get" action="{here}">\n'
        f'      <input type="hidden" name="date" value="{on}">\n'
        f"      {system_input}\n"
        '      <label for="compare-date">Compare with date of service</label>\n'
        f'      <input type="date" id="compare-date" name="compare" value="{compared}" required>\n'
        '      <button type="submit">Compare</button>\n'
        "    </form>\n"
        f"    {notice}\n"
        f"    {also_html}\n"
        f"    {dates}\n"
        "  </header>"
    )
    return mark_safe(html)  # every value is escaped above


@register.simple_tag(takes_context=True)
def toc_section(context: Context) -> SafeString:
    """The page's table of contents and its links to the code elsewhere."""
    page = context["page"]
    text = _text(context)
    visible = context["gate"]["visible"]

    def item(shown: object, anchor: str, label: str) -> str:
        return f'<li><a href="#{anchor}">{label}</a></li>' if shown else ""

    gated = ""
    modifiers = page.modifiers or page.modifier_notes_html
    if visible:
        gated = (
            f"\n        {item(page.documentation_html, 'documentation', 'Documentation')}"
            f"\n        {item(page.billing_html, 'billing', 'Billing')}"
            f"\n        {item(modifiers, 'modifiers', 'Modifiers')}"
            "\n      "
        )
    related = context["related_links"] or (visible and page.related_notes_html)
    action = "Actions" if page.system == "ICD10PCS" else "Use code"
    display = text(urlencode(page.display))
    html = (
        '<nav class="toc" aria-label="On this page">\n'
        "    <ul>\n"
        '      <li><a href="#official">Official description</a></li>\n'
        '      <li><a href="#plain-language">Plain language</a></li>\n'
        f"      {item(page.what_it_is_html or page.not_covered_html, 'what-it-is', 'What it is')}\n"
        f"      {gated}\n"
        f"      {item(related, 'related-codes', 'Related codes')}\n"
        f"      {item(page.panels, 'data', 'Data')}\n"
        '      <li><a href="#history">History</a></li>\n'
        f"      {item(visible and page.faq, 'faq', 'FAQ')}\n"
        f'      <li><a href="#actions">{action}</a></li>\n'
        "    </ul>\n"
        '    <ul class="toc-actions" aria-label="This code elsewhere">\n'
        f'      <li><a href="/pilot/?code={display}">Ask CasePilot</a></li>\n'
        f'      <li><a href="/changes/code/{display}/">What changed</a></li>\n'
        f'      <li><a href="{text(context["api_url"])}">JSON</a></li>\n'
        "    </ul>\n"
        "  </nav>"
    )
    return mark_safe(html)  # every value is escaped above


@register.simple_tag(takes_context=True)
def modifiers_section(context: Context) -> SafeString:
    """7. The modifiers that apply to the code, each with its verdict and source."""
    page = context["page"]
    if not (page.modifiers or page.modifier_notes_html):
        return mark_safe("")
    text = _text(context)
    prefix = text(context["code_prefix"])
    advice_html = ""
    if page.modifiers:
        items = []
        for advice in page.modifiers:
            codes = "/".join(
                f'<a href="{prefix}{text(m)}/">{text(m)}</a>' for m in advice.modifiers
            )
            source = (
                f"From {text(advice.basis_label)} · {text(cite(advice.source))}"
                if advice.source
                else "medcode editorial note"
            )
            items.append(
                f'\n        <li class="modifier modifier--{text(advice.verdict)}">\n'
                '          <p class="modifier__head">'
                f'<span class="modifier__codes">{codes}</span>\n'
                f"            <strong>{text(advice.label)}</strong>"
                f' <span class="verdict">{text(advice.verdict_label)}</span></p>\n'
                f"          <p>{text(advice.explanation)}</p>\n"
                f'          <p class="source">{source}</p>\n'
                "        </li>\n        "
            )
        advice_html = (
            '\n      <ul class="modifiers">\n        ' + "".join(items) + "\n      </ul>\n      "
        )
    notes = (
        f'<h3>Editorial notes</h3><div class="prose">{page.modifier_notes_html}</div>'
        if page.modifier_notes_html
        else ""
    )
    html = (
        '\n    <section id="modifiers" aria-labelledby="mod-h">\n'
        '      <h2 id="mod-h">Applicable modifiers</h2>\n'
        f"      {advice_html}\n"
        f"      {notes}\n"
        "    </section>\n    "
    )
    return mark_safe(html)  # values escaped above; the editorial notes are our own HTML


@register.simple_tag(takes_context=True)
def related_section(context: Context) -> SafeString:
    """8. Related codes: each group's codes linked, its source, and our editorial notes."""
    page = context["page"]
    links = context["related_links"]
    visible = context["gate"]["visible"]
    if not (links or (visible and page.related_notes_html)):
        return mark_safe("")
    text = _text(context)
    prefix, query = text(context["code_prefix"]), context["date_query"]
    display = text(page.display)
    groups = []
    for group, group_links in links:
        more = ""
        if group.key[:5] == "ncci_":
            extra = f"&amp;{text(query[1:])}" if query else ""
            more = (
                f'<p class="related-more"><a href="{prefix}{display}/ncci/?table='
                f'{text(group.key[5:])}{extra}">All pair edits of {display}: filters, paging and'
                " “check this pair”</a></p>"
            )
        source = (
            f'<p class="source">Source: {text(cite(group.source))}</p>'
            if group.source
            else '<p class="source">medcode editorial</p>'
        )
        groups.append(
            '\n      <div class="related-group">\n'
            f"        <h3>{text(group.title)}</h3>\n"
            '        <ul class="code-list">\n'
            f"          {related_items(group_links, page.title)}\n"
            "        </ul>\n"
            f"        {more}\n"
            f"        {source}\n"
            "      </div>\n      "
        )
    notes = (
        f'<h3>Editorial notes</h3><div class="prose">{page.related_notes_html}</div>'
        if visible and page.related_notes_html
        else ""
    )
    html = (
        '\n    <section id="related-codes" aria-labelledby="related-h">\n'
        '      <h2 id="related-h">Related codes</h2>\n'
        f"      {''.join(groups)}\n"
        f"      {notes}\n"
        "    </section>\n    "
    )
    return mark_safe(html)  # values escaped above; the editorial notes are our own HTML


@register.simple_tag(takes_context=True)
def data_section(context: Context) -> SafeString:
    """9. The data panels, each citing its release (and the PFS locality picker)."""
    page = context["page"]
    if not page.panels:
        return mark_safe("")
    prefix, query = context["code_prefix"], context["date_query"]
    picker = context.get("locality_picker")
    panels = "".join(
        f"\n        {panel_section(context, panel, prefix, query)}\n      " for panel in page.panels
    )
    html = (
        '\n    <section id="data" aria-labelledby="data-h">\n'
        '      <h2 id="data-h">Data</h2>\n'
        f"      {_locality_picker(context, picker) if picker else ''}\n"
        f"      {panels}\n"
        "    </section>\n    "
    )
    return mark_safe(html)  # every value is escaped above and in panel_section


def _locality_picker(context: Context, picker: dict[str, Any]) -> str:
    """The PFS locality picker (codes.page.locality): show the payment in a locality, and
    remember it."""
    text = _text(context)
    here = text(context["request"].path)
    query = context["date_query"]
    system_param = context["system_param"]
    current = picker["current"]
    date_input = (
        f'<input type="hidden" name="date" value="{text(context["page"].on.isoformat())}">'
        if query
        else ""
    )
    system_input = (
        f'<input type="hidden" name="system" value="{text(system_param)}">' if system_param else ""
    )
    options = "".join(
        f'<option value="{text(choice.key)}"{" selected" if choice.key == current else ""}>'
        f"{text(choice.label)}</option>"
        for choice in picker["choices"]
    )
    remember = ""
    if current:
        action = text(path("codes:locality"))
        token = text(context["csrf_token"])  # such a page is never kept (views.code_detail)
        back = f"{here}{text(query)}"
        remember = (
            f'\n  <form class="locality-remember" method="post" action="{action}">\n'
            f'    <input type="hidden" name="csrfmiddlewaretoken" value="{token}">\n'
            f'    <input type="hidden" name="locality" value="{text(current)}">\n'
            f'    <input type="hidden" name="next" value="{back}">\n'
            '    <button type="submit" class="button button--quiet">Remember this locality for my'
            " code pages</button>\n"
            "  </form>\n"
            f'  <form class="locality-remember" method="post" action="{action}">\n'
            f'    <input type="hidden" name="csrfmiddlewaretoken" value="{token}">\n'
            '    <input type="hidden" name="locality" value="">\n'
            f'    <input type="hidden" name="next" value="{back}">\n'
            '    <button type="submit" class="button button--quiet">Forget my remembered'
            " locality</button>\n"
            "  </form>\n  "
        )
    return (
        "\n"
        '<div class="locality-picker" id="locality-picker">\n'
        f'  <form class="date-switch" method="get" action="{here}">\n'
        f"    {date_input}\n"
        f"    {system_input}\n"
        '    <label for="locality-select">Medicare payment locality</label>\n'
        '    <select id="locality-select" name="locality">\n'
        f'      <option value=""{"" if current else " selected"}>National (no locality)</option>\n'
        f"      {options}\n"
        "    </select>\n"
        '    <button type="submit">Show payment here</button>\n'
        "  </form>\n"
        f"  {remember}\n"
        '  <p class="source">Localities of the newest loaded GPCI file. Signed in, the locality'
        " you remember is kept on your account; otherwise for this browser session. A"
        " <code>?locality=</code> in the address wins.</p>\n"
        "</div>\n"
    )


@register.simple_tag(takes_context=True)
def history_section(context: Context) -> SafeString:
    """9b. History: the stored release-to-release changes that touch this code."""
    page = context["page"]
    history = context["history"]
    text = _text(context)
    display = text(page.display)
    quoted = text(urlencode(page.display))
    if history.rows:
        rows = "".join(
            f"\n            <tr><td>{text(row.effective_on.isoformat())}</td>"
            f"<td>{text(row.dataset)}</td><td>{text(row.what)}</td>"
            f"<td>{text(row.old_value)}</td><td>{text(row.new_value)}</td>"
            f"<td>{text(floatformat(row.percent, 2)) if row.percent is not None else ''}</td>"
            f'<td><a href="/changes/{text(row.diff_id)}/">'
            f"{text(row.from_source)} → {text(row.to_source)}</a></td></tr>\n          "
            for row in history.rows
        )
        more = (
            f'<p><a href="/changes/code/{quoted}/">All changes to {display}</a> (the newest '
            f"{text(len(history.rows))} are shown here).</p>"
            if history.more
            else ""
        )
        body = (
            f"\n      <p>Each change to {display} between the loaded releases, newest first;"
            " each row cites the two releases compared.</p>\n"
            '      <div class="table-wrap" tabindex="0" role="region"'
            f' aria-label="History of {display}">\n'
            '        <table class="data-table history-table">\n'
            '          <thead><tr><th scope="col">In effect</th><th scope="col">Dataset</th>'
            '<th scope="col">Change</th><th scope="col">Before</th><th scope="col">After</th>'
            '<th scope="col">%</th><th scope="col">Sources</th></tr></thead>\n'
            f"          <tbody>{rows}</tbody>\n"
            "        </table>\n"
            "      </div>\n"
            f"      {more}\n      "
        )
    else:
        body = f"<p>No stored change between the loaded releases touches {display}.</p>"
    unchanged = ""
    if history.unchanged:
        pairs = "; ".join(
            f'<a href="/changes/{text(pair.diff_id)}/">{text(pair.dataset)} '
            f"{text(pair.from_label)} → {text(pair.to_label)}</a>"
            for pair in history.unchanged
        )
        unchanged = (
            f'<p class="history-unchanged">Also compared, with no change to {display}: {pairs}.</p>'
        )
    html = (
        '<section id="history" aria-labelledby="history-h">\n'
        '      <h2 id="history-h">History</h2>\n'
        f"      {body}\n"
        f"      {unchanged}\n"
        '      <p class="source">Source: medcode\'s stored diffs of the CMS/CDC releases named'
        ' in each row (<a href="/changes/">What changed</a>).</p>\n'
        "    </section>"
    )
    return mark_safe(html)  # every value is escaped above


@register.simple_tag(takes_context=True)
def official_section(context: Context) -> SafeString:
    """2. The official description, with its source (or why it is not shown)."""
    official = context["page"].official
    text = _text(context)
    if official.text:
        source = ""
        if official.source:
            licensed = f" · {text(official.notice)}" if official.is_licensed else ""
            source = f'<p class="source">Source: {text(cite(official.source))}{licensed}</p>'
        shown = (
            f'\n      <blockquote class="official">{text(official.text)}</blockquote>\n'
            f"      {source}\n    "
        )
    else:
        shown = f'\n      <p class="notice notice--licence">{text(official.notice)}</p>\n    '
    html = (
        '<section id="official" aria-labelledby="official-h">\n'
        '    <h2 id="official-h">Official description</h2>\n'
        f"    {shown}\n"
        "  </section>"
    )
    return mark_safe(html)  # every value is escaped above


@register.simple_tag(takes_context=True)
def plain_language_section(context: Context) -> SafeString:
    """3. The plain-language description (our own HTML) and who wrote it."""
    page = context["page"]
    text = _text(context)
    if page.plain_language_is_editorial:
        editorial = page.editorial
        reviewed = text(editorial.reviewed_by) if editorial else ""
        updated = text(editorial.updated.isoformat()) if editorial else ""
        note = f"medcode editorial, reviewed by {reviewed}, updated {updated}."
    elif page.plain_language_note:
        note = text(page.plain_language_note)
    else:
        note = "Written from the official data above."
    html = (
        '<section id="plain-language" aria-labelledby="plain-h">\n'
        '    <h2 id="plain-h">Plain-language description</h2>\n'
        f'    <div class="prose">{page.plain_language_html}</div>\n'
        f'    <p class="source">{note}</p>\n'
        "  </section>"
    )
    return mark_safe(html)  # values escaped above; the description is our own HTML


@register.simple_tag(takes_context=True)
def what_it_is_section(context: Context) -> SafeString:
    """4. What the code is and what it does not cover (editorial HTML), when written."""
    page = context["page"]
    if not (page.what_it_is_html or page.not_covered_html):
        return mark_safe("")
    what = f'<div class="prose">{page.what_it_is_html}</div>' if page.what_it_is_html else ""
    not_covered = (
        "\n      <h3>What it does not cover</h3>\n"
        f'      <div class="prose">{page.not_covered_html}</div>\n    '
        if page.not_covered_html
        else ""
    )
    html = (
        '\n  <section id="what-it-is" aria-labelledby="what-h">\n'
        '    <h2 id="what-h">What it is</h2>\n'
        f"    {what}\n"
        f"    {not_covered}\n"
        "  </section>\n  "
    )
    return mark_safe(html)  # our own HTML


@register.simple_tag(takes_context=True)
def faq_section(context: Context) -> SafeString:
    """10. Frequently asked questions (editorial: the answers are our own HTML)."""
    page = context["page"]
    if not page.faq:
        return mark_safe("")
    text = _text(context)
    items = "".join(
        '\n      <details class="faq" open>\n'
        f"        <summary><h3>{text(item.question)}</h3></summary>\n"
        f'        <div class="prose">{item.answer_html}</div>\n'
        "      </details>\n      "
        for item in page.faq
    )
    html = (
        '\n    <section id="faq" aria-labelledby="faq-h">\n'
        '      <h2 id="faq-h">Frequently asked questions</h2>\n'
        f"      {items}\n"
        "    </section>\n    "
    )
    return mark_safe(html)  # questions escaped above; the answers are our own HTML


@register.simple_tag(takes_context=True)
def editorial_note(context: Context) -> SafeString:
    """Who reviewed the editorial text, when, and its sources."""
    editorial = context["page"].editorial
    if not editorial:
        return mark_safe("")
    text = _text(context)
    second = (
        f" Second review by {text(editorial.second_review)}." if editorial.second_review else ""
    )
    sources = "".join(f"<li>{text(s)}</li>" for s in editorial.sources)
    html = (
        '\n    <aside class="editorial-meta" aria-label="About the editorial text">\n'
        f"      <p>Editorial text: {text(editorial.status)}, reviewed by"
        f" {text(editorial.reviewed_by)}, updated {text(editorial.updated.isoformat())}."
        f"{second} Sources:</p>\n"
        f"      <ul>{sources}</ul>\n"
        "    </aside>\n    "
    )
    return mark_safe(html)  # every value is escaped above


PCS_ACTIONS_NOTE = (
    "ICD-10-PCS codes report inpatient hospital procedures on the facility claim; the claim "
    "worksheet checks CPT and HCPCS lines and ICD-10-CM diagnoses, so it cannot take this code."
)


def actions_section(
    target: Target, on: dt.date, api_url: str, csrf_token: Callable[[], str]
) -> str:
    """11. Use the code on a claim, ask CasePilot, see what changed, the JSON twin, for the code
    `target` on `on`. Built for each request around the kept parts (medcode.codes.views.page_body),
    with this request's CSRF token in its form (`csrf_token()`, asked only when there is a
    form); `api_url` is HTML (escaped)."""
    display = escape(target.display)
    quoted = escape(urlencode(target.display))
    if target.system == "ICD10PCS":
        use = f'\n    <p class="actions__note">{PCS_ACTIONS_NOTE}</p>\n    '
    else:
        label = "Use on a claim line…" if target.system == "MODIFIER" else "Use code"
        use = (
            '\n    <form method="post" action="/claims/add/">\n'
            '      <input type="hidden" name="csrfmiddlewaretoken"'
            f' value="{escape(csrf_token())}">\n'
            f'      <input type="hidden" name="code" value="{display}">\n'
            f'      <input type="hidden" name="system" value="{escape(target.system)}">\n'
            f'      <input type="hidden" name="date" value="{on.isoformat()}">\n'
            f'      <button type="submit" class="button button--primary">{label}</button>\n'
            "    </form>\n    "
        )
    return (
        '<section id="actions" class="actions" aria-labelledby="actions-h">\n'
        '    <h2 id="actions-h" class="visually-hidden">Actions</h2>\n'
        f"    {use}\n"
        f'    <a class="button" href="/pilot/?code={quoted}">Ask about this code</a>\n'
        f'    <a class="button button--quiet" href="/changes/code/{quoted}/">What changed</a>\n'
        f'    <a class="button button--quiet" href="{api_url}">JSON</a>\n'
        "  </section>"
    )  # every value is escaped above
