"""metadata, CodeSystem read/search, $lookup, $validate-code and $subsumes on the sample
releases (FY2025 and FY2026 ICD-10-CM, HCPCS 2024 July, PCS FY2025, CPT RVU25D)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from medcode.codes.models import Code
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from medcode.fhir.tests.helpers import (
    CPT,
    HCPCS,
    ICD10CM,
    PCS,
    diagnostics,
    get,
    parameters,
    post,
    properties,
    query,
    release,
    values,
)

pytestmark = pytest.mark.usefixtures("code_samples")


@pytest.fixture(autouse=True)
def open_gate(settings):
    settings.MEDCODE_METERING = False


def test_metadata_is_a_capability_statement_naming_the_terminology_operations(client):
    body = get(client, "metadata")
    assert body["resourceType"] == "CapabilityStatement"
    resources = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert {o["name"] for o in resources["CodeSystem"]["operation"]} == {
        "lookup",
        "validate-code",
        "subsumes",
    }
    assert {o["name"] for o in resources["ValueSet"]["operation"]} == {"expand", "validate-code"}
    assert {"code": "batch"} in body["rest"][0]["interaction"]


def test_terminology_capabilities_list_every_kept_release_as_a_version(client):
    body = get(client, "metadata", mode="terminology")
    assert body["resourceType"] == "TerminologyCapabilities"
    systems = {s["uri"]: s for s in body["codeSystem"]}
    versions = [v["code"] for v in systems[ICD10CM]["version"]]
    assert versions == [
        release("icd10cm_order").version_label,
        release("icd10cm_codes").version_label,
    ]
    assert [v["isDefault"] for v in systems[ICD10CM]["version"]] == [False, True]
    assert body["expansion"]["paging"] is True


def test_codesystem_search_returns_one_resource_per_release_and_read_finds_each(client):
    bundle = get(client, "CodeSystem", url=ICD10CM)
    assert bundle["type"] == "searchset" and bundle["total"] == 2
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert resource["url"] == ICD10CM and resource["hierarchyMeaning"] == "is-a"
        again = get(client, f"CodeSystem/{resource['id']}")
        assert again == resource
    fy2026 = release("icd10cm_codes")
    only = get(client, "CodeSystem", url=ICD10CM, version=fy2026.version_label)
    assert [e["resource"]["count"] for e in only["entry"]] == [
        Code.objects.filter(release=fy2026).count()
    ]


def test_an_unknown_codesystem_id_is_a_404_outcome(client):
    body = get(client, "CodeSystem/icd-10-cm-99999", status=404)
    assert "No CodeSystem with id 'icd-10-cm-99999'" in diagnostics(body)


def test_lookup_gives_display_parent_billable_status_and_the_release_used(client):
    body = get(client, "CodeSystem/$lookup", system=ICD10CM, code="S72.001A")
    found = values(body)
    row = Code.objects.get(release=release("icd10cm_codes"), code="S72001A")
    assert found["display"] == row.long_description
    assert found["version"] == release("icd10cm_codes").version_label
    props = dict(properties(body))
    assert props["parent"] == "S72.001"
    assert props["notSelectable"] is False
    assert props["inactive"] is False


def test_lookup_of_a_heading_lists_its_children_and_is_not_selectable(client):
    props = properties(get(client, "CodeSystem/$lookup", system=ICD10CM, code="S72.001"))
    children = [v for k, v in props if k == "child"]
    assert sorted(children) == ["S72.001A", "S72.001B", "S72.001D", "S72.001S"]
    assert dict(props)["notSelectable"] is True


def test_lookup_honours_version_and_date(client):
    fy2025 = release("icd10cm_order")
    old = get(
        client, "CodeSystem/$lookup", system=ICD10CM, code="M54.5", version=fy2025.version_label
    )
    assert values(old)["version"] == fy2025.version_label
    assert dict(properties(old))["inactive"] is False
    later = release("icd10cm_codes").effective_from.isoformat()
    now = get(client, "CodeSystem/$lookup", system=ICD10CM, code="M54.5", date=later)
    assert dict(properties(now))["status"] == "deleted"
    assert dict(properties(now))["inactive"] is True


def test_lookup_of_a_code_no_release_holds_is_a_404_naming_it(client):
    body = get(client, "CodeSystem/$lookup", system=ICD10CM, code="Q99.99", status=404)
    assert "Q99.99 is not a code of ICD-10-CM" in diagnostics(body)


def _validate(client, code: str, **extra: str) -> dict[str, Any]:
    params = {"url": ICD10CM, "code": code, **extra}
    return values(query(client, "CodeSystem/$validate-code", params))


def test_validate_code_says_not_yet_valid_valid_and_no_release_by_date(client):
    fy2025, fy2026 = release("icd10cm_order"), release("icd10cm_codes")
    before = (fy2026.effective_from - dt.timedelta(days=60)).isoformat()
    assert fy2025.effective_from.isoformat() <= before
    early = _validate(client, "A01.00", date=before)
    assert early["result"] is False
    assert f"A01.00 is not yet valid on {before}" in early["message"]
    assert fy2026.version_label in early["message"]
    valid = _validate(client, "A01.00", date=fy2026.effective_from.isoformat())
    assert valid["result"] is True and "is valid on" in valid["message"]
    ancient = (fy2025.effective_from - dt.timedelta(days=1)).isoformat()
    none = _validate(client, "A01.00", date=ancient)
    assert none["result"] is False
    assert f"No ICD-10-CM release is loaded for {ancient}" in none["message"]


def test_validate_code_says_when_a_code_was_deleted(client):
    after = release("icd10cm_codes").effective_from.isoformat()
    found = _validate(client, "M54.5", date=after)
    assert found["result"] is False
    assert "Deleted" in found["message"] and "M54.5" in found["message"]


def test_validate_code_never_calls_an_unknown_code_valid(client):
    found = _validate(client, "Z99.999")
    assert found["result"] is False and "not a code of ICD-10-CM" in found["message"]


def test_validate_code_checks_the_display(client):
    row = Code.objects.get(release=release("icd10cm_codes"), code="S72001A")
    assert _validate(client, "S72.001A", display=row.long_description.upper())["result"] is True
    wrong = _validate(client, "S72.001A", display="Fracture of the skull")
    assert wrong["result"] is False and "not a display of S72.001A" in wrong["message"]


def test_validate_code_by_post_with_a_coding(client):
    body = post(
        client,
        "CodeSystem/$validate-code",
        parameters(coding={"system": ICD10CM, "code": "S72.001A"}),
    )
    assert values(body)["result"] is True


def test_hcpcs_pcs_and_cpt_validate_against_their_own_releases(client):
    hcpcs = values(get(client, "CodeSystem/$validate-code", url=HCPCS, code="E0114"))
    assert hcpcs["result"] is True
    gone = values(get(client, "CodeSystem/$validate-code", url=HCPCS, code="C9159"))
    assert gone["result"] is False and "C9159" in gone["message"]
    pcs = values(get(client, "CodeSystem/$validate-code", url=PCS, code="0SR90J9"))
    assert pcs["result"] is True
    cpt = values(get(client, "CodeSystem/$validate-code", url=CPT, code="63650"))
    assert cpt["result"] is True


def test_hcpcs_uri_also_answers_for_modifiers(client):
    body = get(client, "CodeSystem/$lookup", system=HCPCS, code="LT")
    assert "Left side" in values(body)["display"]


@pytest.mark.parametrize(
    ("a", "b", "outcome"),
    [
        ("S72", "S72.001A", "subsumes"),
        ("S72.001A", "S72", "subsumed-by"),
        ("S72.001A", "S72.001A", "equivalent"),
        ("S72.001A", "A01.00", "not-subsumed"),
    ],
)
def test_subsumes(client, a, b, outcome):
    body = get(client, "CodeSystem/$subsumes", system=ICD10CM, codeA=a, codeB=b)
    assert values(body) == {"outcome": outcome}


def test_an_instance_operation_uses_that_release(client):
    fy2025 = release("icd10cm_order")
    resource_id = f"icd-10-cm-{fy2025.pk}"
    body = get(client, f"CodeSystem/{resource_id}/$validate-code", code="M54.5")
    assert values(body)["result"] is True and values(body)["version"] == fy2025.version_label
