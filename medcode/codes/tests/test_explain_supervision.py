"""PFS physician supervision of diagnostic procedures: the meanings DATA_LAYOUTS.md gives."""

from __future__ import annotations

from medcode.codes.page import meanings as explain


def test_supervision_meanings_follow_the_layout_not_the_old_personal_reading() -> None:
    meanings = explain.SUPERVISION
    # 04 was corrected in DATA_LAYOUTS.md: no policy for a psychologist, else general.
    assert "otherwise general supervision" in meanings["04"]
    assert "Personal supervision" not in meanings["04"]
    # 06 is personal performance, not a supervision level.
    assert meanings["06"].startswith("Must be personally performed")
    # 05: DATA_LAYOUTS.md says "otherwise direct", public copies of the RVU layout "otherwise
    # general"; the meaning says only that a physician supervises otherwise.
    assert meanings["05"].startswith("Not subject to supervision when performed by a qualified")
    assert "physician's supervision" in meanings["05"]
    assert "on-line real-time contact" in meanings["22"]
    # Values the 2026 relative value file uses (6A, 7A) and 77 are explained.
    assert {"6A", "7A", "77"} <= set(meanings)
