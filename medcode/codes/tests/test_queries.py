"""Code lookups and the code-page query, against sample releases imported for real."""

from __future__ import annotations

import datetime as dt

import pytest

from medcode.codes import queries
from medcode.codes.importers.cpt_licensed import LICENSED_DATASET
from medcode.codes.services import import_file
from medcode.codes.tests.sample_data import NCCI_MISSING, code_samples_fixture, write_csv  # noqa: F401

MAY_2026 = dt.date(2026, 5, 1)
NOV_2025 = dt.date(2025, 11, 3)


def systems(refs: list[queries.CodeRef] | tuple[queries.CodeRef, ...]) -> list[tuple[str, str]]:
    return [(r.system, r.display) for r in refs]


def version_of(page: queries.CodePage) -> str:
    assert page.release is not None
    return page.release.version_label


@pytest.mark.parametrize("text", ["S72.001A", "S72001A", "s72.001a", " s72001a "])
def test_dotted_and_undotted_icd10_forms_resolve_to_the_same_code(code_samples, text):
    assert systems(queries.resolve_code(text)) == [("ICD10CM", "S72.001A")]


def test_a_code_in_two_code_sets_resolves_to_both(code_samples):
    assert systems(queries.resolve_code("A0100")) == [("HCPCS", "A0100"), ("ICD10CM", "A01.00")]


def test_a_dotted_code_only_matches_code_sets_that_print_dots(code_samples):
    assert systems(queries.resolve_code("A01.00")) == [("ICD10CM", "A01.00")]


def test_a_cpt_code_known_from_the_fee_schedule_resolves(code_samples):
    refs = queries.resolve_code("63650")
    assert systems(refs) == [("CPT", "63650")]
    # The title is our editorial one: CPT descriptors are never in the data.
    assert refs[0].title


def test_a_cpt_modifier_resolves_from_our_own_list_and_a_place_of_service_beside_it(code_samples):
    assert systems(queries.resolve_code("50")) == [("MODIFIER", "50"), ("POS", "50")]


@pytest.mark.parametrize("text", ["<script>", "A" * 40, "S72..1", "63650;drop", ""])
def test_malformed_codes_are_refused(code_samples, text):
    with pytest.raises(queries.MalformedCode):
        queries.resolve_code(text)


def test_an_unknown_code_resolves_to_nothing_and_has_nearest_codes(code_samples):
    assert queries.resolve_code("S72.009A") == []
    nearest = [r.display for r in queries.nearest_codes("S72.009A")]
    assert nearest and all(d.startswith("S72.00") for d in nearest)


def test_nearest_codes_is_empty_when_nothing_shares_a_first_character(code_samples):
    assert queries.nearest_codes("Q") == []


def test_an_icd10cm_page_holds_hierarchy_notes_seventh_characters_and_severity(code_samples):
    page = queries.code_page("ICD10CM", "S72001A", MAY_2026)
    assert page.display == "S72.001A"
    assert page.status.state == "active"
    assert page.is_billable is True
    assert page.release is not None and page.release.version_label == "FY2026 April"
    assert [c.code for c in page.hierarchy if c.code] == ["S72", "S72.0", "S72.00", "S72.001"]
    assert page.hierarchy[0].label.startswith("Chapter 19")
    keys = [p.key for p in page.panels]
    assert keys == [
        "icd10cm_notes",
        "seventh_characters",
        "severity",
        "msdrg_definitions",  # drgpy's tables; no Table 5 weights panel: none loaded here
        "index_icd10cm_index",
    ]
    notes = {g.title: g for g in page.panels[0].groups}
    assert [i.inherited_from for i in notes["Excludes2"].items] == [
        "chapter 19",
        "section S70-S79",
        "S72",
    ]
    assert notes["Inclusion terms"].items[0].inherited_from == "S72.00"
    seventh = page.panels[1].tables[0].rows
    assert [r[0] for r in seventh] == ["A", "B", "D", "S"]
    assert seventh[0][2:] == ("S72.001A", "this code")
    assert page.panels[2].facts[0].value == "MCC"
    # Its 7th characters are in their panel; related shows the other side's same character.
    assert not any(g.key == "siblings" for g in page.related)
    same = next(g for g in page.related if g.key == "laterality")
    assert [c.code for c in same.codes] == ["S72.001A", "S72.002A"]


def test_every_panel_names_its_release_file_and_date(code_samples):
    for system, code in [
        ("ICD10CM", "S72001A"),
        ("CPT", "63650"),
        ("HCPCS", "E0114"),
        ("ICD10PCS", "0SR90J9"),
        ("MODIFIER", "50"),
    ]:
        page = queries.code_page(system, code, NOV_2025)
        assert page.panels, (system, code)
        for panel in page.panels:
            assert panel.source.source_file and panel.source.version_label, panel.key
            assert panel.as_of == NOV_2025


def test_a_cpt_page_says_the_ama_descriptor_is_not_loaded_and_shows_pfs_data(code_samples):
    page = queries.code_page("CPT", "63650", NOV_2025)
    assert page.official.text == ""
    assert page.official.notice == queries.CPT_NOT_LOADED
    fee = next(p for p in page.panels if p.key == "fee_schedule")
    assert {f.label: f.value for f in fee.facts}["Global period"] == "010"
    assert [p.key for p in page.panels][:2] == ["fee_schedule", "opps"]
    mods = {m for a in page.modifiers for m in a.modifiers}
    assert {"50", "51", "62", "66", "80", "26", "22", "76", "77"} <= mods
    neighbours = next(g for g in page.related if g.key == "neighbours")
    assert {"63655", "63661", "63685"} <= {c.code for c in neighbours.codes}
    assert page.editorial is not None and page.what_it_is_html and page.faq


def test_a_licensed_cpt_descriptor_is_shown_when_the_operator_imported_one(code_samples, tmp_path):
    path = tmp_path / "cpt_licensed_2025.txt"
    path.write_text("63650\tDescriptor text supplied by the operator for this test\n")
    import_file(path, dataset=LICENSED_DATASET)
    page = queries.code_page("CPT", "63650", NOV_2025)
    assert page.official.text == "Descriptor text supplied by the operator for this test"
    assert page.official.is_licensed is True
    assert page.official.source is not None


def test_a_hcpcs_page_has_its_record_panel_opps_and_group_neighbours(code_samples):
    page = queries.code_page("HCPCS", "E0114", NOV_2025)
    assert page.official.text.startswith("Crutches underarm, other than wood")
    keys = [p.key for p in page.panels]
    assert keys[:2] == ["hcpcs", "opps"]
    assert keys[2:] == (["mue_ncci_mue"] if code_samples.has_ncci else [])
    neighbours = next(g for g in page.related if g.key == "neighbours")
    assert [c.code for c in neighbours.codes] == ["E0112", "E0116"]


def test_a_pcs_page_reads_the_code_by_position(code_samples):
    page = queries.code_page("ICD10PCS", "0SR90J9", NOV_2025)
    axes = page.panels[0].tables[0].rows
    assert axes[2] == ("3", "Root operation", "R", "Replacement")
    assert axes[4] == ("5", "Approach", "0", "Open")
    related = {g.key: [c.code for c in g.codes] for g in page.related}
    assert related["same_body_part_approach"] == ["0SR9019", "0SR90JA", "0SR90JZ"]


def test_a_cpt_modifier_page_uses_our_explanation_and_fee_schedule_counts(code_samples):
    page = queries.code_page("MODIFIER", "50", NOV_2025)
    assert page.official.notice == queries.CPT_MODIFIER_NOTICE
    assert page.status.label == "CPT modifier"
    counts = page.panels[0].tables[0].rows
    assert [(value, n) for value, _, n in counts] == [("0", "7"), ("1", "1")]
    assert "150%" in counts[1][1]


def test_a_level2_modifier_page_shows_the_cms_description(code_samples):
    page = queries.code_page("MODIFIER", "XS", NOV_2025)
    assert page.official.text.startswith("Separate structure")
    family = next(g for g in page.related if g.key == "family")
    assert [c.code for c in family.codes] == ["59", "XE", "XP", "XU"]


# --- Dates of service ---------------------------------------------------------------------------


def test_a_code_shows_the_release_in_force_on_the_date(code_samples):
    assert version_of(queries.code_page("ICD10CM", "S72001A", dt.date(2025, 3, 1))) == "FY2025"
    assert version_of(queries.code_page("ICD10CM", "S72001A", MAY_2026)) == "FY2026 April"


def test_a_code_missing_from_the_newer_release_is_deleted_on_its_dates(code_samples):
    assert queries.code_page("ICD10CM", "M545", dt.date(2025, 3, 1)).status.state == "active"
    page = queries.code_page("ICD10CM", "M545", MAY_2026)
    assert page.status.state == "deleted"
    assert "2025-10-01" in page.status.label
    assert "FY2026 April" in page.status.detail


def test_a_partial_newer_file_does_not_delete_codes_it_does_not_cover(code_samples):
    page = queries.code_page("ICD10CM", "X9999", MAY_2026)
    assert page.status.state == "active"
    assert version_of(page) == "FY2025"


def test_after_every_release_the_notice_names_the_release_shown_not_the_partial_one(
    code_samples,
):
    page = queries.code_page("ICD10CM", "X9999", dt.date(2027, 1, 1))
    assert version_of(page) == "FY2025"
    assert "the page shows FY2025 (" in page.date_notice
    assert "April" not in page.date_notice


def test_a_code_added_later_is_not_yet_valid_on_an_earlier_date(code_samples):
    page = queries.code_page("ICD10CM", "M5450", dt.date(2025, 3, 1))
    assert page.status.state == "not_yet_valid"
    assert "FY2026 April" in page.status.detail


def test_a_terminated_hcpcs_code_says_when_it_ended_and_what_replaced_it(code_samples):
    page = queries.code_page("HCPCS", "C9159", dt.date(2024, 8, 1))
    assert page.status.state == "deleted"
    assert "2024-03-31" in page.status.label
    assert page.status.replaced_by == ("J7168",)


def test_a_date_before_every_release_shows_the_earliest_with_a_notice(code_samples):
    page = queries.code_page("ICD10CM", "S72001A", dt.date(2001, 1, 1))
    assert "before the earliest loaded ICD-10-CM release" in page.date_notice
    assert version_of(page) == "FY2025"


def test_a_far_future_date_shows_the_latest_release_with_a_notice(code_samples):
    page = queries.code_page("ICD10CM", "S72001A", dt.date(2099, 1, 1))
    assert "2099-01-01" in page.date_notice
    assert version_of(page) == "FY2026 April"


def test_a_date_between_releases_says_no_release_covers_it(code_samples):
    page = queries.code_page("HCPCS", "E0114", dt.date(2025, 2, 1))
    assert "No loaded HCPCS Level II release covers 2025-02-01" in page.date_notice


@pytest.mark.parametrize(
    "text", ["2026-13-01", "2026-02-30", "01/02/2026", "yesterday", "20260101"]
)
def test_malformed_dates_are_refused(text):
    with pytest.raises(queries.BadDate):
        queries.parse_service_date(text, today=MAY_2026)


def test_a_blank_date_means_today():
    assert queries.parse_service_date("", today=MAY_2026) == MAY_2026
    assert queries.parse_service_date(None, today=MAY_2026) == MAY_2026


# --- Lookup, disambiguation, budget, cache -------------------------------------------------------


def test_lookup_offers_a_choice_for_a_code_in_two_sets_unless_a_system_is_given(code_samples):
    found = queries.lookup_code("A0100", system=None, on=MAY_2026)
    assert found.page is None and systems(found.choices) == [
        ("HCPCS", "A0100"),
        ("ICD10CM", "A01.00"),
    ]
    picked = queries.lookup_code("A0100", system="hcpcs", on=MAY_2026)
    assert picked.page is not None and picked.page.system == "HCPCS" and picked.needs_system


def test_lookup_prefers_another_code_set_over_a_place_of_service(code_samples):
    found = queries.lookup_code("50", system=None, on=MAY_2026)
    assert found.page is not None and found.page.system == "MODIFIER"
    assert systems(found.page.also) == [("POS", "50")]
    assert not found.needs_system


def test_lookup_refuses_an_unknown_code_set(code_samples):
    with pytest.raises(queries.UnknownSystem):
        queries.lookup_code("63650", system="SNOMED", on=MAY_2026)


def test_a_code_page_takes_few_queries(code_samples, django_assert_max_num_queries):
    queries.code_page("CPT", "63650", NOV_2025)
    with django_assert_max_num_queries(12):
        queries.code_page("CPT", "63650", NOV_2025)
    # One more for a 7th-character code: the same 7th character on the neighbouring codes.
    with django_assert_max_num_queries(13):
        queries.code_page("ICD10CM", "S72001A", MAY_2026)


def test_the_release_catalog_is_reloaded_after_an_import(code_samples, tmp_path):
    before = queries.release_catalog()
    assert queries.release_catalog() is before
    write_csv(
        tmp_path / "hcpcs_level2_2024_10.csv",
        (
            "hcpcs_code",
            "long_description",
            "short_description_2024_04",
            "pricing_indicator",
            "date_added",
            "action_date",
        ),
        [("E0114", "Crutches, new wording", "Crutch", "32", "1986-01-01", "2024-10-01")],
    )
    import_file(tmp_path / "hcpcs_level2_2024_10.csv")
    after = queries.release_catalog()
    assert after is not before
    page = queries.code_page("HCPCS", "E0114", dt.date(2024, 11, 1))
    assert page.official.text == "Crutches, new wording"
    assert page.status.state == "revised"


def test_ncci_edits_and_mue_appear_on_a_cpt_page_when_loaded(code_samples):
    if not code_samples.has_ncci:
        pytest.skip(NCCI_MISSING)
    page = queries.code_page("CPT", "63650", NOV_2025)
    keys = [p.key for p in page.panels]
    assert "mue_ncci_mue" in keys and any(k.startswith("ptp_") for k in keys)
    ptp = next(p for p in page.panels if p.key.startswith("ptp_"))
    counts = {f.label: f.value for f in ptp.facts}
    # The deleted edit (2020) is not active in November 2025.
    assert counts["Active edits as column 1"] == "3"
    assert counts["Of which never paid together"] == "2"


def test_an_add_on_code_lists_its_primaries_and_a_primary_its_add_ons(code_samples):
    if not code_samples.has_ncci:
        pytest.skip(NCCI_MISSING)
    addon = queries.code_page("CPT", "22552", NOV_2025)
    panel = next(p for p in addon.panels if p.key == "addon")
    assert [r[0] for r in panel.tables[0].rows] == ["22551", "22554"]
    primaries = next(g for g in addon.related if g.key == "addon_primaries")
    assert [c.code for c in primaries.codes] == ["22551", "22554"]
    primary = queries.code_page("CPT", "22551", NOV_2025)
    addons = next(g for g in primary.related if g.key == "addons")
    assert [c.code for c in addons.codes] == ["22552"]


def test_index_terms_leading_to_a_code_or_a_code_above_it_are_listed(code_samples):
    page = queries.code_page("ICD10CM", "S72001A", MAY_2026)
    index = next(p for p in page.panels if p.key.startswith("index_"))
    assert [(term, code) for term, code, _ in index.tables[0].rows] == [
        ("Fracture > femur > neck", "S72.00-")
    ]


def test_the_catalog_lists_the_releases_holding_a_table_the_same_each_time(code_samples):
    catalog = queries.release_catalog()
    expected = [
        r for r in catalog.releases if "codes" in r.row_counts and r.code_system == "ICD10CM"
    ]
    first = catalog.with_table("codes", "ICD10CM")
    assert first == expected and len(first) >= 2
    first.clear()  # a caller's list is its own: the kept answer is unchanged
    assert catalog.with_table("codes", "ICD10CM") == expected
    assert catalog.with_table("codes") == [r for r in catalog.releases if "codes" in r.row_counts]
