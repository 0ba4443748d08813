"""Expected PFS payment per line: the fee, then the adjustments the PFS indicators call for.

Fees are built with a conversion factor of 10 so each amount can be checked by eye:
work 10 + PE 5 (facility) or 10 (non-facility) + MP 0 gives 150.00 in a facility, 200.00 in
an office.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medcode.rules.claim import ClaimLine
from medcode.rules.payment import (
    NATIONAL,
    ClaimPayment,
    Gpci,
    PricingPlace,
    limiting_charge,
    locality_amount,
    non_participating,
    price_claim,
)
from medcode.rules.tables import FeeIndicators, Rvus
from medcode.rules.tests.builders import DOS, claim, fee, line, rvus, tables

FACILITY = "22"
OFFICE = "11"
NATIONAL_PLACE = PricingPlace()


def rvu(work: str, facility_pe: str = "0", nonfac_pe: str | None = None) -> Rvus:
    return rvus(work, nonfac_pe or facility_pe, facility_pe, "0", "10")


def price(
    *lines: ClaimLine, fees: list[FeeIndicators], place: PricingPlace = NATIONAL_PLACE
) -> ClaimPayment:
    return price_claim(
        claim(*lines), tables(fees=fees), place_for=lambda _: place, release="RVU24C"
    )


def amounts(payment: ClaimPayment) -> dict[int, Decimal | None]:
    return {p.line: p.amount for p in payment.lines}


def test_the_fee_uses_the_facility_pe_at_a_facility_and_the_office_pe_elsewhere():
    fees = [fee("11111", rvus=rvu("10", facility_pe="5", nonfac_pe="10"))]

    payment = price(line(1, "11111", pos=FACILITY), line(2, "11111", pos=OFFICE), fees=fees)

    assert amounts(payment) == {1: Decimal("150.00"), 2: Decimal("200.00")}
    assert [p.setting for p in payment.lines] == ["facility", "non_facility"]
    assert payment.total == Decimal("350.00")
    assert payment.is_complete


def test_a_line_without_a_place_of_service_is_priced_at_the_office_rate_and_says_so():
    fees = [fee("11111", rvus=rvu("10", facility_pe="5", nonfac_pe="10"))]

    [paid] = price(line(1, "11111", pos=None), fees=fees).lines

    assert paid.amount == Decimal("200.00")
    assert "no place of service given" in paid.formula


def test_the_locality_gpcis_weight_each_rvu():
    gpci = Gpci("13202", "01", "NY", "MANHATTAN", Decimal("1.1"), Decimal("1.2"), Decimal("2"))
    fees = [fee("11111", rvus=rvus("1.00", "2.00", "1.00", "0.50", "10"))]

    [paid] = price(
        line(1, "11111", pos=OFFICE), fees=fees, place=PricingPlace(gpci, "GPCI 2025")
    ).lines

    assert paid.amount == Decimal("45.00")  # (1.1 + 2.4 + 1.0) x 10
    assert "MANHATTAN, 13202-01" in paid.formula


def test_units_multiply_the_fee_when_no_reduction_applies():
    fees = [fee("11111", mult=0, rvus=rvu("10", "5"))]

    [paid] = price(line(1, "11111", units=3, pos=FACILITY), fees=fees).lines

    assert paid.amount == Decimal("450.00")
    assert paid.adjustments == ()


def test_the_standard_multiple_procedure_reduction_ranks_by_fee():
    fees = [
        fee("10001", mult=2, rvus=rvu("10")),  # 100.00
        fee("10003", mult=2, rvus=rvu("30")),  # 300.00
        fee("10002", mult=2, rvus=rvu("20")),  # 200.00
        fee("99214", mult=0, rvus=rvu("5")),  # 50.00, not in the ranking
    ]

    payment = price(
        line(1, "10001", pos=FACILITY),
        line(2, "10003", pos=FACILITY),
        line(3, "10002", pos=FACILITY),
        line(4, "99214", "57", pos=FACILITY),
        fees=fees,
    )

    assert amounts(payment) == {
        1: Decimal("50.00"),
        2: Decimal("300.00"),
        3: Decimal("100.00"),
        4: Decimal("50.00"),
    }
    assert payment.total == Decimal("500.00")
    [first] = payment.lines[1].adjustments
    assert (first.indicator, first.percent) == ("MULT PROC 2", Decimal(100))
    assert "RVU24C" in first.message
    assert payment.lines[3].adjustments == ()


def test_past_the_fifth_procedure_the_reduction_is_by_report_so_the_total_is_incomplete():
    fees = [fee(f"1000{n}", mult=2, rvus=rvu(str(10 - n))) for n in range(6)]
    lines = [line(n + 1, f"1000{n}", pos=FACILITY) for n in range(6)]

    payment = price(*lines, fees=fees)

    assert amounts(payment)[1] == Decimal("100.00")
    assert amounts(payment)[2] == Decimal("45.00")  # 90.00 at 50%
    assert amounts(payment)[6] is None
    assert "by report" in payment.lines[5].reason
    assert not payment.is_complete


def test_units_of_one_code_are_ranked_as_separate_procedures():
    fees = [fee("10001", mult=2, rvus=rvu("10"))]

    [paid] = price(line(1, "10001", units=3, pos=FACILITY), fees=fees).lines

    assert paid.amount == Decimal("200.00")  # 100 + 50 + 50


def test_modifier_50_with_bilateral_indicator_1_pays_150_percent_before_the_ranking():
    fees = [
        fee("20001", mult=2, bilateral=1, rvus=rvu("10")),  # 100.00, bilateral 150.00
        fee("20002", mult=2, bilateral=0, rvus=rvu("12")),  # 120.00
    ]

    payment = price(line(1, "20002", pos=FACILITY), line(2, "20001", "50", pos=FACILITY), fees=fees)

    # The bilateral procedure (150.00) ranks first; 20002 is second at 50%.
    assert amounts(payment) == {1: Decimal("60.00"), 2: Decimal("150.00")}
    bilateral = payment.lines[1].adjustments[0]
    assert (bilateral.rule, bilateral.indicator, bilateral.percent) == (
        "bilateral",
        "BILAT SURG 1",
        Decimal(150),
    )


def test_rt_and_lt_lines_of_a_bilateral_indicator_1_code_are_one_bilateral_procedure():
    fees = [fee("20001", mult=2, bilateral=1, rvus=rvu("10"))]

    payment = price(
        line(1, "20001", "RT", pos=FACILITY), line(2, "20001", "LT", pos=FACILITY), fees=fees
    )

    assert amounts(payment) == {1: Decimal("100.00"), 2: Decimal("50.00")}
    assert "line 2 (20001-LT)" in payment.lines[0].adjustments[0].message


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        (0, Decimal("100.00")),
        (2, Decimal("100.00")),
        (3, Decimal("200.00")),
        (9, Decimal("100.00")),
    ],
)
def test_modifier_50_pays_what_the_bilateral_indicator_says(indicator, expected):
    fees = [fee("20001", bilateral=indicator, rvus=rvu("10"))]

    [paid] = price(line(1, "20001", "50", pos=FACILITY), fees=fees).lines

    assert paid.amount == expected
    assert paid.adjustments[0].indicator == f"BILAT SURG {indicator}"


@pytest.mark.parametrize(
    ("modifier", "indicators", "amount", "status", "column"),
    [
        ("80", {"assistant": 1}, Decimal("0.00"), "no_payment", "ASST SURG 1"),
        ("AS", {"assistant": 2}, None, "not_priced", "ASST SURG 2"),
        ("82", {"assistant": 0}, None, "not_priced", "ASST SURG 0"),
        ("62", {"cosurgeon": 0}, Decimal("0.00"), "no_payment", "CO-SURG 0"),
        ("62", {"cosurgeon": 2}, None, "not_priced", "CO-SURG 2"),
        ("66", {"team": 0}, Decimal("0.00"), "no_payment", "TEAM SURG 0"),
        ("66", {"team": 1}, None, "not_priced", "TEAM SURG 1"),
    ],
)
def test_surgeon_modifiers_are_unpaid_or_left_unpriced_as_their_indicator_says(
    modifier, indicators, amount, status, column
):
    fees = [fee("30001", mult=2, rvus=rvu("10"), **indicators)]

    payment = price(line(1, "30001", modifier, pos=FACILITY), fees=fees)
    [paid] = payment.lines

    assert (paid.amount, paid.status) == (amount, status)
    assert paid.adjustments[0].indicator == column
    assert payment.is_complete is (amount is not None)


def test_an_unpriced_share_is_said_not_invented():
    fees = [fee("30001", assistant=2, rvus=rvu("10"))]

    [paid] = price(line(1, "30001", "80", pos=FACILITY), fees=fees).lines

    assert paid.adjustments[0].percent is None
    assert "not given in the PFS layout" in paid.reason


def test_a_reduction_whose_percentages_the_layout_does_not_give_is_said_and_not_applied():
    fees = [fee("70001", mult=4, rvus=rvu("10")), fee("70002", mult=4, rvus=rvu("20"))]

    payment = price(line(1, "70001", pos=OFFICE), line(2, "70002", pos=OFFICE), fees=fees)

    assert amounts(payment) == {1: Decimal("100.00"), 2: Decimal("200.00")}
    assert payment.lines[0].adjustments[0].indicator == "MULT PROC 4"
    assert payment.lines[0].adjustments[0].percent is None
    assert not payment.is_complete


def test_a_standard_reduction_beside_an_endoscopy_is_said_not_applied_and_incomplete():
    # MULT PROC 2 procedures rank with the day's MULT PROC 1 and 3 procedures too; that combined
    # ranking is not applied, so the claim must not look complete.
    fees = [fee("40001", mult=2, rvus=rvu("20")), fee("40002", mult=3, rvus=rvu("10"))]

    payment = price(line(1, "40001", pos=OFFICE), line(2, "40002", pos=OFFICE), fees=fees)

    assert amounts(payment) == {1: Decimal("200.00"), 2: Decimal("100.00")}
    assert any("MULT PROC 1 or 3" in a.message for a in payment.lines[0].adjustments)
    assert not payment.is_complete
    alone = price(line(1, "40001", pos=OFFICE), line(2, "40001", pos=OFFICE), fees=fees[:1])
    assert alone.is_complete


@pytest.mark.parametrize(
    ("status", "amount", "kind", "says"),
    [
        ("B", Decimal("0.00"), "no_payment", "bundled"),
        ("N", Decimal("0.00"), "no_payment", "not covered"),
        ("X", None, "not_priced", "statutory exclusion"),
        ("C", None, "not_priced", "contractor prices"),
    ],
)
def test_statuses_without_a_pfs_amount(status, amount, kind, says):
    [paid] = price(line(1, "40001"), fees=[fee("40001", status=status, rvus=rvu("1"))]).lines

    assert (paid.amount, paid.status) == (amount, kind)
    assert says in paid.reason


def test_status_t_is_bundled_when_another_pfs_service_is_on_the_date():
    fees = [fee("96372", status="T", rvus=rvu("1")), fee("99214", rvus=rvu("5"))]

    alone = price(line(1, "96372", pos=OFFICE), fees=fees)
    together = price(line(1, "96372", pos=OFFICE), line(2, "99214", pos=OFFICE), fees=fees)

    assert amounts(alone) == {1: Decimal("10.00")}
    assert amounts(together)[1] == Decimal("0.00")
    assert "line 2" in together.lines[0].reason


def test_na_in_the_setting_gives_no_amount():
    fees = [fee("63685", nonfac_na=True, rvus=rvu("10"))]

    [paid] = price(line(1, "63685", pos=OFFICE), fees=fees).lines

    assert paid.amount is None
    assert "NA" in paid.reason


def test_a_date_without_a_pfs_of_its_year_is_not_priced():
    place = PricingPlace(unavailable="No PFS relative value file of 2026 is loaded.")

    payment = price(line(1, "11111"), fees=[fee("11111", rvus=rvu("1"))], place=place)

    assert amounts(payment) == {1: None}
    assert payment.lines[0].reason == place.unavailable
    assert not payment.is_complete


def test_the_formula_helpers_round_half_up():
    amount = locality_amount(work=1.0, pe=2.0, mp=0.5, gpci=NATIONAL, conv_factor=10)

    assert amount == Decimal("35.00")
    assert non_participating(Decimal("31.50")) == Decimal("29.93")
    assert limiting_charge(Decimal("31.50")) == Decimal("34.41")


def test_lines_on_other_dates_are_ranked_apart():
    fees = [fee("10001", mult=2, rvus=rvu("10"))]
    later = date(DOS.year, DOS.month, DOS.day + 1)

    payment = price(
        line(1, "10001", pos=FACILITY), line(2, "10001", pos=FACILITY, dos=later), fees=fees
    )

    assert amounts(payment) == {1: Decimal("100.00"), 2: Decimal("100.00")}
