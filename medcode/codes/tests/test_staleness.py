"""Stale-data notices: a date of service after the newest loaded release of a dataset."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest

from medcode.codes import staleness
from medcode.codes.catalog import clear_caches
from medcode.codes.models import Release

D = dt.date


@pytest.fixture
def releases(db: None, settings: Any) -> Iterator[None]:
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    clear_caches()
    yield
    clear_caches()


def add_release(
    dataset: str,
    label: str,
    start: dt.date,
    end: dt.date | None,
    table: str,
    system: str = "",
) -> Release:
    release = Release.objects.create(
        dataset=dataset,
        code_system=system,
        version_label=label,
        effective_from=start,
        effective_to=end,
        source_file=f"{dataset}_{label}.csv",
        sha256=hashlib.sha256(f"{dataset}{label}".encode()).hexdigest(),
        row_counts={table: 1},
    )
    clear_caches()
    return release


def test_quarters_years_and_fiscal_years_end_where_cms_ends_them() -> None:
    assert staleness.next_period_start("quarter", D(2024, 7, 1)) == D(2024, 10, 1)
    assert staleness.next_period_start("quarter", D(2024, 12, 31)) == D(2025, 1, 1)
    assert staleness.next_period_start("year", D(2025, 3, 2)) == D(2026, 1, 1)
    assert staleness.next_period_start("fiscal_year", D(2025, 10, 1)) == D(2026, 10, 1)
    assert staleness.next_period_start("fiscal_year", D(2026, 4, 1)) == D(2026, 10, 1)


def test_it_counts_the_quarters_published_since_a_release_ended() -> None:
    # 2024Q4 .. 2026Q4 began after 2024Q3 ended.
    assert staleness.periods_after("quarter", D(2024, 9, 30), D(2026, 12, 6)) == 9
    assert staleness.periods_after("quarter", D(2026, 12, 31), D(2026, 12, 6)) == 0
    assert staleness.periods_after("fiscal_year", D(2026, 9, 30), D(2026, 12, 6)) == 1


def test_a_date_after_the_newest_ptp_quarter_gets_the_plain_sentence(releases: None) -> None:
    add_release(
        "ncci_ptp_practitioner", "2024Q3 (v30.2)", D(2024, 7, 1), D(2024, 9, 30), "ptp_edits"
    )

    found = staleness.check("ncci_ptp", D(2026, 12, 5))

    assert found.is_stale
    assert found.notice == (
        "NCCI PTP edits for 2026-12-05 are not loaded; the newest loaded are 2024Q3 (v30.2), "
        "effective 2024-07-01 to 2024-09-30."
    )
    assert "in force" not in found.notice


@pytest.mark.parametrize(
    ("on", "stale"),
    [
        (D(2024, 8, 1), False),
        (D(2024, 9, 30), False),
        (D(2024, 10, 1), True),
        (D(2020, 1, 1), False),
    ],
)
def test_only_dates_after_the_last_effective_date_are_stale(
    releases: None, on: dt.date, stale: bool
) -> None:
    add_release("ncci_aoc", "2024Q3", D(2024, 7, 1), D(2024, 9, 30), "addon_edits")

    assert staleness.check("ncci_aoc", on).is_stale is stale
    assert bool(staleness.notice("ncci_aoc", on)) is stale


def test_a_newer_import_clears_the_notice(releases: None) -> None:
    add_release("ncci_aoc", "2024Q3", D(2024, 7, 1), D(2024, 9, 30), "addon_edits")
    assert staleness.notice("ncci_aoc", D(2026, 12, 5))

    add_release("ncci_aoc", "2026Q4", D(2026, 10, 1), D(2026, 12, 31), "addon_edits")

    assert staleness.notice("ncci_aoc", D(2026, 12, 5)) == ""
    assert staleness.notice("ncci_aoc", D(2027, 1, 1)).endswith(
        "the newest loaded are 2026Q4, effective 2026-10-01 to 2026-12-31."
    )


@pytest.mark.parametrize(
    ("family", "dataset", "label", "start", "table", "system", "end"),
    [
        ("pfs", "pfs_rvu", "CY2025", D(2025, 1, 1), "fee_items", "CPT", D(2025, 12, 31)),
        ("pfs", "pfs_rvu", "RVU25B", D(2025, 4, 1), "fee_items", "CPT", D(2025, 6, 30)),
        ("icd10cm", "icd10cm_codes", "FY2026", D(2025, 10, 1), "codes", "ICD10CM", D(2026, 9, 30)),
        ("hcpcs", "hcpcs_anweb", "2026 January", D(2026, 1, 1), "codes", "HCPCS", D(2026, 3, 31)),
    ],
)
def test_a_release_without_an_end_date_covers_its_datasets_period(
    releases: None,
    family: str,
    dataset: str,
    label: str,
    start: dt.date,
    table: str,
    system: str,
    end: dt.date,
) -> None:
    add_release(dataset, label, start, None, table, system)

    found = staleness.check(family, end + dt.timedelta(days=1))

    assert found.ends == end
    assert found.is_stale
    assert not staleness.check(family, end).is_stale


def test_code_lists_are_judged_by_their_own_code_system(releases: None) -> None:
    add_release("icd10cm_codes", "FY2026", D(2025, 10, 1), D(2026, 9, 30), "codes", "ICD10CM")
    add_release("hcpcs_anweb", "2024 July", D(2024, 7, 1), D(2024, 9, 30), "codes", "HCPCS")

    assert not staleness.check("icd10cm", D(2026, 8, 1)).is_stale
    assert staleness.check("hcpcs", D(2026, 8, 1)).is_stale
    assert staleness.check("icd10pcs", D(2026, 8, 1)).newest is None


def test_a_complete_table_names_the_quarter_before_a_partial_one(releases: None) -> None:
    add_release("ncci_mue_practitioner", "2026Q2", D(2026, 4, 1), D(2026, 6, 30), "mue_limits")
    add_release(
        "ncci_mue_mai3_partial", "2026Q2 (partial)", D(2026, 4, 1), D(2026, 6, 30), "mue_limits"
    )

    found = staleness.check("ncci_mue", D(2026, 8, 1))

    assert found.newest is not None and found.newest.dataset == "ncci_mue_practitioner"


def test_one_table_of_a_family_can_be_judged_alone(releases: None) -> None:
    add_release(
        "ncci_ptp_practitioner", "2026Q4 (v32.3)", D(2026, 10, 1), D(2026, 12, 31), "ptp_edits"
    )
    add_release("ncci_ptp_hospital", "2024Q3 (v30.2)", D(2024, 7, 1), D(2024, 9, 30), "ptp_edits")

    assert staleness.notice("ncci_ptp", D(2026, 12, 5)) == ""
    assert staleness.notice("ncci_ptp", D(2026, 12, 5), dataset="ncci_ptp_hospital").startswith(
        "NCCI PTP edits, outpatient hospital for 2026-12-05 are not loaded;"
    )


def test_status_lists_each_dataset_and_how_far_behind_today_it_is(releases: None) -> None:
    add_release(
        "ncci_ptp_practitioner", "2024Q3 (v30.2)", D(2024, 7, 1), D(2024, 9, 30), "ptp_edits"
    )
    add_release("icd10cm_codes", "FY2027", D(2026, 10, 1), D(2027, 9, 30), "codes", "ICD10CM")

    rows = {row.key: row for row in staleness.status(D(2026, 12, 6))}

    assert set(rows) == set(staleness.FAMILIES)
    ptp = rows["ncci_ptp"]
    assert (ptp.newest, ptp.days_behind, ptp.periods_behind) == ("2024Q3 (v30.2)", 797, 9)
    assert ptp.as_dict()["is_stale"] is True
    assert (rows["icd10cm"].days_behind, rows["icd10cm"].is_stale) == (0, False)
    assert rows["pfs"].newest is None


def test_an_unknown_dataset_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="unknown dataset 'nccc'; one of ncci_ptp"):
        staleness.check("nccc", D(2026, 1, 1))
