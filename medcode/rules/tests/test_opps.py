"""OPPS pricing of an outpatient hospital claim: rates, packaging by status indicator, the SI T
multiple procedure reduction and the comprehensive (J1) line, over fixture Addendum B rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from medcode.rules.claim import ClaimLine
from medcode.rules.opps import OppsRate, price_opps
from medcode.rules.payment import LinePayment
from medcode.rules.tests.builders import claim, line

SOURCE = "OPPS Addendum B 2026 April, effective 2026-04-01"
DAY = date(2026, 5, 4)
OTHER_DAY = date(2026, 5, 5)

RATES = {
    code: OppsRate(code, si, None if rate is None else Decimal(rate))
    for code, si, rate in (
        ("J1A", "J1", "3342.87"),
        ("J1B", "J1", "13116.76"),
        ("TBIG", "T", "1000.00"),
        ("TSML", "T", "333.33"),
        ("SPRC", "S", "217.31"),
        ("VIS1", "V", "100.00"),
        ("ED4", "J2", "426.30"),
        ("OBS", "N", None),
        ("PKG", "N", None),
        ("Q1X", "Q1", "60.27"),
        ("Q2X", "Q2", "45.55"),
        ("Q3X", "Q3", "88.91"),
        ("Q3Y", "Q3", "243.77"),
        ("LAB", "Q4", None),
        ("DRG", "K", "1.25"),
        ("PTD", "G", "10.00"),
        ("BLD", "R", "50.00"),
        ("CLFS", "A", None),
        ("INPT", "C", None),
        ("DME", "Y", None),
        ("NEW", "K1", "0.34"),
    )
}
RATES["G0378"] = OppsRate("G0378", "N", None)


def price(*lines: ClaimLine) -> dict[int, LinePayment]:
    return {
        p.line: p for p in price_opps(claim(*lines), RATES, release="2026 April", source=SOURCE)
    }


def at(number: int, code: str, units: int = 1, dos: date = DAY) -> ClaimLine:
    return line(number, code, units=units, dos=dos, pos="22")


def test_a_separately_paid_line_is_the_rate_times_the_units() -> None:
    paid = price(at(1, "SPRC"), at(2, "DRG", units=7))
    assert paid[1].status == "priced" and paid[1].amount == Decimal("217.31")
    assert paid[2].amount == Decimal("8.75")  # 1.25 x 7
    assert paid[1].status_indicator == "S" and paid[1].schedule == "opps"
    assert paid[1].source == SOURCE and "2026 April" in paid[1].formula


def test_n_is_always_packaged() -> None:
    paid = price(at(1, "PKG"))
    assert paid[1].status == "packaged" and paid[1].amount == Decimal("0.00")
    assert "SI N" in paid[1].reason


def test_q1_is_packaged_with_an_s_t_or_v_service_of_the_claim_else_paid() -> None:
    with_s = price(at(1, "SPRC"), at(2, "Q1X"))
    assert with_s[2].status == "packaged" and with_s[2].packaged_into == (1,)
    with_v = price(at(1, "VIS1"), at(2, "Q1X"))
    assert with_v[2].status == "packaged"
    # Addendum D1 packages Q1 at the claim level (since CY 2017), not per date of service.
    other_day = price(at(1, "SPRC", dos=OTHER_DAY), at(2, "Q1X"))
    assert other_day[2].status == "packaged" and other_day[2].packaged_into == (1,)
    assert "on the claim" in other_day[2].reason
    alone = price(at(1, "Q1X"))
    assert alone[1].amount == Decimal("60.27") and "no SI S, T or V" in alone[1].reason


def test_q2_is_packaged_only_with_a_t_service() -> None:
    assert price(at(1, "TBIG"), at(2, "Q2X"))[2].status == "packaged"
    with_s = price(at(1, "SPRC"), at(2, "Q2X"))
    assert with_s[2].status == "priced" and with_s[2].amount == Decimal("45.55")
    other_day = price(at(1, "TBIG", dos=OTHER_DAY), at(2, "Q2X"))
    assert other_day[2].status == "packaged" and other_day[2].packaged_into == (1,)


def test_q3_alone_is_paid_and_q3_pairs_are_left_undecided() -> None:
    alone = price(at(1, "Q3X"))
    assert alone[1].status == "priced" and alone[1].amount == Decimal("88.91")
    pair = price(at(1, "Q3X"), at(2, "Q3Y"))
    assert pair[1].status == "not_priced" and pair[1].amount is None
    assert "composite APC" in pair[1].reason and "line 2 (Q3Y)" in pair[1].reason
    assert price(at(1, "Q3X", units=2))[1].status == "not_priced"


def test_q4_is_packaged_with_a_packaging_service_else_left_to_the_lab_fee_schedule() -> None:
    assert price(at(1, "SPRC"), at(2, "LAB"))[2].status == "packaged"
    alone = price(at(1, "LAB"))
    assert alone[1].status == "not_priced" and "Clinical Laboratory Fee Schedule" in alone[1].reason


def test_t_services_of_a_date_take_the_multiple_procedure_reduction() -> None:
    paid = price(at(1, "TSML"), at(2, "TBIG", units=2), at(3, "TSML", dos=OTHER_DAY))
    # The date's highest T rate (line 2) first at 100%, its second unit and line 1 at 50%.
    assert paid[2].amount == Decimal("1500.00")  # 1000 + 500
    assert paid[1].amount == Decimal("166.67")  # 333.33 x 50%, rounded half up
    assert paid[1].adjustments[0].rule == "multiple_procedure"
    assert paid[1].adjustments[0].percent == Decimal(50)
    assert paid[3].amount == Decimal("333.33")  # alone on its date: 100%
    assert not paid[3].adjustments


def test_a_j1_line_packages_the_other_lines_of_the_claim_except_the_excluded_sis() -> None:
    paid = price(
        at(1, "TBIG"),
        at(2, "J1A", units=2),
        at(3, "Q1X", dos=OTHER_DAY),
        at(4, "PTD"),
        at(5, "BLD"),
        at(6, "CLFS"),
        at(7, "DRG"),
    )
    assert paid[2].status == "priced" and paid[2].amount == Decimal("3342.87")  # once a claim
    assert "once a claim" in paid[2].reason
    for number in (1, 3, 7):  # T, Q1 of another date, K: packaged into the J1 line
        assert paid[number].status == "packaged" and paid[number].packaged_into == (2,)
        assert paid[number].amount == Decimal("0.00")
    assert paid[4].status == "priced" and paid[4].amount == Decimal("10.00")  # G: excluded
    assert paid[5].status == "not_priced" and "not in the loaded data" in paid[5].reason  # R
    assert paid[6].status == "not_priced" and "other than the OPPS" in paid[6].reason  # A


def test_of_several_j1_lines_the_highest_rate_is_primary() -> None:
    paid = price(at(1, "J1A"), at(2, "J1B"))
    assert paid[2].amount == Decimal("13116.76") and "highest rate" in paid[2].reason
    assert paid[1].status == "packaged" and paid[1].packaged_into == (2,)


def test_j2_with_eight_hours_of_observation_and_no_t_is_left_to_the_observation_apc() -> None:
    observed = price(at(1, "ED4"), at(2, "G0378", units=8))
    assert observed[1].status == "not_priced" and "observation" in observed[1].reason
    assert observed[2].status == "packaged"
    short = price(at(1, "ED4"), at(2, "G0378", units=7))
    assert short[1].status == "priced" and short[1].amount == Decimal("426.30")
    with_t = price(at(1, "ED4"), at(2, "G0378", units=12), at(3, "TSML"))
    assert with_t[1].status == "priced"
    with_j1 = price(at(1, "ED4"), at(2, "J1A"))
    assert with_j1[1].status == "packaged" and with_j1[1].packaged_into == (2,)


def test_sis_outside_the_opps_say_so_and_unknown_codes_are_not_priced() -> None:
    paid = price(at(1, "INPT"), at(2, "DME"), at(3, "ZZZZZ"), at(4, "SPRC", units=0))
    assert paid[1].status == "no_payment" and paid[1].amount == Decimal("0.00")
    assert "inpatient-only" in paid[1].reason
    assert paid[2].status == "not_priced" and "DMEPOS" in paid[2].reason
    assert paid[3].status == "not_priced" and "No Addendum B row for ZZZZZ" in paid[3].reason
    assert paid[4].status == "no_payment"


def test_a_date_without_an_addendum_b_of_its_year_is_not_priced() -> None:
    lines = claim(at(1, "SPRC", dos=date(2025, 5, 1)), at(2, "SPRC"))
    paid = price_opps(
        lines,
        RATES,
        release="2026 April",
        source=SOURCE,
        unavailable=lambda on: "no 2025 file" if on.year == 2025 else "",
    )
    assert paid[0].status == "not_priced" and paid[0].reason == "no 2025 file"
    assert paid[1].amount == Decimal("217.31")
