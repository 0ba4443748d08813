"""HCPCS Level II importers: the CMS ANWEB TXT and xlsx, the shared CSVs, the scraped list."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import write_text
from medcode.codes.importers.hcpcs import ORPHAN_CONTINUATION
from medcode.codes.importers.registry import detect
from medcode.codes.models import Code, CodeSystem, ReferenceRow, Release
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError

# Columns of the CMS HCPC record layout (1-based; HCPC2026_recordlayout.txt), written here
# independently of the importer. A modifier's code sits in columns 4-5 after 3 blanks.
AT = {
    "hcpc": 1,
    "modifier": 4,
    "seqnum": 6,
    "recid": 11,
    "long": 12,
    "short": 92,
    "price1": 120,
    "price2": 122,
    "mult_pi": 128,
    "cim1": 129,
    "mcm1": 147,
    "statute": 171,
    "labcert1": 181,
    "xref1": 205,
    "cov": 230,
    "asc_grp": 231,
    "asc_dt": 233,
    "mog": 241,
    "mog_pi": 244,
    "mog_dt": 245,
    "procnote": 253,
    "betos": 257,
    "tos1": 261,
    "tos2": 262,
    "anest_bu": 266,
    "add_dt": 269,
    "act_eff_dt": 277,
    "term_dt": 285,
    "action_cd": 293,
}


def record(**fields: str) -> str:
    """One 320-character ANWEB record with the given fields at their CMS columns."""
    line = [" "] * 320
    for name, value in fields.items():
        start = AT[name] - 1
        line[start : start + len(value)] = value
    return "".join(line)


def txt_file(tmp_path: Path, lines: list[str], name: str = "HCPC2026_OCT_ANWEB_09232026.txt"):
    return write_text(tmp_path / name, "\r\n".join(lines) + "\r\n")


GOOD_TXT = [
    record(
        hcpc="A4216",
        seqnum="00010",
        recid="3",
        long="Sterile water, saline and/or dextrose, diluent/flush, 10 ml",
        short="Sterile water/saline, 10 ml",
        price1="37",
        mult_pi="A",
        mcm1="2049",
        cov="D",
        betos="D1F",
        tos1="1",
        tos2="P",
        anest_bu="000",
        add_dt="20040101",
        act_eff_dt="20070101",
        action_cd="N",
    ),
    record(
        hcpc="G0999",
        seqnum="00010",
        recid="3",
        long="Made-up long service description that runs past eighty columns and so goes on",
        short="Made-up service",
        price1="13",
        cov="C",
        xref1="G0998",
        add_dt="20170101",
        act_eff_dt="20180101",
        term_dt="20171231",
        action_cd="D",
    ),
    record(hcpc="G0999", seqnum="00020", recid="4", long="to a second line"),
    record(
        modifier="XS",
        seqnum="00010",
        recid="7",
        long="Separate structure, a service that is distinct because it was performed on a",
        short="Separate structure",
        cov="C",
        add_dt="20150101",
        act_eff_dt="20150101",
        action_cd="N",
    ),
    record(modifier="XS", seqnum="00020", recid="8", long="separate organ/structure"),
]


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


@pytest.mark.django_db
def test_the_fixed_width_txt_gives_codes_and_modifiers_with_continuations_joined(
    tmp_path: Path,
) -> None:
    result = import_file(txt_file(tmp_path, GOOD_TXT))

    assert result.dataset == "hcpcs_anweb"
    assert result.row_counts == {"codes": 3, "modifiers": 1}
    release = Release.objects.get()
    assert (release.version_label, release.effective_from, release.effective_to) == (
        "2026 October",
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert release.code_system == CodeSystem.HCPCS
    a4216 = Code.objects.get(code="A4216")
    assert a4216.system == CodeSystem.HCPCS and a4216.is_billable and a4216.chapter == "A"
    assert a4216.short_description == "Sterile water/saline, 10 ml"
    assert (a4216.added_on, a4216.action_on, a4216.action_code) == (
        dt.date(2004, 1, 1),
        dt.date(2007, 1, 1),
        "N",
    )
    assert a4216.attributes == {
        "pricing_indicators": ["37"],
        "mult_pi": "A",
        "coverage": "D",
        "betos": "D1F",
        "tos": ["1", "P"],
        "mcm": ["2049"],
        "anesthesia_base_units": 0,
    }
    g0999 = Code.objects.get(code="G0999")
    assert g0999.long_description.endswith("and so goes on to a second line")
    assert g0999.terminated_on == dt.date(2017, 12, 31) and not g0999.is_billable
    assert g0999.attributes["xref"] == ["G0998"]
    xs = Code.objects.get(code="XS")
    assert xs.system == CodeSystem.MODIFIER and xs.level == "modifier"
    assert xs.long_description.endswith("performed on a separate organ/structure")


@pytest.mark.django_db
def test_the_official_xlsx_is_read_by_its_cms_column_names(tmp_path: Path) -> None:
    path = tmp_path / "HCPC2024_JUL_ANWEB.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    header = ["HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION", "PRICE1"]
    header += ["MULT_PI", "COV", "BETOS", "TOS1", "ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD"]
    sheet.append(header)
    sheet.append(
        [
            *("E0950", "0010", 3, "Wheelchair accessory, tray, each", "Tray", "32", "A", "D"),
            *("D1D", "R", "19860101", "20180101", None, "N"),
        ]
    )
    sheet.append(["LT", "0010", 7, "Left side", "Left side", None, None, "C", None, None])
    # A workbook saved with real date cells (not CMS's text) reads the same.
    sheet.append(["E0951", "0010", 3, "Heel loop", "Loop", "32", "A", "D", "D1D", "R"])
    sheet.cell(row=4, column=11, value=dt.date(2001, 4, 1)).number_format = "mm/dd/yyyy"
    book.save(path)

    result = import_file(path)

    assert result.row_counts == {"codes": 3, "modifiers": 1}
    assert Code.objects.get(code="E0951").added_on == dt.date(2001, 4, 1)
    release = Release.objects.get()
    assert (release.version_label, release.effective_to) == ("2024 July", dt.date(2024, 9, 30))
    tray = Code.objects.get(code="E0950")
    assert tray.long_description == "Wheelchair accessory, tray, each"
    assert tray.attributes["pricing_indicators"] == ["32"] and tray.attributes["tos"] == ["R"]
    assert tray.added_on == dt.date(1986, 1, 1)
    assert Code.objects.get(code="LT").system == CodeSystem.MODIFIER


ANWEB_HEADER = (
    "hcpc,seqnum,recid,long_description,short_description,price1,price2,price3,price4,mult_pi,"
    "cim1,cim2,cim3,mcm1,mcm2,mcm3,statute,labcert1,labcert2,labcert3,labcert4,labcert5,"
    "labcert6,labcert7,labcert8,xref1,xref2,xref3,xref4,xref5,cov,asc_grp,asc_dt,opps,opps_pi,"
    "opps_dt,procnote,betos,tos1,tos2,tos3,tos4,tos5,anest_bu,add_dt,act_eff_dt,term_dt,"
    "action_cd\n"
)


def anweb_row(code: str, recid: str, long: str, **extra: str) -> str:
    names = ANWEB_HEADER.strip().split(",")
    values = dict.fromkeys(names, "")
    values.update({"hcpc": code, "seqnum": "0010", "recid": recid, "long_description": long})
    values.update(extra)
    return ",".join(f'"{values[n]}"' if "," in values[n] else values[n] for n in names) + "\n"


def anweb_csv(tmp_path: Path, rows: str, name: str = "hcpcs_level2_2020_anweb.csv.gz") -> Path:
    return write_text(tmp_path / name, ANWEB_HEADER + rows, gz=name.endswith(".gz"))


GOOD_ANWEB_ROWS = (
    anweb_row(
        "A0021",
        "3",
        "Ambulance service, outside state per mile, transport (medicaid only)",
        short_description="Outside state ambulance serv",
        price1="00",
        mult_pi="9",
        cov="I",
        xref1="A0030",
        betos="O1A",
        tos1="D",
        add_dt="1985-01-01",
        act_eff_dt="1996-09-10",
        action_cd="N",
    )
    + anweb_row("G0503", "3", "First part of a long text", add_dt="2017-01-01")
    + (anweb_row("G0503", "4", "and its second part", seqnum="0020"))
)


@pytest.mark.django_db
def test_the_shared_anweb_csv_gives_the_january_release_with_continuations(
    tmp_path: Path,
) -> None:
    result = import_file(anweb_csv(tmp_path, GOOD_ANWEB_ROWS))

    assert (result.dataset, result.version_label) == ("hcpcs_anweb", "2020 January")
    assert result.row_counts == {"codes": 2}
    release = Release.objects.get()
    assert (release.effective_from, release.effective_to) == (
        dt.date(2020, 1, 1),
        dt.date(2020, 3, 31),
    )
    assert Code.objects.get(code="G0503").long_description == (
        "First part of a long text and its second part"
    )
    a0021 = Code.objects.get(code="A0021")
    assert a0021.attributes["xref"] == ["A0030"] and a0021.attributes["coverage"] == "I"


JOINED_HEADER = (
    "hcpc,seqnum,recid,long_description,short_description,pricing_indicator,mult_pi,cim,mcm,"
    "statute,labcert,xref,cov,asc_group,asc_date,procnote,procnote_description,betos,tos,"
    "anest_bu,date_added,action_date,date_term,action\n"
)


@pytest.mark.django_db
def test_the_april_2024_csv_splits_joined_multi_value_cells(tmp_path: Path) -> None:
    rows = (
        'G0001,0010,3,"Made-up lab service, each",Made-up lab,11:21,A,,"2150, 5112",,'
        '"140, 220",,D,YY,2008-01-01,0088,SEE NOTE.,T1A,5:P,0,2002-01-01,2024-01-01,,N\n'
    )
    path = write_text(tmp_path / "hcpcs_level2_2024_04.csv.gz", JOINED_HEADER + rows, gz=True)

    result = import_file(path)

    assert (result.version_label, result.row_counts) == ("2024 April", {"codes": 1})
    attributes = Code.objects.get(code="G0001").attributes
    assert attributes["pricing_indicators"] == ["11", "21"]
    assert attributes["mcm"] == ["2150", "5112"] and attributes["labcert"] == ["140", "220"]
    assert attributes["tos"] == ["5", "P"] and attributes["asc_date"] == "2008-01-01"
    assert attributes["procnote"] == "0088" and attributes["procnote_text"] == "SEE NOTE."


JULY_HEADER = (
    "hcpcs_code,long_description,short_description_2024_04,pricing_indicator,mult_pi,cov,betos,"
    "tos,action,cim,mcm,statute,labcert,xref,asc_grp,procnote,anest_bu,date_term,date_added,"
    "date_asc,action_date\n"
)


@pytest.mark.django_db
def test_the_july_2024_csv_is_a_release_of_its_own_quarter(tmp_path: Path) -> None:
    rows = (
        'A2004,"Made-up product, 1 mg",,13,A,C,P5A,1,N,,,,,,,,0,,2022-01-01,,2022-01-01\n'
        "A9999,,Made-up short,00,9,I,O1A,D,N,,,,,,,,0,2023-12-31,1990-01-01,,2024-01-01\n"
    )
    path = write_text(tmp_path / "hcpcs_level2_2024_07.csv.gz", JULY_HEADER + rows, gz=True)

    result = import_file(path)

    assert (result.version_label, result.row_counts) == ("2024 July", {"codes": 2})
    assert Release.objects.get().effective_from == dt.date(2024, 7, 1)
    assert Code.objects.get(code="A2004").short_description == ""
    stale = Code.objects.get(code="A9999")
    assert stale.short_description == "Made-up short" and not stale.is_billable


@pytest.mark.django_db
def test_the_modifier_csv_is_its_own_dataset_of_modifier_codes(tmp_path: Path) -> None:
    rows = anweb_row("A1", "7", "Dressing for one wound", cov="C", add_dt="2002-07-01")
    path = anweb_csv(tmp_path, rows, name="hcpcs_modifiers_2020.csv.gz")

    result = import_file(path)

    assert result.dataset == "hcpcs_modifiers"
    assert result.row_counts == {"codes": 1, "modifiers": 1}
    assert Release.objects.get().code_system == CodeSystem.MODIFIER
    assert Code.objects.get(code="A1").system == CodeSystem.MODIFIER


@pytest.mark.django_db
def test_a_procedure_record_in_the_modifier_csv_is_refused(tmp_path: Path) -> None:
    rows = anweb_row("A1", "7", "Dressing for one wound") + anweb_row("A0021", "3", "Ambulance")
    assert_refused(anweb_csv(tmp_path, rows, name="hcpcs_modifiers_2020.csv"), 3, "RECID '3'")


@pytest.mark.django_db
def test_the_scraped_long_descriptions_are_reference_rows_not_a_code_release(
    tmp_path: Path,
) -> None:
    text = "hcpcs,long_description,group_letter\nA0021,Ambulance service outside state,A\n"
    path = write_text(tmp_path / "hcpcs_level2_long_desc_2025_scraped.csv.gz", text, gz=True)

    result = import_file(path)

    assert result.dataset == "hcpcs_long_desc"
    assert result.row_counts == {"hcpcs_long_descriptions": 1}
    assert result.version_label == "2025 (scraped, unofficial)"
    assert not Code.objects.exists()
    row = ReferenceRow.objects.get()
    assert row.key == "hcpcs_long_descriptions"
    assert row.data == {
        "code": "A0021",
        "long_description": "Ambulance service outside state",
        "group_letter": "A",
    }


@pytest.mark.django_db
def test_a_cpt_shaped_code_with_text_in_the_txt_is_refused_naming_file_and_line(
    tmp_path: Path,
) -> None:
    import_file(anweb_csv(tmp_path, GOOD_ANWEB_ROWS))
    lines = [*GOOD_TXT[:1], record(hcpc="99999", seqnum="00010", recid="3", long="Any text")]
    assert_refused(txt_file(tmp_path, lines), 2, "CPT code 99999", "--licensed-cpt")


@pytest.mark.django_db
def test_a_cpt_shaped_code_with_text_in_the_scrape_is_refused(tmp_path: Path) -> None:
    text = "hcpcs,long_description,group_letter\nA0021,Ambulance,A\n0001F,Some text,0\n"
    path = write_text(tmp_path / "hcpcs_level2_long_desc_2025_scraped.csv", text)
    assert_refused(path, 3, "CPT code 0001F")


@pytest.mark.django_db
def test_a_continuation_without_its_first_record_is_refused(tmp_path: Path) -> None:
    lines = [GOOD_TXT[0], record(hcpc="G0999", seqnum="00020", recid="4", long="orphan")]
    assert_refused(txt_file(tmp_path, lines), 2, ORPHAN_CONTINUATION.format(code="G0999"))


@pytest.mark.django_db
def test_a_missing_column_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    import_file(anweb_csv(tmp_path, GOOD_ANWEB_ROWS))
    text = ANWEB_HEADER.replace("short_description,", "") + "A0021,0010,3,Text\n"
    path = write_text(tmp_path / "bad" / "hcpcs_level2_2021_anweb.csv", text)
    # The header no longer matches any layout: refused as unknown before anything is written.
    assert_refused(path, 1, "unknown file")


@pytest.mark.django_db
def test_a_bad_date_is_refused_naming_the_line(tmp_path: Path) -> None:
    import_file(anweb_csv(tmp_path, GOOD_ANWEB_ROWS))
    rows = GOOD_ANWEB_ROWS + anweb_row("B4034", "3", "Enteral kit", add_dt="2019-13-45")
    path = anweb_csv(tmp_path / "again", rows, name="hcpcs_level2_2021_anweb.csv")
    assert_refused(path, 5, "bad date '2019-13-45' in column add_dt")


@pytest.mark.django_db
def test_a_duplicate_code_is_refused_naming_both_lines(tmp_path: Path) -> None:
    rows = GOOD_ANWEB_ROWS + anweb_row("A0021", "3", "Again")
    assert_refused(anweb_csv(tmp_path, rows), 5, "duplicate code 'A0021' (first seen on line 2)")


@pytest.mark.django_db
def test_a_truncated_gzip_is_refused(tmp_path: Path) -> None:
    body = gzip.compress((ANWEB_HEADER + GOOD_ANWEB_ROWS * 200).encode())
    path = tmp_path / "hcpcs_level2_2020_anweb.csv.gz"
    path.write_bytes(body[: len(body) // 2])
    assert_refused(path, None, "truncated or corrupt")


@pytest.mark.django_db
def test_a_renamed_file_is_unknown(tmp_path: Path) -> None:
    path = anweb_csv(tmp_path, GOOD_ANWEB_ROWS, name="level2_codes.csv")
    with pytest.raises(DataFileError, match="unknown file"):
        detect(path)
    txt = txt_file(tmp_path, GOOD_TXT, name="HCPC2026_OCT_ANWEB_09232026.csv")
    with pytest.raises(DataFileError, match="unknown file"):
        detect(txt)


@pytest.mark.django_db
def test_importing_the_same_txt_twice_is_unchanged(tmp_path: Path) -> None:
    path = txt_file(tmp_path, GOOD_TXT)
    assert import_file(path).status == "imported"
    assert import_file(path).status == "unchanged"
    assert Code.objects.count() == 3


@pytest.mark.fulldata
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "dataset", "counts"),
    [
        # 6,711 rows, one of them a RECID 4 continuation of G0503.
        ("hcpcs_level2_2020_anweb.csv.gz", "hcpcs_anweb", {"codes": 6710}),
        ("hcpcs_level2_2024_04.csv.gz", "hcpcs_anweb", {"codes": 7966}),
        ("hcpcs_level2_2024_07.csv.gz", "hcpcs_anweb", {"codes": 8033}),
        ("hcpcs_modifiers_2020.csv.gz", "hcpcs_modifiers", {"codes": 369, "modifiers": 369}),
        ("hcpcs_modifiers_2024_04.csv.gz", "hcpcs_modifiers", {"codes": 383, "modifiers": 383}),
        (
            "hcpcs_level2_long_desc_2025_scraped.csv.gz",
            "hcpcs_long_desc",
            {"hcpcs_long_descriptions": 8463},
        ),
    ],
)
def test_the_shared_hcpcs_files_import_with_their_manifest_row_counts(
    shared_data_dir: Path, name: str, dataset: str, counts: dict[str, int]
) -> None:
    result = import_file(shared_data_dir / name)
    assert (result.dataset, result.row_counts) == (dataset, counts)


@pytest.mark.django_db
def test_every_txt_field_is_read_from_its_2026_record_layout_columns(tmp_path: Path) -> None:
    full = record(
        hcpc="J9999",
        seqnum="00010",
        recid="3",
        long="Made-up drug, 1 mg",
        short="Made-up drug 1 mg",
        price1="51",
        price2="11",
        mult_pi="B",
        cim1="100-02",
        mcm1="15.4",
        statute="1861(s)",
        labcert1="010",
        xref1="J9998",
        cov="C",
        asc_grp="YY",
        asc_dt="20200101",
        mog="E1A",
        mog_pi="9",
        mog_dt="20210101",
        procnote="0042",
        betos="O1D",
        tos1="1",
        anest_bu="005",
        add_dt="20190101",
        act_eff_dt="20260101",
        action_cd="P",
    )
    modifier_first = [record(modifier="A1", seqnum="00010", recid="7", long="Dressing one")]

    import_file(txt_file(tmp_path, [*modifier_first, full]))

    code = Code.objects.get(code="J9999")
    assert code.attributes == {
        "pricing_indicators": ["51", "11"],
        "mult_pi": "B",
        "cim": ["100-02"],
        "mcm": ["15.4"],
        "statute": "1861(s)",
        "labcert": ["010"],
        "xref": ["J9998"],
        "coverage": "C",
        "asc_group": "YY",
        "asc_date": "2020-01-01",
        "opps": "E1A",
        "opps_pi": "9",
        "opps_date": "2021-01-01",
        "procnote": "0042",
        "betos": "O1D",
        "tos": ["1"],
        "anesthesia_base_units": 5,
    }
    assert (code.added_on, code.action_on, code.action_code) == (
        dt.date(2019, 1, 1),
        dt.date(2026, 1, 1),
        "P",
    )
    assert Code.objects.get(code="A1").system == CodeSystem.MODIFIER


@pytest.fixture
def incoming_2026(shared_data_dir: Path) -> Path:
    folder = shared_data_dir.parent / "incoming" / "2026"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return folder


@pytest.mark.fulldata
@pytest.mark.django_db
def test_the_real_2026_txt_holds_the_codes_and_descriptions_of_the_same_release_xlsx(
    shared_data_dir: Path, incoming_2026: Path
) -> None:
    def texts() -> dict[str, tuple[str, str]]:
        rows = Code.objects.values_list("code", "long_description", "short_description")
        return {code: (" ".join(long.split()), short) for code, long, short in rows}

    txt = import_file(incoming_2026 / "HCPC2026_JAN_ANWEB_01122026.txt.gz")
    from_txt = texts()
    # The same release: the xlsx import replaces the TXT's rows.
    xlsx = import_file(shared_data_dir / "HCPC2026_JAN_ANWEB_01122026.xlsx")

    assert (txt.dataset, txt.version_label) == ("hcpcs_anweb", "2026 January")
    # 16,614 records: 8,623 codes and 383 modifiers once continuations are joined.
    assert txt.row_counts == xlsx.row_counts == {"codes": 9006, "modifiers": 383}
    # The xlsx doubles a space where a continuation line was joined (17 codes): same words.
    assert from_txt == texts()
