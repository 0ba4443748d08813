"""MS-DRG facts on ICD-10-CM and ICD-10-PCS pages: drgpy's definitions tables (CC/MCC,
Appendix C exclusions, O.R. status, the DRGs that name a code) and the loaded Table 5 weights."""

from __future__ import annotations

import csv
import gzip
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from medcode.codes.page import drg as drg_facts
from medcode.codes.page.panels import Panel, Source, severity_panel
from medcode.codes.services import import_file
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from medcode.rules.drg import group_discharge
from medcode.rules.mce import Discharge

FY2026_H2 = date(2026, 5, 1)  # v43.1


def panel(panels: list[Panel], key: str) -> Panel:
    [found] = [p for p in panels if p.key == key]
    return found


def facts(found: Panel) -> dict[str, str]:
    return {f.label: f.value for f in found.facts}


class NoWeights:
    def weight(self, drg: str) -> None:
        return None

    def source(self) -> str:
        return "none"

    def listed_severity(self, code: str) -> None:
        return None


def grouped(principal: str, *secondary: str) -> str:
    discharge = Discharge(
        principal=principal,
        secondary=tuple(secondary),
        procedures=(),
        sex="F",
        age=70,
        discharge_status="01",
        discharge_date=FY2026_H2,
    )
    return group_discharge(discharge, NoWeights()).drg


@pytest.mark.django_db
def test_an_mcc_names_its_pdx_collection_and_the_grouper_honours_it():
    found = panel(drg_facts.diagnosis_panels("I5021", FY2026_H2), "msdrg_definitions")

    assert found.title == "MS-DRG v43.1 definitions"
    assert facts(found)["As a secondary diagnosis"] == "MCC"
    assert facts(found)["CC exclusion (Appendix C)"] == "PDX collection 0824"
    assert "I50.9," in found.summary  # a principal that excludes it
    assert "drgpy" in found.source.citation and found.source.effective_to == date(2026, 9, 30)
    # What the page says is what the grouping does: with principal I50.9 it is not counted,
    # with pneumonia (J18.9) it is.
    assert grouped("I509", "I5021") == "293"
    assert grouped("J189", "I5021") == "193"
    assert "J18.9" not in found.summary


@pytest.mark.django_db
def test_a_code_only_counted_if_alive_and_a_later_date_says_the_version_ended():
    found = panel(drg_facts.diagnosis_panels("I469", date(2026, 12, 6)), "msdrg_definitions")

    assert facts(found)["Only if discharged alive"] == "Yes"
    assert "No MS-DRG version for 2026-12-06 is shipped" in found.stale
    assert [r[0] for r in found.tables[0].rows][:3] == ["296", "297", "298"]


@pytest.mark.django_db
def test_a_non_cc_code_says_neither_and_v43_applies_in_the_first_half_of_fy2026():
    found = panel(drg_facts.diagnosis_panels("R519", date(2025, 11, 3)), "msdrg_definitions")

    assert found.title == "MS-DRG v43 definitions"
    assert facts(found)["As a secondary diagnosis"] == "Neither CC nor MCC"
    assert "CC exclusion (Appendix C)" not in facts(found)


@pytest.mark.django_db
def test_procedures_say_whether_they_are_or_and_which_drgs_name_them():
    hip = panel(drg_facts.procedure_panels("0SR9019", FY2026_H2), "msdrg_definitions")
    vent = panel(drg_facts.procedure_panels("5A1955Z", FY2026_H2), "msdrg_definitions")
    intubation = panel(drg_facts.procedure_panels("0BH17EZ", FY2026_H2), "msdrg_definitions")

    assert facts(hip)["O.R. procedure"] == "Yes"
    assert {"469", "470"} <= {r[0] for r in hip.tables[0].rows}
    assert facts(hip)["MDCs whose MS-DRGs name it"].startswith("MDC 08")
    assert facts(vent)["O.R. procedure"] == "No: non-O.R., affects the MS-DRG"
    assert {"207", "870"} <= {r[0] for r in vent.tables[0].rows}
    assert facts(intubation)["O.R. procedure"] == "No: non-O.R."
    assert intubation.tables == ()
    assert drg_facts.procedure_panels("0SR9", FY2026_H2) == []


@pytest.mark.django_db
def test_weights_come_from_the_loaded_table_5_row_for_row(shared_data_dir: Path):
    path = shared_data_dir / "msdrg_weights_fy2026.csv.gz"
    import_file(path)
    with gzip.open(path, "rt", newline="") as handle:
        raw = {r["ms_drg"]: r for r in csv.DictReader(handle)}

    weights = panel(drg_facts.procedure_panels("0SR9019", FY2026_H2), "msdrg_weights")

    shown = {r[0]: r for r in weights.tables[0].rows}
    assert float(shown["470"][2]) == pytest.approx(float(raw["470"]["weight_10pct_cap"]))
    assert float(shown["469"][3]) == pytest.approx(float(raw["469"]["geometric_mean_los"]))
    assert weights.source.source_file == "msdrg_weights_fy2026.csv.gz"
    assert weights.stale == ""
    later = panel(drg_facts.procedure_panels("0SR9019", date(2026, 12, 6)), "msdrg_weights")
    assert "none for 2026-12-06 is loaded" in later.stale


def test_the_pages_show_the_panels(code_samples, client: Client, settings):
    settings.MEDCODE_METERING = False
    cm = client.get("/codes/S72.001A/?date=2026-05-01", HTTP_HOST="localhost").content.decode()
    pcs = client.get("/codes/0SR9019/?date=2026-05-01", HTTP_HOST="localhost").content.decode()
    data = client.get("/api/v1/codes/S72.001A?date=2026-05-01", HTTP_HOST="localhost").json()

    assert 'id="panel-msdrg_definitions"' in cm and "PDX collection 1763" in cm
    assert "drgpy" in cm
    assert 'id="panel-msdrg_definitions"' in pcs and "O.R. procedure" in pcs
    assert "never pairs it" in pcs  # the right-hip list heading drgpy merged with a note
    [api] = [p for p in data["panels"] if p["key"] == "msdrg_definitions"]
    assert {"label": "As a secondary diagnosis", "value": "MCC"}.items() <= api["facts"][0].items()


@pytest.mark.django_db
def test_a_code_tables_6i_6j_list_but_drgpy_lacks_is_said(shared_data_dir: Path):
    import_file(shared_data_dir / "icd10cm_cc_mcc_fy2026.csv.gz")

    covid = panel(drg_facts.diagnosis_panels("J1282", FY2026_H2), "msdrg_definitions")
    pneumonia = panel(drg_facts.diagnosis_panels("J189", FY2026_H2), "msdrg_definitions")

    # CMS lists it as an MCC (Table 6I); only drgpy's copy of Appendix C lacks it.
    assert facts(covid)["As a secondary diagnosis"] == "MCC (IPPS Table 6I)"
    assert "does not count it" in covid.facts[0].meaning
    assert "The loaded IPPS Table 6I lists this code as an MCC" in covid.summary
    assert facts(pneumonia)["As a secondary diagnosis"] == "MCC"
    assert "Table 6I" not in pneumonia.summary


@pytest.mark.django_db
def test_a_code_in_mdc_12_and_13_names_both_and_a_non_extensive_or_code_names_981_983():
    syphilis = facts(panel(drg_facts.diagnosis_panels("A510", FY2026_H2), "msdrg_definitions"))
    incontinence = panel(drg_facts.diagnosis_panels("N393", FY2026_H2), "msdrg_definitions")
    sepsis = facts(panel(drg_facts.diagnosis_panels("A021", FY2026_H2), "msdrg_definitions"))
    omentum = panel(drg_facts.procedure_panels("0DDU0ZZ", FY2026_H2), "msdrg_definitions")

    assert syphilis["MDCs as principal diagnosis"] == "MDC 12 or MDC 13"
    assert "MDC as principal diagnosis" not in syphilis
    [mdcs] = [f for f in incontinence.facts if f.label == "MDCs as principal diagnosis"]
    assert mdcs.value == "MDC 11 or MDC 13" and "MDC 13: female" in mdcs.meaning
    assert sepsis["MDC as principal diagnosis"] == "MDC 18"  # MDC 25 needs HIV: not named
    assert facts(omentum)["O.R. procedure"] == "Yes: non-extensive O.R. procedure"
    assert "981-983" in omentum.facts[0].meaning


@pytest.mark.django_db
def test_a_hac_code_says_its_category_and_that_a_code_can_have_more_than_one():
    glycemic = panel(drg_facts.diagnosis_panels("E0800", FY2026_H2), "msdrg_definitions")

    [hac] = [f for f in glycemic.facts if f.label == "Hospital-acquired condition"]
    assert hac.value == "HAC category 09"
    assert "POA N or U" in hac.meaning and "more than one" in hac.meaning


def test_a_code_newer_than_tables_6i_6j_is_not_called_non_cc():
    # QA0.0101 came in on 2026-04-01, after the FY2026 final rule's Tables 6I/6J were printed;
    # the MS-DRG definitions grade it, so the tables' silence must not read as "non-CC".
    assert drg_facts.definitions_level("QA00101", date(2026, 6, 1)) == "CC"
    assert drg_facts.definitions_level("E119", date(2026, 6, 1)) == ""
    source = Source("msdrg_cc_mcc", "Tables 6I/6J", "FY2026", "cc.csv", date(2025, 10, 1), None, "")
    newer = severity_panel("", source, date(2026, 6, 1), graded_later="CC")
    assert newer.facts[0].value == "Not on these tables" and "grade it CC" in newer.facts[0].meaning
    assert severity_panel("", source, date(2026, 6, 1)).facts[0].value == "non-CC"
    assert (
        severity_panel("MCC", source, date(2026, 6, 1), graded_later="CC").facts[0].value == "MCC"
    )
