import pytest

from medcode.rules.check import check_claim
from medcode.rules.nonpayment import (
    FACILITY_NA,
    HCPCS_COVERAGE_MESSAGES,
    HCPCS_ONLY_PRICING_00,
    HCPCS_PRICING_00,
    NONFACILITY_NA,
    PFS_NOT_USED,
    check_hcpcs_coverage,
    check_pfs_not_used,
    check_place_of_service,
    nonpayment_reason,
)
from medcode.rules.pfs import PFS_STATUS_I_MEDICARE_CODE, check_pfs_status
from medcode.rules.tests.builders import (
    HCPCS_SOURCE,
    SOURCES,
    claim,
    fee,
    hcpcs,
    line,
    tables,
)

# --- HCPCS coverage code and pricing indicator (HCPCS record layout, fields 16 and 9) ----------


@pytest.mark.parametrize(
    ("coverage", "pricing", "severity"),
    [
        pytest.param("C", ("46",), None, id="C-carrier-judgment-is-priced"),
        pytest.param("D", ("46",), "info", id="D-special-coverage-instructions"),
        pytest.param("I", ("00",), "error", id="I-not-payable-by-medicare"),
        pytest.param("M", ("00",), "warning", id="M-non-covered-by-medicare"),
        pytest.param("S", ("00",), "warning", id="S-non-covered-by-statute"),
        pytest.param("C", ("00",), "warning", id="pricing-00-not-separately-priced"),
        pytest.param("C", ("00", "46"), None, id="00-beside-another-pricing-code"),
    ],
)
def test_it_reads_what_the_hcpcs_file_says_about_medicare_payment(coverage, pricing, severity):
    found = check_hcpcs_coverage(
        claim(line(1, "L8680")), tables(hcpcs=[hcpcs("L8680", coverage, *pricing)])
    )

    assert [f.severity for f in found] == ([severity] if severity else [])
    assert all(f.rule == "hcpcs_coverage" and f.source == HCPCS_SOURCE for f in found)


def test_a_code_not_payable_by_medicare_says_so_with_its_pricing_indicator_00():
    [finding] = check_hcpcs_coverage(
        claim(line(1, "L8680", units=2)), tables(hcpcs=[hcpcs("L8680", "I", "00")])
    )
    _, message, _ = HCPCS_COVERAGE_MESSAGES["I"]

    assert finding.message == message.format(code="L8680", line="line 1", pricing=HCPCS_PRICING_00)
    assert finding.fix is not None and finding.fix.startswith("Remove L8680 from the Medicare")


def test_a_code_only_unpriced_gets_the_pricing_message():
    [finding] = check_hcpcs_coverage(
        claim(line(2, "A4649")), tables(hcpcs=[hcpcs("A4649", "C", "00")])
    )

    assert finding.message == HCPCS_ONLY_PRICING_00.format(code="A4649", line="line 2")


def test_cpt_codes_and_unlisted_codes_are_not_judged_by_the_hcpcs_file():
    assert check_hcpcs_coverage(claim(line(1, "99213")), tables()) == []


# --- PFS "not used for Medicare payment" --------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "not_used", "expected"),
    [
        pytest.param("A", True, True, id="active-but-flagged"),
        pytest.param("R", True, True, id="restricted-and-flagged"),
        pytest.param("A", False, False, id="active-not-flagged"),
        pytest.param("N", True, False, id="status-N-already-said-by-pfs-status"),
        pytest.param("I", True, False, id="status-I-already-said-by-pfs-status"),
    ],
)
def test_it_reports_the_not_used_for_medicare_flag_when_the_status_does_not(
    status, not_used, expected
):
    found = check_pfs_not_used(
        claim(line(1, "99999")), tables(fees=[fee("99999", status=status, not_used=not_used)])
    )

    assert [f.message for f in found] == (
        [PFS_NOT_USED.format(code="99999", line="line 1", status=status)] if expected else []
    )
    assert all(f.source == SOURCES["pfs"] for f in found)


@pytest.mark.parametrize(
    ("status", "not_used", "pays"),
    [
        ("A", False, True),
        ("R", False, True),
        ("T", False, True),
        ("A", True, False),
        ("B", False, False),
        ("E", False, False),
        ("I", True, False),
        ("M", False, False),
        ("N", True, False),
        ("P", False, False),
        ("X", False, False),
    ],
)
def test_nonpayment_reason_is_given_exactly_when_medicare_pays_nothing(status, not_used, pays):
    reason = nonpayment_reason(status, not_used_for_medicare=not_used)

    assert (reason is None) == pays
    if reason is not None and status != "A":
        assert reason.startswith(f"PFS status {status}")


# --- NA indicators against the place of service -----------------------------------------------


@pytest.mark.parametrize(
    ("pos", "nonfac_na", "facility_na", "expected"),
    [
        pytest.param("11", True, False, NONFACILITY_NA, id="office-with-nonfacility-NA"),
        pytest.param("12", True, False, NONFACILITY_NA, id="home-with-nonfacility-NA"),
        pytest.param("22", True, False, None, id="outpatient-hospital-with-nonfacility-NA"),
        pytest.param("24", True, False, None, id="asc-with-nonfacility-NA"),
        pytest.param("21", False, True, FACILITY_NA, id="inpatient-with-facility-NA"),
        pytest.param("11", False, True, None, id="office-with-facility-NA"),
        pytest.param("11", False, False, None, id="office-priced-in-both"),
        pytest.param(None, True, False, None, id="no-place-of-service"),
    ],
)
def test_it_compares_the_na_indicators_with_the_place_of_service(
    pos, nonfac_na, facility_na, expected
):
    row = fee("63685", global_days="090", nonfac_na=nonfac_na, facility_na=facility_na)
    found = check_place_of_service(claim(line(1, "63685", pos=pos)), tables(fees=[row]))

    assert [f.message for f in found] == (
        [expected.format(code="63685", line="line 1", pos=pos)] if expected else []
    )
    assert all(f.rule == "place_of_service" and f.source == SOURCES["pfs"] for f in found)


def test_a_code_medicare_never_pays_gets_no_place_of_service_finding_beside_its_status():
    row = fee("99999", status="N", nonfac_na=True)

    assert check_place_of_service(claim(line(1, "99999")), tables(fees=[row])) == []


# --- status I with the code Medicare uses -----------------------------------------------------


def test_a_status_i_code_with_a_known_medicare_code_names_it_in_the_fix():
    fees = [fee("99417", status="I", not_used=True), fee("99215")]
    found = check_pfs_status(
        claim(line(1, "99215"), line(2, "99417")), tables(fees=fees, codes=["G2212"])
    )

    [finding] = found
    assert finding.message == PFS_STATUS_I_MEDICARE_CODE.format(
        code="99417", line="line 2", medicare_code="G2212"
    )
    assert finding.fix is not None and finding.fix.startswith("Replace 99417 with G2212")


def test_the_medicare_code_is_not_named_when_it_is_not_valid_on_the_date():
    [finding] = check_pfs_status(claim(line(1, "99417")), tables(fees=[fee("99417", status="I")]))

    assert "G2212" not in finding.message and "G2212" not in (finding.fix or "")


def test_the_whole_check_runs_the_new_rules():
    t = tables(
        fees=[fee("63685", global_days="090", nonfac_na=True)],
        hcpcs=[hcpcs("L8680", "I", "00")],
        codes=["63685", "L8680"],
    )
    found = check_claim(claim(line(1, "63685"), line(2, "L8680", units=2)), t)

    assert {(f.rule, f.lines) for f in found} >= {
        ("place_of_service", (1,)),
        ("hcpcs_coverage", (2,)),
    }
