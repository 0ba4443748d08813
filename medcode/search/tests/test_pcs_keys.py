"""The ICD-10-PCS Body Part Key and Device Key read from the definitions file (pcs_keys.py),
and procedure queries that name an anatomical term or a device by the Key's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medcode.codes.importers.icd10pcs_tables import parse_definitions
from medcode.search.pcs_keys import (
    NO_KEYS,
    PcsKeys,
    body_part_words,
    device_words,
    keys_from_terms,
    loaded_keys,
    stands_for,
    term_phrases,
)
from medcode.search.procedures import pcs_words
from medcode.search.ranking import words_of
from medcode.search.tests.test_hcpcs_pcs_kinds import PCS_WORDS

SAMPLE = Path(__file__).resolve().parents[2] / "codes/tests/fixtures/pcs"
SAMPLE_DEFINITIONS = SAMPLE / "icd10pcs_definitions_2026.xml"


def keys_of(path: Path) -> PcsKeys:
    """The keys of a definitions file, as the importer parses it."""
    rows: dict[str, Any] = dict(parse_definitions(path))
    return keys_from_terms(
        rows["pcs_definitions:0:4"]["terms"], rows["pcs_definitions:0:6"]["terms"]
    )


def sample_keys() -> PcsKeys:
    return keys_of(SAMPLE_DEFINITIONS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Achilles tendon", {"achilles tendon"}),
        (
            "Implanted (venous)(access) port",
            {"implanted port", "implanted venous port", "implanted access port"},
        ),
        ("Great(er) saphenous vein", {"great saphenous vein", "greater saphenous vein"}),
        (
            "Peripherally inserted central catheter (PICC)",
            {"peripherally inserted central catheter", "picc"},
        ),
        (
            "Percutaneous endoscopic gastrostomy (PEG) tube",
            {"percutaneous endoscopic gastrostomy tube", "peg tube"},
        ),
        # A parenthesised brand note is no abbreviation of the words before it.
        ("Advisa (MRI)", {"advisa"}),
        # An abbreviation that names a code set is not read as the device.
        (
            "Implantable cardioverter-defibrillator (ICD)",
            {"implantable cardioverter-defibrillator"},
        ),
        ("Revo MRI(tm) SureScan(R) pacemaker", {"revo mri surescan pacemaker"}),
    ],
)
def test_a_key_term_is_read_the_ways_it_may_be_typed(text, expected):
    assert {" ".join(p) for p in term_phrases(text)} == expected


def test_an_abbreviation_stands_for_the_initial_letters_before_it():
    assert stands_for("picc", ("peripherally", "inserted", "central", "catheter"))
    assert stands_for("iud", ("intrauterine", "device"))
    assert not stands_for("mri", ("advisa",))


def test_a_value_is_named_without_its_side_or_the_device_keys_body_system():
    assert body_part_words("Lower Leg Tendon, Left") == ("lower", "leg", "tendon")
    assert body_part_words("Subcutaneous Tissue and Fascia, Left Upper Arm") == (
        "subcutaneous", "tissue", "fascia", "upper", "arm",
    )  # fmt: skip
    assert device_words(
        "Vascular Access Device, Totally Implantable in Subcutaneous Tissue and Fascia"
    ) == ("vascular", "access", "device", "totally", "implantable")
    assert device_words("Cardiac Lead, Pacemaker for Insertion in Heart and Great Vessels") == (
        "cardiac",
        "lead",
        "pacemaker",
    )


def test_the_keys_come_from_the_definitions_file_and_leave_out_what_two_values_claim():
    keys = sample_keys()
    assert keys.phrases[("achilles", "tendon")] == ("lower", "leg", "tendon")
    assert keys.phrases[("deltoid", "muscle")] == ("shoulder", "muscle")
    assert keys.phrases[("picc",)] == ("infusion", "device")
    assert keys.phrases[("implanted", "port")] == (
        "vascular", "access", "device", "totally", "implantable",
    )  # fmt: skip
    # "Pelvic splanchnic nerve" is in two values (Abdominal and Sacral Sympathetic Nerve).
    assert ("pelvic", "splanchnic", "nerve") not in keys.phrases
    assert keys.longest == max(len(p) for p in keys.phrases)


def test_rows_imported_before_titles_and_included_were_kept_still_read():
    old = [{"title": "Lower Leg Tendon, Left", "includes": "Achilles tendon; Peroneus tendon"}]
    keys = keys_from_terms(old, [])
    assert keys.phrases[("peroneus", "tendon")] == ("lower", "leg", "tendon")


KEY_WORDS = PCS_WORDS | words_of(
    """leg tendon muscle shoulder access vascular totally implantable face skin excision
    diagnostic"""
)


def read(query: str, keys: PcsKeys) -> list[str]:
    return pcs_words(query.split(), vocabulary=KEY_WORDS, keys=keys)


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("achilles tendon repair left", "repair lower leg tendon left", "achilles"),
        ("deltoid muscle biopsy", "excision diagnostic shoulder muscle", "deltoid"),
        # A longer phrase of the maps above still wins: "through the port" is Central Vein.
        ("chemo through her port", "introduction antineoplastic central vein", "implantable"),
        # A key term said without a procedure names none.
        ("achilles tendon pain", "", "tendon"),
    ],
)
def test_a_key_term_in_a_procedure_query_reads_as_its_value(query, expected, absent):
    words = read(query, sample_keys())
    assert set(expected.split()) <= set(words), words
    assert absent not in words
    if not expected:
        assert words == []


def test_without_keys_the_reading_is_the_maps_alone():
    words = read("achilles tendon repair", NO_KEYS)
    assert "lower" not in words


def test_a_cut_repaired_on_a_region_the_key_puts_in_subcutaneous_tissue_is_a_skin_repair():
    body = [{"title": "Subcutaneous Tissue and Fascia, Face", "included": ["Chin"]}]
    words = read("stitches for a cut on the chin", keys_from_terms(body, []))
    assert {"repair", "face", "skin", "external"} <= set(words)
    assert "subcutaneous" not in words


@pytest.mark.django_db
def test_no_definitions_loaded_means_no_keys():
    assert loaded_keys() == NO_KEYS


def test_the_real_definitions_file_gives_the_keys(shared_data_dir: Path):
    from medcode.codes.tests.incoming import incoming_file

    keys = keys_of(incoming_file(shared_data_dir, "icd10pcs_definitions_2026.xml"))
    phrases = keys.phrases
    assert phrases[("hamstring", "muscle")] == ("upper", "leg", "muscle")
    assert phrases[("anterior", "cruciate", "ligament")] == ("knee", "bursa", "ligament")
    assert phrases[("neck", "of", "femur")] == ("upper", "femur")
    assert phrases[("cavoatrial", "junction")] == ("superior", "vena", "cava")
    assert phrases[("picc",)] == ("infusion", "device")
    assert phrases[("tracheostomy", "tube")] == ("tracheostomy", "device")
    # In two values each, so in neither: the patellofemoral joint (Knee Joint; Knee Joint,
    # Femoral Surface), the pelvic splanchnic nerve.
    assert ("patellofemoral", "joint") not in phrases
    assert ("pelvic", "splanchnic", "nerve") not in phrases
    assert ("mri",) not in phrases and ("icd",) not in phrases
