"""The layout around a code page's body: codes/detail.html in base.html.

For a guest without messages the layout is the same on every code page but for four slots (the
title, the description, the head's links and the body), so it is rendered once per process
with a marker in each slot, and each page fills the slots in: rendering the layout's template
was 0.23 ms of a long-tail page miss's ~2.9 ms of CPU (bench/page_miss.py). A page that differs
by visitor (signed in, with messages) renders the template. Both fill the slots from `slots`,
so the two cannot differ.

What else the layout shows must depend only on what the shared case fixes (a guest, no
messages, no `?q=`) and on the key of `_shell` (script prefix, URLconf, static files).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.defaultfilters import truncatechars
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from medcode.ops.templatetags.site_paths import static_url

TEMPLATE = "codes/detail.html"
SLOTS = ("title", "description", "head", "body")
_MARKER = re.compile("\x00slot:([a-z]+)\x00")

_lock = threading.Lock()
_shells: dict[tuple[Any, ...], list[str]] = {}


def slots(head: dict[str, Any], body_html: str) -> dict[str, SafeString]:
    """The four slots' HTML, as `{{ value }}` with autoescaping renders each value."""
    page = head["page"]
    display, label = conditional_escape(page.display), conditional_escape(page.system_label)
    return {
        "title": mark_safe(
            f"{display} – {conditional_escape(truncatechars(page.title, 70))} | {label} | medcode"
        ),
        "description": mark_safe(
            f"{label} code {display}: {conditional_escape(truncatechars(page.title, 140))}"
        ),
        "head": mark_safe(
            f'\n  <link rel="canonical" href="{conditional_escape(head["canonical"])}">'
            '\n  <link rel="alternate" type="application/json" '
            f'href="{conditional_escape(head["api_url"])}">'
            f'\n  <script type="application/ld+json">{conditional_escape(head["json_ld"])}'
            "</script>\n"
        ),
        "body": mark_safe(body_html),  # the body is rendered HTML
    }


def render(request: HttpRequest, head: dict[str, Any], body_html: str, *, shared: bool) -> str:
    """The whole page; `shared`: the request is a guest's without messages or `?q=` (the
    layout is then the kept one)."""
    filled = slots(head, body_html)
    if not shared:
        return render_to_string(TEMPLATE, filled, request)
    pieces = _shell(request)
    out = [pieces[0]]
    for index in range(1, len(pieces), 2):
        out.append(filled[pieces[index]])
        out.append(pieces[index + 1])
    return "".join(out)


def _shell(request: HttpRequest) -> list[str]:
    """The layout with markers in its slots, split at them: text, slot name, text, ..."""
    match = request.resolver_match
    key = (
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
        match.app_name if match else "",
        static_url("medcode/site.css"),
    )
    with _lock:
        found = _shells.get(key)
    if found is None:
        markers = {name: mark_safe(f"\x00slot:{name}\x00") for name in SLOTS}
        found = _MARKER.split(render_to_string(TEMPLATE, markers, request))
        with _lock:
            _shells[key] = found
    return found


def clear() -> None:
    """Forget the kept layouts (tests that change templates or static files)."""
    with _lock:
        _shells.clear()
