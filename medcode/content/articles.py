"""Editorial articles per code: Markdown files with YAML front matter, validated and sanitised.

One file per code under ``<root>/<folder>/<CODE>.md`` where the folder is ``cpt``, ``hcpcs`` or
``modifiers``. The text is our own; official descriptors never live here (CPT text is AMA's).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import markdown
import nh3
import yaml

from medcode.lib.codeshapes import CPT_CODE, HCPCS_LEVEL2_CODE, MODIFIER_CODE

CONTENT_ROOT = Path(__file__).resolve().parent / "codes"

SYSTEM_FOLDERS: Mapping[str, str] = MappingProxyType(
    {"CPT": "cpt", "HCPCS": "hcpcs", "MODIFIER": "modifiers"}
)
STATUSES = ("draft", "reviewed")

# Section key -> the H2 heading that opens it, in the order a file must use.
SECTIONS: Mapping[str, str] = MappingProxyType(
    {
        "description": "Plain-language description",
        "what_it_is": "What it is",
        "not_covered": "What it does not cover",
        "documentation": "Documentation requirements",
        "billing": "Billing guidelines",
        "modifiers": "Modifiers",
        "related_codes": "Related codes",
        "faq": "FAQ",
    }
)
_SECTION_BY_HEADING = {heading: key for key, heading in SECTIONS.items()}

REQUIRED_FIELDS = ("code", "system", "title", "status", "reviewed_by", "updated", "sources")
# A second review by someone who did not write the text: who, and on which date (both or
# neither). The date must not be before `updated`, or the review would not cover the text.
OPTIONAL_FIELDS = ("related", "second_reviewed_by", "second_reviewed")

CODE_PATTERNS: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {
        "CPT": CPT_CODE,
        "HCPCS": HCPCS_LEVEL2_CODE,
        "MODIFIER": MODIFIER_CODE,
    }
)
_RELATED_CODE = re.compile(r"^[0-9A-Z]{2,7}$")

ALLOWED_TAGS = frozenset(
    {
        "p",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "code",
        "a",
        "h3",
        "h4",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "blockquote",
    }
)
ALLOWED_ATTRIBUTES = MappingProxyType({"a": frozenset({"href"})})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"

# User-facing messages (the tests reuse them).
NO_FRONT_MATTER = "the file must start with a '---' line opening the YAML front matter"
UNCLOSED_FRONT_MATTER = "the front matter is not closed by a '---' line"
BAD_YAML = "the front matter is not valid YAML ({detail})"
NOT_A_MAPPING = "the front matter must be a mapping of field: value"
MISSING_FIELD = "missing field {field!r}"
UNKNOWN_FIELD = "unknown field {field!r}"
NOT_A_STRING = "{field} must be a quoted, non-empty string"
BAD_SYSTEM = "system must be one of: CPT, HCPCS, MODIFIER"
WRONG_FOLDER = "system {system} belongs in the {folder}/ folder"
BAD_CODE_FORMAT = "code {code!r} is not a valid {system} code"
CODE_MISMATCH = "code {code!r} does not match the file name {stem!r}"
BAD_STATUS = "status must be one of: draft, reviewed"
BAD_DATE = "updated must be an ISO date (YYYY-MM-DD)"
IMPOSSIBLE_DATE = "the front matter holds a date that does not exist ({detail})"
NO_SOURCES = "sources must be a non-empty list of document names"
BAD_SOURCE = "each source must be a non-empty string"
BAD_RELATED = "related must be a list of quoted codes"
SELF_RELATED = "related must not list the article's own code"
SECOND_REVIEW_PAIR = "second_reviewed_by and second_reviewed go together: give both or neither"
SECOND_REVIEW_DATE = "second_reviewed must be an ISO date (YYYY-MM-DD)"
SECOND_REVIEW_BEFORE_UPDATE = (
    "second_reviewed ({reviewed}) is before updated ({updated}): review the current text again"
)
TEXT_BEFORE_SECTIONS = "text before the first '## ' section"
LEVEL_ONE_HEADING = "level-one heading {heading!r}: use the '## ' sections"
UNKNOWN_SECTION = "unknown section {heading!r}"
DUPLICATE_SECTION = "section {heading!r} appears twice"
SECTION_ORDER = "section {heading!r} is out of order"
EMPTY_SECTION = "section {heading!r} is empty"
NO_SECTIONS = "the article has no sections"
FAQ_TEXT_BEFORE_QUESTION = "the FAQ must start with a '### ' question"
FAQ_EMPTY_ANSWER = "FAQ question {question!r} has no answer"
UNEXPECTED_FILE = "unexpected file: articles are <folder>/<CODE>.md in cpt/, hcpcs/ or modifiers/"
NOT_UTF8 = "the file is not valid UTF-8"


class ArticleError(Exception):
    """An article file is invalid; ``path`` names it and the message says what is wrong."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class Article:
    code: str
    system: str
    title: str
    status: str
    reviewed_by: str
    updated: dt.date
    sources: tuple[str, ...]
    related: tuple[str, ...]
    # Section key (see SECTIONS, "faq" excluded) -> sanitised HTML, in file order.
    sections: Mapping[str, str]
    # (question as plain text, answer as sanitised HTML)
    faq: tuple[tuple[str, str], ...]
    path: Path
    # The second review (see OPTIONAL_FIELDS); "" and None when there was none.
    second_reviewed_by: str = ""
    second_reviewed: dt.date | None = None

    @property
    def headed_sections(self) -> tuple[tuple[str, str, str], ...]:
        """(key, heading, html) for each section present, in the house order."""
        return tuple((key, SECTIONS[key], html) for key, html in self.sections.items())


def system_for_code(code: str) -> str | None:
    """Guess the code system from the shape of a code (``"63650"`` -> ``"CPT"``)."""
    value = code.strip().upper()
    for system, pattern in CODE_PATTERNS.items():
        if pattern.match(value):
            return system
    return None


@functools.lru_cache(maxsize=1024)
def load_article(system: str, code: str, root: Path | None = None) -> Article | None:
    """The article for one code, or None when there is none.

    ``system`` is CPT, HCPCS or MODIFIER (any case); a CPT code passed as HCPCS (Level I)
    is looked up in cpt/. Raises ArticleError when the file exists but is invalid. Cached:
    call ``load_article.cache_clear()`` after editing files in a running process.
    """
    system = system.strip().upper()
    code = code.strip().upper()
    if system == "HCPCS" and CODE_PATTERNS["CPT"].match(code):
        system = "CPT"
    folder = SYSTEM_FOLDERS.get(system)
    if folder is None or not CODE_PATTERNS[system].match(code):
        return None
    path = (root or CONTENT_ROOT) / folder / f"{code}.md"
    if not path.is_file():
        return None
    return parse_article(path)


def load_all(root: Path | None = None) -> list[Article]:
    """Every article under the root, sorted by system then code; raises on the first bad file."""
    articles = []
    for path in _article_paths(root or CONTENT_ROOT):
        articles.append(parse_article(path))
    return articles


def validate_all(root: Path | None = None) -> list[str]:
    """One error string per invalid file ("<path>: <problem>"); empty when all is well."""
    errors: list[str] = []
    base = root or CONTENT_ROOT
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        if not _is_article_path(base, path):
            errors.append(str(ArticleError(path, UNEXPECTED_FILE)))
    for path in _article_paths(base):
        try:
            parse_article(path)
        except ArticleError as exc:
            errors.append(str(exc))
    return errors


def _is_article_path(root: Path, path: Path) -> bool:
    relative = path.relative_to(root)
    return (
        len(relative.parts) == 2
        and relative.parts[0] in SYSTEM_FOLDERS.values()
        and path.suffix == ".md"
    )


def _article_paths(root: Path) -> Iterator[Path]:
    for folder in SYSTEM_FOLDERS.values():
        directory = root / folder
        if directory.is_dir():
            yield from sorted(directory.glob("*.md"))


def parse_article(path: Path) -> Article:
    """Read, validate and render one article file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(path, NOT_UTF8) from exc
    meta, body = _split_front_matter(path, text)
    fields = _validate_front_matter(path, meta)
    sections, faq = _parse_body(path, body)
    return Article(
        code=fields["code"],
        system=fields["system"],
        title=fields["title"],
        status=fields["status"],
        reviewed_by=fields["reviewed_by"],
        updated=fields["updated"],
        sources=fields["sources"],
        related=fields["related"],
        sections=MappingProxyType(sections),
        faq=faq,
        path=path,
        second_reviewed_by=fields.get("second_reviewed_by", ""),
        second_reviewed=fields.get("second_reviewed"),
    )


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ArticleError(path, NO_FRONT_MATTER)
    index = next((i for i, line in enumerate(lines) if i and line.strip() == "---"), None)
    if index is None:
        raise ArticleError(path, UNCLOSED_FRONT_MATTER)
    try:
        meta = yaml.safe_load("\n".join(lines[1:index]))
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ArticleError(path, BAD_YAML.format(detail=detail)) from exc
    except ValueError as exc:  # PyYAML raises it for date-shaped values like 2026-13-45
        raise ArticleError(path, IMPOSSIBLE_DATE.format(detail=exc)) from exc
    if not isinstance(meta, dict):
        raise ArticleError(path, NOT_A_MAPPING)
    return meta, "\n".join(lines[index + 1 :])


def _validate_front_matter(path: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Check every field; all problems in one ArticleError so a writer fixes them at once."""
    problems: list[str] = []
    clean: dict[str, Any] = {}
    for field in REQUIRED_FIELDS:
        if field not in meta:
            problems.append(MISSING_FIELD.format(field=field))
    for field in meta:
        if field not in REQUIRED_FIELDS and field not in OPTIONAL_FIELDS:
            problems.append(UNKNOWN_FIELD.format(field=str(field)))

    for field in ("code", "system", "title", "reviewed_by", "status", "second_reviewed_by"):
        if field in meta:
            value = meta[field]
            if isinstance(value, str) and value.strip():
                clean[field] = value.strip()
            else:
                problems.append(NOT_A_STRING.format(field=field))

    system: str | None = clean.get("system")
    if system is not None:
        if system not in SYSTEM_FOLDERS:
            problems.append(BAD_SYSTEM)
        elif path.parent.name != SYSTEM_FOLDERS[system]:
            problems.append(WRONG_FOLDER.format(system=system, folder=SYSTEM_FOLDERS[system]))

    code: str | None = clean.get("code")
    if code is not None:
        if code != path.stem:
            problems.append(CODE_MISMATCH.format(code=code, stem=path.stem))
        if (
            isinstance(system, str)
            and system in CODE_PATTERNS
            and not CODE_PATTERNS[system].match(code)
        ):
            problems.append(BAD_CODE_FORMAT.format(code=code, system=system))

    if "status" in clean and clean["status"] not in STATUSES:
        problems.append(BAD_STATUS)

    if "updated" in meta:
        updated = _as_date(meta["updated"])
        if updated is None:
            problems.append(BAD_DATE)
        else:
            clean["updated"] = updated

    if "sources" in meta:
        sources = meta["sources"]
        if not isinstance(sources, list) or not sources:
            problems.append(NO_SOURCES)
        elif not all(isinstance(s, str) and s.strip() for s in sources):
            problems.append(BAD_SOURCE)
        else:
            clean["sources"] = tuple(s.strip() for s in sources)

    _check_second_review(meta, clean, problems)

    related = meta.get("related", [])
    if related is None:
        related = []
    if not isinstance(related, list) or not all(
        isinstance(r, str) and _RELATED_CODE.match(r) for r in related
    ):
        problems.append(BAD_RELATED)
    else:
        if code is not None and code in related:
            problems.append(SELF_RELATED)
        clean["related"] = tuple(dict.fromkeys(related))

    if problems:
        raise ArticleError(path, "; ".join(problems))
    return clean


def _check_second_review(meta: dict[str, Any], clean: dict[str, Any], problems: list[str]) -> None:
    if ("second_reviewed_by" in meta) != ("second_reviewed" in meta):
        problems.append(SECOND_REVIEW_PAIR)
    if "second_reviewed" not in meta:
        return
    reviewed = _as_date(meta["second_reviewed"])
    if reviewed is None:
        problems.append(SECOND_REVIEW_DATE)
        return
    clean["second_reviewed"] = reviewed
    updated = clean.get("updated")
    if updated is not None and reviewed < updated:
        problems.append(
            SECOND_REVIEW_BEFORE_UPDATE.format(
                reviewed=reviewed.isoformat(), updated=updated.isoformat()
            )
        )


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


_FENCE = re.compile(r"^\s*(```|~~~)")
_H1 = re.compile(r"^#\s+(.*?)\s*#*\s*$")
_H2 = re.compile(r"^##\s+(.*?)\s*#*\s*$")
_H3 = re.compile(r"^###\s+(.*?)\s*#*\s*$")


def _parse_body(path: Path, body: str) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    chunks = _split_sections(path, body)
    if not chunks:
        raise ArticleError(path, NO_SECTIONS)
    sections: dict[str, str] = {}
    faq: tuple[tuple[str, str], ...] = ()
    for key, heading, lines in chunks:
        if not "\n".join(lines).strip():
            raise ArticleError(path, EMPTY_SECTION.format(heading=heading))
        if key == "faq":
            faq = _parse_faq(path, lines)
        else:
            sections[key] = render_markdown("\n".join(lines))
    return sections, faq


def _split_sections(path: Path, body: str) -> list[tuple[str, str, list[str]]]:
    """Split the body on H2 lines (outside code fences), checking names and order."""
    chunks: list[tuple[str, str, list[str]]] = []
    order = list(SECTIONS)
    last_position = -1
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading_match = None if in_fence else _H2.match(line)
        if heading_match is None and not in_fence and _H1.match(line):
            raise ArticleError(path, LEVEL_ONE_HEADING.format(heading=line.strip()))
        if heading_match is not None:
            heading = heading_match.group(1)
            key = _SECTION_BY_HEADING.get(heading)
            if key is None:
                raise ArticleError(path, UNKNOWN_SECTION.format(heading=heading))
            if any(existing == key for existing, _, _ in chunks):
                raise ArticleError(path, DUPLICATE_SECTION.format(heading=heading))
            position = order.index(key)
            if position < last_position:
                raise ArticleError(path, SECTION_ORDER.format(heading=heading))
            last_position = position
            chunks.append((key, heading, []))
        elif chunks:
            chunks[-1][2].append(line)
        elif line.strip():
            raise ArticleError(path, TEXT_BEFORE_SECTIONS)
    return chunks


def _parse_faq(path: Path, lines: list[str]) -> tuple[tuple[str, str], ...]:
    entries: list[tuple[str, list[str]]] = []
    for line in lines:
        match = _H3.match(line)
        if match is not None:
            entries.append((match.group(1), []))
        elif entries:
            entries[-1][1].append(line)
        elif line.strip():
            raise ArticleError(path, FAQ_TEXT_BEFORE_QUESTION)
    faq = []
    for question, answer_lines in entries:
        answer = "\n".join(answer_lines).strip()
        if not answer:
            raise ArticleError(path, FAQ_EMPTY_ANSWER.format(question=question))
        faq.append((question, render_markdown(answer)))
    return tuple(faq)


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised down to a small tag set (raw HTML is not trusted)."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
    ).strip()
