"""Kinds of lay query for HCPCS Level II and ICD-10-PCS: a brand of an injected, infused or
implanted drug names its J/Q code's generic (drug_brands.py); Medicare screening services and
plain-named equipment route to HCPCS; procedure wording reads in the ICD-10-PCS axes' value
names (approach, device, qualifier). Each example is a kind written from the HCPCS
descriptors and the PCS tables, not an evaluation item."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medcode.search import drug_brands
from medcode.search.drug_brands import HCPCS_BRANDS
from medcode.search.procedures import pcs_words
from medcode.search.querytext import expand_synonyms
from medcode.search.ranking import brand_generics, is_quality_code, query_kind, words_of

# Words of ICD-10-PCS titles (FY2026 tables) the procedure tests need.
PCS_WORDS = words_of(
    """introduction influenza vaccine resection sigmoid colon large intestine percutaneous
    endoscopic open via natural artificial opening uterus repair inguinal region right left
    replacement aortic valve zooplastic tissue transfusion nonautologous red blood cells
    platelets plasma peripheral vein central antineoplastic other extraction upper lower
    tooth single multiple external drainage amniotic fluid products conception diagnostic
    knee joint immobilization arm cast splint magnetic resonance imaging brain lumbar spine
    contrast unenhanced destruction endometrium irrigation peritoneal cavity dialysate
    insertion stimulator generator chest subcutaneous tissue fascia synthetic substitute
    shoulder reverse ball socket humeral surface glenoid hip"""
)


@pytest.mark.parametrize(
    ("query", "generic"),
    [
        ("prolia shot", "denosumab"),
        ("forteo injection", "teriparatide"),
        ("kadcyla infusion", "ado-trastuzumab emtansine"),
        ("enhertu", "fam-trastuzumab deruxtecan-nxki"),
        ("padcev", "enfortumab vedotin-ejfv"),
        ("vistaril 50 mg im", "hydroxyzine hcl"),
        ("cogentin injection", "benztropine mesylate"),
        ("monoferric iron infusion", "ferric derisomaltose"),
        ("ferrlecit iv", "sodium ferric gluconate complex"),
        ("zoladex implant", "goserelin acetate implant"),
        ("firmagon shot", "degarelix"),
        ("trelstar injection", "triptorelin pamoate"),
        ("haldol decanoate shot", "haloperidol decanoate"),
    ],
)
def test_a_brand_of_a_billed_drug_names_the_generic_of_its_hcpcs_descriptor(query, generic):
    assert generic in brand_generics(query.split())
    assert query_kind(query.split()) == "drug"


def test_the_longer_brand_name_wins_over_its_first_word():
    # "haldol decanoate" is the decanoate, not haloperidol lactate (J1630).
    assert brand_generics(["haldol", "decanoate", "shot"]) == ["haloperidol decanoate"]


def test_every_brand_line_names_a_hcpcs_code_whose_descriptor_it_follows():
    source = Path(drug_brands.__file__).read_text()
    for brand in HCPCS_BRANDS:
        line = next(row for row in source.splitlines() if row.strip().startswith(f'"{brand}": ('))
        assert re.search(r"#.*\b[JQC]\d{4}\b", line), brand


# ---------------------------------------------------------------- Medicare services, equipment


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("glaucoma check for a high risk medicare patient", "medicare"),
        ("collecting a pap smear specimen for screening medicare", "medicare"),
        ("flu shot administration medicare", "medicare"),
        ("bedpan", "supply"),
        ("urinal for a man", "supply"),
        ("iv pole", "drug"),  # "iv" names the route; the pole's title has every word
        ("heating pad", "supply"),
        ("tens unit", "supply"),
    ],
)
def test_medicare_and_equipment_words_route_to_hcpcs_level_ii(query, kind):
    assert query_kind(query.split()) == kind


@pytest.mark.parametrize(
    ("code", "title", "is_quality"),
    [
        ("G0117", "Glaucoma screening for high risk patients furnished by an optometrist", False),
        ("G0247", "Routine foot care by a physician of a diabetic patient with diabetic", False),
        (
            "G0463",
            "Hospital outpatient clinic visit for assessment and management of a patient",
            False,
        ),
        ("G0043", "Patients with mechanical prosthetic heart valve", True),
        ("G0038", "Clinician determines patient does not require referral", True),
        ("G2177", "Acute bronchitis/bronchiolitis episodes when the patient had a new", True),
        ("G8427", "Eligible clinician attests to documenting in the medical record", True),
    ],
)
def test_a_service_that_names_its_patient_is_no_quality_measure(code, title, is_quality):
    assert is_quality_code(code, title) is is_quality


def test_medicare_makes_no_procedure_of_a_service():
    assert pcs_words(["flu", "shot", "administration", "medicare"], vocabulary=PCS_WORDS) == []


@pytest.mark.parametrize(
    ("words", "expected"),
    [("bedpan", "bed pan"), ("hoyer lift", "patient lift hydraulic"), ("knee scooter", "crutch")],
)
def test_everyday_equipment_names_read_as_their_descriptor_words(words, expected):
    groups = expand_synonyms(words.split())
    assert any(expected in " ".join(alt) for group in groups for alt in group)
