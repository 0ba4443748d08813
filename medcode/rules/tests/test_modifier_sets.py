"""The modifier sets against the lists as the NCCI Policy Manual (Chapter I, section E) prints
them, expanded here from its own ranges."""

from __future__ import annotations

import re

from medcode.rules import modifier_sets as sets


def expand(listing: str) -> frozenset[str]:
    """ "E1-E4, FA, F1-F9" -> {"E1", ..., "E4", "FA", "F1", ..., "F9"}."""
    found: set[str] = set()
    for item in listing.split(", "):
        ranged = re.fullmatch(r"([A-Z])(\d)-\1(\d)", item)
        if ranged:
            letter, first, last = ranged.groups()
            found.update(f"{letter}{n}" for n in range(int(first), int(last) + 1))
        else:
            found.add(item)
    return frozenset(found)


MANUAL_ANATOMIC = "E1-E4, FA, F1-F9, LC, LD, LM, RC, RI, LT, RT, TA, T1-T9"
MANUAL_GLOBAL_SURGERY = "24, 25, 57, 58, 78, 79"
MANUAL_OTHER = "27, 59, 91, XE, XS, XP, XU"


def test_the_anatomic_modifiers_are_the_manuals():
    assert expand(MANUAL_ANATOMIC) == sets.ANATOMIC
    assert sets.SIDES | sets.SITES == sets.ANATOMIC
    assert sets.SIDES.isdisjoint(sets.SITES)


def test_the_ncci_associated_modifiers_are_the_manuals_three_lists():
    manual = expand(MANUAL_ANATOMIC) | expand(MANUAL_GLOBAL_SURGERY) | expand(MANUAL_OTHER)
    assert manual == sets.NCCI_ASSOCIATED
    assert expand(MANUAL_GLOBAL_SURGERY) == sets.GLOBAL_SURGERY
    assert manual - sets.ANATOMIC == sets.NCCI_NOT_ANATOMIC


def test_the_distinct_service_modifiers_are_59_and_x_epsu():
    assert {"59", "XE", "XS", "XP", "XU"} == sets.DISTINCT_SERVICE
    assert {"XE", "XS", "XP", "XU"} == sets.X_EPSU
    assert sets.DISTINCT_SERVICE_LISTED[0] == "59"
    assert len(set(sets.DISTINCT_SERVICE_LISTED)) == len(sets.DISTINCT_SERVICE_LISTED)


def test_cpt_level_i_modifiers_are_two_characters_and_not_level_ii():
    assert all(re.fullmatch(r"[0-9]{2}|P[1-6]|[1-8]P", m) for m in sets.CPT_LEVEL_I)
    assert sets.X_EPSU.isdisjoint(sets.CPT_LEVEL_I)
    assert sets.ANATOMIC.isdisjoint(sets.CPT_LEVEL_I)
    assert sets.GLOBAL_SURGERY <= sets.CPT_LEVEL_I
