"""Template helpers for CareerCenter pages."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The escapes django.utils.html.json_script applies, so "</script>" in data cannot end the
# element; json_script itself only writes type="application/json".
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(value: Any) -> SafeString:
    """A schema.org block: <script type="application/ld+json"> with json_script's escaping.
    It is data, not script, so the strict Content-Security-Policy does not apply to it."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    escaped = mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))
    return format_html('<script type="application/ld+json">{}</script>', escaped)


@register.simple_tag(takes_context=True)
def page_url(context: Any, number: int) -> str:
    """The current search's URL on page `number`."""
    query_string: str = context.get("query_string", "")
    return "?" + "&".join(p for p in (query_string, f"page={number}") if p)


@register.filter
def jobs_summary(text: str) -> str:
    """A one-line plain summary of a Markdown description (autoescaped by the template)."""
    from medcode.jobs.descriptions import summarise

    return summarise(text)
