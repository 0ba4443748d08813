from datetime import date

import pytest

from medcode.rules.check import check_claim
from medcode.rules.tables import CONTRACTOR_DEFINED_PRIMARY, ClaimSetting, InMemoryTables, Span
from medcode.rules.tests.builders import (
    addon_edit,
    claim,
    diagnosis,
    fee,
    line,
    mue_limit,
    ptp_edit,
    tables,
)


def test_it_runs_every_rule_and_puts_errors_first_then_by_line():
    findings = check_claim(
        claim(
            line(1, "99214"),
            line(2, "11042"),
            line(3, "97597", units=3),
            line(4, "99070"),
            line(5, "11045", pointers=(2,)),
        ),
        tables(
            ptp=[ptp_edit("11042", "97597", "1")],
            mue=[mue_limit("97597", 1, 2)],
            addons=[addon_edit("11045", "11043")],
            fees=[fee("11042", global_days="000"), fee("99070", status="B"), fee("99214")],
            codes=["99214", "11042", "97597", "99070", "11045"],
            diagnoses=[diagnosis("M7989")],
        ),
    )

    assert [(f.severity, f.lines, f.rule) for f in findings] == [
        ("error", (1, 2), "global_surgery"),
        ("error", (2, 3), "ptp"),
        ("error", (3,), "mue"),
        ("error", (5,), "addon"),
        ("error", (5,), "dx_pointer"),
        ("warning", (4,), "pfs_status"),
    ]


def test_it_finds_nothing_on_a_clean_claim():
    findings = check_claim(
        claim(line(1, "99213", "25"), line(2, "11042")),
        tables(
            ptp=[ptp_edit("11042", "99213", "1")],
            fees=[fee("11042", global_days="000"), fee("99213")],
            codes=["99213", "11042"],
            modifiers=["25"],
            diagnoses=[diagnosis("M7989")],
        ),
    )

    assert findings == []


def test_a_10_line_claim_against_10_000_edits_finds_only_what_applies():
    """Each code is column 1 of 1,000 edits, as busy surgical codes are; only the pair on the
    claim fires. (How fast: bench/claims.py's in_process p50 for a 10-line claim, not a timed
    test.)"""
    codes = [f"{11000 + n}" for n in range(10)]
    ptp = [
        ptp_edit(code, f"{20000 + n}", "1", deleted=date(2030, 1, 1))
        for code in codes
        for n in range(1000)
    ]
    ptp += [ptp_edit(codes[0], codes[1], "0")]
    memory = InMemoryTables(
        ptp=ptp,
        mue=[mue_limit(code, 1, 3) for code in codes],
        addons=[addon_edit(codes[9], CONTRACTOR_DEFINED_PRIMARY, 2)],
        fees=[fee(code, global_days="010") for code in codes],
        codes={code: Span() for code in codes},
        modifiers={"59": Span()},
        diagnoses=[diagnosis("M7989", "(M79.0-)")],
    )
    ten_lines = claim(*(line(n, code, "59", units=2) for n, code in enumerate(codes, 1)))

    findings = check_claim(ten_lines, memory)

    # The one pair on the claim, modifier indicator 0 (59 cannot bypass it), and each line's
    # 2 units over its MUE of 1; none of the 10,000 edits whose column 2 is not billed.
    assert sorted((f.rule, f.lines) for f in findings) == sorted(
        [("ptp", (1, 2))] + [("mue", (n,)) for n in range(1, 11)]
    )


# Each PFS rule, with a claim on which it fires for a practitioner. On an outpatient hospital
# (OPPS) claim the PFS indicators do not govern payment, so none of them fires there.
PFS_CASES = [
    pytest.param("pfs_status", [line(1, "36415")], [fee("36415", status="X")], id="status-X-lab"),
    pytest.param("pfs_status", [line(1, "99395")], [fee("99395", status="N")], id="status-N"),
    pytest.param(
        "global_surgery",
        [line(1, "99214"), line(2, "27447")],
        [fee("99214"), fee("27447", global_days="090")],
        id="90-day-global",
    ),
    pytest.param(
        "bilateral", [line(1, "69210", "50")], [fee("69210", bilateral=2)], id="bilateral-2"
    ),
    pytest.param("pctc", [line(1, "99214", "26")], [fee("99214", pctc=0)], id="26-on-pctc-0"),
    pytest.param(
        "assistant", [line(1, "27447", "80")], [fee("27447", assistant=1)], id="assistant-1"
    ),
    pytest.param("pfs_not_used", [line(1, "97161")], [fee("97161", not_used=True)], id="not-used"),
    pytest.param(
        "place_of_service",
        [line(1, "63685", pos="11")],
        [fee("63685", nonfac_na=True)],
        id="nonfacility-NA",
    ),
]


@pytest.mark.parametrize(("rule", "lines", "fees"), PFS_CASES)
def test_pfs_rules_fire_on_practitioner_claims_only(rule, lines, fees):
    codes = [f.code for f in fees]
    modifiers = {m for item in lines for m in item.modifiers}
    ptp = [ptp_edit(codes[-1], codes[0], "1")] if len(codes) > 1 else []

    def run(setting: ClaimSetting) -> set[str]:
        found = check_claim(
            claim(*lines),
            tables(
                fees=fees,
                ptp=ptp,
                codes=codes,
                modifiers=modifiers,
                diagnoses=[diagnosis("M7989")],
                setting=setting,
            ),
        )
        return {f.rule for f in found}

    practitioner, hospital = run("practitioner"), run("outpatient_hospital")

    assert rule in practitioner
    assert hospital.isdisjoint({"pfs_status", "global_surgery", "bilateral", "pctc"})
    assert hospital.isdisjoint({"assistant", "pfs_not_used", "place_of_service"})
    # The NCCI edits still apply to the hospital claim (its own tables, same rules).
    assert ("ptp" in hospital) == bool(ptp) == ("ptp" in practitioner)


def test_an_unknown_code_is_invalid_on_a_hospital_claim_too():
    findings = check_claim(
        claim(line(1, "0000U")),
        tables(diagnoses=[diagnosis("M7989")], setting="outpatient_hospital"),
    )

    assert [f.rule for f in findings] == ["code_invalid"]
