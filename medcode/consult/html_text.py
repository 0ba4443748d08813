"""HTML-only mail turned into plain text (no markup kept), in time linear in the input.

Quoted history in HTML replies (Gmail's `gmail_quote`, Apple/Thunderbird's
`<blockquote type="cite">`, Outlook's `divRplyFwdMsg`) is dropped along with scripts and styles.

The standard library's HTMLParser (and html5ever, behind nh3) take time quadratic in some inputs
a sender controls: `<a<a<a…`, `<!--<!--…`, thousands of nested elements; 120 KB held a worker for
seconds to minutes. So the scanner here never looks at a character more than a fixed number of
times: each `<` either starts a tag whose `>` comes before the next `<`, or is text; a comment or
raw-text element is skipped with one `str.find`; open elements are counted, not searched. Reading
stops after MAX_MARKUP tags or MAX_TEXT_CHARS of text. Malformed markup raises nothing: every input
is text.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

MAX_MARKUP = 50_000  # tags, comments and declarations read; the rest of the message is dropped
MAX_TEXT_CHARS = 100_000  # text kept (a question is read to 2,000 characters)

_SKIP = {"script", "style", "head", "title", "template", "noscript"}
_RAW_TEXT = {"script", "style", "title", "textarea", "xmp", "noscript"}
_BLOCK = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "pre", "section", "article", "header", "footer", "hr", "dt", "dd",
}  # fmt: skip
_QUOTE_CLASSES = {"gmail_quote", "moz-cite-prefix", "yahoo_quoted", "divrplyfwdmsg"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}

# A comment's start, a tag or a declaration: a tag's `>` must come before any further `<`, so a
# failed match at one `<` costs at most the distance to the next one.
_MARKUP = re.compile(r"<!--|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^<>]*)>|<[!?][^<>]*>")
_ATTRIBUTE = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""")
_SPACES = re.compile(r"[ \t\r\f\v]+")


class _Text:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.skipping: Counter[str] = Counter()  # open elements inside a skipped one, by name
        self.depth = 0  # how many elements of `skipping` are open
        self.length = 0  # characters of text kept

    def start(self, tag: str, attributes: str) -> None:
        if tag in _VOID:
            if tag in {"br", "hr"} and not self.depth:
                self.parts.append("\n")
            return
        if self.depth or _quoted(tag, attributes):
            self.skipping[tag] += 1
            self.depth += 1
            return
        if tag in _BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def end(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self.depth:
            # A stray end tag inside a skipped element closes nothing; a matching one closes
            # its element (elements left open inside it are forgiven, as browsers do).
            if self.skipping[tag]:
                self.skipping[tag] -= 1
                self.depth -= 1
            return
        if tag in _BLOCK:
            self.parts.append("\n")

    def text(self, data: str) -> None:
        if not self.depth and data:
            self.parts.append(unescape(data))
            self.length += len(data)

    def full(self) -> bool:
        return self.length >= MAX_TEXT_CHARS


def _quoted(tag: str, attributes: str) -> bool:
    if tag in _SKIP:
        return True
    if "=" not in attributes:
        return False
    values = {name.lower(): value.strip("\"'") for name, value in _ATTRIBUTE.findall(attributes)}
    classes = set(values.get("class", "").lower().split())
    return (
        (tag == "blockquote" and values.get("type", "").lower() == "cite")
        or bool(classes & _QUOTE_CLASSES)
        or values.get("id", "").lower() in _QUOTE_CLASSES
    )


def _scan(html: str, out: _Text) -> None:
    lower = html.lower()
    i, n, budget = 0, len(html), MAX_MARKUP
    while i < n and budget and not out.full():
        budget -= 1
        # A `<` that starts no tag, comment or declaration is text, skipped over by the search.
        found = _MARKUP.search(html, i)
        if found is None:
            out.text(html[i:])
            return
        out.text(html[i : found.start()])
        i = found.end()
        if found.group(0) == "<!--":
            close = html.find("-->", i)
            if close < 0:
                return  # an unclosed comment hides the rest, as in a browser
            i = close + 3
            continue
        name = (found.group(2) or "").lower()
        if not name:
            continue  # <!DOCTYPE …>, <?xml …?>, <![CDATA[ …]]>-like declarations
        if found.group(1):
            out.end(name)
            continue
        out.start(name, found.group(3))
        if name in _RAW_TEXT and not found.group(3).rstrip().endswith("/"):
            close = lower.find(f"</{name}", i)
            raw_end = n if close < 0 else close
            if name not in _SKIP:
                out.text(html[i:raw_end])
            i = raw_end


def html_to_text(html: str) -> str:
    out = _Text()
    _scan(html, out)
    text = "".join(out.parts)[:MAX_TEXT_CHARS].replace("\xa0", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
