"""Kinds of lay query for HCPCS Level II and ICD-10-PCS: a brand of an injected, infused or
implanted drug names its J/Q code's generic (drug_brands.py); Medicare screening services and
plain-named equipment route to HCPCS; procedure wording reads in the ICD-10-PCS axes' value
names (approach, device, qualifier). Each example is a kind written from the HCPCS
descriptors and the PCS tables, not an evaluation item."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medcode.search import drug_brands
from medcode.search.drug_brands import HCPCS_BRANDS
from medcode.search.ranking import brand_generics, query_kind


@pytest.mark.parametrize(
    ("query", "generic"),
    [
        ("prolia shot", "denosumab"),
        ("forteo injection", "teriparatide"),
        ("kadcyla infusion", "ado-trastuzumab emtansine"),
        ("enhertu", "fam-trastuzumab deruxtecan-nxki"),
        ("padcev", "enfortumab vedotin-ejfv"),
        ("vistaril 50 mg im", "hydroxyzine hcl"),
        ("cogentin injection", "benztropine mesylate"),
        ("monoferric iron infusion", "ferric derisomaltose"),
        ("ferrlecit iv", "sodium ferric gluconate complex"),
        ("zoladex implant", "goserelin acetate implant"),
        ("firmagon shot", "degarelix"),
        ("trelstar injection", "triptorelin pamoate"),
        ("haldol decanoate shot", "haloperidol decanoate"),
    ],
)
def test_a_brand_of_a_billed_drug_names_the_generic_of_its_hcpcs_descriptor(query, generic):
    assert generic in brand_generics(query.split())
    assert query_kind(query.split()) == "drug"


def test_the_longer_brand_name_wins_over_its_first_word():
    # "haldol decanoate" is the decanoate, not haloperidol lactate (J1630).
    assert brand_generics(["haldol", "decanoate", "shot"]) == ["haloperidol decanoate"]


def test_every_brand_line_names_a_hcpcs_code_whose_descriptor_it_follows():
    source = Path(drug_brands.__file__).read_text()
    for brand in HCPCS_BRANDS:
        line = next(row for row in source.splitlines() if row.strip().startswith(f'"{brand}": ('))
        assert re.search(r"#.*\b[JQC]\d{4}\b", line), brand
