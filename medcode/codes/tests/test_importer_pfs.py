"""Physician fee schedule importers: PPRRVU (official and shared), GPCI, localities, anesthesia
CF, OPPS cap and the DMEPOS fee schedule."""

from __future__ import annotations

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
# Made-up descriptor text only: never real AMA wording.
OFFICIAL_PREAMBLE = (
    '"2025 National Physician Fee Schedule Relative Value File October Release",,,\n'
    '"CPT codes and descriptions only are copyright 2024 American Medical Association.",,,\n'
    '"Dental codes (D codes) are copyright American Dental Association.",,,\n'
    ",,,,,,NON-,,,,,,,,,,,,,,,,,,,,,,,,\n"
    "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,TOTAL,"
    "IND,DAYS,OP,OP,OP,PROC,SURG,SURG,SURG,SURG,BASE,FACTOR,SUPERVISION,FLAG,FAMILY,OPPS,OPPS,"
    "OPPS\n"
)


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
