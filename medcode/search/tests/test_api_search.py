"""GET /api/v1/search and POST /api/v1/search/note."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medcode.search.facade import LEXICAL_ONLY, NOTE_TOO_LONG, QUERY_TOO_LONG
from tests.users import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/search"
NOTE_URL = "/api/v1/search/note"


def get(client: Any, **params: Any) -> Any:
    return client.get(URL, params, HTTP_HOST="localhost")


def post_note(client: Any, body: Any) -> Any:
    return client.post(
        NOTE_URL, json.dumps(body), content_type="application/json", HTTP_HOST="localhost"
    )


def test_a_code_query_answers_with_the_code_first(code_store, client):
    response = get(client, q="S72.001A")
    assert response.status_code == 200
    body = response.json()
    first = body["results"][0]
    assert (first["code"], first["display"], first["system"], first["match"]) == (
        "S72001A",
        "S72.001A",
        "ICD10CM",
        "exact",
    )
    assert first["url"].startswith("/codes/S72.001A/")
    assert body["query"] == "S72.001A"


def test_word_queries_say_when_they_ran_on_words_alone(code_store, lexical_only, client):
    body = get(client, q="power wheelchair").json()
    assert body["results"][0]["code"] in {"K0898", "K0813"}
    assert "<mark>" in body["results"][0]["title_html"]
    assert body["is_semantic"] is False
    assert LEXICAL_ONLY in body["notices"]


def test_filters_are_applied_and_echoed(code_store, client):
    body = get(
        client, q="power", system="hcpcs", billable="true", date="2021-01-01", limit=3
    ).json()
    assert body["filters"] == {"system": ["HCPCS"], "billable": True, "date": "2021-01-01"}
    assert len(body["results"]) <= 3
    assert {r["system"] for r in body["results"]} == {"HCPCS"}


def test_anyone_may_search_without_signing_in(code_store, client):
    # Search is public reference data: no session, no key, no 401.
    assert get(client, q="fever").status_code == 200


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"q": "fever", "system": "snomed"}, "Unknown code set 'snomed'"),
        ({"q": "fever", "date": "2025-13-45"}, "The request is not valid"),
        ({"q": "fever", "limit": "0"}, "The request is not valid"),
        ({"q": "fever", "limit": "500"}, "The request is not valid"),
        ({"q": "fever", "billable": "maybe"}, "The request is not valid"),
        ({"q": "x" * 2001}, QUERY_TOO_LONG.format(maximum=2000)),
    ],
)
def test_invalid_parameters_are_a_422_in_the_house_error_shape(
    code_store, client, params, fragment
):
    response = get(client, **params)
    assert response.status_code == 422
    body = response.json()
    assert fragment in body["detail"]
    assert "errors" in body


def test_a_note_answers_with_suggestions_evidence_and_what_was_not_coded(
    code_store, lexical_only, client
):
    note = "Chest pain since this morning. The patient denies fever."
    response = post_note(client, {"text": note})
    assert response.status_code == 200
    body = response.json()
    first = body["suggestions"][0]
    assert first["code"] == "R079"
    assert note[first["evidence"]["start"] : first["evidence"]["end"]] == first["evidence"]["text"]
    assert [e["assertion"] for e in body["not_coded"]] == ["negated"]
    assert body["filters"]["system"] == ["ICD10CM"]


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({}, 422, "The request is not valid"),
        ({"text": 5}, 422, "The request is not valid"),
        ({"text": "x" * 20_001}, 422, NOTE_TOO_LONG.format(maximum=20_000, length=20_001)),
        ({"text": "fever", "system": "snomed"}, 422, "Unknown code set"),
        ({"text": "fever", "limit": 0}, 422, "The request is not valid"),
    ],
)
def test_a_bad_note_request_is_a_422(code_store, client, body, status, fragment):
    # Signed in: a guest's note is capped lower, before validation (medcode.accounts.costs).
    client.force_login(make_user("note-writer"))
    response = post_note(client, body)
    assert response.status_code == status
    assert fragment in response.json()["detail"]


def test_malformed_json_is_a_4xx_not_a_500(code_store, client):
    response = client.post(
        NOTE_URL, "{not json", content_type="application/json", HTTP_HOST="localhost"
    )
    assert 400 <= response.status_code < 500


def test_the_openapi_document_describes_both_endpoints(client):
    paths = client.get("/api/v1/openapi.json", HTTP_HOST="localhost").json()["paths"]
    assert "/api/v1/search" in paths
    assert "post" in paths["/api/v1/search/note"]
