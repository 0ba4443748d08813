"""Reading dates, fee years and drug descriptors: the rules behind date-validity, known-web-
error and drug-unit answers (pure functions; the data-backed answers are in the eval sets)."""

from __future__ import annotations

import datetime as dt

import pytest

from medcode.assistant.answer import fee_year_date
from medcode.assistant.guard import CodeCheck, fiscal_year_start
from medcode.assistant.handlers import (
    date_validity,
    drug_units,
    drug_waste,
    global_modifier,
    locality_payment,
    modifier_fit,
    ncd_coverage,
    sequencing,
)
from medcode.assistant.handlers.best_code import stage_fit, words_of
from medcode.assistant.intent import Dose, understand
from medcode.codes.models import Release

TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("effective", "start"),
    [
        (dt.date(2026, 4, 1), dt.date(2025, 10, 1)),  # FY2026 April update
        (dt.date(2025, 10, 1), dt.date(2025, 10, 1)),  # FY2026 annual release
        (dt.date(2024, 10, 1), dt.date(2024, 10, 1)),
        (dt.date(2025, 9, 30), dt.date(2024, 10, 1)),
    ],
)
def test_an_icd_release_belongs_to_the_fiscal_year_that_starts_on_october_1(
    effective: dt.date, start: dt.date
) -> None:
    release = Release(code_system="ICD10CM", effective_from=effective)
    assert fiscal_year_start(release) == start


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "National non-facility Medicare rate for 20611, calendar year 2025?",
            dt.date(2025, 12, 31),
        ),
        ("Medicare 2025 price for 92310 (office)?", dt.date(2025, 12, 31)),
        (
            "What does Medicare pay (national, facility rate, CY2025) for 99214?",
            dt.date(2025, 12, 31),
        ),
        # Not a fee question, the current year, two years, or a code that looks like a year.
        ("Is G35 valid in 2025?", None),
        ("Medicare 2026 rate for 99213?", None),
        ("Compare the 2024 and 2025 fee for 99213", None),
        ("National rate for 20611?", None),
    ],
)
def test_a_fee_question_naming_a_past_year_reads_that_years_last_fee_schedule(
    question: str, expected: dt.date | None
) -> None:
    assert fee_year_date(question, TODAY) == expected


def drug(code: str, title: str, status: str = "valid") -> CodeCheck:
    return CodeCheck(code, code, "code", status, "HCPCS", code, title)  # type: ignore[arg-type]


def test_a_drug_descriptor_names_its_drug_without_product_or_dosage() -> None:
    assert drug_units.drug_name("Injection, furosemide, up to 20 mg") == ["furosemide"]
    assert drug_units.drug_name("Injection, furosemide (furoscix), 20 mg") == ["furosemide"]
    assert drug_units.drug_name("Injection, adrenalin, epinephrine, 0.1 mg") == [
        "adrenalin",
        "epinephrine",
    ]
    assert drug_units.core("Injection, methylprednisolone sodium succinate, 5 mg") == {
        "methylprednisolone"
    }


def test_the_replacement_of_a_terminated_drug_code_is_the_generic_one_that_fits_the_dose() -> None:
    question = understand("Lasix 40 mg IV push on 08/04/2025. Still J1940 x2?")
    old = drug("J1940", "Injection, furosemide, up to 20 mg", "not_valid_on_date")
    generic = drug("J1938", "Injection, furosemide, 1 mg")
    product = drug("J1941", "Injection, furosemide (furoscix), 20 mg")
    dose = Dose(40.0, "mg")
    ranked = sorted(
        [product, generic],
        key=lambda c: drug_units.replacement_rank(c, old, question, dose),
        reverse=True,
    )
    assert ranked[0].code == "J1938"


def test_a_whole_number_of_units_and_then_the_fewest_units_wins_among_same_drug_codes() -> None:
    question = understand("Depo-Medrol 40 mg given 02/15/2024, billed as J1010 x 40. Valid?")
    old = drug("J1010", "Injection, methylprednisolone acetate, 1 mg", "not_valid_on_date")
    twenty = drug("J1020", "Injection, methylprednisolone acetate, 20 mg")
    forty = drug("J1030", "Injection, methylprednisolone acetate, 40 mg")
    eighty = drug("J1040", "Injection, methylprednisolone acetate, 80 mg")
    dose = Dose(40.0, "mg")
    ranked = sorted(
        [twenty, eighty, forty],
        key=lambda c: drug_units.replacement_rank(c, old, question, dose),
        reverse=True,
    )
    assert [c.code for c in ranked] == ["J1030", "J1020", "J1040"]


@pytest.mark.parametrize(
    "question",
    [
        "Lasix 40 mg IV push on 08/04/2025. Still J1940 x2?",
        "Vancomycin 1 gram IV given 09/10/2025 - J3370 x2 right?",
        "Solu-Medrol 125 mg IV on 03/12/2025 - our chargemaster says J2930. Correct?",
    ],
)
def test_a_drug_code_with_a_dose_and_a_date_is_a_drug_units_question(question: str) -> None:
    assert drug_units.score(understand(question)) > 0


def test_brand_names_are_read_with_a_space_or_a_hyphen() -> None:
    assert "hydrocortisone sodium succinate" in drug_units.drug_words(
        understand("solu cortef 100mg iv - jcode n units??")
    )


@pytest.mark.parametrize(
    "question",
    [
        "HIV-associated lipodystrophy: can E88.14 go on a 03/14/2025 claim?",
        "SDOH: trouble paying utilities, visit 07/08/2025. Can I use Z59.861?",
    ],
)
def test_validity_questions_in_coder_words_reach_the_date_validity_handler(question: str) -> None:
    assert date_validity.score(understand(question)) > 0


def test_a_cover_letter_is_not_a_coverage_question() -> None:
    assert understand("Write me a cover letter for a hospital billing job.").intent != "coverage"


# --- sequencing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Type 2 diabetic with CKD stage 3a due to the diabetes. Which codes, and in what order?",
        "BPH with urinary frequency - one code or two? Which first?",
        "Patient has hypertension and CKD stage 4; the provider did not link them. How do I code it?",
    ],
)
def test_sequencing_questions_reach_the_sequencing_handler(question: str) -> None:
    from medcode.assistant import handlers

    picked = handlers.pick(understand(question))
    assert picked is not None and picked.name == "sequencing"


@pytest.mark.parametrize(
    "question",
    [
        "Nephrology note documents CKD stage 3b. Correct ICD-10-CM code?",
        "What modifier goes first on 64483?",
        "How do I code a bilateral 64483?",
    ],
)
def test_one_code_and_procedure_questions_are_not_sequencing(question: str) -> None:
    assert sequencing.score(understand(question)) == 0


def test_the_asking_sentence_is_not_part_of_the_description() -> None:
    text = "BPH with urinary frequency - one code or two? Which first?"
    assert sequencing.description(text) == "BPH with urinary frequency"


def chosen(code: str, notes: list[tuple[str, str, str]]) -> sequencing.Chosen:
    check = CodeCheck(code, code.replace(".", ""), "code", "valid", "ICD10CM", code, code)
    return sequencing.Chosen(check, "", set(), notes)


def test_the_tabular_notes_decide_the_order() -> None:
    ckd = chosen("N18.31", [("code first", "diabetic chronic kidney disease (E11.22)", "N18")])
    diabetes = chosen(
        "E11.22", [("use additional code", "stage of chronic kidney disease (N18.1-N18.6)", "")]
    )
    shock = chosen("R65.21", [("code first", "sepsis NOS (A41.9)", "R65.2")])
    sepsis = chosen("A41.9", [])
    assert [c.check.display for c in sequencing.order([ckd, diabetes])] == ["E11.22", "N18.31"]
    assert [c.check.display for c in sequencing.order([shock, sepsis])] == ["A41.9", "R65.21"]


def test_a_title_naming_what_the_question_negates_contradicts_it() -> None:
    asked = set(words_of("Hypertension with chronic systolic heart failure, no kidney disease"))
    assert sequencing.contradicts(asked, set(words_of("Hypertensive chronic kidney disease")))
    assert not sequencing.contradicts(asked, set(words_of("Hypertensive heart disease")))


def test_a_stage_the_question_names_must_fit_the_titles_stages() -> None:
    asked = set(words_of("type 1 diabetic with CKD stage 4"))
    assert stage_fit(asked, "Chronic kidney disease, stage 4 (severe)") > 0
    assert stage_fit(asked, "Chronic kidney disease, stage 1") < 0
    assert stage_fit(asked, "Hypertensive CKD with stage 1 through stage 4 CKD") > 0
    assert stage_fit(asked, "Hypertensive CKD with stage 5 CKD or end stage renal disease") < 0


# --- drug waste, global periods without a year -------------------------------------------------


@pytest.mark.parametrize(
    ("question", "scored"),
    [
        ("Single-dose vial, the whole vial was given, nothing wasted. Do I append JW?", True),
        ("20 mg of a 100 mg vial was discarded. Which modifier?", True),
        ("Dexamethasone 10 mg IM - code and units?", False),
        ("What is modifier 59?", False),
    ],
)
def test_drug_waste_questions_reach_the_drug_waste_handler(question: str, scored: bool) -> None:
    assert (drug_waste.score(understand(question)) > 0) is scored


def test_month_day_dates_without_a_year_give_the_days_between_them() -> None:
    question = understand(
        "Skin tag removal 11200 on 5/1, then on 5/6 an unrelated I&D 10060 by the same surgeon."
    )
    first, second = global_modifier.dates_of(question)
    assert (second - first).days == 5
    across = understand("27447 on 12/20, then 29881 on 1/5, unrelated. Modifier?")
    first, second = global_modifier.dates_of(across)
    assert (second - first).days == 16


# --- coverage and locality payment (issue 17) ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Medicare 2025 payment for 99213 in Manhattan?", "Manhattan"),
        ("What does Medicare pay for 99214 in Kings County, NY in 2025?", "Kings County, NY"),
        ("2025 fee for 20610 in locality 01112-05?", "01112-05"),
        ("Medicare 2025 payment for 99213 in the office?", None),
        ("What does Medicare pay for 99213 in 2025?", None),
    ],
)
def test_the_locality_is_read_from_the_question(text: str, place: str | None) -> None:
    assert locality_payment.locality_of(text) == place


def test_a_locality_number_is_never_a_code() -> None:
    assert [c.code for c in understand("2025 fee for 20610 in locality 01112-05?").codes] == [
        "20610"
    ]


@pytest.mark.parametrize(
    ("question", "scored"),
    [
        ("Is 82947 covered by Medicare for E11.9?", True),
        ("Lipid panel 80061 with Z00.00 - does the NCD cover it?", True),
        ("Is 82947 covered by Medicare?", False),
        ("Can 80061 and E78.5 be billed?", False),
    ],
)
def test_coverage_of_a_procedure_for_diagnoses_reaches_the_ncd_handler(
    question: str, scored: bool
) -> None:
    assert (ncd_coverage.score(understand(question)) > 0) is scored


@pytest.mark.parametrize(
    ("question", "scored"),
    [
        ("Bilateral 27130 in one session: does Medicare pay the 150% bilateral rate?", True),
        ("modifer 50 for 20550 both sides medicare pays how much", True),
        ("2025 national payment for 64483 with modifier 50?", False),
    ],
)
def test_bilateral_payment_questions_are_answered_from_the_bilateral_indicator(
    question: str, scored: bool
) -> None:
    assert (modifier_fit.score(understand(question)) > 0) is scored


def test_a_quoted_note_lists_only_this_answers_codes() -> None:
    note = "diabetic chronic kidney disease (E08.22, E09.22, E10.22, E11.22, E13.22)"
    assert sequencing.only_named(note, ["E10.22", "N18.4"]) == (
        "diabetic chronic kidney disease (E10.22, ...)"
    )
    assert sequencing.only_named("urinary frequency (R35.0)", ["R35.0"]) == (
        "urinary frequency (R35.0)"
    )
