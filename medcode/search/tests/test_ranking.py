"""Lay ranking: a query's kind routes the code sets, uncued chapters and quality codes sink,
categories resolve to their billable default."""

from __future__ import annotations

import pytest

from medcode.search.facade import search
from medcode.search.models import Document
from medcode.search.ranking import (
    DEMOTED,
    Doc,
    billable_default,
    is_quality_code,
    query_kind,
    rerank,
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
    ],
)
def test_the_query_kind_comes_from_its_words(q, kind):
    assert query_kind(q.split()) == kind


def doc(system: str, code: str, title: str = "x", billable: bool = True) -> Doc:
    return Doc(1, system, code, billable, "", "", title)


@pytest.mark.parametrize(
    ("code", "cue"),
    [("O10011", "pregnancy"), ("P292", "newborn"), ("W010XXA", "fall"), ("T391X1A", "overdose")],
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
