"""medcode's CPT titles file: the loader's validation, and a checker over the shipped content."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from medcode.content import cpt_titles
from medcode.content.cpt_titles import (
    COLUMNS,
    CPT_TITLES_FILE,
    CptTitlesError,
    parse_cpt_titles,
)

HEADER = ",".join(COLUMNS)
SAMPLE = Path(__file__).resolve().parent / "data" / "cpt_titles_sample.csv"
GOOD = '27130,Total hip replacement,"Both sides of the hip joint are replaced.",reviewed,team'


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cpt_titles.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        (("code,title,summary", GOOD), 1, cpt_titles.BAD_HEADER),
        ((HEADER, "27130,Total hip replacement,Words,reviewed"), 2, "expected 5 fields, found 4"),
        ((HEADER, "2713,A title,Words,reviewed,team"), 2, "code '2713' is not a CPT code"),
        ((HEADER, "J1100,A title,Words,reviewed,team"), 2, "code 'J1100' is not a CPT code"),
        ((HEADER, "27130, ,Words,reviewed,team"), 2, "code 27130: title is empty"),
        ((HEADER, "27130,A title,,reviewed,team"), 2, "code 27130: summary is empty"),
        ((HEADER, "27130,A title,Words,approved,team"), 2, "code 27130: status must be one of"),
        ((HEADER, "27130,A title,Words,reviewed,"), 2, "code 27130: a reviewed row names who"),
        ((HEADER, GOOD, GOOD.replace("hip replacement", "hip")), 3, "code 27130 appears twice"),
        (
            (HEADER, GOOD, GOOD.replace("27130", "27447")),
            3,
            "code 27447: the title 'Total hip replacement' is already used by 27130",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_line_and_the_problem(
    tmp_path: Path, lines: tuple[str, ...], line: int, message: str
) -> None:
    path = write(tmp_path, *lines)
    with pytest.raises(CptTitlesError) as info:
        parse_cpt_titles(path)
    assert info.value.line == line
    assert message in info.value.message
    assert str(path) in str(info.value)


def test_only_reviewed_rows_are_shown(tmp_path: Path, settings: Any) -> None:
    draft = GOOD.replace("27130", "27447").replace("hip", "knee").replace("reviewed", "draft")
    settings.MEDCODE_CPT_TITLES_FILE = str(write(tmp_path, HEADER, GOOD, draft))
    cpt_titles.clear_cache()
    assert cpt_titles.cpt_title("27130") is not None
    assert cpt_titles.cpt_title("27130").title == "Total hip replacement"  # type: ignore[union-attr]
    assert cpt_titles.cpt_title("27447") is None


def test_an_invalid_file_shows_no_titles_and_says_why_in_the_log(
    tmp_path: Path, settings: Any, caplog: Any
) -> None:
    settings.MEDCODE_CPT_TITLES_FILE = str(write(tmp_path, HEADER, GOOD, GOOD))
    cpt_titles.clear_cache()
    assert cpt_titles.reviewed_cpt_titles() == {}
    assert "appears twice" in caplog.text


def test_the_test_sample_is_valid() -> None:
    rows = parse_cpt_titles(SAMPLE)
    assert len(rows) == 10 and all(r.status == "reviewed" for r in rows)


# ------------------------------------------------------------- the shipped content


@pytest.fixture(scope="module")
def shipped() -> list[cpt_titles.CptTitle]:
    return parse_cpt_titles(CPT_TITLES_FILE)


def test_the_shipped_file_parses_with_unique_cpt_codes_and_titles(
    shipped: list[cpt_titles.CptTitle],
) -> None:
    """parse_cpt_titles refuses duplicates, bad shapes and empty fields; checked again here."""
    assert shipped, f"{CPT_TITLES_FILE} has no rows"
    codes = [r.code for r in shipped]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"\d{4}[0-9FTU]", c) for c in codes)
    titles = [r.title.lower() for r in shipped]
    assert len(titles) == len(set(titles))
    assert all(r.summary.strip() and r.title.strip() for r in shipped)


def test_every_shipped_row_is_reviewed_by_someone(shipped: list[cpt_titles.CptTitle]) -> None:
    unreviewed = [r.code for r in shipped if r.status != "reviewed" or not r.reviewed_by]
    assert unreviewed == []


def test_every_shipped_title_is_short_and_its_summary_a_paragraph(
    shipped: list[cpt_titles.CptTitle],
) -> None:
    long_titles = [r.code for r in shipped if not 2 <= len(r.title.split()) <= 16]
    assert long_titles == []
    bad_summaries = [r.code for r in shipped if r.summary == r.title or len(r.summary) > 700]
    assert bad_summaries == []


def _pfs_facts(data: Path) -> dict[str, tuple[str, str]]:
    """code -> (status, global days) from every PFS relative value file in the data folder
    and the 2026 incoming folder beside it (a newer file wins)."""
    from medcode.codes.importers.pfs import parse_rvu

    files = sorted(data.glob("pfs_rvu_*.csv*"))
    incoming = data.parent / "incoming" / "2026"
    files += sorted(incoming.glob("PPRRVU*.csv*")) if incoming.is_dir() else []
    facts: dict[str, tuple[str, str]] = {}
    for path in files:
        for fee, _ in parse_rvu(path):
            code, modifier, status = str(fee[0]), str(fee[1]), str(fee[2])
            if not modifier:
                facts[code] = (status, _global_days(fee))
    return facts


def _global_days(fee: tuple[object, ...]) -> str:
    from medcode.codes.importers.pfs import FEE_FIELDS

    return str(fee[FEE_FIELDS.index("global_days")])


def test_every_shipped_code_is_in_the_fee_schedule_and_its_global_period_agrees(
    shipped: list[cpt_titles.CptTitle], shared_data_dir: Path
) -> None:
    facts = _pfs_facts(shared_data_dir)
    assert facts, f"no PFS relative value file in {shared_data_dir}"
    missing = [r.code for r in shipped if r.code not in facts]
    assert missing == [], f"not in any loaded PFS file: {missing[:30]}"
    wrong: list[str] = []
    for r in shipped:
        days = facts[r.code][1]
        said = re.search(r"\b(0|10|90)-day global", r.summary)
        if said and days != said.group(1).zfill(3):
            wrong.append(f"{r.code}: says {said.group(0)}, PFS {days}")
        # ZZZ: reported only with a primary service; the summary must say so.
        if days == "ZZZ" and not re.search(r"add-on|primary", r.summary, re.IGNORECASE):
            wrong.append(f"{r.code}: an add-on (ZZZ) the summary does not say needs a primary")
    assert wrong == []


# Marks of the AMA descriptors' own style that plain writing does not produce: the
# "(separate procedure)" designation, "(eg, ...)" without periods, the add-on formula, and the
# semicolon that joins a parent descriptor to its indented child.
AMA_MARKS = (
    re.compile(r"\(separate procedure\)", re.IGNORECASE),
    re.compile(r"\(eg,", re.IGNORECASE),
    re.compile(r"list separately in addition to code for primary", re.IGNORECASE),
)


def test_no_shipped_row_carries_the_marks_of_ama_descriptor_text(
    shipped: list[cpt_titles.CptTitle],
) -> None:
    marked = [
        r.code
        for r in shipped
        if ";" in r.title or any(m.search(f"{r.title} {r.summary}") for m in AMA_MARKS)
    ]
    assert marked == [], f"rewrite these in our own words: {marked}"


@pytest.mark.parametrize(
    "row",
    [
        "94690,Oxygen uptake at rest,Indirect measurement at rest (separate procedure).",
        "99999,Office visit; new patient,A visit.",
        "99998,A visit,A visit (eg, a short one).",
    ],
)
def test_the_ama_marks_check_catches_descriptor_style(row: str) -> None:
    code, title, summary = row.split(",", 2)
    item = cpt_titles.CptTitle(code, title, summary, "reviewed", "x")
    assert ";" in item.title or any(m.search(f"{item.title} {item.summary}") for m in AMA_MARKS)
