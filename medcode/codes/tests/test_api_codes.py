"""GET /api/v1/codes/{code}: the JSON twin of a code page, errors and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
from dataclasses import asdict
from typing import Any

import pytest
from django.test import Client

from medcode.codes import queries
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401

NOV_2025 = dt.date(2025, 11, 3)


@pytest.fixture(autouse=True)
def open_gate(settings):
    """Metering is the accounts app's concern (its own tests); these test the code API."""
    settings.MEDCODE_METERING = False


def get(client: Client, url: str) -> Any:
    return client.get(url, HTTP_HOST="localhost")


def plain(value: object) -> Any:
    """A dataclass dump as JSON would carry it (dates as ISO strings, tuples as lists)."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat()))


@pytest.mark.parametrize(
    ("code", "system"),
    [
        ("63650", "CPT"),
        ("S72.001A", "ICD10CM"),
        ("E0114", "HCPCS"),
        ("0SR90J9", "ICD10PCS"),
        ("50", "MODIFIER"),
    ],
)
def test_the_json_twin_holds_the_same_content_as_the_page_query(
    code_samples, client, open_gate, code, system
):
    response = get(client, f"/api/v1/codes/{code}?date={NOV_2025.isoformat()}")
    assert response.status_code == 200
    data = response.json()
    page = queries.lookup_code(code, system=None, on=NOV_2025).page
    assert page is not None and page.system == system
    expected = plain(asdict(page))
    for key, value in expected.items():
        if key == "also":
            assert [r["display"] for r in data["also"]] == [r["display"] for r in value]
        else:
            assert data[key] == value, key
    assert data["gate"]["visible"] is True and data["gate"]["reason"] == "metering_off"
    assert data["url"] == f"/codes/{page.display}/"


@pytest.mark.parametrize("code", ["63650", "S72.001A", "E0114", "0SR90J9", "50"])
def test_the_html_page_shows_what_the_json_twin_says(code_samples, client, open_gate, code):
    data = get(client, f"/api/v1/codes/{code}?date={NOV_2025.isoformat()}").json()
    html = htmllib.unescape(
        get(client, f"/codes/{code}/?date={NOV_2025.isoformat()}").content.decode()
    )
    text = re.sub(r"\s+", " ", html)
    assert data["title"] in text
    assert data["status"]["label"] in text
    for panel in data["panels"]:
        assert panel["title"] in text
        source = panel["source"]
        assert f"{source['title']} {source['version_label']}" in text
        assert source["source_file"] not in text  # no file names shown to readers
        for fact in panel["facts"]:
            assert fact["value"] in text, (panel["key"], fact["label"])
    for group in data["related"]:
        for related in group["codes"]:
            assert related["code"] in text
    for advice in data["modifiers"]:
        assert advice["explanation"] in text
    for item in data["faq"]:
        assert item["question"] in text


def test_every_panel_in_the_json_has_a_source_and_an_as_of_date(code_samples, client, open_gate):
    for code in ["63650", "S72.001A", "E0114", "0SR90J9", "50", "XS"]:
        data = get(client, f"/api/v1/codes/{code}").json()
        for panel in data["panels"]:
            assert panel["source"]["source_file"] and panel["source"]["version_label"]
            assert panel["as_of"] == data["on"]


def test_the_gate_nulls_the_gated_fields_in_json(code_samples, client, monkeypatch):
    from medcode.accounts import gate

    monkeypatch.setattr(
        "medcode.codes.api.can_see_gated",
        lambda request, system, code: gate.GateDecision(False, "test", "Sign in."),
    )
    data = get(client, "/api/v1/codes/63650").json()
    assert data["gate"]["visible"] is False
    for name in ("documentation_html", "billing_html", "modifiers", "related_notes_html", "faq"):
        assert data[name] is None
    # Public-domain CMS data stays: the panels and the data-derived related lists.
    assert data["panels"] and data["related"]
    assert all(group["key"] != "editorial" for group in data["related"])
    assert data["official"]["notice"] and data["plain_language_html"]


def test_an_unknown_code_is_a_json_404_with_suggestions(code_samples, client):
    response = get(client, "/api/v1/codes/S72.009A")
    assert response.status_code == 404
    data = response.json()
    assert data["detail"] == "No loaded code set has the code S72.009A."
    assert data["errors"] == []
    assert data["suggestions"] and data["suggestions"][0]["url"].startswith("/codes/S72.00")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/codes/S72.001A?date=2026-02-30", queries.BAD_DATE),
        ("/api/v1/codes/%3Cscript%3E", queries.MALFORMED_CODE),
        ("/api/v1/codes/63650?system=SNOMED", "Unknown code set"),
    ],
)
def test_bad_input_is_a_400_in_the_house_error_shape(code_samples, client, url, message):
    response = get(client, url)
    assert response.status_code == 400
    data = response.json()
    assert message in data["detail"]
    assert data["errors"] == []
    assert "<script>" not in response.content.decode()


def test_a_code_in_two_sets_answers_300_with_the_choices(code_samples, client):
    response = get(client, "/api/v1/codes/A0100")
    assert response.status_code == 300
    choices = response.json()["choices"]
    assert [(c["system"], c["url"]) for c in choices] == [
        ("HCPCS", "/codes/A0100/?system=HCPCS"),
        ("ICD10CM", "/codes/A01.00/?system=ICD10CM"),
    ]
    picked = get(client, "/api/v1/codes/A0100?system=HCPCS")
    assert picked.status_code == 200
    assert picked.json()["url"] == "/codes/A0100/?system=HCPCS"


def test_dotted_and_undotted_forms_give_the_same_document(code_samples, client):
    a = get(client, "/api/v1/codes/S72001A?date=2026-05-01").json()
    b = get(client, "/api/v1/codes/s72.001a?date=2026-05-01").json()
    assert a == b


def test_the_openapi_document_describes_the_code_endpoint(client):
    response = get(client, "/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "medcode API"
    operation = spec["paths"]["/api/v1/codes/{code}"]["get"]
    assert {"200", "300", "400", "404"} <= set(operation["responses"])
    assert get(client, "/api/v1/docs").status_code == 200


def test_a_missing_route_is_a_json_404_in_the_house_shape(client):
    response = get(client, "/api/v1/codes/")
    assert response.status_code == 404
