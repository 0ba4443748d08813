"""HCPCS descriptors read against a lay query (hcpcs_readings): the item before its
accessories, what a variant lacks, catch-all codes, a drug's own "not otherwise specified"
code, dose bounds and the non-Medicare S codes."""

from __future__ import annotations

import pytest

from medcode.search.facade import search
from medcode.search.hcpcs_readings import (
    ACCESSORY,
    CATCH_ALL,
    DOSE_OUT,
    NEGATED,
    NON_MEDICARE,
    NOS_GENERIC,
    dose_fits,
    hcpcs_fit,
    head_and_tail,
    is_catch_all,
    read_query,
    title_negations,
)
from medcode.search.tests.builders import add_hcpcs_release

# Public-domain HCPCS Level II long descriptors (January 2026 ANWEB file).
WALKERS = [
    ("E0135", "Walker, folding (pickup), adjustable or fixed height"),
    ("E0143", "Walker, folding, wheeled, adjustable or fixed height"),
    ("E0148", "Walker, heavy duty, without wheels, rigid or folding, any type, each"),
]
BEDS = [
    (
        "E0260",
        "Hospital bed, semi-electric (head and foot adjustment), with any type side rails,"
        " with mattress",
    ),
    (
        "E0294",
        "Hospital bed, semi-electric (head and foot adjustment), without side rails, with mattress",
    ),
]
CRUTCHES = [
    ("E0153", "Platform attachment, forearm crutch, each"),
    (
        "E0111",
        "Crutch forearm, includes crutches of various materials, adjustable or fixed, each,"
        " with tip and handgrips",
    ),
]
AMBULANCE = [
    ("A0999", "Unlisted ambulance service"),
    ("A0433", "Advanced life support, level 2 (als 2)"),
    (
        "A0426",
        "Ambulance service, advanced life support, non-emergency transport, level 1 (als 1)",
    ),
    (
        "A0427",
        "Ambulance service, advanced life support, emergency transport, level 1"
        " (als 1 - emergency)",
    ),
]
CPAP = [
    ("E0601", "Continuous positive airway pressure (cpap) device"),
    (
        "A4604",
        "Tubing with integrated heating element for use with positive airway pressure device",
    ),
]
SPACERS = [
    ("S8100", "Holding chamber or spacer for use with an inhaler or nebulizer; without mask"),
    (
        "A4627",
        "Spacer, bag or reservoir, with or without mask, for use with metered dose inhaler",
    ),
]
DRUGS = [
    ("J0163", "Injection, epinephrine in sodium chloride (endo), 0.1 mg"),
    ("J0165", "Injection, epinephrine, not otherwise specified, 0.1 mg"),
    (
        "Q9991",
        "Injection, buprenorphine extended-release (sublocade), less than or equal to 100 mg",
    ),
    ("Q9992", "Injection, buprenorphine extended-release (sublocade), greater than 100 mg"),
]
ALL = [*WALKERS, *BEDS, *CRUTCHES, *AMBULANCE, *CPAP, *SPACERS, *DRUGS]


def fit(code: str, query: str, *, drug: bool = False) -> float:
    title = dict(ALL)[code]
    return hcpcs_fit(code, title, read_query(query.split()), drug=drug)


def test_a_descriptor_names_its_item_before_what_it_serves() -> None:
    head, tail = head_and_tail(dict(CPAP)["A4604"])
    assert head == {"tubin"}
    assert "press" in tail and "press" not in head
    # No marker: the whole descriptor is the item (commas are the item's qualifiers).
    head, tail = head_and_tail("Breast prosthesis, mastectomy bra")
    assert "bra" in head and not tail


def test_a_part_of_the_item_asked_for_ranks_below_the_item() -> None:
    assert fit("E0153", "forearm crutches") == ACCESSORY  # "Platform attachment, ..."
    assert fit("E0111", "forearm crutches") == 1.0
    # Asked for: "attachment" said.
    assert fit("E0153", "forearm crutch platform attachment") == 1.0
    # The item an accessory serves is not the accessory asked for.
    assert fit("E0601", "heated hose for cpap") == ACCESSORY
    assert fit("A4604", "heated hose for cpap") == 1.0
    # The item named first, its qualifier in the tail: no demotion ("Nebulizer, with compressor").
    reading = read_query(["nebulizer", "machine", "w", "compressor"])
    assert hcpcs_fit("E0570", "Nebulizer, with compressor", reading, drug=False) == 1.0


def test_a_variant_that_lacks_what_the_query_asks_for_ranks_lower() -> None:
    said, denied = title_negations(dict(BEDS)["E0294"])
    assert "rail" in denied and "rail" not in said and "mattr" in said
    # "with or without" denies nothing.
    assert not title_negations("Walking boot, with or without joints")[1]
    assert fit("E0294", "semi electric hospital bed with mattress and rails") == NEGATED
    assert fit("E0260", "semi electric hospital bed with mattress and rails") == 1.0
    # The query denies: "no wheels", "not an emergency", "non emergency".
    assert fit("E0143", "folding walker no wheels") == NEGATED
    assert fit("E0148", "folding walker no wheels") == 1.0
    assert fit("A0427", "scheduled als ambulance ride not an emergency") == NEGATED
    assert fit("A0426", "scheduled als ambulance ride not an emergency") == 1.0
    assert fit("A0427", "non emergency ambulance") == NEGATED
    assert read_query(["non", "emergency", "ambulance", "bls", "ride"]).negated == {"emerg"}


def test_a_catch_all_code_ranks_below_specific_ones_unless_asked_for() -> None:
    assert is_catch_all("A0999", "Unlisted ambulance service")
    assert is_catch_all("J9999", "Not otherwise classified, antineoplastic drugs")
    assert is_catch_all("L2999", "Lower extremity orthoses, not otherwise specified")
    # A drug's own code for its substance is no catch-all.
    assert not is_catch_all("J0165", dict(DRUGS)["J0165"])
    assert fit("A0999", "als2 ambulance") == CATCH_ALL
    assert fit("A0999", "unlisted ambulance service") == 1.0
    # A query that names the catch-all's item and nothing more is asked for it (K0898, the
    # 2026 file: "Power wheelchair, not otherwise classified").
    nos_chair = "Power wheelchair, not otherwise classified"
    assert hcpcs_fit("K0898", nos_chair, read_query(["power", "wheelchair"]), drug=False) == 1.0
    assert (
        hcpcs_fit("K0898", nos_chair, read_query(["power", "wheelchair", "group", "2"]), drug=False)
        == CATCH_ALL
    )


def test_a_drug_named_without_a_product_prefers_its_not_otherwise_specified_code() -> None:
    assert fit("J0165", "epinephrine injection", drug=True) == NOS_GENERIC
    assert fit("J0163", "epinephrine injection", drug=True) == 1.0
    # A brand no descriptor names ("kenalog"): the substance's own code, J3301, before the
    # preservative-free and the named product's codes.
    kenalog = read_query(["kenalog", "shot"])
    for code, title, factor in (
        (
            "J3301",
            "Injection, triamcinolone acetonide, not otherwise specified, 10 mg",
            NOS_GENERIC,
        ),
        ("J3300", "Injection, triamcinolone acetonide, preservative free, 1 mg", 1.0),
        ("J3299", "Injection, triamcinolone acetonide (xipere), 1 mg", 1.0),
    ):
        assert hcpcs_fit(code, title, kenalog, drug=True) == factor, code


def test_a_dose_outside_the_descriptor_bound_ranks_lower() -> None:
    assert read_query(["sublocade", "100", "mg", "monthly", "shot"]).doses == (100.0,)
    assert read_query(["rocephin", "1", "gram"]).doses == (1000.0,)
    assert read_query(["toradol", "30mg", "shot"]).doses == (30.0,)
    # A decimal the query words split ("3.375 g": 3, 375, g) is not read.
    assert read_query(["zosyn", "3", "375", "g"]).doses == ()
    assert not dose_fits(dict(DRUGS)["Q9992"], [100.0])
    assert dose_fits(dict(DRUGS)["Q9991"], [100.0])
    assert dose_fits(dict(DRUGS)["Q9991"], [])
    assert fit("Q9992", "sublocade 100 mg monthly shot", drug=True) == DOSE_OUT
    # "up to 25 mg" is the billing unit, not a bound: 50 mg is two units of J3410.
    assert dose_fits("Injection, hydroxyzine hcl, up to 25 mg", [50.0])


def test_a_non_medicare_s_code_ranks_below_the_medicare_code() -> None:
    assert fit("S8100", "spacer for my inhaler") == NON_MEDICARE
    assert fit("A4627", "spacer for my inhaler") == 1.0


@pytest.fixture
def supply_store(code_store, lexical_only) -> None:
    add_hcpcs_release("hcpcs_supply", ALL, code_store["pfs"].effective_from)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("forearm crutches", "E0111"),
        ("semi electric hospital bed with mattress and rails", "E0260"),
        ("als2 ambulance", "A0433"),
        ("scheduled als ambulance ride, not an emergency", "A0426"),
        ("heated hose for cpap", "A4604"),
        ("spacer for my inhaler", "A4627"),
        ("epinephrine injection", "J0165"),
    ],
)
def test_lay_supply_and_drug_queries_find_the_item_first(supply_store, q, first) -> None:
    assert [r.code for r in search(q).results][:1] == [first]


@pytest.mark.django_db
def test_a_walker_asked_for_without_wheels_is_not_a_wheeled_one(supply_store) -> None:
    codes = [r.code for r in search("folding walker no wheels").results]
    assert codes.index("E0143") > max(codes.index("E0135"), codes.index("E0148"))


def test_a_contrast_agent_brand_reads_as_its_hcpcs_agent() -> None:
    from medcode.search.ranking import brand_generics, query_kind

    # A9585 "Injection, gadobutrol, 0.1 ml", A9575 "Injection, gadoterate meglumine, 0.1 ml".
    assert brand_generics(["gadavist", "contrast", "for", "mri"]) == ["gadobutrol"]
    assert brand_generics(["dotarem"]) == ["gadoterate meglumine"]
    assert query_kind(["gadavist", "contrast", "for", "mri"]) == "drug"


@pytest.mark.django_db
def test_of_two_hcpcs_titles_the_one_saying_more_of_the_query_ranks_first(supply_store) -> None:
    from medcode.search.models import Document
    from medcode.search.ranking import rerank

    ids = dict(Document.objects.filter(code__in=["E0601", "A4604"]).values_list("code", "id"))
    # E0601 first in the fused order, but it says neither "tubing" nor "heating".
    ranked = rerank([(ids["E0601"], 1.0), (ids["A4604"], 0.9)], ["tubing", "heating", "airway"])
    assert [d for d, _, _ in ranked][:1] == [ids["A4604"]]
