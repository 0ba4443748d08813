"""The rules end to end over the database: sample releases imported, one case per rule family."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from medcode.claims.releases import NOT_IN_FORCE, Catalog, ReleaseRef
from medcode.claims.services import check_claim_data
from medcode.claims.tables import STORE
from medcode.codes import models as m
from medcode.lib.in_force import newest_in_force, quarter_in_force

DOS = "2024-07-15"


def line(
    code: str, *modifiers: str, units: int = 1, dos: str = DOS, pointers=(1,)
) -> dict[str, Any]:
    return {
        "code": code,
        "modifiers": list(modifiers),
        "units": units,
        "date_of_service": dos,
        "diagnosis_pointers": list(pointers),
    }


def check(*lines: dict[str, Any], diagnoses=("M79.89",), setting: str = "practitioner"):
    return check_claim_data(
        {"diagnoses": list(diagnoses), "lines": list(lines), "setting": setting}
    )


def rules_of(result) -> set[tuple[str, tuple[int, ...]]]:
    return {(f.rule, f.lines) for f in result.findings}


CASES = [
    pytest.param([line("11042"), line("97597")], (), ("ptp", (1, 2)), id="ptp-indicator-1"),
    pytest.param([line("27447"), line("27446", "59")], (), ("ptp", (1, 2)), id="ptp-indicator-0"),
    pytest.param([line("20610", units=2)], (), ("mue", (1,)), id="mue-mai-1"),
    pytest.param(
        [line("97597"), line("97597", "59")], (), ("mue", (1, 2)), id="mue-mai-2-across-lines"
    ),
    pytest.param([line("11045")], (), ("addon", (1,)), id="addon-without-primary"),
    pytest.param([line("99070")], (), ("pfs_status", (1,)), id="pfs-status-b"),
    pytest.param([line("99213"), line("11042")], (), ("global_surgery", (1, 2)), id="global-000"),
    pytest.param([line("11042", "50")], (), ("bilateral", (1,)), id="bilateral-0"),
    pytest.param([line("99213", "26")], (), ("pctc", (1,)), id="pctc-0"),
    pytest.param([line("63650", "80")], (), ("assistant", (1,)), id="assistant-1"),
    pytest.param([line("27447", "62")], (), ("cosurgeon", (1,)), id="cosurgeon-1"),
    pytest.param([line("63650", "66")], (), ("team", (1,)), id="team-0"),
    pytest.param([line("99213")], ("E11",), ("dx_invalid", (1,)), id="dx-not-billable"),
    pytest.param([line("99213")], ("Z99.999",), ("dx_invalid", (1,)), id="dx-unknown"),
    pytest.param(
        [line("99213", pointers=(1, 2))], ("E11.9", "E10.9"), ("dx_excludes1", (1,)), id="excludes1"
    ),
    pytest.param([line("99213", pointers=())], (), ("dx_pointer", (1,)), id="dx-no-pointer"),
    pytest.param([line("99999")], (), ("code_invalid", (1,)), id="code-unknown"),
    pytest.param([line("99213", units=0)], (), ("units_zero", (1,)), id="units-zero"),
    pytest.param([line("99213", "Q9")], (), ("modifier_invalid", (1,)), id="modifier-unknown"),
    pytest.param([line("99213"), line("99213")], (), ("duplicate_line", (1, 2)), id="duplicate"),
]


@pytest.mark.parametrize(("lines", "diagnoses", "expected"), CASES)
def test_each_rule_family_fires_over_the_imported_tables(samples, lines, diagnoses, expected):
    result = check(*lines, diagnoses=diagnoses or ("M79.89",))

    assert expected in rules_of(result)


def test_a_clean_claim_has_no_findings(samples):
    result = check(
        line("11042", pointers=(1, 2)), line("97597", "XS"), diagnoses=("E11.621", "L97.421")
    )

    assert result.findings == []


def test_each_finding_names_the_release_it_came_from(samples):
    result = check(line("11042"), line("97597", units=2))

    sources = {f.rule: f.source for f in result.findings}
    assert "2024Q3" in sources["ptp"] and "effective 2024-07-01" in sources["ptp"]
    assert "2024Q3" in sources["mue"]
    assert "RVU24C" in result.sources["pfs"]
    assert "FY2026 April" in result.sources["diagnoses"]


def test_lower_case_modifiers_bypass_the_edit_as_upper_case_ones_do(samples):
    assert not rules_of(check(line("11042"), line("97597", "xs"))) & {("ptp", (1, 2))}


def test_excludes1_is_inherited_from_the_category(samples):
    """E11.9 has no Excludes1 note of its own: E11's "type 1 diabetes mellitus (E10.-)" applies."""
    [finding] = [f for f in check(line("99213"), diagnoses=("E11.9", "E10.9")).findings]

    assert finding.rule == "dx_excludes1"
    assert "type 1 diabetes mellitus (E10.-)" in finding.message


# Date of service -----------------------------------------------------------------------------


def test_the_ptp_release_in_force_on_the_date_of_service_is_applied(samples):
    """11042/97598 is only in the 2024Q2 table: it fires on a Q2 date and not on a Q3 date."""
    in_q2 = check(line("11042", dos="2024-05-15"), line("97598", dos="2024-05-15"))
    in_q3 = check(line("11042"), line("97598"))

    assert ("ptp", (1, 2)) in rules_of(in_q2)
    assert "2024Q2" in in_q2.sources["ptp"]
    assert ("ptp", (1, 2)) not in rules_of(in_q3)
    assert "2024Q3" in in_q3.sources["ptp"]


def test_a_claim_spanning_two_quarters_checks_each_date_against_its_own_release(samples):
    result = check(
        line("11042", dos="2024-06-28"),
        line("97598", dos="2024-06-28"),
        line("11042", dos="2024-07-02"),
        line("97598", dos="2024-07-02"),
    )

    assert ("ptp", (1, 2)) in rules_of(result)
    assert ("ptp", (3, 4)) not in rules_of(result)
    assert "2024Q2" in result.sources["ptp"] and "2024Q3" in result.sources["ptp"]


def test_an_edit_is_ignored_after_its_deletion_date(samples):
    """11042/11000 is deleted on 2024-08-31 in the 2024Q3 sample."""
    on_the_day = check(line("11042", dos="2024-08-31"), line("11000", dos="2024-08-31"))
    after = check(line("11042", dos="2024-09-01"), line("11000", dos="2024-09-01"))

    assert ("ptp", (1, 2)) in rules_of(on_the_day)
    assert ("ptp", (1, 2)) not in rules_of(after)


def test_an_edit_without_an_effective_date_is_in_force_from_its_release(samples):
    """The shared 2024Q3 PTP copy has no effective dates: the edits start on 2024-07-01."""
    catalog = STORE.refresh()
    cache = STORE.cache_for(catalog.release_set(dt.date(2024, 7, 15)))

    [edit] = cache.ptp_between(["11042", "97597"])["11042"]

    assert edit.effective == dt.date(2024, 7, 1)
    assert not edit.is_active_on(dt.date(2024, 6, 30))


def test_a_modifier_terminated_before_the_date_of_service_is_not_valid(samples):
    """QJ is terminated on 2024-06-30 in the sample modifier file."""
    assert ("modifier_invalid", (1,)) in rules_of(check(line("99213", "QJ")))
    assert ("modifier_invalid", (1,)) not in rules_of(check(line("99213", "QJ", dos="2024-06-15")))


def test_a_newer_partial_mue_table_overrides_the_older_full_one_for_its_codes(samples):
    partial = m.Release.objects.create(
        dataset="ncci_mue_mai3_partial",
        version_label="2026Q2",
        effective_from=dt.date(2026, 4, 1),
        source_file="ncci_mue_practitioner_2026q2_mai3_only.csv",
        sha256="partial",
        row_counts={"mue_limits": 1},
    )
    m.MueLimit.objects.create(
        release=partial, code="11045", service_type="practitioner", value=2, mai=3
    )

    later = check(line("11042", dos="2026-05-01"), line("11045", units=3, dos="2026-05-01"))
    earlier = check(line("11042"), line("11045", units=3))

    assert ("mue", (2,)) in rules_of(later)
    assert "2026Q2" in later.sources["mue"] and "2024Q3" in later.sources["mue"]
    assert ("mue", (2,)) not in rules_of(earlier)  # 12 allowed by the 2024Q3 table


def test_the_outpatient_hospital_setting_reads_its_own_mue_values(samples):
    """97597: 1 per day for practitioners, 3 for outpatient hospitals in the sample."""
    assert ("mue", (1,)) in rules_of(check(line("97597", units=2)))
    assert ("mue", (1,)) not in rules_of(
        check(line("97597", units=2), setting="outpatient_hospital")
    )


def test_the_newest_release_that_took_effect_is_in_force_and_the_earliest_before_any():
    assert Catalog(()).release_set(dt.date(2024, 7, 15)).ptp == ()
    refs = [
        _ref(1, dt.date(2024, 4, 1)),
        _ref(2, dt.date(2024, 7, 1)),
        _ref(3, dt.date(2024, 10, 1)),
    ]
    assert newest_in_force(refs, dt.date(2024, 8, 1)) == refs[1]
    assert newest_in_force(refs, dt.date(2024, 10, 1)) == refs[2]
    assert newest_in_force(refs, dt.date(2020, 1, 1)) == refs[0]
    assert newest_in_force(refs, dt.date(2020, 1, 1), guess=False) is None


def test_every_part_of_the_quarter_in_force_is_read_and_none_before_the_first():
    parts = [
        _ref(1, dt.date(2024, 4, 1)),
        _ref(2, dt.date(2024, 7, 1)),
        _ref(3, dt.date(2024, 7, 1)),
    ]

    assert quarter_in_force(parts, dt.date(2024, 8, 1)) == (parts[1], parts[2])
    assert quarter_in_force(parts, dt.date(2024, 3, 31)) == ()


def test_no_edit_table_is_guessed_for_a_date_before_the_first(samples):
    result = check(line("11042", dos="2024-03-15"), line("97597", "59", dos="2024-03-15"))

    assert result.sources["ptp"] == NOT_IN_FORCE["ptp"]
    assert result.sources["mue"] == NOT_IN_FORCE["mue"]
    assert "RVU24C" in result.sources["pfs"]  # reference data falls back to the earliest


def _ref(pk: int, effective: dt.date):
    return ReleaseRef(pk, "ncci_ptp_practitioner", "", effective, frozenset({"ptp_edits"}), "")


@pytest.mark.django_db
def test_with_no_tables_loaded_nothing_is_flagged_as_unknown_and_the_sources_say_so():
    result = check(line("11042"), line("97597", "XS"), diagnoses=("E11.9",))

    assert result.findings == []
    assert result.sources["ptp"] == "no NCCI PTP table loaded"
    assert result.sources["diagnoses"] == "no ICD-10-CM release loaded"


def test_an_import_after_a_check_is_seen_by_the_next_check(samples, settings):
    # Another process imported: the release table is re-read once the check interval passed.
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    assert ("ptp", (1, 2)) not in rules_of(check(line("11042"), line("20610")))
    release = m.Release.objects.get(
        dataset="ncci_ptp_practitioner", effective_from=dt.date(2024, 7, 1)
    )
    replacement = m.Release.objects.create(
        dataset="ncci_ptp_practitioner",
        version_label="2024Q3 corrected",
        effective_from=dt.date(2024, 7, 2),
        source_file="ncci_ptp_practitioner_2024q3b.csv",
        sha256="corrected",
        row_counts={"ptp_edits": 1},
    )
    m.PtpEdit.objects.create(
        release=replacement, column_1="11042", column_2="20610", modifier_indicator="0"
    )

    assert ("ptp", (1, 2)) in rules_of(check(line("11042"), line("20610")))
    assert release.pk != replacement.pk


def test_the_icd10cm_release_in_force_on_the_date_decides_a_diagnosis(samples):
    """E11.9 is missing from a FY2025 release: invalid in FY2025, valid under FY2026 April."""
    fy2025 = m.Release.objects.create(
        dataset="icd10cm_order",
        code_system="ICD10CM",
        version_label="FY2025",
        effective_from=dt.date(2024, 10, 1),
        source_file="icd10cm_order_2025.csv",
        sha256="fy2025",
        row_counts={"codes": 1},
    )
    m.Code.objects.create(release=fy2025, system="ICD10CM", code="M7989", display="M79.89")

    in_fy2025 = check(line("99213", dos="2024-11-01"), diagnoses=("E11.9",))
    in_fy2026 = check(line("99213", dos="2026-05-01"), diagnoses=("E11.9",))

    assert ("dx_invalid", (1,)) in rules_of(in_fy2025)
    assert "FY2025" in in_fy2025.sources["diagnoses"]
    assert ("dx_invalid", (1,)) not in rules_of(in_fy2026)


def test_the_fee_schedule_in_force_on_the_date_decides_the_status(samples):
    """99070 is status B in RVU24C; a later RVU25A (made up here) pays it."""
    rvu25a = m.Release.objects.create(
        dataset="pfs_rvu",
        code_system="CPT",
        version_label="RVU25A",
        effective_from=dt.date(2025, 1, 1),
        source_file="pfs_rvu_2025a.csv",
        sha256="rvu25a",
        row_counts={"fee_items": 1},
    )
    m.FeeScheduleItem.objects.create(release=rvu25a, code="99070", status_code="A")

    assert ("pfs_status", (1,)) in rules_of(check(line("99070")))
    assert ("pfs_status", (1,)) not in rules_of(check(line("99070", dos="2025-02-01")))


def test_checking_the_same_codes_again_reads_each_edit_once(samples):
    first = check(line("11042"), line("97597"), line("99213"))
    again = check(line("11042"), line("97597"), line("99213"), line("20610"))

    assert {f for f in first.findings if f.rule == "ptp"} == {
        f for f in again.findings if f.rule == "ptp"
    }
    catalog = STORE.refresh()
    cache = STORE.cache_for(catalog.release_set(dt.date(2024, 7, 15)))
    assert len(cache.ptp_between(["11042", "97597"])["11042"]) == 1


def test_a_long_batch_reads_whole_ptp_rows_and_finds_what_single_checks_find(samples):
    from medcode.claims.services import check_batch, parse_claim

    claims: list[dict[str, Any]] = [
        {"claim_id": str(n), "diagnoses": ["M79.89"], "lines": lines}
        for n, lines in enumerate(
            [[line("11042"), line("97597")], [line("27447"), line("27446")], [line("99213")]] * 100
        )
    ]
    items = ((n, c["claim_id"], parse_claim(c)) for n, c in enumerate(claims, 1))

    batch = [record.result for record in check_batch(items, chunk_size=128)]
    cache = STORE.cache_for(STORE.refresh().release_set(dt.date(2024, 7, 15)))
    assert "11042" in cache._ptp_full  # past FULL_PTP_FROM claims, whole rows per code

    STORE.reset()
    single = [check_claim_data(c) for c in claims]
    assert [r.findings for r in batch if r] == [r.findings for r in single]
    cache = STORE.cache_for(STORE.refresh().release_set(dt.date(2024, 7, 15)))
    assert "11042" not in cache._ptp_full  # single checks read pairs only


@pytest.mark.django_db(transaction=True)
def test_threads_checking_at_once_find_what_one_thread_finds(tmp_path):
    """The tables load outside the cache's lock: threads racing to load the same codes must
    still each see whole entries (committed data, so every thread's connection reads it)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from medcode.claims.tests.samples import load_samples

    load_samples(tmp_path / "samples")
    cases = [(p.values[0], p.values[1] or ("M79.89",)) for p in CASES] * 6

    def findings(case) -> list[Any]:
        lines, diagnoses = case
        try:
            return list(check(*lines, diagnoses=diagnoses).findings)
        finally:
            connection.close()

    expected = [findings(case) for case in cases]
    for _ in range(3):
        STORE.reset()
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(findings, cases)) == expected
