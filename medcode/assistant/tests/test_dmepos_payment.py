"""CasePilot: 'What does Medicare pay for E0114 in Texas?' answered from the DMEPOS fee
schedule, each fee from the file's state column and cited; another year's file said so."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import pytest

from medcode.assistant.answer import answer_question
from medcode.assistant.handlers import dmepos_payment
from medcode.assistant.intent import understand
from medcode.codes.services import import_file


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("What does Medicare pay for E0114 in Texas?", "TX"),
        ("DMEPOS fee for E0601 rental in NY, rural?", "NY"),
        ("Medicare fee for K0001 in the state of New Mexico", "NM"),
        ("What does Medicare pay for E0114 in Manhattan?", None),
        ("What does Medicare pay for E0114 in IN?", "IN"),
    ],
)
def test_the_state_is_read_from_the_question(text: str, state: str | None) -> None:
    assert dmepos_payment.state_of(text) == state


@pytest.mark.parametrize(
    ("question", "scored"),
    [
        ("What does Medicare pay for E0114 in Texas?", True),
        ("What does Medicare pay for 99214 in Texas?", False),  # a CPT code: the PFS
        ("Is E0114 covered in Texas?", False),  # not a payment question
        ("What does Medicare pay for E0114?", False),  # no state
    ],
)
def test_only_a_level_ii_payment_question_naming_a_state_is_taken(
    question: str, scored: bool
) -> None:
    assert (dmepos_payment.score(understand(question)) > 0) is scored


@pytest.mark.fulldata
def test_e0114_in_texas_gives_each_rows_fee_from_the_file(db, shared_data_dir: Path) -> None:
    for name in ("hcpcs_level2_2024_07.csv.gz", "dmepos_fee_schedule_2025_04.csv.gz"):
        import_file(shared_data_dir / name)
    with gzip.open(shared_data_dir / "dmepos_fee_schedule_2025_04.csv.gz", "rt") as handle:
        rows = {r["mod"]: r for r in csv.DictReader(handle) if r["hcpcs"] == "E0114"}

    answer = answer_question(
        "What does Medicare pay for E0114 in Texas?", today=dt.date(2026, 12, 6)
    ).as_dict()

    assert answer["intent"] == "dmepos_payment"
    for mod in ("NU", "RR", "UE"):
        assert f"E0114 {mod} ${float(rows[mod]['tx_nr']):,.2f}" in answer["answer"]
    assert "No DMEPOS fee schedule of 2026 is loaded" in " ".join(answer["notices"])
    assert {f["citation"]["release"] for f in answer["facts"]} == {
        "DMEPOS fee schedule 2025 April (dmepos_fee_schedule_2025_04.csv.gz)"
    }
