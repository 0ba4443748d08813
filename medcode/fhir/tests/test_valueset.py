"""ValueSet/$expand (implicit value sets, filter, paging, date) and ValueSet/$validate-code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from medcode.codes.models import Code
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from medcode.fhir.tests.helpers import ICD10CM, diagnostics, get, parameters, post, release, values
from medcode.search.index import rebuild_index

pytestmark = pytest.mark.usefixtures("code_samples")

ALL = f"{ICD10CM}?fhir_vs"


@pytest.fixture(autouse=True)
def open_gate(settings):
    settings.MEDCODE_METERING = False


@pytest.fixture
def indexed(code_samples):
    """The search index over the sample releases (a filter ranks as Case2Code does)."""
    rebuild_index(force=True)


def codes(body: dict[str, Any]) -> list[str]:
    return [c["code"] for c in body["expansion"].get("contains", [])]


def test_expand_pages_through_every_code_of_the_release_in_order(client):
    fy2026 = release("icd10cm_codes")
    expected = list(
        Code.objects.filter(release=fy2026).order_by("code").values_list("display", flat=True)
    )
    seen: list[str] = []
    offset = 0
    while True:
        body = get(client, "ValueSet/$expand", url=ALL, count="4", offset=str(offset))
        assert body["expansion"]["total"] == len(expected)
        page = codes(body)
        if not page:
            break
        seen += page
        offset += 4
    assert seen == expected


def test_expand_isa_holds_the_code_and_the_codes_below_it(client):
    body = get(client, "ValueSet/$expand", url=f"{ICD10CM}?fhir_vs=isa/S72.001")
    assert codes(body) == ["S72.001", "S72.001A", "S72.001B", "S72.001D", "S72.001S"]
    assert body["expansion"]["contains"][0]["abstract"] is True
    assert "abstract" not in body["expansion"]["contains"][1]


def test_expand_with_a_filter_ranks_matching_codes_and_pages_them(client, indexed):
    body = get(client, "ValueSet/$expand", url=ALL, filter="femur fracture", count="100")
    found = codes(body)
    assert found and all(c.startswith("S72") for c in found)
    assert body["expansion"]["total"] == len(found)
    first = get(client, "ValueSet/$expand", url=ALL, filter="femur fracture", count="2")
    second = get(
        client, "ValueSet/$expand", url=ALL, filter="femur fracture", count="2", offset="2"
    )
    assert codes(first) + codes(second) == found[:4]


def test_expand_with_a_filter_stays_inside_an_isa_value_set(client, indexed):
    body = get(client, "ValueSet/$expand", url=f"{ICD10CM}?fhir_vs=isa/S72.002", filter="femur")
    assert codes(body) and all(c.startswith("S72.002") for c in codes(body))


def test_expand_on_a_date_uses_the_release_in_force_then(client):
    fy2025 = release("icd10cm_order")
    body = get(client, "ValueSet/$expand", url=ALL, date=fy2025.effective_from.isoformat())
    assert "X99.99" in codes(body) and "A01.00" not in codes(body)
    version = next(p for p in body["expansion"]["parameter"] if p["name"] == "version")
    assert version["valueUri"] == f"{ICD10CM}|{fy2025.version_label}"


def test_expand_before_every_release_says_none_is_loaded(client):
    day = release("icd10cm_order").effective_from - dt.timedelta(days=1)
    body = get(client, "ValueSet/$expand", url=ALL, date=day.isoformat(), status=422)
    assert f"No ICD-10-CM release is loaded for {day.isoformat()}" in diagnostics(body)


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"url": ICD10CM}, 400, "Only implicit value sets"),
        ({"url": ALL, "count": "5000"}, 400, "count may be at most 1000"),
        ({"url": ALL, "count": "-1"}, 400, "whole number"),
        ({"url": f"{ICD10CM}?fhir_vs=isa/Q99"}, 404, "Q99 is not a code"),
        ({"url": "http://example.org/cs?fhir_vs"}, 404, "Unknown code system"),
        ({}, 400, "'url' naming the value set is required"),
    ],
)
def test_expand_refuses_bad_input_with_an_outcome(client, params, status, message):
    body = get(client, "ValueSet/$expand", status=status, **params)
    assert message in diagnostics(body)


def test_expand_by_post(client):
    body = post(client, "ValueSet/$expand", parameters(url=f"{ICD10CM}?fhir_vs=isa/A01", count=2))
    assert codes(body) == ["A01", "A01.0"] and body["expansion"]["total"] == 3


def test_valueset_validate_code_checks_membership_and_validity(client):
    isa = f"{ICD10CM}?fhir_vs=isa/S72"
    inside = get(client, "ValueSet/$validate-code", url=isa, system=ICD10CM, code="S72.001A")
    assert values(inside)["result"] is True
    outside = get(client, "ValueSet/$validate-code", url=isa, system=ICD10CM, code="A01.00")
    assert values(outside)["result"] is False
    assert "not S72 or below it" in values(outside)["message"]
    other = get(
        client,
        "ValueSet/$validate-code",
        url=isa,
        system="https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        code="E0114",
    )
    assert values(other)["result"] is False
