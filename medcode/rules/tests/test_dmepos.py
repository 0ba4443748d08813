"""DMEPOS fees for a state: the line's modifiers pick the row, the state column the fee."""

from __future__ import annotations

from decimal import Decimal

from medcode.rules.claim import ClaimLine
from medcode.rules.dmepos import DmeposRow, pick_row, price_dme_line
from medcode.rules.payment import LinePayment
from medcode.rules.tests.builders import line

SOURCE = "DMEPOS fee schedule 2025 April, effective 2025-04-01"
CRUTCHES = (
    DmeposRow("E0114", ("NU",), "IN", {"tx_nr": 57.53, "tx_r": 0.0, "ny_nr": 61.45}),
    DmeposRow("E0114", ("RR",), "IN", {"tx_nr": 10.17, "tx_r": 0.0}),
    DmeposRow("E0114", ("UE",), "IN", {"tx_nr": 43.51, "tx_r": 0.0}),
)
BED = (
    DmeposRow("E0260", ("RR",), "CR", {"tx_nr": 70.89, "tx_r": 125.35}),
    DmeposRow("E0260", ("RR", "KU"), "CR", {"tx_nr": 80.0, "tx_r": 130.0}),
)


def price(
    the_line: ClaimLine,
    rows: tuple[DmeposRow, ...] = CRUTCHES,
    state: str | None = "TX",
    rural: bool = False,
) -> LinePayment:
    return price_dme_line(
        the_line, rows, state=state, rural=rural, release="2025 April", source=SOURCE
    )


def test_the_modifier_picks_the_row_and_the_state_the_fee() -> None:
    paid = price(line(1, "E0114", "NU", units=2))
    assert paid.status == "priced" and paid.amount == Decimal("115.06")
    assert paid.fee == Decimal("57.53") and paid.schedule == "dmepos"
    assert "E0114 NU, TX non-rural fee" in paid.formula and paid.source == SOURCE
    assert price(line(1, "E0114", "RR")).amount == Decimal("10.17")
    assert price(line(1, "E0114", "NU"), state="NY").amount == Decimal("61.45")


def test_the_row_naming_the_most_of_the_lines_modifiers_wins() -> None:
    row, _ = pick_row(BED, ["RR", "KU"])
    assert row is BED[1]
    row, _ = pick_row(BED, ["RR", "LT"])
    assert row is BED[0]
    assert price(line(1, "E0260", "RR", "KU"), BED, rural=True).amount == Decimal("130.00")


def test_no_picking_modifier_or_two_of_them_is_not_priced_with_the_choices() -> None:
    none = price(line(1, "E0114"))
    assert none.status == "not_priced" and "(NU, RR, UE)" in none.reason
    both = price(line(1, "E0114", "NU", "RR"))
    assert both.status == "not_priced" and "more than one" in both.reason


def test_no_state_no_column_and_no_rural_fee_are_said_not_guessed() -> None:
    assert "give the claim a state" in price(line(1, "E0114", "NU"), state=None).reason
    assert "no fee column for state PR" in price(line(1, "E0114", "NU"), state="PR").reason
    rural = price(line(1, "E0114", "NU"), rural=True)
    assert rural.status == "not_priced" and rural.amount is None
    assert "no rural fee" in rural.reason and "57.53" in rural.reason
