"""Lay ranking: a query's kind routes the code sets, uncued chapters and quality codes sink,
categories resolve to their billable default."""

from __future__ import annotations

import pytest

from medcode.search.facade import is_past, search
from medcode.search.models import Document
from medcode.search.ranking import (
    DEMOTED,
    EXTRA_WORD,
    MAX_EXTRA,
    OTHER_SIDE,
    TERMINATED,
    Doc,
    billable_default,
    is_not_history,
    is_quality_code,
    missing_words,
    pcs_extra,
    query_groups,
    query_kind,
    query_side,
    query_stems,
    rerank,
    side_fit,
    specificity,
    unasked_quality,
    weight,
)


@pytest.mark.parametrize(
    ("q", "kind"),
    [
        ("swollen ankles", "condition"),
        ("left knee replacement", "procedure"),
        ("laparoscopic appendectomy", "procedure"),
        ("lovenox shot", "drug"),
        ("benadryl", "drug"),
        ("power wheelchair", "supply"),
        ("tylenol overdose", "condition"),  # a poisoning, not the drug
        ("spinal cord stimulator", "device"),
        ("has a pacemaker", "device"),
        ("complete blood count", "test"),
        ("chest x-ray two views", "test"),
    ],
)
def test_the_query_kind_comes_from_its_words(q, kind):
    assert query_kind(q.split()) == kind


def doc(system: str, code: str, title: str = "x", billable: bool = True) -> Doc:
    return Doc(1, system, code, billable, "", "", title)


@pytest.mark.parametrize(
    ("code", "cue"),
    [
        ("O10011", "pregnancy"),
        ("P292", "newborn"),
        ("W010XXA", "fall"),
        ("T391X1A", "overdose"),
        ("M84444A", "pathological"),  # a fracture is traumatic unless said otherwise
    ],
)
def test_chapters_the_query_gives_no_cue_for_sink_unless_asked(code, cue):
    plain = weight(doc("ICD10CM", code), "condition", frozenset({"hypertension"}))
    asked = weight(doc("ICD10CM", code), "condition", frozenset({"hypertension", cue}))
    assert plain == pytest.approx(DEMOTED * asked)


def test_quality_reporting_codes_sink_unless_the_query_asks_for_a_measure():
    quality = doc("HCPCS", "G8783", "Blood pressure screening performed")
    assert is_quality_code("G8783", "")
    assert is_quality_code("G2128", "Documentation of medical reason(s) for not on aspirin")
    assert not is_quality_code("G0108", "Diabetes outpatient self-management training services")
    plain = weight(quality, "condition", frozenset({"blood", "pressure"}))
    asked = weight(quality, "condition", frozenset({"blood", "pressure", "measure"}))
    assert plain == pytest.approx(DEMOTED * asked)


@pytest.mark.parametrize(
    ("words", "demoted"),
    [
        ("welcome to medicare visit within the first 12 months", True),
        ("hcv screening quality measure", False),
        ("MIPS reporting hcv screening", False),
    ],
)
def test_a_quality_code_is_unasked_unless_the_query_asks_for_quality_reporting(words, demoted):
    title = "Patient received screening for hcv infection within the 12 month reporting period"
    assert unasked_quality("HCPCS", "G9383", title, words.split()) is demoted
    # A plain service is never demoted as a quality code, nor a diagnosis code.
    plain = "Initial preventive physical examination; face-to-face visit"
    assert not unasked_quality("HCPCS", "G0402", plain, words.split())
    assert not unasked_quality("ICD10CM", "M1000", "Idiopathic gout, unspecified site", [])


def test_cpt_sinks_further_for_a_condition_than_for_a_device_or_a_procedure():
    # Our plain CPT titles name the condition treated; a condition query wants the diagnosis.
    cpt = doc("CPT", "11200")
    words = frozenset({"skin", "tags"})
    assert weight(cpt, "condition", words) < weight(doc("HCPCS", "A4450"), "condition", words)
    assert weight(cpt, "condition", words) < weight(cpt, "device", words)
    assert weight(cpt, "condition", words) < weight(cpt, "test", words)
    assert weight(cpt, "condition", words) < weight(cpt, "procedure", words)
    # A device named alone still finds its status diagnosis first among equals.
    assert weight(doc("ICD10CM", "Z950"), "device", words) > weight(cpt, "device", words)


def test_a_condition_query_weights_diagnoses_above_procedures_and_supplies():
    words = frozenset({"asthma"})
    assert weight(doc("ICD10CM", "J45909"), "condition", words) > weight(
        doc("HCPCS", "E0570"), "condition", words
    )
    assert weight(doc("ICD10PCS", "0SR90J9"), "procedure", words) > weight(
        doc("ICD10CM", "M1611"), "procedure", words
    )


@pytest.mark.django_db
def test_a_category_resolves_to_its_unspecified_initial_encounter_child(code_store):
    found = billable_default("S720", "t")
    assert found is not None and found[1] == "S72001A"
    assert billable_default("M545", "t")[1] == "M5450"  # type: ignore[index]
    assert billable_default("I10", "t") is None  # billable itself: no children


@pytest.mark.django_db
def test_rerank_shows_the_billable_default_first_and_the_category_after_it(code_store):
    ids = dict(Document.objects.values_list("code", "id"))
    ranked = rerank([(ids["M545"], 1.0), (ids["I10"], 0.5)], ["back", "pain"])
    codes = {v: k for k, v in ids.items()}
    order = [codes[d] for d, _, _ in ranked]
    assert order[0] == "M5450"
    assert order.index("M545") > 0
    assert ranked[0][2] == ids["M545"]  # it came from the category's hit


@pytest.mark.django_db
def test_search_resolves_a_category_hit_to_a_billable_code_first(code_store, lexical_only):
    found = search("low back pain")
    assert found.results[0].code == "M5450"
    assert found.results[0].is_billable


def test_a_title_that_states_the_default_adds_nothing_the_query_did_not_say():
    stems = query_stems(["hiatal", "hernia"])
    default = doc("ICD10CM", "K449", "Diaphragmatic hernia without obstruction or gangrene")
    gangrene = doc("ICD10CM", "K441", "Diaphragmatic hernia with gangrene")
    assert specificity(default, stems) > specificity(gangrene, stems)
    sting = query_stems(["stung", "by", "a", "bee"])
    accidental = doc(
        "ICD10CM", "T63441A", "Toxic effect of venom of bees, accidental (unintentional), initial"
    )
    assault = doc("ICD10CM", "T63443A", "Toxic effect of venom of bees, assault, initial")
    assert specificity(accidental, sting) > specificity(assault, sting)


def test_a_side_the_query_names_puts_that_sides_code_first():
    assert query_side(["sprained", "my", "left", "ankle"]) == "left"
    assert query_side(["ringing", "in", "both", "ears"]) == "bilateral"
    assert query_side(["left", "and", "right"]) is None
    left = doc("ICD10CM", "S93402A", "Sprain of unspecified ligament of left ankle")
    unsided = doc("ICD10CM", "S93409A", "Sprain of unspecified ligament of unspecified ankle")
    assert side_fit(left, "left") == 1.0
    assert side_fit(unsided, "left") == OTHER_SIDE
    assert side_fit(unsided, None) == 1.0
    assert side_fit(doc("HCPCS", "L4361", "Walking boot"), "left") == 1.0


def test_a_terminated_hcpcs_code_counts_less_than_the_current_one():
    words = frozenset({"lasix"})
    current = weight(doc("HCPCS", "J1938", "Injection, furosemide, 1 mg"), "drug", words)
    ended = weight(doc("HCPCS", "J1940", "Injection, furosemide", billable=False), "drug", words)
    assert ended == pytest.approx(TERMINATED * current)


def test_a_terminated_code_loses_to_its_successor_whose_title_says_more():
    # As in the January 2026 ANWEB file: C9040 ended 2019-09-30, J3031 carries a long note.
    words = frozenset({"fremanezumab", "injection"})
    stems = query_stems(["fremanezumab", "injection"])
    ended = doc("HCPCS", "C9040", "Injection, fremanezumab-vfrm, 1mg", billable=False)
    current = doc(
        "HCPCS",
        "J3031",
        "Injection, fremanezumab-vfrm, 1 mg (code may be used for medicare when drug"
        " administered under the direct supervision of a physician, not for use when drug is"
        " self-administered)",
    )
    assert specificity(current, stems, drug=True) == pytest.approx(EXTRA_WORD**MAX_EXTRA)
    assert weight(ended, "drug", words) * specificity(ended, stems, drug=True) < weight(
        current, "drug", words
    ) * specificity(current, stems, drug=True)


def test_a_query_about_the_past_puts_history_and_status_codes_first():
    history = Doc(7, "ICD10CM", "Z8546", True, "", "", "Personal history of malignant neoplasm")
    condition = Doc(8, "ICD10CM", "C61", True, "", "", "Malignant neoplasm of prostate")
    assert is_not_history(condition, {7}) and not is_not_history(history, {7})
    # Without Index codes for it, any Z code leads.
    assert is_not_history(condition, set()) and not is_not_history(history, set())
    assert not is_not_history(doc("HCPCS", "G0102"), set())
    assert is_past("hx prostate cancer") and is_past("s/p cholecystectomy")
    assert is_past("dad had colon cancer")
    assert not is_past("had a fit and was shaking all over")


@pytest.mark.django_db
def test_of_two_procedure_codes_the_one_that_adds_least_to_the_query_fits_best(code_store):
    # Titles as in the ICD-10-PCS 2026 order file.
    telescope = Doc(
        1,
        "ICD10PCS",
        "08RJ30Z",
        True,
        "",
        "",
        "Replacement of Right Lens with Intraocular Telescope, Percutaneous Approach",
    )
    lens = Doc(
        2,
        "ICD10PCS",
        "08RJ3JZ",
        True,
        "",
        "",
        "Replacement of Right Lens with Synthetic Substitute, Percutaneous Approach",
    )
    cataract = Doc(3, "ICD10CM", "H2511", True, "", "", "Age-related nuclear cataract, right eye")
    docs = {1: telescope, 2: lens, 3: cataract}
    extra = pcs_extra(docs, ["cataract", "surgery", "right", "eye", "with", "synthetic", "lens"])
    assert extra[2] < extra[1]
    assert 3 not in extra  # diagnoses are weighed by specificity, not here
    # "Approach" is in every PCS title and never counted: only "Replacement" is unsaid here.
    assert pcs_extra({2: lens}, ["right", "lens", "synthetic", "substitute", "percutaneous"]) == {
        2: 1
    }


@pytest.mark.django_db
def test_a_sided_category_resolves_to_the_child_of_that_side(code_store):
    plain = billable_default("S720", "t")
    assert plain is not None and plain[1] == "S72001A"
    left = billable_default("S720", "t", "left")
    assert left is not None and left[1] == "S72002A"


def test_a_drug_query_puts_the_plain_hcpcs_drug_code_first():
    stems = query_stems(["narcan", "injection"])
    nos = doc(
        "HCPCS", "J2312", "Injection, naloxone hydrochloride, not otherwise specified, 0.01 mg"
    )
    branded = doc("HCPCS", "J2313", "Injection, naloxone hydrochloride (zimhi), 0.01 mg")
    assert specificity(nos, stems, drug=True) > specificity(branded, stems, drug=True)
    # Salt words count only when the query names a salt (Solu-Medrol: sodium succinate).
    zofran = query_stems(["ondansetron", "injection"])
    injection = doc("HCPCS", "J2405", "Injection, ondansetron hydrochloride, per 1 mg")
    oral = doc("HCPCS", "S0119", "Ondansetron, oral, 4 mg")
    assert specificity(injection, zofran, drug=True) > specificity(oral, zofran, drug=True)
    solu = query_stems(["solu", "medrol"])
    succinate = doc("HCPCS", "J2919", "Injection, methylprednisolone sodium succinate, 5 mg")
    acetate = doc("HCPCS", "J1010", "Injection, methylprednisolone acetate, 1 mg")
    assert specificity(succinate, solu, drug=True) > specificity(acetate, solu, drug=True)
    # Not a drug query: HCPCS titles are not weighed by their words.
    assert specificity(branded, stems) == 1.0


def test_of_two_codes_the_one_that_says_more_of_the_query_leads():
    said = query_groups(["copd", "exac"])
    exacerbation = doc("ICD10CM", "J441", "Chronic obstructive pulmonary disease with exacerbation")
    plain = doc("ICD10CM", "J449", "Chronic obstructive pulmonary disease, unspecified")
    assert missing_words(exacerbation, said) == 0
    assert missing_words(plain, said) == 1
    assert query_groups(["left", "knee"]) == query_groups(["knee"])  # sides are weighed apart
