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
from medcode.search.ranking import (
    Doc,
    brand_generics,
    brand_names,
    is_quality_code,
    names_brand,
    pcs_in_top,
    query_kind,
    weight,
    words_of,
)
from medcode.search.tests.builders import import_real, top3_misses

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
    shoulder reverse ball socket humeral surface glenoid hip valve therapeutic enhanced
    assistance back gallbladder brain femoral pleural spinal canal infusion device superior
    vena cava pacemaker dual chamber bursa ligament autologous feeding stomach bladder
    nasal lung fluid intestinal tract abdominal wall median nerve release umbilical carpal
    supplement"""
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
        # Rebif is the subcutaneous interferon beta-1a (Q3028), not the 30 mcg code (J1826).
        ("rebif injection", "interferon beta-1a subcutaneous"),
    ],
)
def test_a_brand_of_a_billed_drug_names_the_generic_of_its_hcpcs_descriptor(query, generic):
    assert generic in brand_generics(query.split())
    assert query_kind(query.split()) == "drug"


def test_the_longer_brand_name_wins_over_its_first_word():
    # "haldol decanoate" is the decanoate, not haloperidol lactate (J1630).
    assert brand_generics(["haldol", "decanoate", "shot"]) == ["haloperidol decanoate"]
    # The subcutaneous form with hyaluronidase (J9334) is not the intravenous one (J9332).
    assert brand_generics(["vyvgart", "hytrulo"]) == [
        "efgartigimod alfa hyaluronidase-qvfc",
        "hyaluronidase-qvfc",
    ]


def test_every_brand_line_names_a_hcpcs_code_whose_descriptor_it_follows():
    source = Path(drug_brands.__file__).read_text()
    for brand in HCPCS_BRANDS:
        line = next(row for row in source.splitlines() if row.strip().startswith(f'"{brand}": ('))
        assert re.search(r"#.*\b[JQCA]\d{4}\b", line), brand


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


# ---------------------------------------------------------------- ICD-10-PCS value names


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        # Approach: laparoscopic -> Percutaneous Endoscopic; the named part refines the
        # combining form (Sigmoid Colon, not Large Intestine).
        ("laparoscopic sigmoid colectomy", "resection sigmoid percutaneous endoscopic", "large"),
        # A repair without mesh stays a Repair (no Supplement with Synthetic Substitute).
        ("open right inguinal hernia repair without mesh", "repair open right inguinal", "mesh"),
        ("laparoscopic left inguinal hernia repair, no mesh", "repair left inguinal", "synthetic"),
        # Through the groin or a catheter: Percutaneous (not the Inguinal Region).
        (
            "transcatheter aortic valve replacement through the groin",
            "replacement aortic percutaneous",
            "inguinal",
        ),
        ("TAVR through the femoral artery", "replacement aortic valve percutaneous", "femoral"),
        # Transfusion and chemotherapy through a peripheral IV: Peripheral Vein.
        (
            "platelet transfusion through an IV in the arm",
            "transfusion platelets peripheral vein",
            "arm",
        ),
        (
            "chemotherapy through a peripheral IV",
            "introduction antineoplastic peripheral vein",
            "infusion",
        ),
        (
            "chemo infusion into a vein in the arm",
            "introduction antineoplastic peripheral vein",
            "infusion",
        ),
        # Device: not a reverse ball and socket.
        (
            "right shoulder replacement, regular not reverse",
            "replacement right shoulder joint synthetic",
            "reverse",
        ),
        # Mouth and Throat, Extraction; single tooth.
        ("pulled one lower tooth", "extraction lower tooth", "pulled"),
        # Hysterectomy by approach.
        ("vaginal hysterectomy", "resection uterus via natural opening", "open"),
        (
            "laparoscopic assisted vaginal hysterectomy",
            "resection uterus via natural opening assistance",
            "open",
        ),
        # Obstetrics: Drainage of Amniotic Fluid, Diagnostic.
        ("amniocentesis", "drainage amniotic fluid diagnostic products conception", "therapeutic"),
        # A joint aspirated to test the fluid: Drainage, Percutaneous, Diagnostic.
        (
            "right knee aspiration to check the fluid",
            "drainage right knee joint percutaneous diagnostic",
            "aspiration",
        ),
        # Placement: Immobilization using Cast.
        ("short arm cast left forearm", "immobilization left lower arm cast", "splint"),
        # Imaging without contrast: the plain type (no "Contrast" in the title).
        ("MRI of the brain without contrast", "magnetic resonance imaging brain", "contrast"),
        (
            "MRI lumbar spine with and without contrast",
            "lumbar spine contrast unenhanced enhanced",
            "brain",
        ),
        # A generator implanted under the skin: Insertion into Subcutaneous Tissue.
        (
            "spinal cord stimulator generator implanted under the skin of the back",
            "insertion stimulator generator subcutaneous tissue back",
            "spinal",
        ),
        (
            "hysteroscopic endometrial ablation",
            "destruction endometrium via natural opening endoscopic",
            "open",
        ),
        ("peritoneal dialysis", "irrigation peritoneal cavity dialysate", "filtration"),
    ],
)
def test_procedure_words_read_as_the_pcs_axes_value_names(query, expected, absent):
    words = pcs_words(query.split(), vocabulary=PCS_WORDS)
    assert set(expected.split()) <= set(words), words
    assert absent not in words


def test_aspiration_and_pulled_need_a_joint_or_a_tooth():
    assert pcs_words(["aspiration", "pneumonia"], vocabulary=PCS_WORDS) == []
    assert pcs_words(["pulled", "a", "muscle", "in", "my", "back"], vocabulary=PCS_WORDS) == []


def test_what_is_given_through_an_iv_without_a_brand_is_a_procedure():
    assert query_kind(["chemotherapy", "through", "a", "peripheral", "IV"]) == "procedure"
    assert query_kind(["platelet", "transfusion", "through", "an", "IV"]) == "procedure"
    assert query_kind(["keytruda", "chemo", "infusion"]) == "drug"
    assert query_kind(["zofran", "iv"]) == "drug"


def test_anesthesia_codes_wait_for_the_word_anesthesia():
    doc = Doc(1, "CPT", "00790", True, "", "", "Anesthesia care for surgery in the upper belly")
    said = frozenset({"laparoscopic", "cholecystectomy"})
    assert weight(doc, "procedure", said) < weight(doc, "procedure", said | {"anesthesia"})


def test_the_best_full_pcs_match_gets_a_place_in_the_top_3():
    docs = {
        i: Doc(i, "CPT", f"4756{i}", True, "", "", "Laparoscopic cholecystectomy")
        for i in range(1, 5)
    }
    docs[9] = Doc(
        9,
        "ICD10PCS",
        "0FT44ZZ",
        True,
        "",
        "",
        "Resection of Gallbladder, Percutaneous Endoscopic Approach",
    )
    scored = [(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6), (9, 0.5)]
    moved = pcs_in_top(scored, docs, ["laparoscopic", "cholecystectomy"], vocabulary=PCS_WORDS)
    assert [d for d, _ in moved] == [1, 2, 9, 3, 4]


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        (
            "tapped fluid off the right lung with a needle",
            "drainage right pleural cavity percutaneous",
            "lung",
        ),
        (
            "fluid tapped from the belly with a needle",
            "drainage peritoneal cavity percutaneous",
            "fluid",
        ),
        ("spinal tap", "drainage spinal canal percutaneous", "open"),
        ("central line into SVC", "insertion infusion device superior vena cava", "open"),
        (
            "dual chamber pacemaker generator insertion",
            "insertion pacemaker dual chamber",
            "generator",
        ),
        (
            "ACL reconstruction right knee with own hamstring graft, scope",
            "replacement right knee bursa ligament autologous tissue substitute endoscopic",
            "joint",
        ),
        ("NG feeding tube placed", "insertion feeding device stomach via natural opening", "nasal"),
        (
            "put a catheter in her bladder to drain urine",
            "drainage bladder device via natural",
            "urine",
        ),
        ("umbilical hernia repair open", "repair abdominal wall open", "umbilical"),
        (
            "laparoscopic ventral hernia repair with mesh",
            "supplement abdominal wall synthetic substitute percutaneous endoscopic",
            "repair",
        ),
        ("carpal tunnel release right", "release median nerve right", "carpal"),
    ],
)
def test_more_procedure_wording_reads_as_pcs_values(query, expected, absent):
    words = pcs_words(query.split(), vocabulary=PCS_WORDS)
    assert set(expected.split()) <= set(words), words
    assert absent not in words


def test_placing_a_supply_is_a_procedure():
    assert query_kind(["put", "a", "catheter", "in", "her", "bladder"]) == "procedure"
    assert query_kind(["foley", "catheter"]) == "supply"


def test_a_hyphenated_brand_is_read_as_a_parsed_query_spells_it():
    # parse_query splits "solu-medrol" into "solu medrol".
    assert brand_generics(["solu", "medrol", "125"])[0] == "methylprednisolone sodium succinate"
    assert brand_generics(["depo", "testosterone", "shot"]) == ["testosterone cypionate"]
    assert query_kind(["depo", "medrol"]) == "drug"


def test_a_descriptor_that_names_the_brand_asked_for_is_recognised():
    title = "Injection, buprenorphine extended-release (sublocade), less than or equal to 100 mg"
    assert brand_names(["sublocade", "100", "mg", "shot"]) == ["sublocade"]
    assert names_brand(title, ["sublocade"])
    assert not names_brand("Injection, buprenorphine hydrochloride, 0.1 mg", ["sublocade"])
    assert names_brand("Injection, aripiprazole (abilify maintena), 1 mg", ["abilify maintena"])


# ---------------------------------------------------------------- on the real releases

REAL_FILES = (
    "icd10cm_codes_2026.csv.gz",
    "HCPC2026_JAN_ANWEB_01122026.xlsx",
    "icd10pcs_order_2026.txt.gz",
)
# query -> the code (or the code's first characters) a coder accepts in the top 3; each a
# kind written from the descriptors and tables, none an evaluation item.
REAL_EXAMPLES = {
    # Brands of J codes.
    "vistaril 50 mg IM": "J3410",
    "cogentin injection": "J0515",
    "kadcyla infusion": "J9354",
    "padcev": "J9177",
    "forteo shot": "J3110",
    "monoferric iron infusion": "J1437",
    "ferrlecit iv": "J2916",
    "zoladex implant": "J9202",
    "firmagon shot": "J9155",
    "solu-medrol 125 iv": "J2919",
    "sublocade monthly shot": "Q999",
    # Medicare services and equipment by name.
    "glaucoma check for a high risk medicare patient": "G011",
    "collecting a pap smear specimen for screening medicare": "Q0091",
    "diabetic foot care medicare loss of sensation": "G0247",
    "bedpan": "E0275",
    "iv pole": "E0776",
    "hoyer lift": "E0630",
    "heating pad": "E021",
    # ICD-10-PCS procedures in plain words.
    "laparoscopic sigmoid colectomy": "0DTN4ZZ",
    "open right inguinal hernia repair without mesh": "0YQ50ZZ",
    "transcatheter aortic valve replacement through the groin": "02RF3",
    "platelet transfusion through an IV in the arm": "30233R1",
    "chemotherapy through a peripheral IV": "3E0330",
    "right shoulder replacement, regular not reverse": "0RRJ0J",
    "pulled one lower tooth": "0CDXXZ",
    "vaginal hysterectomy": "0UT97ZZ",
    "amniocentesis": "10903ZU",
    "right knee aspiration to check the fluid": "0S9C3ZX",
    "short arm cast left forearm": "2W3DX2Z",
    "MRI of the brain without contrast": "B030ZZZ",
    "spinal cord stimulator generator implanted under the skin of the back": "0JH7",
    "hysteroscopic endometrial ablation": "0U5B8ZZ",
    "peritoneal dialysis": "3E1M39Z",
    "tapped fluid off the right lung with a needle": "0W993",
    # The whole joint, not a surface or a device the query does not name.
    "right hip replacement cemented": "0SR90J9",
    "left knee replacement": "0SRD0JZ",
}


@pytest.mark.fulldata
@pytest.mark.django_db
def test_hcpcs_and_pcs_kinds_find_the_code_in_the_top_3_on_the_real_releases(
    shared_data_dir, lexical_only
):
    from medcode.codes.models import Code

    import_real(shared_data_dir, REAL_FILES)
    assert top3_misses(REAL_EXAMPLES) == {}
    # Every brand line: its first code is in the file, and its descriptor has the words of
    # the brand's first generic.
    source = Path(drug_brands.__file__).read_text()
    titles = dict(Code.objects.filter(system="HCPCS").values_list("code", "long_description"))
    wrong = {}
    for brand, generics in HCPCS_BRANDS.items():
        line = next(row for row in source.splitlines() if row.strip().startswith(f'"{brand}": ('))
        code = re.findall(r"\b[JQCA]\d{4}\b", line.split("#", 1)[1])[0]
        words = set(re.findall(r"[a-z0-9][a-z0-9&'-]*", generics[0]))
        if not words <= set(re.findall(r"[a-z0-9][a-z0-9&'-]*", titles.get(code, "").lower())):
            wrong[brand] = (code, titles.get(code))
    assert wrong == {}


def test_services_braces_and_central_routes_read_in_the_descriptors_words():
    groups = expand_synonyms(["pneumonia", "vaccine"])
    assert any("pneumococcal" in " ".join(alt) for group in groups for alt in group)
    groups = expand_synonyms(["knee", "brace"])
    assert any("orthosis" in " ".join(alt) for group in groups for alt in group)
    words = pcs_words(["chemo", "through", "her", "port"], vocabulary=PCS_WORDS)
    assert {"introduction", "antineoplastic", "central", "vein"} <= set(words)
    words = pcs_words(["egd", "through", "the", "mouth"], vocabulary=PCS_WORDS)
    assert {"via", "natural", "opening"} <= set(words)


def test_a_drug_query_ranks_cpt_codes_below_the_drug_and_the_diagnosis():
    said = frozenset({"iron", "infusion"})
    cpt = Doc(1, "CPT", "83550", True, "", "", "Lab test of how much iron the blood can carry")
    icd = Doc(2, "ICD10CM", "D509", True, "", "", "Iron deficiency anemia, unspecified")
    drug = Doc(3, "HCPCS", "J1756", True, "", "", "Injection, iron sucrose, 1 mg")
    assert weight(cpt, "drug", said) < weight(icd, "drug", said) < weight(drug, "drug", said)
