"""HTML-only mail turned into plain text (the standard library's parser; no markup kept).

Quoted history in HTML replies (Gmail's `gmail_quote`, Apple/Thunderbird's
`<blockquote type="cite">`, Outlook's `divRplyFwdMsg`) is dropped along with scripts and styles.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = {"script", "style", "head", "title", "template", "noscript"}
_BLOCK = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "pre", "section", "article", "header", "footer", "hr", "dt", "dd",
}  # fmt: skip
_QUOTE_CLASSES = {"gmail_quote", "moz-cite-prefix", "yahoo_quoted", "divrplyfwdmsg"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_stack: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.skip_stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag in {"br", "hr"} and not self._skipping():
                self.parts.append("\n")
            return
        values = dict(attrs)
        classes = set((values.get("class") or "").lower().split())
        quoted = (
            tag in _SKIP
            or (tag == "blockquote" and (values.get("type") or "").lower() == "cite")
            or bool(classes & _QUOTE_CLASSES)
            or (values.get("id") or "").lower() in _QUOTE_CLASSES
        )
        if self.skip_stack or quoted:
            self.skip_stack.append(tag)
            return
        if tag in _BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self.skip_stack:
            # Close the innermost matching element; stray end tags inside are tolerated.
            if tag in self.skip_stack:
                while self.skip_stack and self.skip_stack.pop() != tag:
                    pass
            return
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_stack:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
