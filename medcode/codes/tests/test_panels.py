"""Data panels built from rows: explained values, national payment, provenance."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from medcode.codes.page import panels

SOURCE = panels.Source(
    dataset="pfs_rvu",
    title="Medicare PFS relative values",
    version_label="RVU25D",
    source_file="pfs_rvu_2025d.csv.gz",
    effective_from=dt.date(2025, 10, 1),
    effective_to=dt.date(2025, 12, 31),
    citation="Medicare PFS relative values RVU25D (pfs_rvu_2025d.csv.gz)",
)
AS_OF = dt.date(2025, 11, 3)


@dataclass
class Fee:
    modifier: str = ""
    status_code: str = "A"
    work_rvu: float | None = 7.15
    nonfac_pe_rvu: float | None = 57.79
    nonfac_na: bool = False
    facility_pe_rvu: float | None = 4.51
    facility_na: bool = False
    mp_rvu: float | None = 0.82
    nonfac_total: float | None = 65.76
    facility_total: float | None = 12.48
    pctc_ind: str = "0"
    global_days: str = "010"
    pre_op: float | None = 0.1
    intra_op: float | None = 0.8
    post_op: float | None = 0.1
    mult_proc_ind: str = "2"
    bilat_surg_ind: str = "0"
    asst_surg_ind: str = "1"
    co_surg_ind: str = "0"
    team_surg_ind: str = "0"
    endo_base: str = ""
    conv_factor: float | None = 32.3465
    phys_supervision: str = "09"
    diag_imaging_family: str = "99"


def facts(panel: panels.Panel) -> dict[str, panels.Fact]:
    return {f.label: f for f in panel.facts}


def test_national_payment_is_total_rvus_times_the_conversion_factor():
    panel = panels.fee_schedule_panel([Fee()], SOURCE, AS_OF)
    assert panel is not None
    found = facts(panel)
    assert found["Non-facility national payment"].value == "$2,127.11"
    assert found["Facility national payment"].value == "$403.68"
    assert found["Conversion factor"].value == "32.3465"


def test_a_setting_marked_na_is_not_priced():
    panel = panels.fee_schedule_panel([Fee(nonfac_na=True)], SOURCE, AS_OF)
    assert panel is not None
    assert facts(panel)["Non-facility national payment"].value.startswith("NA")


@pytest.mark.parametrize(
    ("global_days", "words"),
    [
        ("000", "no postoperative period"),
        ("010", "10 days after"),
        ("090", "90 days after"),
        ("XXX", "does not apply"),
        ("ZZZ", "another service"),
        ("YYY", "contractor sets"),
        ("MMM", "Maternity"),
    ],
)
def test_global_days_are_explained_in_words(global_days, words):
    panel = panels.fee_schedule_panel([Fee(global_days=global_days)], SOURCE, AS_OF)
    assert panel is not None
    assert words in facts(panel)["Global period"].meaning


@pytest.mark.parametrize(
    ("field_name", "label", "value", "words"),
    [
        ("pctc_ind", "PC/TC indicator", "1", "professional (26) and a technical (TC)"),
        ("mult_proc_ind", "Multiple procedures (51)", "2", "second to fifth at 50%"),
        ("bilat_surg_ind", "Bilateral surgery (50)", "1", "150%"),
        ("asst_surg_ind", "Assistant at surgery (80/81/82/AS)", "2", "may be paid"),
        ("co_surg_ind", "Co-surgeons (62)", "1", "with documentation"),
        ("team_surg_ind", "Team surgery (66)", "2", "permitted"),
    ],
)
def test_every_indicator_is_explained(field_name, label, value, words):
    panel = panels.fee_schedule_panel([Fee(**{field_name: value})], SOURCE, AS_OF)
    assert panel is not None
    fact = facts(panel)[label]
    assert fact.value == value
    assert words in fact.meaning


def test_the_fee_table_has_a_row_per_modifier_with_the_global_row_first():
    rows = [Fee(modifier="TC", pctc_ind="1"), Fee(pctc_ind="1"), Fee(modifier="26", pctc_ind="1")]
    panel = panels.fee_schedule_panel(rows, SOURCE, AS_OF)
    assert panel is not None
    assert [r[0] for r in panel.tables[0].rows] == ["global", "26", "TC"]


def test_a_panel_carries_its_source_and_date():
    panel = panels.fee_schedule_panel([Fee()], SOURCE, AS_OF)
    assert panel is not None
    assert panel.source.citation == SOURCE.citation
    assert panel.as_of == AS_OF


@dataclass
class Opps:
    status_indicator: str
    payment_rate: Any = None
    apc: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


@pytest.mark.parametrize(
    ("si", "words"),
    [
        ("J1", "Comprehensive APC"),
        ("N", "Packaged"),
        ("C", "Inpatient-only"),
        ("Y", "durable medical equipment"),
        ("Z9", "Addendum D1"),
    ],
)
def test_opps_status_indicators_are_explained(si, words):
    panel = panels.opps_panel([Opps(si)], SOURCE, AS_OF)
    assert panel is not None
    assert words in facts(panel)["Status indicator"].meaning


def test_opps_payment_rate_is_shown_in_dollars():
    panel = panels.opps_panel([Opps("J1", payment_rate=6511.03)], SOURCE, AS_OF)
    assert panel is not None
    assert facts(panel)["National payment rate"].value == "$6,511.03"


def test_icd10cm_notes_tell_excludes1_from_excludes2_and_name_where_they_come_from():
    notes = [
        panels.NoteRow("S72", "excludes1", "traumatic amputation of hip and thigh (S78.-)"),
        panels.NoteRow("chapter 19", "excludes2", "birth trauma (P10-P15)"),
        panels.NoteRow("", "codeFirst", "underlying condition"),
    ]
    panel = panels.icd10cm_notes_panel(notes, SOURCE, AS_OF)
    assert panel is not None
    groups = {g.title: g for g in panel.groups}
    assert "NOT CODED HERE" in groups["Excludes1"].meaning
    assert "both codes may be reported together" in groups["Excludes2"].meaning
    assert groups["Excludes1"].items[0].inherited_from == "S72"
    assert groups["Excludes2"].items[0].inherited_from == "chapter 19"
    assert [g.title for g in panel.groups] == ["Excludes1", "Excludes2", "Code first"]


@pytest.mark.parametrize(
    ("code", "base"),
    [("S72001A", "S72001"), ("S72001", "S72001"), ("T148", "T148XX"), ("S32", "S32XXX")],
)
def test_the_7th_character_is_added_to_a_six_character_stem_padded_with_x(code, base):
    assert panels.seventh_base(code) == base


def test_the_7th_character_panel_lists_valid_extensions_and_marks_this_one():
    panel = panels.seventh_character_panel(
        code="S72001A",
        declared_at="S72",
        characters=[("A", "initial encounter"), ("D", "subsequent encounter")],
        valid_codes={"S72001A": True, "S72001D": True},
        source=SOURCE,
        as_of=AS_OF,
    )
    assert panel is not None
    rows = panel.tables[0].rows
    assert rows[0] == ("A", "initial encounter", "S72.001A", "this code")
    assert rows[1][2] == "S72.001D"
    assert "inherited" in panel.summary


def test_severity_panel_explains_a_code_in_neither_list():
    panel = panels.severity_panel("", SOURCE, AS_OF)
    assert panel.facts[0].value == "non-CC"


@dataclass
class Row:
    code: str = "E0114"
    display: str = "E0114"
    short_description: str = "Crutch underarm pair no wood"
    long_description: str = "Crutches underarm"
    added_on: dt.date | None = dt.date(1986, 1, 1)
    action_on: dt.date | None = None
    terminated_on: dt.date | None = None
    action_code: str = "N"
    attributes: dict[str, Any] = field(
        default_factory=lambda: {
            "pricing_indicators": ["32"],
            "coverage": "D",
            "betos": "D1E",
            "tos": ["A", "P", "R"],
            "mult_pi": "A",
            "labcert": ["110", "999"],
        }
    )


def test_hcpcs_panel_explains_coverage_betos_pricing_and_action():
    found = facts(panels.hcpcs_panel(Row(), SOURCE, AS_OF))
    assert "Special coverage instructions" in found["Coverage code"].meaning
    assert "Other DME" in found["BETOS"].meaning
    assert "inexpensive and routinely purchased DME" in found["Pricing indicator"].meaning
    assert "No maintenance" in found["Action code"].meaning
    assert "Rental of DME" in found["Type of service"].meaning
    assert "priced under one methodology" in found["Multiple pricing indicator"].meaning
    # Lab certification codes from the record layout; a code it does not list says so.
    assert found["Lab certification"].value == "110, 999"
    assert found["Lab certification"].meaning == (
        "110: Bacteriology; 999: value 999 (not described in the record layout)."
    )


def test_the_hcpcs_panel_names_the_record_layout_its_meanings_come_from():
    panel = panels.hcpcs_panel(Row(), SOURCE, AS_OF)
    assert "CMS HCPCS Level II record layout for 2026" in panel.summary
    # The document by name, never its file name (issue 21: no file names shown to readers).
    assert not re.search(r"\.(txt|csv|xlsx|pdf|md)\b", panel.summary)


@pytest.mark.parametrize(
    ("indicator", "meaning"),
    [
        ("40", "lymphedema compression treatment items"),
        ("55", "splints and casts"),
        ("56", "IOLs inserted in a physician's office"),
        ("57", "Other: carrier priced"),
        ("13", "price established by the carrier"),
    ],
)
def test_hcpcs_pricing_indicators_of_the_2026_layout_are_explained(
    indicator: str, meaning: str
) -> None:
    row = Row(attributes={"pricing_indicators": [indicator]})
    found = facts(panels.hcpcs_panel(row, SOURCE, AS_OF))
    assert meaning in found["Pricing indicator"].meaning


def test_mue_panel_explains_the_adjudication_indicator():
    @dataclass
    class Mue:
        service_type: str = "practitioner"
        value: int = 2
        mai: int = 3
        rationale: str = "Nature of Service/Procedure"

    panel = panels.mue_panel([Mue()], SOURCE, AS_OF)
    assert panel is not None
    row = panel.tables[0].rows[0]
    assert row[:2] == ("Practitioner services", "2")
    assert "overturned on appeal" in row[2]


def test_ptp_panel_counts_pairs_by_modifier_indicator():
    summary = panels.PtpSummary(
        as_column_1=3,
        as_column_2=None,
        modifier_allowed=1,
        never_together=2,
        partners=(("62321", "0", "x"), ("63661", "1", "y"), ("77003", "0", "z")),
    )
    panel = panels.ptp_panel(summary, "NCCI", SOURCE, AS_OF)
    found = facts(panel)
    assert found["Active edits as column 1"].value == "3"
    assert found["Of which never paid together"].value == "2"
    assert "Active edits as column 2" not in found
    assert panel.tables[0].code_columns == (0,)


def test_addon_panel_lists_primaries_without_the_contractor_placeholder():
    panel = panels.addon_panel(
        primaries=[("22551", 1, ""), ("CCCCC", 1, "")], addons=[], source=SOURCE, as_of=AS_OF
    )
    assert panel is not None
    assert [r[0] for r in panel.tables[0].rows] == ["22551"]
    assert "Type 1" in facts(panel)["Add-on code"].meaning


def test_dmepos_panel_shows_floor_ceiling_and_state_range_per_modifier():
    rows = [
        {
            "mod": "NU",
            "catg": "IN",
            "floor": 56.05,
            "ceiling": 65.94,
            "fees": {"al_nr": 56.05, "ca_nr": 65.94, "al_r": 0.0},
        },
        {"mod": "RR", "catg": "IN", "floor": 10.17, "ceiling": 11.97, "fees": {"al_nr": 10.17}},
    ]
    panel = panels.dmepos_panel(rows, SOURCE, AS_OF)
    assert panel is not None
    first = panel.tables[0].rows[0]
    assert first[0].startswith("NU (new")
    assert first[2:] == ("$56.05", "$65.94", "$56.05 – $65.94")


@pytest.mark.parametrize(
    ("status", "attributes", "reason"),
    [
        ("I", {"not_used_for_medicare_payment": True}, "PFS status I"),
        ("N", {"not_used_for_medicare_payment": True}, "PFS status N"),
        ("B", {}, "PFS status B"),
        ("X", {}, "PFS status X"),
        ("A", {"not_used_for_medicare_payment": True}, "not used for Medicare payment"),
    ],
)
def test_no_medicare_payment_is_quoted_for_a_code_medicare_does_not_pay(status, attributes, reason):
    fee = Fee(status_code=status)
    fee.attributes = attributes  # type: ignore[attr-defined]
    panel = panels.fee_schedule_panel([fee], SOURCE, AS_OF)
    assert panel is not None
    found = facts(panel)

    assert "Non-facility national payment" not in found
    assert "Facility national payment" not in found
    assert found[panels.MEDICARE_PAYMENT].value == panels.NO_MEDICARE_PAYMENT
    assert reason in found[panels.MEDICARE_PAYMENT].meaning
    assert not any("$" in cell for row in panel.tables[0].rows for cell in row)
