"""Kinds of lay and coder procedure query read in ICD-10-PCS words: obstetrics (section 1 and
the oxytocin of labor induction, section 3), endoscopy (ERCP, EGD with dilation, colonoscopy
with a polyp taken off), lines and tubes (port, PICC, central line), and body parts named by
an anatomical term of the Body Part Key. Each row is a kind written from the FY2026 PCS
tables, definitions and the CMS ICD-9-CM to PCS GEM, not an evaluation item."""

from __future__ import annotations

import pytest

from medcode.search.procedures import pcs_words
from medcode.search.ranking import query_kind, words_of
from medcode.search.tests.builders import import_real, top3_misses
from medcode.search.tests.test_hcpcs_pcs_kinds import PCS_WORDS

# More words of the FY2026 PCS titles these rows need.
TITLE_WORDS = PCS_WORDS | words_of(
    """division female perineum forceps low mid high vacuum delivery extraperitoneal hormone
    fluoroscopy biliary pancreatic ducts dilation esophagus excision totally implantable
    vascular access superior vena cava saphenous test heavy feeding pylorus stomach sigmoid
    thyroid gland lobe common bile duct aorta thoracic ascending arch cervix tympanic membrane
    membranes"""
)


def read(query: str) -> list[str]:
    return pcs_words(query.split(), vocabulary=TITLE_WORDS)


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        # Obstetrics: instruments make an Extraction through the vagina (10D07).
        ("forceps delivery", "extraction products conception forceps via natural", "delivery"),
        ("baby delivered with vacuum", "extraction products conception vacuum", "open"),
        ("low forceps delivery", "extraction low forceps", "delivery"),
        ("baby pulled out with forceps", "extraction products conception forceps", "open"),
        # Cesarean: Extraction, Open Approach, its type the qualifier (10D00Z0/Z1/Z2).
        ("classical c-section", "extraction products conception open high", "low"),
        ("low transverse cesarean delivery", "extraction conception open low", "delivery"),
        ("spontaneous vaginal delivery", "delivery products conception external", "extraction"),
        ("manually assisted delivery", "delivery products conception external", "extraction"),
        ("episiotomy", "division female perineum", "drainage"),
        (
            "artificial rupture of membranes",
            "drainage amniotic fluid therapeutic via",
            "diagnostic",
        ),
        ("amniotomy", "drainage amniotic fluid therapeutic products conception", "diagnostic"),
        ("amnio to test the baby", "drainage amniotic fluid diagnostic percutaneous", "test"),
        # Labor induced with oxytocin: Introduction of Other Hormone into Peripheral Vein.
        (
            "induction of labor with oxytocin",
            "introduction other hormone peripheral vein percutaneous",
            "induction",
        ),
        ("pitocin to induce labor", "introduction other hormone peripheral vein", "labor"),
        # Endoscopy.
        ("ERCP", "fluoroscopy biliary pancreatic ducts", "inspection"),
        (
            "endoscopic retrograde cholangiopancreatography",
            "fluoroscopy biliary pancreatic ducts",
            "inspection",
        ),
        ("EGD with dilation", "dilation esophagus via natural opening endoscopic", "inspection"),
        ("colonoscopy with polyp removal", "excision large intestine endoscopic", "resection"),
        ("polypectomy during colonoscopy", "excision large intestine", "resection"),
        # Lines and tubes: the Device Key's values.
        ("port placement", "insertion totally implantable vascular access device", "central"),
        ("PICC line", "insertion infusion device superior vena cava percutaneous", "open"),
        ("central line placed", "insertion infusion device superior vena cava", "open"),
        # A drain put in is Drainage with a Drainage Device; a gastrostomy tube a Feeding Device.
        ("chest tube placement right", "drainage right pleural cavity device", "insertion"),
        ("gastrostomy tube placement", "insertion feeding device stomach", "bypass"),
        # Extraction = "Pulling or stripping out ..."; hemi- names half of the part.
        ("left saphenous vein stripping", "extraction left saphenous vein", "release"),
        ("laparoscopic right hemicolectomy", "resection right large intestine", "open"),
        # Lay body words.
        ("MRI of the lower back", "magnetic resonance imaging lumbar", "back"),
        ("burned the lining of the uterus", "destruction endometrium", "uterus"),
        # A part named beside an EGD's or colonoscopy's dilation is the part dilated.
        ("egd with dilation of the pylorus", "dilation pylorus endoscopic", "esophagus"),
        ("colonoscopy with dilation of the sigmoid colon", "dilation sigmoid endoscopic", "large"),
        # hemi- with a side: the sided half (Left Thyroid Gland Lobe).
        ("left hemithyroidectomy", "resection left thyroid gland", "excision"),
    ],
)
def test_procedure_kinds_read_as_the_pcs_axes_value_names(query, expected, absent):
    words = read(query)
    assert set(expected.split()) <= set(words), words
    assert absent not in words


@pytest.mark.parametrize(
    "query",
    [
        "2nd degree tear during vaginal delivery",  # the tear (O70), not a delivery code
        "failed vacuum delivery",
        "burning in my chest",
        "burning when i pee",
        "labor pains at 38 weeks",
        "port wine stain",
        # Findings a dilation word names, symptoms "burning the" names (hfact8).
        "cervix dilated 4 cm",
        "dilated common bile duct",
        "aortic root dilation",
        "burning the back of my throat",
        # Membrane sweeping takes nothing out; a laparoscopic port site is no access device.
        "stripping membranes to start labor",
        "membranes stripped",
        # hemi- without a side would read the whole part (0DTE, 0DT6: a total resection).
        "hemicolectomy",
        "hemigastrectomy",
    ],
)
def test_conditions_of_labor_and_symptoms_are_no_procedures(query):
    assert read(query) == []


def test_a_port_site_is_no_vascular_access_device():
    words = read("port site hernia repair")
    assert "implantable" not in words and "vascular" not in words


def test_hemiarthroplasty_reads_no_joint_repair():
    assert not {"repair", "joint"} <= set(read("right hip hemiarthroplasty"))


def test_a_drug_that_induces_labor_is_its_administration_whatever_the_brand():
    assert query_kind(["pitocin", "to", "induce", "labor"]) == "procedure"
    assert query_kind(["induction", "of", "labour", "with", "pitocin"]) == "procedure"
    assert query_kind(["pitocin", "drip", "to", "start", "labor"]) == "procedure"
    assert query_kind(["pitocin", "injection"]) == "drug"
    # Labor that started names no drug: the condition.
    assert query_kind(["labor", "started", "at", "38", "weeks"]) == "condition"


REAL_FILES = (
    "icd10cm_codes_2026.csv.gz",
    "HCPC2026_JAN_ANWEB_01122026.xlsx",
    "icd10pcs_order_2026.txt.gz",
)
# query -> the code (or its first characters) a coder accepts in the top 3.
REAL_EXAMPLES = {
    "forceps delivery": "10D07Z",
    "vacuum assisted delivery": "10D07Z6",
    "classical c-section": "10D00Z0",
    "low transverse cesarean": "10D00Z1",
    "spontaneous vaginal delivery": "10E0XZZ",
    "episiotomy": "0W8NXZZ",
    "induction of labor with oxytocin": "3E033VJ",
    "pitocin to induce labor": "3E033VJ",
    "artificial rupture of membranes": "10907ZC",
    "ERCP": "BF11",
    "EGD with dilation": "0D758ZZ",
    "colonoscopy with polyp removal": "0DBE8ZZ",
    "port placement": "0JH6",
    "PICC line": "02HV33Z",
    "central line": "02HV33Z",
    "PEG tube placement": "0DH6",
    "repair of torn achilles tendon left": "0LQP",
    "hamstring muscle repair right": "0KQQ",
    "biopsy of a cervical lymph node": "07B",
    "deltoid muscle biopsy": "0KB",
    "left saphenous vein stripping": "06DQ",
    "MRI of the lower back": "BR39",
}


@pytest.mark.fulldata
@pytest.mark.django_db
def test_pcs_kinds_find_the_code_in_the_top_3_on_the_real_releases(shared_data_dir, lexical_only):
    from medcode.codes.services import import_file
    from medcode.codes.tests.incoming import incoming_file

    # The Body Part and Device Keys come from the definitions file at run time.
    import_file(incoming_file(shared_data_dir, "icd10pcs_definitions_2026.xml"))
    import_real(shared_data_dir, REAL_FILES)
    assert top3_misses(REAL_EXAMPLES) == {}
