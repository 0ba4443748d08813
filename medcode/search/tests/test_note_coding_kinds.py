"""Kinds of note a coder reads differently from a plain sentence search, each as a table:
the subject of a denial, an affirmed clause with a denied part, a denial put last, plans and
conditional clauses, and several drugs in use."""

import pytest

from medcode.search.drug_use import LongTermTable
from medcode.search.note_coder import CodeScore, collapse
from medcode.search.notes_findings import Finding, coded_findings, find_findings, is_plan


def finding(note: str, start: str) -> Finding:
    return next(f for f in find_findings(note) if f.text.startswith(start))


@pytest.mark.parametrize(
    ("note", "start"),
    [
        ("He denies chest pain, polyuria or foot numbness.", "He denies"),
        ("She denies suicidal ideation.", "She denies"),
        ("She is not on any anticoagulant.", "She is not"),
        ("Today he denies fever.", "Today he"),
        ("Streptococcal pharyngitis ruled out.", "Streptococcal"),
        ("Chest pain denied.", "Chest pain"),
    ],
)
def test_a_denial_with_its_subject_or_put_last_is_not_coded(note, start):
    assert finding(note, start).assertion == "negated"
    assert not coded_findings(find_findings(note))


@pytest.mark.parametrize(
    ("note", "start"),
    [
        ("No transportation to appointments.", "No transportation"),
        ("Not enough food at home.", "Not enough"),
        ("No place to live since March.", "No place"),
    ],
)
def test_a_social_need_said_with_a_negation_is_the_need_and_is_coded(note, start):
    found = finding(note, start)
    assert found.assertion == "affirmed"
    assert found.coded_text == found.text
    assert coded_findings(find_findings(note))


@pytest.mark.parametrize(
    ("note", "start", "kept", "blanked"),
    [
        (
            "Right tympanic membrane red and bulging with no perforation.",
            "Right tympanic",
            "bulging",
            "perforation",
        ),
        ("CT head showed no acute stroke.", "CT head", "CT head", "stroke"),
        # "without" is a qualifier of the classification's own titles: nothing is blanked
        (
            "Concussion without loss of consciousness.",
            "Concussion",
            "loss of consciousness",
            "",
        ),
    ],
)
def test_an_affirmed_clause_is_coded_without_the_words_it_denies(note, start, kept, blanked):
    found = finding(note, start)
    assert found.assertion == "affirmed"
    assert found.text == note[found.start : found.end]  # the evidence shown is untouched
    assert kept in found.coded_text
    assert len(found.coded_text) == len(found.text)
    if blanked:
        assert blanked not in found.coded_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Follow-up with orthopedics in 7-10 days.", True),
        ("orthopedics follow-up in one week", True),
        ("Wound check in 48 hours.", True),
        ("return if dyspnea or pleuritic pain develops.", True),
        ("next surveillance due next year.", True),
        ("Outpatient follow-up.", True),
        ("Behavioral health follow-up.", True),
        ("Hypertension follow-up.", False),  # names a condition
        ("return for fever", True),
        ("58-year-old man seen for routine follow-up of type 2 diabetes", False),
        ("At follow-up 6 months later the lesion had regressed", False),
        ("He has been on warfarin for 3 years", False),
        # A visit made and how long something has lasted: the history, not a plan.
        ("45 yo woman presents to clinic after 3 days of vomiting and diarrhea.", False),
        ("Visit after 1 week of productive cough", False),
        ("He returned to clinic in 2 weeks with worsening cough", False),
        ("To be seen in clinic in 2 weeks.", True),
    ],
)
def test_a_plan_or_a_conditional_clause_is_not_coded(text, expected):
    assert is_plan(text) is expected
    assert bool(coded_findings(find_findings(text))) is not expected


def test_each_drug_in_use_keeps_its_own_weight_while_siblings_of_a_category_weigh_less():
    ranked = [
        CodeScore("Z794", 1.2, 0),
        CodeScore("Z7984", 1.2, 0),
        CodeScore("E1122", 1.1, 1),
        CodeScore("E119", 1.0, 1),
    ]
    scores = {e.code: e.score for e in collapse(ranked, 0.85)}
    assert scores["Z7984"] == pytest.approx(1.2)
    assert scores["E119"] == pytest.approx(0.85)


def class_table() -> LongTermTable:
    from medcode.search.drug_use import build_table

    long_term = [
        (" anticoagulants", "Z7901"),
        (" bisphosphonates", "Z7983"),
        (" antiplatelet", "Z7902"),
        (" antibiotics", "Z792"),
        (" antibiotics > short-term use - omit code", ""),
        (" insulin", "Z794"),
    ]
    return build_table(long_term, [("Anticoagulant NEC", {"adverse_effect": "T45.515"})])


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Paroxysmal atrial fibrillation on chronic anticoagulation", ["Z7901"]),
        ("on a bisphosphonate for osteoporosis", ["Z7983"]),
        ("on antiplatelet therapy", ["Z7902"]),
        ("on antibiotic prophylaxis", []),  # the Index omits short-term antibiotics
        ("on insulin", ["Z794"]),
        ("not on anticoagulation", []),
    ],
)
def test_a_drug_class_the_index_names_is_read_in_another_form_of_its_word(text, codes):
    from medcode.search.drug_use import find_drug_use

    assert [u.code for u in find_drug_use(text, class_table())] == codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ibuprofen for pain and fever", True),
        ("Ondansetron 4 mg IV for vomiting.", True),
        ("Fever for 3 days", False),
        ("Admitted for pneumonia", False),
    ],
)
def test_what_a_drug_is_given_for_is_a_purpose_not_a_finding(text, expected):
    from medcode.search.drug_use import build_table
    from medcode.search.note_coder import is_indication

    drugs = [
        ("Ibuprofen", {"adverse_effect": "T39.315"}),
        ("Ondansetron", {"adverse_effect": "T45.0X5"}),
    ]
    assert is_indication(text, build_table([], drugs)) is expected


@pytest.mark.parametrize(
    ("note", "heading"),
    [
        ("Wrist pain after a fall.\nAssessment: distal radius fracture.", "Assessment"),
        ("HPI: cough.\nImpression and plan:\n1. Pneumonia", "Impression"),
        ("A 60-year-old man with cough and fever was admitted.", None),
    ],
)
def test_symptoms_are_weighed_by_where_the_diagnostic_statement_starts(note, heading):
    from medcode.search.notes_findings import statement_start

    start = statement_start(note)
    assert (None if start is None else note[start:].split()[0].rstrip(":")) == heading


def route_table() -> LongTermTable:
    """The Index's Long-term rows for steroids and opiates, and Table of Drugs rows
    (ICD-10-CM Index 2025, Long-term (current) ... drug therapy: steroids > inhaled Z79.51,
    steroids > systemic Z79.52, opiate analgesic Z79.891; Table of Drugs 2025: Steroid,
    Prednisone T38.0X5, Opioid NEC, Oxycodone T40.2X5, Opiate NEC T40.605, Methadone
    T40.3X5, Buprenorphine T40.495)."""
    from medcode.search.drug_use import build_table

    long_term = [
        (" steroids", ""),
        (" steroids > inhaled", "Z7951"),
        (" steroids > systemic", "Z7952"),
        (" opiate analgesic", "Z79891"),
        (" insulin", "Z794"),
    ]
    drugs = [
        ("Steroid", {"adverse_effect": "T38.0X5"}),
        ("Prednisone", {"adverse_effect": "T38.0X5"}),
        ("Hydrocortisone", {"adverse_effect": "T38.0X5"}),
        ("Opioid NEC", {"adverse_effect": "T40.2X5"}),
        ("Opiate NEC", {"adverse_effect": "T40.605"}),
        ("Oxycodone", {"adverse_effect": "T40.2X5"}),
        ("Methadone", {"adverse_effect": "T40.3X5"}),
        ("Buprenorphine", {"adverse_effect": "T40.495"}),
    ]
    return build_table(long_term, drugs)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("on prednisone 10 mg daily", ["Z7952"]),
        ("on chronic steroids for COPD", ["Z7952"]),
        ("on inhaled steroids", ["Z7951"]),
        (
            "Medications: hydrocortisone inhaled 2 puffs bid, prednisone 5 mg daily",
            ["Z7951", "Z7952"],
        ),
        ("on hydrocortisone cream", []),  # on the skin: no systemic use
        ("takes oxycodone 5 mg every 6 hours for back pain", ["Z79891"]),
        ("on chronic opioids", ["Z79891"]),
        ("on buprenorphine", []),  # named for opioid use disorder as often
        ("on methadone", []),
        ("using insulin pen and prednisone", ["Z794", "Z7952"]),
    ],
)
def test_a_drug_is_read_by_the_class_and_route_the_index_names(text, codes):
    from medcode.search.drug_use import find_drug_use

    assert sorted({u.code for u in find_drug_use(text, route_table())}) == sorted(codes)


@pytest.mark.parametrize(
    ("note", "start", "coded"),
    [
        # outpatient: an uncertain diagnosis is not coded (Official Guidelines IV.H) ...
        ("Clinic note. Suspected strep pharyngitis.", "Suspected", False),
        ("Office visit. Pneumonia not excluded.", "Pneumonia", False),
        ("Office visit. Appendicitis likely.", "Appendicitis", False),
        # ... its symptom is
        ("Clinic note. Cough for 5 days, likely viral bronchitis.", "Cough", True),
        # inpatient: coded as if established (II.H)
        ("Discharge summary. Probable pneumonia, treated with ceftriaxone.", "Probable", True),
    ],
)
def test_an_uncertain_diagnosis_is_coded_in_an_inpatient_record_only(note, start, coded):
    assert (finding(note, start) in coded_findings(find_findings(note))) is coded


def test_an_uncertain_word_blanks_only_its_own_finding():
    note = "Clinic note. Cough for 5 days, likely viral bronchitis."
    found = finding(note, "likely")
    assert not found.coded_text.strip(" .")


@pytest.mark.parametrize(
    ("note", "start"),
    [
        ("Maternal uncle died by suicide.", "Maternal"),
        ("Her brother was diagnosed with glaucoma.", "Her brother"),
        ("Paternal grandmother had breast cancer.", "Paternal"),
        ("Father died of a myocardial infarction at 60.", "Father"),
    ],
)
def test_a_relatives_condition_is_family_history(note, start):
    assert finding(note, start).assertion == "family"


def test_a_denial_put_last_does_not_reach_back_across_with():
    note = "Clinic note. Diabetes and hypertension with pneumonia resolved."
    found = finding(note, "Diabetes")
    assert found.assertion == "affirmed"
    assert "Diabetes and hypertension" in found.coded_text
    assert "pneumonia" not in found.coded_text
    # a list denied together stays denied
    assert finding("Clinic note. DVT and PE ruled out.", "DVT").assertion == "negated"


def test_a_class_the_hcpcs_lists_gives_its_members_the_class_long_term_code():
    from medcode.search.drug_use import add_members, class_members, find_drug_use

    # HCPCS 2026 January, G9531 (long description, abridged)
    g9531 = (
        "Patient has documentation of ventricular shunt, brain tumor, multisystem trauma, or "
        "is currently taking an antiplatelet medication including: abciximab, cilostazol, "
        "clopidogrel, prasugrel, ticagrelor, or vorapaxar"
    )
    members = class_members([g9531])
    assert members["clopidogrel"] == "antiplatelet"
    assert members["vorapaxar"] == "antiplatelet"
    table = class_table()
    add_members(table, members)
    assert [u.code for u in find_drug_use("on clopidogrel 75 mg daily", table)] == ["Z7902"]


def test_an_overdose_on_a_drug_is_no_drug_in_use():
    from medcode.search.drug_use import find_drug_use

    assert not find_drug_use("overdosed on oxycodone on purpose", route_table())


def test_hypertension_links_the_heart_conditions_the_tabular_names():
    from medcode.search.note_combinations import LINKED_CATEGORIES

    # I11 includes "any condition in I50.- or I51.4-I51.7, I51.89, I51.9 due to
    # hypertension": not Takotsubo syndrome, I51.81.
    linked = LINKED_CATEGORIES["hypertension"]
    assert "I5189".startswith(linked) and "I5090".startswith(linked)
    assert not "I5181".startswith(linked)
