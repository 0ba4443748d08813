"""Physician fee schedule importers: PPRRVU (official and shared), GPCI, localities, anesthesia
CF, OPPS cap and the DMEPOS fee schedule."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import pytest

from conftest import write_text
from medcode.codes.importers.pfs import NO_YEAR, RVU_COLUMNS
from medcode.codes.importers.registry import detect
from medcode.codes.models import Code, CodeSystem, FeeScheduleItem, ReferenceRow, Release
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError

SHARED_HEADER = ",".join(RVU_COLUMNS) + "\n"
# The official PPRRVU layout as CMS prints it: title lines (text in the DESCRIPTION column), a
# blank line, then a 5-line column header; each column's name is its cells read top to bottom.
# CY2026 added PRIC IND after TEAM SURG (32 columns); CY2025 has 31.
TITLES = (
    ",,{year} National Physician Fee Schedule Relative Value File October Release,,,\n"
    ",,Made-up copyright line for the sample,,,\n"
    ",,,,,\n"
)
HEADER_CELLS = [
    # (column name in RVU_COLUMNS or "pricing_ind", its 5 header cells top to bottom)
    ("hcpcs", ("", "", "", "", "HCPCS")),
    ("modifier", ("", "", "", "", "MOD")),
    ("description", ("", "", "", "", "DESCRIPTION")),
    ("status_code", ("", "", "", "STATUS", "CODE")),
    ("not_used_for_medicare_payment", ("", "NOT USED", "FOR", "MEDICARE", "PAYMENT")),
    ("work_rvu", ("", "", "", "WORK", "RVU")),
    ("nonfac_pe_rvu", ("", "", "", "NON-FAC", "PE RVU")),
    ("nonfac_na_indicator", ("", "", "NON-FAC", "NA", "INDICATOR")),
    ("facility_pe_rvu", ("", "", "", "FACILITY", "PE RVU")),
    ("facility_na_indicator", ("", "", "FACILITY", "NA", "INDICATOR")),
    ("mp_rvu", ("", "", "", "MP", "RVU")),
    ("nonfac_total_rvu", ("", "", "", "NON-FACILITY", "TOTAL")),
    ("facility_total_rvu", ("", "", "", "FACILITY", "TOTAL")),
    ("pctc_ind", ("", "", "", "PCTC", "IND")),
    ("global_days", ("", "", "", "GLOB", "DAYS")),
    ("pre_op_pct", ("", "", "", "PRE", "OP")),
    ("intra_op_pct", ("", "", "", "INTRA", "OP")),
    ("post_op_pct", ("", "", "", "POST", "OP")),
    ("mult_proc_ind", ("", "", "", "MULT", "PROC")),
    ("bilat_surg_ind", ("", "", "", "BILAT", "SURG")),
    ("asst_surg_ind", ("", "", "", "ASST", "SURG")),
    ("co_surg_ind", ("", "", "", "CO-", "SURG")),
    ("team_surg_ind", ("", "", "", "TEAM", "SURG")),
    ("pricing_ind", ("", "", "", "PRIC", "IND")),
    ("endo_base", ("", "", "", "ENDO", "BASE")),
    ("conv_factor", ("", "", "", "CONV", "FACTOR")),
    (
        "phys_supervision_diag_ind",
        ("", "PHYSICIAN", "SUPERVISION OF", "DIAGNOSTIC", "PROCEDURES"),
    ),
    ("calculation_flag", ("", "", "", "CALCULATION", "FLAG")),
    ("diag_imaging_family_ind", ("", "DIAGNOSTIC", "IMAGING", "FAMILY", "INDICATOR")),
    ("nonfac_pe_used_for_opps", ("NON-FACILITY", "PE USED", "FOR OPPS", "PAYMENT", "AMOUNT")),
    ("facility_pe_used_for_opps", ("FACILITY", "PE USED", "FOR OPPS", "PAYMENT", "AMOUNT")),
    ("mp_used_for_opps", ("", "MP USED", "FOR OPPS", "PAYMENT", "AMOUNT")),
]


def official_columns(year: int) -> list[str]:
    return [name for name, _ in HEADER_CELLS if year >= 2026 or name != "pricing_ind"]


def official_preamble(year: int = 2025) -> str:
    cells = dict(HEADER_CELLS)
    columns = official_columns(year)
    header = "".join(",".join(cells[c][i] for c in columns) + "\n" for i in range(5))
    return TITLES.format(year=year) + header


OFFICIAL_PREAMBLE = official_preamble(2025)


def official_row(code: str, *, year: int, pricing_ind: str = "9", **kw: str) -> str:
    """rvu_row's values in the official column order of that year."""
    values = dict(zip(RVU_COLUMNS, next(csv.reader([rvu_row(code, **kw)])), strict=True))
    values["pricing_ind"] = pricing_ind
    return ",".join(values[c] for c in official_columns(year)) + "\n"


def rvu_row(code: str, *, mod: str = "", desc: str = "", status: str = "A", **kw: str) -> str:
    values = {
        "hcpcs": code,
        "modifier": mod,
        "description": desc,
        "status_code": status,
        "not_used_for_medicare_payment": "",
        "work_rvu": "1.30",
        "nonfac_pe_rvu": "1.35",
        "nonfac_na_indicator": "",
        "facility_pe_rvu": "0.57",
        "facility_na_indicator": "",
        "mp_rvu": "0.10",
        "nonfac_total_rvu": "2.75",
        "facility_total_rvu": "1.97",
        "pctc_ind": "0",
        "global_days": "XXX",
        "pre_op_pct": "0.00",
        "intra_op_pct": "0.00",
        "post_op_pct": "0.00",
        "mult_proc_ind": "0",
        "bilat_surg_ind": "0",
        "asst_surg_ind": "0",
        "co_surg_ind": "0",
        "team_surg_ind": "0",
        "endo_base": "",
        "conv_factor": "32.3465",
        "phys_supervision_diag_ind": "09",
        "calculation_flag": "0",
        "diag_imaging_family_ind": "99",
        "nonfac_pe_used_for_opps": "0.00",
        "facility_pe_used_for_opps": "0.00",
        "mp_used_for_opps": "0.00",
    }
    values.update(kw)
    return ",".join(f'"{values[c]}"' if "," in values[c] else values[c] for c in RVU_COLUMNS) + "\n"


SHARED_ROWS = (
    rvu_row("99213")
    + rvu_row("99213", mod="26", work_rvu="0.50")
    + rvu_row("0001F", status="M", global_days="XXX")
    + rvu_row("A4216", desc="Sterile water/saline, 10 ml", status="X")
    + rvu_row("10060", status="A", global_days="010", nonfac_na_indicator="NA")
    + rvu_row("0500T", status="N", **{"not_used_for_medicare_payment": "+"})
)


def assert_refused(path: Path, line: int | None, *fragments: str) -> None:
    before = Release.objects.count()
    with pytest.raises(DataFileError) as raised:
        import_file(path)
    message = str(raised.value)
    assert str(path) in message
    if line is not None:
        assert f"line {line}:" in message
    for fragment in fragments:
        assert fragment in message
    assert Release.objects.count() == before


def shared_rvu(tmp_path: Path, rows: str = SHARED_ROWS, name: str = "pfs_rvu_2025d.csv.gz"):
    return write_text(tmp_path / name, SHARED_HEADER + rows, gz=name.endswith(".gz"))


@pytest.mark.django_db
def test_the_shared_rvu_file_gives_fee_items_and_bare_cpt_codes(tmp_path: Path) -> None:
    result = import_file(shared_rvu(tmp_path))

    assert result.dataset == "pfs_rvu"
    assert result.row_counts == {"fee_items": 6, "codes": 4}
    release = Release.objects.get()
    assert (release.version_label, release.code_system) == ("RVU25D", CodeSystem.CPT)
    assert (release.effective_from, release.effective_to) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    fee = FeeScheduleItem.objects.get(code="99213", modifier="")
    assert (fee.work_rvu, fee.nonfac_total, fee.conv_factor) == (1.3, 2.75, 32.3465)
    assert fee.status_code == "A" and fee.phys_supervision == "09" and not fee.nonfac_na
    assert FeeScheduleItem.objects.get(code="99213", modifier="26").work_rvu == 0.5
    assert FeeScheduleItem.objects.get(code="10060").nonfac_na
    assert FeeScheduleItem.objects.get(code="A4216").attributes["description"] == (
        "Sterile water/saline, 10 ml"
    )
    assert FeeScheduleItem.objects.get(code="0500T").attributes == {
        "not_used_for_medicare_payment": True,
        "nonfac_pe_used_for_opps": 0.0,
        "facility_pe_used_for_opps": 0.0,
        "mp_used_for_opps": 0.0,
    }
    codes = {c.code: c for c in Code.objects.all()}
    assert set(codes) == {"99213", "0001F", "10060", "0500T"}  # CPT-shaped, no modifier
    visit = codes["99213"]
    assert visit.system == CodeSystem.CPT and visit.is_billable and visit.level == "category_i"
    assert visit.long_description == visit.short_description == ""
    assert visit.attributes == {"pfs_status": "A", "global_days": "XXX"}
    assert not codes["0001F"].is_billable and codes["0001F"].level == "category_ii"
    assert codes["10060"].attributes["global_days"] == "010"


@pytest.mark.django_db
def test_the_official_pprrvu_drops_cpt_descriptors_and_keeps_level_ii_ones(
    tmp_path: Path,
) -> None:
    rows = (
        rvu_row("99213", desc="Made-up descriptor one")
        + rvu_row("D0120", desc="Made-up dental text", status="R")
        + rvu_row("G0008", desc="Admin influenza virus vac", status="X")
        + '"* Footnote under the table",,,\n'
    )
    path = write_text(tmp_path / "PPRRVU2025_Oct.csv", OFFICIAL_PREAMBLE + rows)

    result = import_file(path)

    assert (result.dataset, result.version_label) == ("pfs_rvu", "RVU25D")
    assert result.row_counts == {"fee_items": 3, "codes": 1}
    assert "description" not in FeeScheduleItem.objects.get(code="99213").attributes
    assert "description" not in FeeScheduleItem.objects.get(code="D0120").attributes
    assert FeeScheduleItem.objects.get(code="G0008").attributes["description"] == (
        "Admin influenza virus vac"
    )
    stored = [str(f.attributes) for f in FeeScheduleItem.objects.all()]
    stored += [c.long_description + c.short_description for c in Code.objects.all()]
    assert not any("Made-up" in text for text in stored)


@pytest.mark.django_db
def test_the_2026_official_layout_is_read_by_header_name_with_its_pric_ind(
    tmp_path: Path,
) -> None:
    rows = official_row(
        "63650", year=2026, work_rvu="6.97", global_days="010", conv_factor="33.4009"
    ) + official_row("G0008", year=2026, desc="Admin influenza virus vac", pricing_ind="")
    path = write_text(tmp_path / "PPRRVU2026_Jul_nonQPP.csv", official_preamble(2026) + rows)

    result = import_file(path)

    assert (result.dataset, result.version_label) == ("pfs_rvu", "RVU26C")
    fee = FeeScheduleItem.objects.get(code="63650")
    # Every column after TEAM SURG moved one place right in 2026: read by name, not position.
    assert (fee.work_rvu, fee.global_days, fee.conv_factor) == (6.97, "010", 33.4009)
    assert (fee.team_surg_ind, fee.endo_base, fee.phys_supervision) == ("0", "", "09")
    assert (fee.calc_flag, fee.diag_imaging_family) == ("0", "99")
    assert fee.attributes["pricing_ind"] == "9"
    assert "pricing_ind" not in FeeScheduleItem.objects.get(code="G0008").attributes


@pytest.mark.django_db
def test_the_2025_official_layout_has_no_pric_ind_and_still_imports(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "PPRRVU2025_Oct.csv",
        official_preamble(2025) + official_row("63650", year=2025, work_rvu="7.15"),
    )

    import_file(path)

    fee = FeeScheduleItem.objects.get(code="63650")
    assert (fee.work_rvu, fee.conv_factor, fee.phys_supervision) == (7.15, 32.3465, "09")
    assert "pricing_ind" not in fee.attributes


@pytest.mark.django_db
def test_official_columns_in_another_order_are_found_by_name(tmp_path: Path) -> None:
    text = official_preamble(2026) + official_row("99213", year=2026, conv_factor="33.4009")
    rows = [next(csv.reader([line])) for line in text.splitlines()]
    work = official_columns(2026).index("work_rvu")
    conv = official_columns(2026).index("conv_factor")
    for row in rows[3:]:  # the 5 header lines and the data row: swap WORK RVU and CONV FACTOR
        row[work], row[conv] = row[conv], row[work]
    swapped = "".join(",".join(row) + "\n" for row in rows)

    import_file(write_text(tmp_path / "PPRRVU2026_Jan_nonQPP.csv", swapped))

    fee = FeeScheduleItem.objects.get(code="99213")
    assert (fee.work_rvu, fee.conv_factor) == (1.3, 33.4009)


@pytest.mark.django_db
def test_an_official_header_without_a_required_column_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    preamble = official_preamble(2026).replace("CONV", "KONV")
    path = write_text(
        tmp_path / "PPRRVU2026_Jul_nonQPP.csv", preamble + official_row("99213", year=2026)
    )
    assert_refused(path, 8, "lacks conv_factor")


@pytest.mark.django_db
def test_the_official_qp_file_is_a_separate_dataset(tmp_path: Path) -> None:
    path = write_text(tmp_path / "PPRRVU2026_Jan_QPP.csv", OFFICIAL_PREAMBLE + rvu_row("99213"))

    result = import_file(path)

    assert (result.dataset, result.version_label) == ("pfs_rvu_qpp", "RVU26A")
    assert result.row_counts == {"fee_items_qpp": 1}
    release = Release.objects.get()
    assert (release.effective_from, release.effective_to) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
    )


@pytest.mark.django_db
def test_a_cpt_descriptor_in_the_shared_csv_is_refused_naming_file_and_line(
    tmp_path: Path,
) -> None:
    import_file(shared_rvu(tmp_path))
    rows = SHARED_ROWS + rvu_row("99214", desc="Made-up descriptor two")
    path = shared_rvu(tmp_path / "again", rows, name="pfs_rvu_2026a.csv")
    assert_refused(path, 8, "CPT code 99214", "--licensed-cpt")


@pytest.mark.django_db
def test_an_unknown_status_code_is_refused(tmp_path: Path) -> None:
    assert_refused(shared_rvu(tmp_path, SHARED_ROWS + rvu_row("99215", status="Z")), 8, "'Z'")


@pytest.mark.django_db
def test_a_repeated_code_and_modifier_is_refused(tmp_path: Path) -> None:
    path = shared_rvu(tmp_path, SHARED_ROWS + rvu_row("99213", mod="26"))
    assert_refused(path, 8, "duplicate code and modifier ('99213', '26') (first seen on line 3)")


@pytest.mark.django_db
def test_a_bad_number_is_refused(tmp_path: Path) -> None:
    path = shared_rvu(tmp_path, SHARED_ROWS + rvu_row("99215", work_rvu="1.2x"))
    assert_refused(path, 8, "bad number '1.2x' in column work_rvu")


@pytest.mark.django_db
def test_a_missing_column_or_a_renamed_file_is_unknown(tmp_path: Path) -> None:
    header = SHARED_HEADER.replace("status_code,", "")
    path = write_text(tmp_path / "pfs_rvu_2025d.csv", header + "99213\n")
    assert_refused(path, 1, "unknown file")
    with pytest.raises(DataFileError, match="unknown file"):
        detect(shared_rvu(tmp_path, name="rvu.csv"))


@pytest.mark.django_db
def test_a_truncated_gzip_is_refused(tmp_path: Path) -> None:
    rows = "".join(rvu_row(str(10000 + i)) for i in range(3000))
    body = gzip.compress((SHARED_HEADER + rows).encode())
    path = tmp_path / "pfs_rvu_2025d.csv.gz"
    path.write_bytes(body[: len(body) // 2])
    assert_refused(path, None, "truncated or corrupt")


@pytest.mark.django_db
def test_importing_the_same_rvu_file_twice_is_unchanged(tmp_path: Path) -> None:
    path = shared_rvu(tmp_path)
    assert import_file(path).status == "imported"
    assert import_file(path).status == "unchanged"
    assert FeeScheduleItem.objects.count() == 6


GPCI_OFFICIAL = (
    '"ADDENDUM E. FINAL CY 2025 GEOGRAPHIC PRACTICE COST INDICES (GPCIs) BY STATE",,,,,,\n'
    "Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,"
    "2025 PW GPCI (with 1.0 Floor),2025 PE GPCI,2025 MP GPCI\n"
    "10112,AL,00,ALABAMA,1.000,0.869,0.575\n"
    "02102,AK,01,ALASKA*,1.500,1.081,0.592\n"
    '"* Alaska has a 1.5 work GPCI floor",,,,,,\n'
)


@pytest.mark.django_db
def test_the_official_gpci_file_is_read_after_its_title_lines(tmp_path: Path) -> None:
    result = import_file(write_text(tmp_path / "GPCI2025.csv", GPCI_OFFICIAL))

    assert (result.dataset, result.version_label, result.row_counts) == (
        "pfs_gpci",
        "CY2025",
        {"gpci": 2},
    )
    release = Release.objects.get()
    assert (release.effective_from, release.effective_to) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )
    alaska = ReferenceRow.objects.get(data__locality="01")
    assert alaska.key == "gpci"
    assert alaska.data == {
        "mac": "02102",
        "state": "AK",
        "locality": "01",
        "locality_name": "ALASKA*",
        "pw_gpci_with_floor": 1.5,
        "pe_gpci": 1.081,
        "mp_gpci": 0.592,
    }


@pytest.mark.django_db
def test_the_shared_gpci_file_refuses_a_repeated_locality(tmp_path: Path) -> None:
    header = "mac,state,locality,locality_name,pw_gpci_with_floor,pe_gpci,mp_gpci\n"
    rows = "10112,AL,00,ALABAMA,1,0.869,0.575\n10112,AL,00,ALABAMA 2,1,0.869,0.575\n"
    path = write_text(tmp_path / "pfs_gpci_2025.csv.gz", header + rows, gz=True)
    assert_refused(path, 3, "duplicate MAC and locality ('10112', '00')")


@pytest.mark.django_db
def test_localities_carry_the_state_down_and_skip_a_word_for_word_repeat(
    tmp_path: Path,
) -> None:
    text = (
        "mac,locality,state,fee_schedule_area,counties\n"
        '05302,02,MISSOURI,METROPOLITAN KANSAS CITY,"CLAY, JACKSON AND PLATTE"\n'
        "05302,99,,REST OF STATE*,ALL OTHER COUNTIES\n"
        "05302,99,,REST OF STATE*,ALL OTHER COUNTIES\n"
    )
    result = import_file(write_text(tmp_path / "pfs_locality_counties_2025.csv.gz", text, gz=True))

    assert (result.dataset, result.row_counts) == ("pfs_localities", {"localities": 2})
    rest = ReferenceRow.objects.get(data__locality="99").data
    assert rest["state"] == "MISSOURI" and rest["counties"] == "ALL OTHER COUNTIES"


@pytest.mark.django_db
def test_the_official_locco_and_anesthesia_files_are_recognised(tmp_path: Path) -> None:
    locco = (
        '"Counties Included in 2025 Localities",,,,\n'
        "Medicare Adminstrative Contractor,Locality Number,State ,Fee Schedule Area ,Counties\n"
        "10112,0,ALABAMA,STATEWIDE,ALL COUNTIES\n"
    )
    anes = (
        '"2025 Anesthesia Conversion Factors",,,\n'
        "Contractor,Locality,Locality Name,Conversion Factor\n"
        "10112,00,ALABAMA,19.31\n"
    )
    first = import_file(write_text(tmp_path / "25LOCCO.csv", locco))
    second = import_file(write_text(tmp_path / "ANES2025.csv", anes))

    assert (first.dataset, first.version_label) == ("pfs_localities", "CY2025")
    assert ReferenceRow.objects.get(key="localities").data["locality"] == "00"
    assert (second.dataset, second.row_counts) == ("pfs_anesthesia_cf", {"anesthesia_cf": 1})
    assert ReferenceRow.objects.get(key="anesthesia_cf").data["anesthesia_cf"] == 19.31


CAP_OFFICIAL = (
    '"2025 OPPS Cap",,,,,,\n'
    "HCPCS,MOD,PROCSTAT,CARRIER,LOCALITY,FACILITY PRICE,NON-FACILTY PRICE\n"
    "0633T,TC,C,01112,05,150.69,150.69\n"
    "70170,,A,01112,05,95.99,95.99\n"
)


@pytest.mark.django_db
def test_the_official_opps_cap_takes_its_year_from_the_rvu_folder(tmp_path: Path) -> None:
    result = import_file(write_text(tmp_path / "rvu25d" / "OPPSCAP_Oct.csv", CAP_OFFICIAL))

    assert (result.dataset, result.version_label, result.row_counts) == (
        "pfs_opps_cap",
        "RVU25D",
        {"opps_cap": 2},
    )
    row = ReferenceRow.objects.get(data__hcpcs="0633T").data
    assert row["modifier"] == "TC" and row["facility_price"] == 150.69


@pytest.mark.django_db
def test_an_opps_cap_file_without_a_year_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path / "downloads" / "OPPSCAP_Oct.csv", CAP_OFFICIAL)
    assert_refused(path, None, NO_YEAR)


DMEPOS_STATES = [
    "al",
    "ar",
    "az",
    "ca",
    "co",
    "ct",
    "dc",
    "de",
    "fl",
    "ga",
    "ia",
    "id",
    "il",
    "in",
    "ks",
    "ky",
    "la",
    "ma",
    "md",
    "me",
    "mi",
    "mn",
    "mo",
    "ms",
    "mt",
    "nc",
    "nd",
    "ne",
    "nh",
    "nj",
    "nm",
    "nv",
    "ny",
    "oh",
    "ok",
    "or",
    "pa",
    "ri",
    "sc",
    "sd",
    "tn",
    "tx",
    "ut",
    "va",
    "vt",
    "wa",
    "wi",
    "wv",
    "wy",
    "ak",
    "hi",
]
DMEPOS_HEADER = (
    "hcpcs,mod,mod2,juris,catg,ceiling,floor,"
    + ",".join(f"{s}_{k}" for s in DMEPOS_STATES for k in ("nr", "r"))
    + ",description\n"
)


def dmepos_row(code: str, mod: str, description: str) -> str:
    fees = ",".join(["0.57", "0"] * len(DMEPOS_STATES))
    return f'{code},{mod},,J,OS,0.62,0.53,{fees},"{description}"\n'


@pytest.mark.django_db
def test_the_dmepos_fee_schedule_keeps_per_state_fees(tmp_path: Path) -> None:
    rows = dmepos_row("A4216", "", "Sterile water/saline, 10 ml") + dmepos_row(
        "E0950", "NU", "Tray"
    )
    path = write_text(
        tmp_path / "dmepos_fee_schedule_2025_04.csv.gz", DMEPOS_HEADER + rows, gz=True
    )

    result = import_file(path)

    assert (result.dataset, result.version_label) == ("dmepos", "2025 April")
    assert result.row_counts == {"dmepos_fees": 2}
    release = Release.objects.get()
    assert (release.effective_from, release.effective_to) == (
        dt.date(2025, 4, 1),
        dt.date(2025, 6, 30),
    )
    row = ReferenceRow.objects.get(data__hcpcs="A4216").data
    assert row["ceiling"] == 0.62 and row["fees"]["al_nr"] == 0.57 and row["fees"]["hi_r"] == 0
    assert row["description"] == "Sterile water/saline, 10 ml"


@pytest.mark.django_db
def test_a_cpt_descriptor_in_the_dmepos_file_is_refused(tmp_path: Path) -> None:
    rows = dmepos_row("A4216", "", "Water") + dmepos_row("97760", "", "Made-up text")
    path = write_text(tmp_path / "dmepos_fee_schedule_2025_04.csv", DMEPOS_HEADER + rows)
    assert_refused(path, 3, "CPT code 97760")


@pytest.mark.fulldata
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "dataset", "counts"),
    [
        ("pfs_rvu_2025d.csv.gz", "pfs_rvu", {"fee_items": 19090, "codes": 10880}),
        ("pfs_gpci_2025.csv.gz", "pfs_gpci", {"gpci": 109}),
        # 111 rows; 05302/99 is printed twice word for word and kept once.
        ("pfs_locality_counties_2025.csv.gz", "pfs_localities", {"localities": 110}),
        ("pfs_anesthesia_cf_2025.csv.gz", "pfs_anesthesia_cf", {"anesthesia_cf": 109}),
        ("pfs_opps_cap_2025d.csv.gz", "pfs_opps_cap", {"opps_cap": 16100}),
        ("dmepos_fee_schedule_2025_04.csv.gz", "dmepos", {"dmepos_fees": 3511}),
    ],
)
def test_the_shared_pfs_files_import_with_their_manifest_row_counts(
    shared_data_dir: Path, name: str, dataset: str, counts: dict[str, int]
) -> None:
    result = import_file(shared_data_dir / name)
    assert (result.dataset, result.row_counts) == (dataset, counts)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "dataset", "label"),
    [
        ("PPRRVU25_OCT.csv", "pfs_rvu", "RVU25D"),
        ("PPRRVU2026_Jan_nonQPP.csv", "pfs_rvu", "RVU26A"),
        ("PPRRVU2026_Jul_QPP.csv", "pfs_rvu_qpp", "RVU26C"),
    ],
)
def test_official_rvu_file_names_give_the_quarter_letter(
    tmp_path: Path, name: str, dataset: str, label: str
) -> None:
    result = import_file(write_text(tmp_path / name, OFFICIAL_PREAMBLE + rvu_row("99213")))
    assert (result.dataset, result.version_label) == (dataset, label)


@pytest.fixture
def incoming_2026(shared_data_dir: Path) -> Path:
    """../shared/incoming/2026 beside the real release files; skip where it is absent."""
    folder = shared_data_dir.parent / "incoming" / "2026"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return folder


@pytest.mark.fulldata
@pytest.mark.django_db
def test_the_real_2026_pprrvu_imports_by_header_name(incoming_2026: Path) -> None:
    result = import_file(incoming_2026 / "PPRRVU2026_Jul_nonQPP.csv.gz")

    assert (result.dataset, result.version_label) == ("pfs_rvu", "RVU26C")
    assert result.row_counts["fee_items"] == 19356  # the README's row count
    fee = FeeScheduleItem.objects.get(code="63650", modifier="")
    assert (fee.status_code, fee.global_days, fee.work_rvu) == ("A", "010", 6.97)
    assert fee.conv_factor == 33.4009 and fee.attributes["pricing_ind"] == "9"
    assert set(FeeScheduleItem.objects.values_list("conv_factor", flat=True)) == {33.4009}
