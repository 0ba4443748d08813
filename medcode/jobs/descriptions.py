"""Posting descriptions: employer Markdown in, safe HTML out.

Employers are strangers, so raw HTML in their Markdown is never trusted: python-markdown
renders, then nh3 (ammonia) keeps a small tag set, drops script/style with their content,
allows only http(s) and mailto links and marks every link rel="nofollow ugc noopener".
"""

from __future__ import annotations

import html
import re

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4", "h5",
    "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
SUMMARY_CHARS = 220
_MARKUP = re.compile(r"[#*_`>|~\[\]]+|\(https?://[^)]*\)|<[^>]*>")
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-+]|\d{1,3}[.)])[ \t]+", re.MULTILINE)


def render_description(text: str) -> SafeString:
    """Markdown to sanitised HTML, safe to put in a page, a feed or JSON-LD."""
    html = markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    # Headings inside a posting sit below the page's h1/h2.
    html = re.sub(r"<(/?)h[12]>", r"<\1h3>", html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(cleaned.strip())


def plain_text(text: str) -> str:
    """The description's words without Markdown or HTML (for summaries and emails)."""
    words = nh3.clean(render_description(text), tags=set())
    return " ".join(html.unescape(words).split())


def summarise(text: str, *, chars: int = SUMMARY_CHARS) -> str:
    """A cheap one-line summary for result lists (no Markdown rendering per row)."""
    flat = " ".join(_MARKUP.sub(" ", _LIST_MARKER.sub("", text[: chars * 3])).split())
    if len(flat) <= chars:
        return flat
    return flat[:chars].rsplit(" ", 1)[0] + "…"
