"""Alphabetic Index texts: "see" references followed, Drug and Neoplasm Table cells."""

from __future__ import annotations

from typing import Any

from medcode.search.indexterms import (
    build_tree,
    drug_texts,
    follow,
    lay_text,
    neoplasm_texts,
    see_texts,
)

# (level, term, path, code, see, see_also, cells), as codes.IndexEntry holds them.
INDEX: list[tuple[Any, ...]] = [
    (0, "Attack, attacks", "Attack, attacks", "", "", "", {}),
    (1, "heart", "Attack, attacks > heart", "", "Infarct, myocardium", "", {}),
    (0, "Hives", "Hives", "", "Urticaria", "", {}),
    (0, "Infarct, infarction", "Infarct, infarction", "", "", "", {}),
    (1, "myocardium, myocardial", "Infarct, infarction > myocardium", "I219", "", "", {}),
    (0, "Urticaria", "Urticaria", "L509", "", "", {}),
    (0, "Pregnancy", "Pregnancy", "", "", "", {}),
    (1, "hypertension", "Pregnancy > hypertension", "", "Hypertension, complicating", "", {}),
    (0, "Hypertension", "Hypertension", "I10", "", "", {}),
    (0, "Sore", "Sore", "", "see condition", "", {}),
]


def test_a_see_reference_gives_its_words_to_the_code_it_points_to():
    found = set(see_texts(INDEX))
    assert ("I219", "heart attack") in found
    assert ("L509", "hives") in found


def test_a_reference_to_a_subterm_the_index_lacks_resolves_to_nothing_not_its_parent():
    mains = build_tree(INDEX)
    assert follow("Hypertension, complicating", mains) == ""
    assert follow("see condition", mains) == ""
    assert follow("Infarct, myocardium", mains) == "I219"
    assert all(code != "I10" for code, _ in see_texts(INDEX))


def test_index_paths_read_as_words():
    assert lay_text("Attack, attacks > heart") == "heart attack"
    assert lay_text("Injury > finger > sprain") == "injury, finger, sprain"


def test_drug_table_cells_name_poisoning_adverse_effect_and_underdosing():
    cells = {
        "poisoning_accidental": "T39.1X1",
        "poisoning_intentional_self_harm": "T39.1X2",
        "adverse_effect": "T39.1X5",
        "underdosing": "--",
    }
    found = dict(drug_texts([(0, "Acetaminophen", "Acetaminophen", "", "", "", cells)]))
    assert "overdose" in found["T391X1"] and "Acetaminophen" in found["T391X1"]
    assert found["T391X5"].startswith("adverse effect of Acetaminophen")
    assert len(found) == 3  # "--": no code


def test_neoplasm_table_cells_by_behaviour():
    cells = {"malignant_primary": "C22.9", "malignant_secondary": "C78.7", "benign": "D13.4"}
    row = (1, "liver", "Neoplasm, neoplastic > liver", "", "", "", cells)
    found = dict(neoplasm_texts([row]))
    assert "metastatic to liver" in found["C787"]
    assert found["C229"].startswith("malignant neoplasm of liver")
    assert "benign" in found["D134"]
