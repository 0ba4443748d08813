"""ConceptMap/$translate over the GEMs: the procedure GEM through its real importer, the
diagnosis GEM rows built directly in the code store's DiagnosisGem table."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import write_text
from medcode.codes.models import DiagnosisGem, Release
from medcode.codes.queries import clear_caches
from medcode.codes.services import import_file
from medcode.fhir.tests.helpers import ICD10CM, PCS, diagnostics, get, values

ICD9 = "http://hl7.org/fhir/sid/icd-9-cm"

# Rows as CMS's 2018 ICD-9-CM to ICD-10-PCS GEM has them.
PCS_GEM = """\
icd9_proc,icd10_pcs,flags
0001,6A750Z4,10000
0001,6A751Z4,10000
8151,0SR90J9,10000
"""


@pytest.fixture(autouse=True)
def open_gate(settings, db):
    settings.MEDCODE_METERING = False
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    clear_caches()
    yield
    clear_caches()


def diagnosis_gem(rows: list[tuple[str, str, str]], dataset: str = "icd10cm_gem_i9") -> Release:
    release = Release.objects.create(
        dataset=dataset,
        version_label="2018 GEM",
        effective_from=dt.date(2017, 10, 1),
        source_file=f"2018_{dataset[-3:].upper()}gem.txt",
        sha256="0" * 64,
        row_counts={"diagnosis_gems": len(rows)},
        is_current=True,
    )
    for source, target, flags in rows:
        DiagnosisGem.objects.create(
            release=release,
            source=source,
            target=target,
            approximate=flags[0] == "1",
            no_map=flags[1] == "1",
            combination=flags[2] == "1",
            scenario=int(flags[3]),
            choice_list=int(flags[4]),
        )
    clear_caches()
    return release


def matches(body: dict[str, object]) -> list[dict[str, object]]:
    found = []
    for item in body["parameter"]:  # type: ignore[attr-defined]
        if item["name"] == "match":
            found.append(
                {p["name"]: next(v for k, v in p.items() if k != "name") for p in item["part"]}
            )
    return found


def test_without_a_gem_release_translate_says_none_is_loaded(client):
    body = get(
        client,
        "ConceptMap/$translate",
        system=ICD9,
        code="250.00",
        targetsystem=ICD10CM,
        status=404,
    )
    assert "No GEM release is loaded" in diagnostics(body)


def test_icd9_250_00_translates_to_e11_9_with_its_flags(client):
    # Rows as CMS's 2018_I9gem.txt has them.
    diagnosis_gem(
        [("25000", "E119", "10000"), ("0030", "A020", "00000"), ("36570", "NoDx", "11000")]
    )
    body = get(client, "ConceptMap/$translate", system=ICD9, code="250.00", targetsystem=ICD10CM)
    assert values(body)["result"] is True
    [match] = matches(body)
    assert match["concept"] == {"system": ICD10CM, "code": "E11.9"}
    assert match["equivalence"] == "inexact"
    assert (match["approximate"], match["noMap"], match["combination"]) == (True, False, False)
    exact = matches(
        get(client, "ConceptMap/$translate", system=ICD9, code="003.0", targetsystem=ICD10CM)
    )
    assert exact[0]["equivalence"] == "equivalent" and exact[0]["approximate"] is False
    none = get(client, "ConceptMap/$translate", system=ICD9, code="365.70", targetsystem=ICD10CM)
    assert values(none)["result"] is False and matches(none) == []


def test_icd10cm_translates_back_to_icd9_and_a_no_map_row_is_unmatched(client):
    # Rows as CMS's 2018_I10gem.txt has them.
    diagnosis_gem([("E119", "25000", "10000"), ("R29700", "NoDx", "11000")], "icd10cm_gem_i10")
    body = get(client, "ConceptMap/$translate", system=ICD10CM, code="E11.9")
    [match] = matches(body)
    assert match["concept"] == {"system": ICD9, "code": "250.00"}
    assert match["equivalence"] == "inexact"
    none = get(client, "ConceptMap/$translate", system=ICD10CM, code="R29.700")
    assert values(none)["result"] is False
    assert [m["equivalence"] for m in matches(none)] == ["unmatched"]


def test_the_procedure_gem_translates_icd9_procedures_to_pcs(client, tmp_path):
    import_file(write_text(tmp_path / "icd10pcs_gem_i9_to_pcs_2018.csv", PCS_GEM))
    clear_caches()
    body = get(client, "ConceptMap/$translate", system=ICD9, code="81.51", targetsystem=PCS)
    [match] = matches(body)
    assert match["concept"] == {"system": PCS, "code": "0SR90J9"}
    assert match["equivalence"] == "inexact"
    listed = get(client, "ConceptMap")
    ids = {e["resource"]["id"]: e["resource"]["status"] for e in listed["entry"]}
    assert ids["icd9cm-to-icd10pcs"] == "active" and ids["icd9cm-to-icd10cm"] == "draft"


def test_translate_names_what_is_missing(client):
    body = get(client, "ConceptMap/$translate", code="250.00", status=400)
    assert "needs a code and its system" in diagnostics(body)
    other = get(client, "ConceptMap/$translate", system=PCS, code="0SR90J9", status=404)
    assert "No GEM maps" in diagnostics(other)
