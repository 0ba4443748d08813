import pytest

from medcode.rules.pfs import (
    PFS_STATUS_MESSAGES,
    PFS_STATUS_T_WITH_OTHERS,
    check_pfs_status,
)
from medcode.rules.tests.builders import SOURCES, claim, fee, line, tables


@pytest.mark.parametrize(
    ("status", "severity"),
    [
        pytest.param("A", None, id="A-active"),
        pytest.param("B", "warning", id="B-bundled"),
        pytest.param("C", None, id="C-contractor-priced"),
        pytest.param("D", "warning", id="D-deleted-with-grace-period"),
        pytest.param("E", "warning", id="E-excluded-by-regulation"),
        pytest.param("F", "error", id="F-deleted-without-grace-period"),
        pytest.param("G", "error", id="G-not-valid-alternate-code"),
        pytest.param("I", "error", id="I-not-valid-another-code"),
        pytest.param("J", None, id="J-anesthesia"),
        pytest.param("M", "info", id="M-measurement"),
        pytest.param("N", "warning", id="N-non-covered"),
        pytest.param("P", "warning", id="P-bundled-or-excluded"),
        pytest.param("R", "info", id="R-restricted-coverage"),
        pytest.param("T", None, id="T-alone-on-its-date"),
        pytest.param("X", "info", id="X-statutory-exclusion"),
    ],
)
def test_it_reports_what_the_pfs_status_code_means(status, severity):
    findings = check_pfs_status(claim(line(1, "A4550")), tables(fees=[fee("A4550", status=status)]))

    assert [f.severity for f in findings] == ([severity] if severity else [])
    assert all(f.rule == "pfs_status" and f.source == SOURCES["pfs"] for f in findings)


@pytest.mark.parametrize("status", sorted(PFS_STATUS_MESSAGES))
def test_it_words_each_status_from_its_template(status):
    findings = check_pfs_status(claim(line(3, "A4550")), tables(fees=[fee("A4550", status=status)]))
    severity, message, fix = PFS_STATUS_MESSAGES[status]
    words = {"code": "A4550", "modifier": "", "line": "line 3", "dos": "2024-07-15"}

    assert [(f.severity, f.message, f.fix) for f in findings] == [
        (severity, message.format(**words), fix.format(**words) if fix else None)
    ]


def test_it_says_a_bundled_code_is_never_separately_paid():
    [finding] = check_pfs_status(claim(line(1, "99070")), tables(fees=[fee("99070", status="B")]))

    assert "never pays it separately" in finding.message


def test_it_bundles_a_status_t_code_when_another_pfs_service_is_on_the_same_date():
    fees = [fee("96372", status="T"), fee("99213", status="A")]
    [finding] = check_pfs_status(claim(line(1, "96372"), line(2, "99213")), tables(fees=fees))

    assert finding.severity == "warning"
    assert finding.lines == (1, 2)
    assert finding.message == PFS_STATUS_T_WITH_OTHERS.format(
        code="96372", line="line 1", others="99213 (line 2)", dos="2024-07-15"
    )


def test_it_reads_the_status_of_the_modifier_row_when_the_line_has_26():
    fees = [fee("93010", status="A"), fee("93010", "26", status="H")]
    [finding] = check_pfs_status(claim(line(1, "93010", "26")), tables(fees=fees))

    assert finding.severity == "error"
    assert finding.message.startswith("93010-26 (line 1) has PFS status H")


def test_it_finds_nothing_for_a_code_not_in_the_fee_schedule():
    assert check_pfs_status(claim(line(1, "A4550")), tables()) == []
