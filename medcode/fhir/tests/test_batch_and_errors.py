"""A batch Bundle of operations in one POST, and errors: always an OperationOutcome in FHIR
JSON with a clear diagnostics, never an HTML page; API keys and metering as /api/v1."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from medcode.fhir.tests.helpers import (
    BASE,
    FHIR_JSON,
    ICD10CM,
    checked,
    diagnostics,
    get,
    parameters,
    post,
    values,
)

pytestmark = pytest.mark.usefixtures("code_samples")

CLAIM_CODES = [
    "S72.001A",
    "S72.001B",
    "S72.001D",
    "S72.001S",
    "S72.002A",
    "S72.002B",
    "S72.002D",
    "S72.002S",
    "A01.00",
    "M54.50",
    "S72",
    "S72.0",
    "S72.00",
    "S72.001",
    "S72.002",
    "A01",
    "A01.0",
    "M54",
    "M54.5",  # deleted in FY2026
    "Q99.99",  # in no release
]


@pytest.fixture(autouse=True)
def open_gate(settings):
    settings.MEDCODE_METERING = False


def test_a_batch_of_twenty_codes_answers_twenty_entries_in_order(client):
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {
                "request": {
                    "method": "GET",
                    "url": f"CodeSystem/$validate-code?url={ICD10CM}&code={c}",
                }
            }
            for c in CLAIM_CODES
        ],
    }
    body = post(client, "", bundle)
    assert body["type"] == "batch-response" and len(body["entry"]) == 20
    results = [values(e["resource"]) for e in body["entry"]]
    assert [r["code"] for r in results] == CLAIM_CODES
    assert [r["result"] for r in results] == [True] * 18 + [False, False]
    assert all(e["response"]["status"] == "200 OK" for e in body["entry"])


def test_a_batch_mixes_operations_and_reports_each_entry_failure_on_its_own(client):
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"request": {"method": "GET", "url": f"{BASE}metadata"}},
            {
                "request": {"method": "POST", "url": "CodeSystem/$lookup"},
                "resource": parameters(system=ICD10CM, code="A01.00"),
            },
            {"request": {"method": "GET", "url": "CodeSystem/$lookup?system=x:y&code=A01"}},
            {"request": {"method": "GET"}},
        ],
    }
    body = post(client, "", bundle)
    statuses = [e["response"]["status"] for e in body["entry"]]
    assert statuses == ["200 OK", "200 OK", "404 Not Found", "400 Bad Request"]
    assert body["entry"][0]["resource"]["resourceType"] == "CapabilityStatement"
    assert values(body["entry"][1]["resource"])["display"] == "Typhoid fever, unspecified"
    assert "Unknown code system 'x:y'" in diagnostics(body["entry"][2]["response"]["outcome"])
    assert "Entry 4 has no request" in diagnostics(body["entry"][3]["response"]["outcome"])


def test_only_batch_bundles_are_taken(client):
    body = post(client, "", {"resourceType": "Bundle", "type": "transaction"}, status=400)
    assert "type 'transaction'" in diagnostics(body)


def test_errors_are_outcomes_in_fhir_json(client):
    assert "No FHIR endpoint" in diagnostics(get(client, "Patient/1", status=404))
    assert "is not a FHIR date" in diagnostics(
        get(
            client,
            "CodeSystem/$validate-code",
            url=ICD10CM,
            code="A01",
            date="01/02/2026",
            status=400,
        )
    )
    assert "'code' (or 'coding') is required" in diagnostics(
        get(client, "CodeSystem/$lookup", system=ICD10CM, status=400)
    )
    assert "not a code" in diagnostics(
        get(client, "CodeSystem/$lookup", system=ICD10CM, code="S72!!", status=400)
    )
    put = client.put(BASE + "metadata", HTTP_HOST="localhost")
    assert "PUT is not supported" in diagnostics(checked(put, 405))


def test_a_body_that_is_not_fhir_json_is_refused_with_an_outcome(client):
    xml = client.post(
        BASE + "CodeSystem/$lookup",
        "<Parameters/>",
        content_type="application/fhir+xml",
        HTTP_HOST="localhost",
    )
    assert "FHIR JSON only" in diagnostics(checked(xml, 415))
    broken = client.post(
        BASE + "CodeSystem/$lookup", "{not json", content_type=FHIR_JSON, HTTP_HOST="localhost"
    )
    assert "not JSON" in diagnostics(checked(broken, 400))
    wrong = post(client, "CodeSystem/$lookup", {"resourceType": "Patient"}, status=400)
    assert "must be a FHIR Parameters resource" in diagnostics(wrong)


def test_a_wrong_api_key_is_a_401_outcome(client, settings):
    settings.MEDCODE_METERING = True
    response = Client().get(
        BASE + "metadata", HTTP_HOST="localhost", HTTP_AUTHORIZATION="Bearer mc_not_a_key"
    )
    body = checked(response, 401)
    assert "API key is not valid" in diagnostics(body)
    assert body["issue"][0]["code"] == "login"


def test_a_key_in_the_url_is_refused(client):
    body = get(client, "metadata", api_key="abc", status=400)
    assert "not accepted in the URL" in diagnostics(body)


def test_responses_are_fhir_json_even_for_a_guest_under_metering(client, settings):
    settings.MEDCODE_METERING = True
    body = get(client, "CodeSystem/$validate-code", url=ICD10CM, code="A01.00")
    assert values(body)["result"] is True
    assert json.dumps(body)  # plain JSON all the way down
