"""CasePilot knowledge entries the second-pass review corrected (issue 21, item 6), each held
against the record layout or manual it cites."""

from __future__ import annotations

import datetime as dt

from medcode.assistant import knowledge


def _entry(slug: str) -> knowledge.Entry:
    found = knowledge.entry(slug)
    assert found is not None, slug
    return found


def _text(slug: str) -> str:
    found = _entry(slug)
    return " ".join((found.summary, *found.points))


def test_bilateral_indicator_2_and_3_read_as_the_rvu_layout_does() -> None:
    text = _text("bilateral-surgery")
    # 2: the values already assume both sides; reported for both, paid at most 100%.
    assert "modifier 50 is not used" not in text
    assert "values already assume a bilateral procedure" in text
    # 3: reported with 50 or for each side, each side up to 100%.
    assert "with modifier 50, or RT and LT" in text


def test_status_t_is_bundled_only_by_the_same_providers_services() -> None:
    assert "the same provider bills no other PFS service that day" in _text("pfs-indicators")


def test_a_ptp_edit_is_active_on_its_deletion_date() -> None:
    assert "a deletion date on or after that date" in _text("ncci-ptp")


def test_corrected_entries_carry_the_review_date() -> None:
    for slug in ("bilateral-surgery", "pfs-indicators", "ncci-ptp"):
        assert _entry(slug).reviewed == dt.date(2026, 12, 6)
