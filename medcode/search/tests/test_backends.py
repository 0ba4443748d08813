"""The lexical backend of the suite's database (SQLite FTS5 or PostgreSQL full text).

CI runs this file on both: the tests are the same, only the backend under them changes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from medcode.search.backends import MARK_END, MARK_START, Filters, get_backend
from medcode.search.index import index_paths, rebuild_index
from medcode.search.models import Document, Entry, Word
from medcode.search.querytext import expand_synonyms

pytestmark = pytest.mark.django_db


def codes(hits) -> list[str]:
    ids = [h.document_id for h in hits]
    by_id = Document.objects.in_bulk(ids)
    return [by_id[i].code for i in ids]


def words(*ws: str):
    return [((w,),) for w in ws]


def test_the_backend_matches_the_database_vendor():
    assert get_backend().vendor == connection.vendor


def test_every_word_must_match_with_and(code_store):
    hits = get_backend().search_words(
        words("fracture", "neck", "right"),
        prefix_last=False,
        operator="AND",
        filters=Filters(),
        limit=20,
    )
    assert hits
    found = codes(hits)
    assert "S72001A" in found
    assert "S72002A" not in found  # left femur


def test_some_words_may_match_with_or(code_store):
    hits = get_backend().search_words(
        words("appendicitis", "wheelchair"),
        prefix_last=False,
        operator="OR",
        filters=Filters(),
        limit=20,
    )
    assert {"K3580", "K0898"} <= set(codes(hits))


def test_the_last_word_is_a_prefix_while_typing(code_store):
    hits = get_backend().search_words(
        words("wheelch"), prefix_last=True, operator="AND", filters=Filters(), limit=20
    )
    assert "K0898" in codes(hits)
    none = get_backend().search_words(
        words("wheelch"), prefix_last=False, operator="AND", filters=Filters(), limit=20
    )
    assert none == []


def test_stemming_matches_other_forms_of_a_word(code_store):
    hits = get_backend().search_words(
        words("fractures"), prefix_last=False, operator="AND", filters=Filters(), limit=50
    )
    assert "S72001A" in codes(hits)


def test_synonym_alternatives_widen_a_group(code_store):
    groups = expand_synonyms(["high", "blood", "pressure"])
    hits = get_backend().search_words(
        groups, prefix_last=False, operator="AND", filters=Filters(), limit=20
    )
    assert codes(hits)[0] == "I10"


def test_matches_come_back_marked_in_the_title(code_store):
    backend = get_backend()
    hits = backend.search_words(
        words("nephropathy"), prefix_last=False, operator="AND", filters=Filters(), limit=5
    )
    marked = backend.highlight(
        words("nephropathy"), prefix_last=False, document_ids=[hits[0].document_id]
    )
    assert f"{MARK_START}nephropathy{MARK_END}" in marked[hits[0].document_id].title
    assert hits[0].title == "Type 2 diabetes mellitus with diabetic nephropathy"


def test_a_synonym_that_matched_comes_back_as_a_fragment(code_store):
    backend = get_backend()
    hits = backend.search_words(
        words("glomerulosclerosis"), prefix_last=False, operator="AND", filters=Filters(), limit=5
    )
    assert codes(hits) == ["E1121"]
    marked = backend.highlight(
        words("glomerulosclerosis"), prefix_last=False, document_ids=[hits[0].document_id]
    )[hits[0].document_id]
    assert MARK_START not in marked.title
    assert f"{MARK_START}glomerulosclerosis{MARK_END}" in marked.synonym


def test_a_very_common_word_is_ranked_over_a_sample_in_document_order(code_store):
    backend = get_backend()
    every = backend.search_words(
        words("fracture"), prefix_last=False, operator="AND", filters=Filters(), limit=50
    )
    sampled = backend.search_words(
        words("fracture"),
        prefix_last=False,
        operator="AND",
        filters=Filters(),
        limit=50,
        common=True,
    )
    assert set(codes(sampled)) == set(codes(every))  # the sample holds them all here
    assert [h.score for h in sampled] == sorted((h.score for h in sampled), reverse=True)


def test_documents_are_numbered_general_codes_first(code_store):
    ids = dict(Document.objects.values_list("code", "id"))
    assert ids["S72"] < ids["S720"] < ids["S7200"] < ids["S72001A"]
    assert ids["59"] < ids["I10"]


def test_index_terms_with_their_nonessential_modifiers_are_searchable(code_store):
    hits = get_backend().search_words(
        words("sugar", "kidney"), prefix_last=False, operator="AND", filters=Filters(), limit=5
    )
    assert set(codes(hits)) == {"E1122", "E1129"}


def test_the_title_outranks_a_synonym(code_store):
    hits = get_backend().search_words(
        words("nephropathy"), prefix_last=False, operator="OR", filters=Filters(), limit=5
    )
    assert codes(hits)[0] == "E1121"


@pytest.mark.parametrize(
    ("filters", "expected", "absent"),
    [
        (Filters(systems=("HCPCS",)), "K0898", "K0899"),
        (Filters(systems=("ICD10CM",)), None, "K0898"),
        (Filters(is_billable=True), "K0898", None),
    ],
)
def test_filters_narrow_the_hits(code_store, filters, expected, absent):
    hits = get_backend().search_words(
        words("power"), prefix_last=False, operator="AND", filters=filters, limit=50
    )
    found = codes(hits)
    if expected:
        assert expected in found
    if absent:
        assert absent not in found


def test_billable_only_drops_categories(code_store):
    hits = get_backend().search_words(
        words("diabetes"),
        prefix_last=False,
        operator="AND",
        filters=Filters(is_billable=True),
        limit=50,
    )
    found = codes(hits)
    assert "E1129" in found
    assert "E11" not in found and "E112" not in found


def test_a_retired_code_is_found_only_on_a_date_it_was_in_force(code_store):
    from medcode.search.facade import make_filters

    backend = get_backend()
    today = backend.search_words(
        words("mobility"), prefix_last=False, operator="AND", filters=Filters(), limit=5
    )
    assert codes(today) == []
    then = make_filters(system=None, billable=None, on=dt.date(2021, 6, 1))
    hits = backend.search_words(
        words("mobility"), prefix_last=False, operator="AND", filters=then, limit=5
    )
    assert codes(hits) == ["K0899"]
    after = make_filters(system=None, billable=None, on=dt.date(2025, 1, 1))
    assert (
        backend.search_words(
            words("mobility"), prefix_last=False, operator="AND", filters=after, limit=5
        )
        == []
    )


@pytest.mark.parametrize(
    "word",
    [
        '"',
        '""',
        "*",
        "NEAR",
        "NEAR(a b)",
        "-",
        "OR",
        "AND",
        "NOT",
        "a:b",
        "^",
        "(",
        "':*",
        "!",
        "&|",
    ],
)
def test_operators_in_words_are_plain_text(code_store, word):
    # Never an error: whatever the engine's query language, user text is quoted.
    get_backend().search_words(
        words(word), prefix_last=True, operator="AND", filters=Filters(), limit=5
    )
    get_backend().search_words(
        words(word, "fever"), prefix_last=True, operator="OR", filters=Filters(), limit=5
    )


def test_similar_words_come_from_the_vocabulary(code_store):
    candidates = [w for w, _ in get_backend().similar_words("wheelchiar")]
    assert "wheelchair" in candidates


def test_the_rebuild_indexes_every_code_once_with_its_texts(code_store):
    assert Document.objects.filter(system="ICD10CM", code="S72001A").count() == 1
    e1129 = Document.objects.get(system="ICD10CM", code="E1129")
    assert "renal tubular degeneration" in e1129.synonyms
    assert "Diabetes, diabetic (mellitus) (sugar), with, kidney complications NEC" in e1129.synonyms
    kinds = set(Entry.objects.filter(document=e1129).values_list("kind", flat=True))
    assert kinds == {"title", "inclusion", "index"}
    assert Word.objects.filter(word="nephropathy").exists()


def test_cpt_codes_carry_editorial_titles_and_never_descriptors(code_store):
    doc = Document.objects.get(system="CPT", code="63650")
    assert "stimulator" in doc.title.lower()
    assert "stimulator" in doc.editorial.lower()


def test_a_code_from_an_old_release_only_is_not_current(code_store):
    doc = Document.objects.get(system="HCPCS", code="K0899")
    assert doc.is_current is False
    assert Document.objects.get(system="HCPCS", code="K0898").is_current is True


def test_a_second_rebuild_without_changes_does_nothing(code_store):
    assert rebuild_index().status == "unchanged"
    assert rebuild_index(force=True).status == "built"


def test_index_paths_join_the_terms_above_each_code():
    rows = [
        ("index", 0, "Diabetes, diabetic", "E11.9", {"nemod": "(mellitus) (sugar)"}),
        ("index", 1, "with", "", {}),
        ("index", 2, "kidney complications NEC", "E1129", {}),
        ("index", 0, "Fracture", "", {}),
        ("index", 2, "neck", "S72.00-", {}),
    ]
    assert list(index_paths(rows)) == [
        ("E119", "Diabetes, diabetic (mellitus) (sugar)"),
        ("E1129", "Diabetes, diabetic (mellitus) (sugar), with, kidney complications NEC"),
        ("S7200", "Fracture, neck"),
    ]


def test_equal_scores_come_back_in_document_order_on_either_database(code_store):
    # The index numbers documents shortest code first, then by code set and code; both
    # backends break score ties by that number, so SQLite and PostgreSQL agree.
    from medcode.codes.models import Code
    from medcode.search.tests.builders import make_release

    release = make_release("hcpcs_ties", "HCPCS", "2026 January", dt.date(2026, 1, 1))
    # Inserted last code first: the order comes from the index, not from the rows.
    tied = ["E0999", "E0998", "E0997"]
    Code.objects.bulk_create(
        Code(release=release, system="HCPCS", code=c, display=c, long_description="Zyxwv frame")
        for c in tied
    )
    rebuild_index(force=True)
    for common in (False, True):
        hits = get_backend().search_words(
            words("zyxwv"),
            prefix_last=False,
            operator="AND",
            filters=Filters(),
            limit=20,
            common=common,
        )
        assert codes(hits) == sorted(tied)
