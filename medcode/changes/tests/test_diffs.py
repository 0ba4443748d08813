"""The diff engine: small release files go through the real importers, whose import computes
and stores the diff; each figure is checked against a count made here from the literal rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection

from medcode.changes import services
from medcode.changes.families import BY_NAME
from medcode.changes.models import Change, GroupRows, ReleaseDiff
from medcode.changes.tests import files
from medcode.codes.services import import_file

pytestmark = pytest.mark.django_db


def changes_of(diff: ReleaseDiff, kind: str) -> set[tuple[str, str]]:
    return set(diff.changes.filter(kind=kind).values_list("code", "other_code"))


def test_a_quarter_in_parts_is_diffed_as_one_quarter(tmp_path: Path) -> None:
    for path in files.write_ptp_parts(tmp_path / "q3", "v302", files.PTP_2024Q3_PARTS):
        import_file(path)
    assert not ReleaseDiff.objects.exists()  # one quarter: nothing to compare with yet
    for path in files.write_ptp_parts(tmp_path / "q4", "v303", files.PTP_2024Q4_PARTS):
        import_file(path)

    # Each part's import brought the diff up to date: one diff, of the whole quarters.
    diff = ReleaseDiff.objects.get(family="ncci_ptp_practitioner")
    assert (diff.from_label, diff.to_label) == ("2024Q3 (v30.2)", "2024Q4 (v30.3)")
    assert len(diff.from_ids.split(",")) == 2 and len(diff.to_ids.split(",")) == 2
    old = files.in_force(files.ptp_pairs(files.PTP_2024Q3_PARTS), dt.date(2024, 7, 1))
    new = files.in_force(files.ptp_pairs(files.PTP_2024Q4_PARTS), dt.date(2024, 10, 1))
    assert changes_of(diff, "added") == new - old == {("63650", "77003"), ("95972", "95971")}
    assert changes_of(diff, "deleted") == old - new == {("63685", "63688")}
    indicator = diff.changes.get(kind="modifier_indicator")
    assert (indicator.code, indicator.other_code) == ("63650", "63661")
    assert (indicator.old_value, indicator.new_value) == ("1", "0")
    assert diff.counts == {"added": 2, "deleted": 1, "modifier_indicator": 1}
    assert indicator.code_system == "CPT"
    # PTP is compared group by group (no sort); the rows are those of the one-query diff.
    family = BY_NAME["ncci_ptp_practitioner"]
    assert family.grouped
    old_side, new_side = services.sides_of(family)
    sql, params = services.diff_query(family, old_side, new_side)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        expected = [tuple(row) for row in cursor.fetchall()]
    assert services.grouped_rows(family, old_side, new_side) == expected
    # Each import stored its side's groups (the next diff's older side is not read again);
    # the stored strings give the same rows.
    stored = set(GroupRows.objects.values_list("release_id", flat=True))
    assert stored == {*old_side.ids, *new_side.ids}
    assert services.grouped_rows(family, old_side, new_side) == expected


def test_a_pair_twice_in_force_in_one_quarter_is_left_to_the_one_query_diff(
    tmp_path: Path,
) -> None:
    """Two rows of one pair in force on one day (indicators 0 and 1): the grouped comparison
    cannot tell which counts and gives way to the GROUP BY query, whose MAX takes 1."""
    twice = [[*files.PTP_2024Q3_PARTS[0], ("63650", "63661", "20100101", "*", "0")]]
    for path in files.write_ptp_parts(tmp_path / "q3", "v302", twice):
        import_file(path)
    once = [[("63650", "62321", "20100101", "*", "0"), ("63650", "63661", "20100101", "*", "0")]]
    for path in files.write_ptp_parts(tmp_path / "q4", "v303", once):
        import_file(path)
    family = BY_NAME["ncci_ptp_practitioner"]
    assert services.grouped_rows(family, *services.sides_of(family)) is None
    diff = ReleaseDiff.objects.get(family="ncci_ptp_practitioner")
    indicator = diff.changes.get(kind="modifier_indicator")
    assert (indicator.other_code, indicator.old_value, indicator.new_value) == ("63661", "1", "0")


def test_the_aoc_diff_counts_pairs_in_force_on_each_quarters_first_day(tmp_path: Path) -> None:
    import_file(files.write_aoc(tmp_path, "2024Q3", files.AOC_2024Q3))
    import_file(files.write_aoc(tmp_path, "2026Q2", files.AOC_2026Q2))
    diff = ReleaseDiff.objects.get(family="ncci_aoc")
    old = files.in_force(files.aoc_pairs(files.AOC_2024Q3), dt.date(2024, 7, 1))
    new = files.in_force(files.aoc_pairs(files.AOC_2026Q2), dt.date(2026, 4, 1))
    assert changes_of(diff, "added") == new - old
    assert changes_of(diff, "deleted") == old - new
    assert len(old & new) == 1 and diff.counts == {"added": 1, "deleted": 2}


def test_pfs_changes_carry_old_and_new_values_and_the_percentage(tmp_path: Path) -> None:
    import_file(
        files.write_pfs(
            tmp_path,
            "pfs_rvu_2025d.csv",
            [
                files.pfs_row("63650", "7.15", "4.51", "12.48", "010", "32.3465"),
                files.pfs_row("63655", "10.92", "11.09", "25.81", "090", "32.3465"),
            ],
        )
    )
    import_file(
        files.write_pfs(
            tmp_path,
            "pfs_rvu_2026c.csv",
            [
                files.pfs_row("63650", "6.97", "4.51", "12.30", "010", "33.4009"),
                files.pfs_row("63661", "5.08", "3.92", "10.01", "010", "33.4009"),
            ],
        )
    )
    diff = ReleaseDiff.objects.get(family="pfs_rvu")
    assert (diff.from_label, diff.to_label) == ("RVU25D", "RVU26C")
    work = diff.changes.get(code="63650", field="work_rvu")
    assert (work.old_value, work.new_value) == ("7.15", "6.97")
    assert work.percent == pytest.approx((6.97 - 7.15) / 7.15 * 100, abs=0.01)
    payment = diff.changes.get(code="63650", field="facility_payment")
    assert payment.old_value == f"{12.48 * 32.3465:.2f}"
    assert payment.new_value == f"{12.30 * 33.4009:.2f}"
    assert not diff.changes.filter(code="63650", field="global_days").exists()
    assert changes_of(diff, "added") == {("63661", "")}
    assert changes_of(diff, "deleted") == {("63655", "")}


def test_hcpcs_codes_added_deleted_retitled_and_terminated(tmp_path: Path) -> None:
    import_file(
        files.write_hcpcs(
            tmp_path,
            "hcpcs_level2_2024_07.csv",
            [
                files.hcpcs_row("A0100", "Nonemergency transportation; taxi", "Taxi"),
                files.hcpcs_row("C9159", "Injection, sample drug, per unit", "Inj sample"),
                files.hcpcs_row("E0114", "Crutches underarm, pair", "Crutch pair"),
            ],
        )
    )
    import_file(
        files.write_hcpcs(
            tmp_path,
            "hcpcs_level2_2026_01.csv",
            [
                files.hcpcs_row("A0100", "Nonemergency transportation; taxi", "Taxi"),
                files.hcpcs_row("E0114", "Crutches, underarm, pair", "Crutch pair"),
                files.hcpcs_row("A2027", "Sample skin substitute, per sq cm", "Skin sub"),
                files.hcpcs_row("C9160", "Injection, other drug", "Inj other", "2025-12-31"),
            ],
        )
    )
    diff = ReleaseDiff.objects.get(family="hcpcs")
    assert changes_of(diff, "added") == {("A2027", ""), ("C9160", "")}
    assert changes_of(diff, "deleted") == {("C9159", "")}
    title = diff.changes.get(code="E0114", kind="retitled")
    assert (title.old_value, title.new_value) == (
        "Crutches underarm, pair",
        "Crutches, underarm, pair",
    )
    assert not diff.changes.filter(code="A0100").exists()
    assert diff.changes.get(code="A2027").new_value == "Sample skin substitute, per sq cm"


def test_mue_tables_are_compared_across_the_shared_and_official_files(tmp_path: Path) -> None:
    from medcode.codes.tests.test_importer_ncci import MUE_HEADER, write_text

    write_text(
        tmp_path / "ncci_mue_2024q3.csv",
        "hcpcs,service_type,mue_value,mai,mai_description,mue_rationale\n"
        "63650,practitioner,2,3,Date of Service Edit: Clinical,Nature of Service/Procedure\n"
        "63685,practitioner,1,2,Date of Service Edit: Policy,Nature of Service/Procedure\n"
        "63650,outpatient_hospital,2,3,Date of Service Edit: Clinical,Nature of Service\n",
    )
    import_file(tmp_path / "ncci_mue_2024q3.csv")
    official = tmp_path / "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
    official.write_bytes(
        (
            f'"{NOTICE_TEXT}",,,\r\n'
            + MUE_HEADER.format(kind="Practitioner")
            + "63650,4,3 Date of Service Edit: Clinical,Nature of Service/Procedure\r\n"
            + "63685,1,2 Date of Service Edit: Policy,Nature of Service/Procedure\r\n"
            + "95972,1,2 Date of Service Edit: Policy,Nature of Service/Procedure\r\n"
        ).encode("cp1252")
    )
    import_file(official)
    diff = ReleaseDiff.objects.get(family="ncci_mue_practitioner")
    value = diff.changes.get(code="63650", kind="mue")
    assert (value.old_value, value.new_value, value.percent) == ("2", "4", 100.0)
    assert changes_of(diff, "added") == {("95972", "")}
    assert not diff.changes.filter(kind="deleted").exists()
    # The hospital table has no 2026Q2 release: nothing to compare, no diff.
    assert not ReleaseDiff.objects.filter(family="ncci_mue_hospital").exists()


NOTICE_TEXT = "CPT codes, descriptions and other data only are copyright 2025 AMA."


def test_a_replaced_release_drops_its_stale_diff_and_a_re_import_changes_nothing(
    tmp_path: Path,
) -> None:
    first = files.write_aoc(tmp_path / "a", "2024Q3", files.AOC_2024Q3)
    import_file(first)
    import_file(files.write_aoc(tmp_path / "a", "2026Q2", files.AOC_2026Q2))
    before = ReleaseDiff.objects.get(family="ncci_aoc")
    import_file(first)  # same file: unchanged
    assert ReleaseDiff.objects.get(family="ncci_aoc").pk == before.pk
    # A corrected 2026Q2 file replaces the release and its diff.
    corrected = [*files.AOC_2026Q2[:2], files.AOC_2024Q3[2]]
    import_file(files.write_aoc(tmp_path / "b", "2026Q2", corrected))
    after = ReleaseDiff.objects.get(family="ncci_aoc")
    assert after.to_release_id != before.to_release_id
    assert changes_of(after, "deleted") == {("22552", "22554")}
    assert after.counts == {"deleted": 1}


def test_backfill_computes_the_diffs_of_releases_imported_before_and_is_idempotent(
    tmp_path: Path,
) -> None:
    import_file(files.write_aoc(tmp_path, "2024Q3", files.AOC_2024Q3))
    import_file(files.write_aoc(tmp_path, "2026Q2", files.AOC_2026Q2))
    ReleaseDiff.objects.all().delete()  # as on an install that predates the diffs
    assert [d.family for d in services.backfill()] == ["ncci_aoc"]
    assert services.backfill() == []
    assert Change.objects.count() == 3


def test_the_diff_query_runs_on_both_sides_in_one_statement(tmp_path: Path) -> None:
    import_file(files.write_aoc(tmp_path, "2024Q3", files.AOC_2024Q3))
    import_file(files.write_aoc(tmp_path, "2026Q2", files.AOC_2026Q2))
    sides = services.sides_of(BY_NAME["ncci_aoc"])
    sql, params = services.diff_query(BY_NAME["ncci_aoc"], sides[0], sides[1])
    assert sql.count("UNION ALL") == 1 and "GROUP BY" in sql
    assert params.count(dt.date(2024, 7, 1)) == 2 and params.count(dt.date(2026, 4, 1)) == 2


def test_asking_for_an_unloaded_release_names_the_loaded_ones(tmp_path: Path) -> None:
    import_file(files.write_aoc(tmp_path, "2024Q3", files.AOC_2024Q3))
    with pytest.raises(ValueError, match=r"no loaded release of ncci_aoc is labelled '2030Q1'.*"):
        services.diff_between(BY_NAME["ncci_aoc"], "2024Q3", "2030Q1")
    with pytest.raises(ValueError, match="unknown dataset 'nope'"):
        services.resolve_family("nope")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2.52", "-2.52"),
        ("7.15", "7.15"),
        (None, ""),
    ],
)
def test_csv_cells_never_start_a_formula(value: str | None, cell: str) -> None:
    from medcode.changes.queries import _cell

    assert _cell(value) == cell
