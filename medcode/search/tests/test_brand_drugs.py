"""A brand drug name finds the HCPCS code of its established name even when the rest of the
query (a dose, "shot", "infusion") is in no title: HCPCS drug titles name the substance and a
billing unit, not the dose given."""

from __future__ import annotations

import pytest

from medcode.search.facade import brand_drug_hits, make_filters, search
from medcode.search.ranking import brand_generics
from medcode.search.tests.builders import add_hcpcs_release

pytestmark = pytest.mark.django_db

# Public-domain HCPCS Level II texts (2024-07 file).
DRUGS = [
    ("J1885", "Injection, ketorolac tromethamine, per 15 mg"),
    ("J2405", "Injection, ondansetron hydrochloride, per 1 mg"),
    ("J7070", "Infusion, d5w, 1000 cc"),
]


@pytest.fixture
def drug_store(code_store, lexical_only) -> None:
    add_hcpcs_release("hcpcs_drugs", DRUGS, code_store["pfs"].effective_from)


def test_brand_names_in_a_query_give_their_established_names():
    assert brand_generics(["toradol", "30mg", "shot"]) == ["ketorolac tromethamine", "ketorolac"]
    assert brand_generics(["depo", "provera", "150", "mg"]) == ["medroxyprogesterone"]
    assert brand_generics(["sore", "throat"]) == []


def test_a_brand_with_a_dose_and_a_route_finds_the_drug_code_first(drug_store) -> None:
    assert [r.code for r in search("toradol 30mg shot").results][:1] == ["J1885"]
    assert [r.code for r in search("zofran inj 4 mg").results][:1] == ["J2405"]


def test_a_poisoning_by_a_brand_does_not_ask_for_the_drug_code(drug_store) -> None:
    filters = make_filters(system=None, billable=None, on=None)
    assert brand_drug_hits(["toradol", "overdose"], filters, typing=False) == []
    assert brand_drug_hits(["toradol", "shot"], filters, typing=False)
    # A search limited to another code set, or a query still being typed, has none.
    icd = make_filters(system="icd10cm", billable=None, on=None)
    assert brand_drug_hits(["toradol", "shot"], icd, typing=False) == []
    assert brand_drug_hits(["toradol", "shot"], filters, typing=True) == []
