"""Applicable modifiers derived from fee-schedule and NCCI indicators."""

from __future__ import annotations

from typing import Any

import pytest

from medcode.codes.page import modifiers as mods
from medcode.codes.page.panels import PtpSummary
from medcode.codes.tests.test_panels import SOURCE, Fee
from medcode.rules.modifier_sets import CPT_LEVEL_I, X_EPSU


def advice_for(modifier: str, **fee: Any) -> mods.ModifierAdvice:
    found = mods.applicable_modifiers(fee=Fee(**fee), fee_source=SOURCE, ptp=None, ptp_source=None)
    return next(a for a in found if modifier in a.modifiers)


@pytest.mark.parametrize(
    ("indicator", "verdict", "words"),
    [
        ("0", mods.DOES_NOT_APPLY, "100%"),
        ("1", mods.APPLIES, "150%"),
        ("2", mods.DOES_NOT_APPLY, "already bilateral"),
        ("3", mods.APPLIES, "each side at 100%"),
        ("9", mods.DOES_NOT_APPLY, "does not apply"),
    ],
)
def test_modifier_50_follows_the_bilateral_indicator_and_states_the_payment_rule(
    indicator, verdict, words
):
    advice = advice_for("50", bilat_surg_ind=indicator)
    assert advice.verdict == verdict
    assert words in advice.explanation
    assert advice.basis == f"bilat_surg_ind = {indicator}"
    assert advice.source == SOURCE


@pytest.mark.parametrize(
    ("indicator", "verdict"),
    [
        ("0", mods.DOES_NOT_APPLY),
        ("2", mods.APPLIES),
        ("3", mods.APPLIES),
        ("9", mods.DOES_NOT_APPLY),
    ],
)
def test_modifier_51_follows_the_multiple_procedure_indicator(indicator, verdict):
    assert advice_for("51", mult_proc_ind=indicator).verdict == verdict


@pytest.mark.parametrize(
    ("modifier", "field", "indicator", "verdict"),
    [
        ("62", "co_surg_ind", "0", mods.DOES_NOT_APPLY),
        ("62", "co_surg_ind", "1", mods.RESTRICTED),
        ("62", "co_surg_ind", "2", mods.APPLIES),
        ("66", "team_surg_ind", "0", mods.DOES_NOT_APPLY),
        ("66", "team_surg_ind", "1", mods.RESTRICTED),
        ("66", "team_surg_ind", "2", mods.APPLIES),
        ("80", "asst_surg_ind", "0", mods.RESTRICTED),
        ("82", "asst_surg_ind", "1", mods.DOES_NOT_APPLY),
        ("AS", "asst_surg_ind", "2", mods.APPLIES),
        ("26", "pctc_ind", "1", mods.APPLIES),
        ("TC", "pctc_ind", "1", mods.APPLIES),
        ("26", "pctc_ind", "0", mods.DOES_NOT_APPLY),
        ("26", "pctc_ind", "6", mods.APPLIES),
    ],
)
def test_surgeon_and_component_modifiers_follow_their_indicators(
    modifier, field, indicator, verdict
):
    assert advice_for(modifier, **{field: indicator}).verdict == verdict


def test_co_surgeon_advice_states_the_62_point_5_percent_rule():
    assert "62.5%" in advice_for("62", co_surg_ind="2").explanation


def test_assistant_advice_states_the_16_percent_rule():
    assert "16%" in advice_for("80", asst_surg_ind="2").explanation


def test_procedure_codes_get_editorial_notes_for_22_59_76_and_77():
    found = mods.applicable_modifiers(
        fee=Fee(global_days="090"), fee_source=SOURCE, ptp=None, ptp_source=None
    )
    notes = [a for a in found if a.verdict == mods.NOTE]
    assert [a.modifiers for a in notes] == [
        ("22",),
        ("59", "XE", "XS", "XP", "XU"),
        ("76",),
        ("77",),
    ]
    assert all(a.source is None and a.basis == "" for a in notes)


def test_codes_without_a_global_period_get_no_surgical_notes():
    found = mods.applicable_modifiers(
        fee=Fee(global_days="XXX"), fee_source=SOURCE, ptp=None, ptp_source=None
    )
    assert not any(a.verdict == mods.NOTE for a in found)


def test_ncci_pairs_that_allow_a_modifier_bring_the_59_and_x_modifiers_with_their_source():
    ptp = PtpSummary(
        as_column_1=3, as_column_2=None, modifier_allowed=1, never_together=2, partners=()
    )
    found = mods.applicable_modifiers(fee=Fee(), fee_source=SOURCE, ptp=ptp, ptp_source=SOURCE)
    ncci = [a for a in found if a.basis.startswith("modifier_indicator")]
    assert [a.verdict for a in ncci] == [mods.NOTE, mods.DOES_NOT_APPLY]
    assert "1 active NCCI pair" in ncci[0].explanation
    # The editorial 59 note is not repeated when NCCI data already speaks for it.
    assert sum(1 for a in found if "XS" in a.modifiers) == 2


def test_no_fee_row_and_no_edits_means_no_derived_advice():
    assert mods.applicable_modifiers(fee=None, fee_source=None, ptp=None, ptp_source=None) == ()


@pytest.mark.parametrize(
    ("modifier", "family"),
    [
        ("59", ("XE", "XS", "XP", "XU")),
        ("XS", ("59", "XE", "XP", "XU")),
        ("26", ("TC",)),
        ("22", ()),
    ],
)
def test_modifier_families(modifier, family):
    assert mods.modifier_family(modifier) == family


def test_every_cpt_modifier_has_our_own_label_and_explanation():
    for code, (label, text) in mods.CPT_MODIFIERS.items():
        assert code.isdigit() and len(code) == 2
        assert label and text.endswith(".")


def test_the_cpt_modifiers_explained_are_cpt_level_i_and_the_x_modifiers_level_ii():
    assert set(mods.CPT_MODIFIERS) <= CPT_LEVEL_I
    assert set(mods.LEVEL2_MODIFIERS) >= X_EPSU
    assert X_EPSU.isdisjoint(CPT_LEVEL_I)


def test_an_em_visit_gets_the_visit_modifiers_and_no_surgical_cards():
    # 99213's PFS row: no global period, assistant indicator 0, bilateral 9, multiple 0.
    visit = Fee(
        global_days="XXX", asst_surg_ind="0", bilat_surg_ind="9", mult_proc_ind="0",
        co_surg_ind="0", team_surg_ind="0", pctc_ind="0",
    )  # fmt: skip
    found = mods.applicable_modifiers(
        fee=visit, fee_source=SOURCE, ptp=None, ptp_source=None, is_em=True
    )
    shown = [m for a in found for m in a.modifiers]
    assert shown[:4] == ["25", "57", "24", "95"]
    for surgical in ("50", "51", "62", "66", "80", "AS", "22", "76", "77"):
        assert surgical not in shown
    assert "Assistant at surgery" not in [a.label for a in found]


def test_a_non_procedure_code_shows_a_surgical_card_only_when_its_indicator_allows_it():
    imaging = Fee(global_days="XXX", asst_surg_ind="0", bilat_surg_ind="1", mult_proc_ind="4")
    found = mods.applicable_modifiers(fee=imaging, fee_source=SOURCE, ptp=None, ptp_source=None)
    shown = {m: a.verdict for a in found for m in a.modifiers}
    assert shown["50"] == mods.APPLIES
    assert "80" not in shown  # "with documentation" on an X-ray was noise
    assert "51" not in shown  # the imaging reduction is applied without 51


def test_76_and_77_cover_the_postoperative_period_too():
    for modifier in ("76", "77"):
        assert "postoperative period" in mods.CPT_MODIFIERS[modifier][1]


def test_each_card_names_its_indicator_in_words_not_by_its_column():
    """Issue 21: a card's basis reads "PFS bilateral surgery indicator 1" on the page; the
    column name stays in the JSON's `basis`."""
    ptp = PtpSummary(
        as_column_1=3, as_column_2=None, modifier_allowed=1, never_together=2, partners=()
    )
    fee = Fee(bilat_surg_ind="1", co_surg_ind="1", team_surg_ind="2", asst_surg_ind="2")
    found = mods.applicable_modifiers(fee=fee, fee_source=SOURCE, ptp=ptp, ptp_source=SOURCE)
    labels = {a.basis: a.basis_label for a in found if a.basis}
    assert labels["bilat_surg_ind = 1"] == "PFS bilateral surgery indicator 1"
    assert labels["modifier_indicator = 0"] == "NCCI modifier indicator 0"
    assert len(labels) >= 6
    assert not [label for label in labels.values() if "_" in label or "=" in label]
