"""The editorial article loader: schema validation, section parsing, sanitising, lookup."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medcode.content import articles
from medcode.content.articles import (
    CONTENT_ROOT,
    SECTIONS,
    STATUSES,
    ArticleError,
    load_all,
    load_article,
    parse_article,
    render_markdown,
    system_for_code,
    validate_all,
)

SHIPPED_FILES = sorted(CONTENT_ROOT.glob("*/*.md"))

EXPECTED_CODES = {
    "cpt": [
        "63650", "63655", "63661", "63662", "63663", "63664", "63685", "63688",
        "95970", "95971", "95972",
        "99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215",
    ],
    "hcpcs": ["C1767", "C1778", "C1820", "L8680", "L8685", "L8686", "L8687", "L8688"],
    "modifiers": [
        "22", "25", "26", "50", "51", "59", "62", "66", "76", "77", "80", "82",
        "XE", "XS", "XP", "XU", "RT", "LT", "TC", "AS", "GA", "GZ",
    ],
}  # fmt: skip

GOOD_FRONT_MATTER = {
    "code": '"63650"',
    "system": "CPT",
    "title": '"A test title"',
    "status": "reviewed",
    "reviewed_by": '"medcode editorial team"',
    "updated": "2026-11-23",
    "sources": '\n  - "Medicare NCCI Policy Manual, Chapter 8"',
}

GOOD_BODY = """
## Plain-language description

Some words.

## Billing guidelines

- one
- two

## FAQ

### Is this a question?

Yes, and this is the answer.

### A second one?

A second answer.
"""


def write_article(
    root: Path,
    *,
    folder: str = "cpt",
    name: str = "63650",
    fields: dict[str, str | None] | None = None,
    body: str = GOOD_BODY,
) -> Path:
    """Write one article file under root; a field set to None is left out."""
    merged: dict[str, str | None] = {**GOOD_FRONT_MATTER, **(fields or {})}
    lines = ["---"]
    lines += [f"{key}: {value}" for key, value in merged.items() if value is not None]
    lines += ["---", body]
    path = root / folder / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _fresh_cache():
    load_article.cache_clear()
    yield
    load_article.cache_clear()


# --- the shipped content -----------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_article_is_valid(path):
    try:
        parse_article(path)
    except ArticleError as exc:
        pytest.fail(f"{path.relative_to(CONTENT_ROOT)} is invalid: {exc.message}")


def test_validate_all_finds_no_problem_in_the_shipped_content():
    assert validate_all() == []


@pytest.mark.parametrize(
    ("folder", "code"),
    [(folder, code) for folder, codes in EXPECTED_CODES.items() for code in codes],
)
def test_every_starter_code_has_an_article(folder, code):
    assert (CONTENT_ROOT / folder / f"{code}.md").is_file()


def test_every_article_has_a_source_and_a_known_status():
    shipped = load_all()
    assert len(shipped) == sum(len(codes) for codes in EXPECTED_CODES.values())
    for article in shipped:
        assert article.sources, f"{article.path} has no source"
        assert article.status in STATUSES, f"{article.path} has status {article.status!r}"


def test_every_article_has_a_plain_language_description_and_an_faq():
    for article in load_all():
        assert "description" in article.sections, article.path
        assert article.faq, article.path


def test_no_shipped_article_carries_the_ama_copyright_line():
    for path in SHIPPED_FILES:
        text = path.read_text(encoding="utf-8")
        assert "American Medical Association. All rights reserved" not in text, path


# --- a good file -------------------------------------------------------------------------


def test_it_parses_front_matter_sections_and_faq(tmp_path):
    write_article(tmp_path, fields={"related": '["63655", "63685"]'})
    article = load_article("CPT", "63650", tmp_path)
    assert article is not None
    assert article.code == "63650"
    assert article.system == "CPT"
    assert article.status == "reviewed"
    assert article.updated == dt.date(2026, 11, 23)
    assert article.sources == ("Medicare NCCI Policy Manual, Chapter 8",)
    assert article.related == ("63655", "63685")
    assert list(article.sections) == ["description", "billing"]
    assert article.sections["description"] == "<p>Some words.</p>"
    assert "<li>one</li>" in article.sections["billing"]
    assert [q for q, _ in article.faq] == ["Is this a question?", "A second one?"]
    assert article.faq[0][1] == "<p>Yes, and this is the answer.</p>"
    assert article.headed_sections[1][:2] == ("billing", SECTIONS["billing"])


def test_related_is_optional(tmp_path):
    write_article(tmp_path)
    article = load_article("CPT", "63650", tmp_path)
    assert article is not None
    assert article.related == ()


def test_a_quoted_iso_date_is_accepted(tmp_path):
    write_article(tmp_path, fields={"updated": '"2026-01-05"'})
    article = load_article("CPT", "63650", tmp_path)
    assert article is not None
    assert article.updated == dt.date(2026, 1, 5)


# --- invalid front matter names the file --------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": None}, articles.MISSING_FIELD.format(field="title")),
        ({"sources": None}, articles.MISSING_FIELD.format(field="sources")),
        ({"status": "published"}, articles.BAD_STATUS),
        ({"updated": "2026-13-45"}, "a date that does not exist"),
        ({"updated": "2026-02-30"}, "a date that does not exist"),
        ({"updated": "yesterday"}, articles.BAD_DATE),
        ({"updated": '"23/11/2026"'}, articles.BAD_DATE),
        ({"updated": "2026-11-23 10:00:00"}, articles.BAD_DATE),
        ({"code": '"63655"'}, articles.CODE_MISMATCH.format(code="63655", stem="63650")),
        ({"code": "63650"}, articles.NOT_A_STRING.format(field="code")),
        ({"system": "ICD10"}, articles.BAD_SYSTEM),
        ({"system": "HCPCS"}, articles.WRONG_FOLDER.format(system="HCPCS", folder="hcpcs")),
        ({"sources": "[]"}, articles.NO_SOURCES),
        ({"sources": '"one string"'}, articles.NO_SOURCES),
        ({"related": "[63655]"}, articles.BAD_RELATED),
        ({"related": '["63650"]'}, articles.SELF_RELATED),
        ({"author": '"someone"'}, articles.UNKNOWN_FIELD.format(field="author")),
    ],
    ids=lambda value: str(value)[:40],
)
def test_invalid_front_matter_is_reported_with_the_file_name(tmp_path, fields, expected):
    path = write_article(tmp_path, fields=fields)
    with pytest.raises(ArticleError) as info:
        parse_article(path)
    assert info.value.path == path
    assert expected in str(info.value)
    assert str(info.value).startswith(f"{path}: ")
    assert validate_all(tmp_path) == [str(info.value)]


def test_all_front_matter_problems_are_reported_at_once(tmp_path):
    path = write_article(tmp_path, fields={"title": None, "status": "final"})
    with pytest.raises(ArticleError) as info:
        parse_article(path)
    assert articles.MISSING_FIELD.format(field="title") in info.value.message
    assert articles.BAD_STATUS in info.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no front matter here\n", articles.NO_FRONT_MATTER),
        ("---\ncode: '63650'\n", articles.UNCLOSED_FRONT_MATTER),
        ("---\n- a\n- list\n---\n## FAQ\n", articles.NOT_A_MAPPING),
        ("---\ncode: [unclosed\n---\n", "not valid YAML"),
    ],
)
def test_a_broken_front_matter_block_is_reported(tmp_path, text, expected):
    path = tmp_path / "cpt" / "63650.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    errors = validate_all(tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith(str(path))
    assert expected in errors[0]


# --- invalid bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "## Plain-language description\n\nx\n\n## Coding tips\n\ny\n",
            articles.UNKNOWN_SECTION.format(heading="Coding tips"),
        ),
        (
            "## Billing guidelines\n\nx\n\n## What it is\n\ny\n",
            articles.SECTION_ORDER.format(heading="What it is"),
        ),
        (
            "## What it is\n\nx\n\n## What it is\n\ny\n",
            articles.DUPLICATE_SECTION.format(heading="What it is"),
        ),
        ("Intro text.\n\n## What it is\n\nx\n", articles.TEXT_BEFORE_SECTIONS),
        ("# Title\n\n## What it is\n\nx\n", articles.LEVEL_ONE_HEADING.format(heading="# Title")),
        ("## What it is\n\n## Billing guidelines\n\nx\n", "is empty"),
        ("\n\n", articles.NO_SECTIONS),
        ("## FAQ\n\nNot a question.\n", articles.FAQ_TEXT_BEFORE_QUESTION),
        ("## FAQ\n\n### Why?\n\n### How?\n\nLike so.\n", "has no answer"),
    ],
    ids=[
        "unknown",
        "order",
        "duplicate",
        "preamble",
        "h1",
        "empty",
        "nothing",
        "faq-preamble",
        "faq-answer",
    ],
)
def test_an_invalid_body_is_reported_with_the_file_name(tmp_path, body, expected):
    path = write_article(tmp_path, body=body)
    errors = validate_all(tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}: ")
    assert expected in errors[0]


def test_a_heading_inside_a_code_fence_is_not_a_section(tmp_path):
    body = "## What it is\n\n```\n## Not a section\n```\n"
    write_article(tmp_path, body=body)
    assert validate_all(tmp_path) == []


def test_load_all_raises_on_the_first_invalid_file(tmp_path):
    write_article(tmp_path, fields={"status": "final"})
    with pytest.raises(ArticleError):
        load_all(tmp_path)


def test_a_stray_file_in_the_content_root_is_reported(tmp_path):
    write_article(tmp_path)
    stray = tmp_path / "icd10" / "A00.md"
    stray.parent.mkdir()
    stray.write_text("x", encoding="utf-8")
    errors = validate_all(tmp_path)
    assert errors == [f"{stray}: {articles.UNEXPECTED_FILE}"]


# --- sanitising --------------------------------------------------------------------------


def test_script_tags_are_removed_with_their_content():
    html = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in html
    assert "alert" not in html
    assert "Hello" in html


def test_event_handler_attributes_are_removed():
    html = render_markdown('<img src="x" onerror="alert(1)"> <p onclick="evil()">text</p>')
    assert "onerror" not in html
    assert "onclick" not in html
    assert "<img" not in html


def test_javascript_links_lose_their_href():
    html = render_markdown("[click](javascript:alert(1))")
    assert "javascript:" not in html
    assert "click" in html


def test_ordinary_links_get_nofollow_noopener():
    html = render_markdown("[CMS](https://www.cms.gov/)")
    assert 'href="https://www.cms.gov/"' in html
    assert 'rel="nofollow noopener"' in html


def test_tables_and_lists_survive_sanitising():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- item\n\n> quote\n")
    for tag in ("<table>", "<thead>", "<tbody>", "<tr>", "<th", "<td", "<li>", "<blockquote>"):
        assert tag in html


def test_disallowed_tags_are_stripped_but_their_text_kept():
    html = render_markdown('<div class="x"><span style="color:red">kept</span></div>')
    assert "<div" not in html
    assert "<span" not in html
    assert "style=" not in html
    assert "kept" in html


def test_a_script_in_an_article_body_never_reaches_the_html(tmp_path):
    body = (
        "## What it is\n\n<script>steal()</script>\n\n[x](javascript:steal())\n\n"
        "## FAQ\n\n### Safe?\n\n<img src=x onerror=steal()>Yes.\n"
    )
    write_article(tmp_path, body=body)
    article = load_article("CPT", "63650", tmp_path)
    assert article is not None
    rendered = article.sections["what_it_is"] + article.faq[0][1]
    assert "steal" not in rendered.replace(">x<", "")
    assert "<script" not in rendered
    assert "onerror" not in rendered
    assert "javascript:" not in rendered


# --- lookup ------------------------------------------------------------------------------


def test_lookup_maps_each_system_to_its_folder(tmp_path):
    write_article(tmp_path)
    write_article(
        tmp_path,
        folder="hcpcs",
        name="L8680",
        fields={"code": '"L8680"', "system": "HCPCS"},
    )
    write_article(
        tmp_path,
        folder="modifiers",
        name="59",
        fields={"code": '"59"', "system": "MODIFIER"},
    )
    cpt = load_article("CPT", "63650", tmp_path)
    level2 = load_article("hcpcs", "l8680", tmp_path)
    modifier = load_article("MODIFIER", "59", tmp_path)
    assert cpt is not None and cpt.path.parent.name == "cpt"
    assert level2 is not None and level2.path.parent.name == "hcpcs"
    assert modifier is not None and modifier.path.parent.name == "modifiers"


def test_a_cpt_code_asked_for_as_hcpcs_level_one_is_found(tmp_path):
    write_article(tmp_path)
    article = load_article("HCPCS", "63650", tmp_path)
    assert article is not None
    assert article.system == "CPT"


@pytest.mark.parametrize(
    ("system", "code"),
    [("CPT", "99999"), ("ICD10", "63650"), ("CPT", "../cpt/63650"), ("MODIFIER", "63650")],
)
def test_lookup_returns_none_when_there_is_no_article(tmp_path, system, code):
    write_article(tmp_path)
    assert load_article(system, code, tmp_path) is None


def test_lookup_is_cached():
    first = load_article("CPT", "63650")
    assert first is not None
    assert load_article("CPT", "63650") is first


@pytest.mark.parametrize(
    ("code", "system"),
    [("63650", "CPT"), ("0001F", "CPT"), ("L8680", "HCPCS"), ("59", "MODIFIER"), ("xe", "MODIFIER"),
     ("Z99.89", None)],
)  # fmt: skip
def test_system_for_code_reads_the_shape_of_a_code(code, system):
    assert system_for_code(code) == system


def test_nested_list_items_in_shipped_articles_are_indented_four_spaces():
    # Python-Markdown needs four spaces to nest a list; two spaces silently flattens it.
    for path in SHIPPED_FILES:
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        for number, line in enumerate(body.splitlines(), start=1):
            assert not line.startswith(("  - ", "  * ")), f"{path.name}: body line {number}"
