"""Regressions the API fuzz (test_openapi_fuzz.py) found, one test each.

Each test sends the request that failed and checks the answer against the OpenAPI document:
the status is declared for the operation, in the house error shape.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from medcode.api.main import api
from medcode.claims import services
from tests.users import make_user

BATCH = "/api/v1/claims/check-batch"


@pytest.fixture(autouse=True)
def metering_off(settings):
    settings.MEDCODE_METERING = False


def responses_of(path: str, method: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema()))
    responses: dict[str, Any] = document["paths"][path][method]["responses"]
    return responses


def assert_declared(response: Any, path: str, method: str) -> dict[str, Any]:
    declared = responses_of(path, method)
    assert str(response.status_code) in declared, (response.status_code, sorted(declared))
    body: dict[str, Any] = response.json()
    if declared[str(response.status_code)]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }:
        assert isinstance(body["detail"], str) and body["detail"]
        assert body["errors"] == [] or isinstance(body["errors"], list)
    return body


def test_a_csv_batch_with_a_stray_carriage_return_in_the_header_is_a_400_naming_the_line(
    client: Client, db
):
    # Was a 500: csv.Error escaped read_csv.
    response = client.post(BATCH, data="claim_id,co\rde\n", content_type="text/csv")

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(services.CSV_UNREADABLE.split("{")[0])
    assert "line 1" in detail


def test_a_stray_carriage_return_in_a_later_row_ends_the_stream_with_an_error_line(client, db):
    text = "claim_id,code,units,date_of_service\nA,992\r13,1,2024-07-15\n"
    response = client.post(BATCH, data=text, content_type="text/csv")

    assert response.status_code == 200
    lines = [json.loads(x) for x in b"".join(response.streaming_content).splitlines()]
    assert lines[-1]["detail"].startswith(services.CSV_UNREADABLE.split("{")[0])
    assert "line 2" in lines[-1]["detail"]


def test_the_batch_answer_is_declared_as_json_lines():
    declared = responses_of(BATCH, "post")
    assert "application/x-ndjson" in declared["200"]["content"]


def test_a_body_that_is_not_json_is_a_declared_400(client: Client, db):
    response = client.post("/api/v1/search/note", data=b"\x00", content_type="application/json")

    assert response.status_code == 400
    assert_declared(response, "/api/v1/search/note", "post")


def test_a_path_id_that_is_not_an_integer_is_a_declared_422(client: Client, db):
    response = client.get("/api/v1/jobs/0.5")

    assert response.status_code == 422
    assert_declared(response, "/api/v1/jobs/{job_id}", "get")


def test_asking_in_a_conversation_that_is_not_yours_is_a_declared_404(client: Client, db):
    for path in ("/api/v1/assistant/ask", "/api/v1/assistant/ask/stream"):
        response = client.post(
            path, {"question": "Is E11.9 billable?", "conversation_id": 987654}, "application/json"
        )

        assert response.status_code == 404
        body = assert_declared(response, path, "post")
        assert "987654" in body["detail"]


def test_conversations_without_sign_in_are_a_declared_401(client: Client, db):
    for path, template in (
        ("/api/v1/assistant/conversations", "/api/v1/assistant/conversations"),
        ("/api/v1/assistant/conversations/1", "/api/v1/assistant/conversations/{conversation_id}"),
    ):
        response = client.get(path)

        assert response.status_code == 401
        assert_declared(response, template, "get")


def test_the_event_stream_is_declared_event_by_event():
    declared = responses_of("/api/v1/assistant/ask/stream", "post")
    event = declared["200"]["content"]["text/event-stream"]["schema"]
    assert event["required"] == ["event", "data"]
    assert "done" in event["properties"]["event"]["enum"]


def test_refusals_from_the_middleware_are_declared_on_every_operation(client: Client, db):
    document = json.loads(json.dumps(api.get_openapi_schema()))
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = operation["responses"]
            for status in ("400", "401", "429"):
                assert status in declared, (method, path, status)
            assert "Retry-After" in declared["429"]["headers"], (method, path)
            if "requestBody" in operation:
                assert "413" in declared and "422" in declared, (method, path)
    # And the middleware's answers are what the document says: a key in the URL, a bad key.
    response = client.get("/api/v1/search?q=x&api_key=mck_abcdefghij_x")
    assert response.status_code == 400
    assert_declared(response, "/api/v1/search", "get")
    response = client.get("/api/v1/search?q=x", HTTP_AUTHORIZATION="Bearer mck_abcdefghij_nope")
    assert response.status_code == 401
    assert_declared(response, "/api/v1/search", "get")


def test_a_guest_past_the_rate_limit_gets_a_declared_429_with_retry_after(
    client: Client, db, settings
):
    from medcode.accounts import metering
    from medcode.accounts.viewers import forget_plans

    settings.MEDCODE_METERING = True
    settings.REDIS_URL = ""
    forget_plans()
    metering.redis_state.reset()
    statuses = [client.get("/api/v1/search?q=fracture").status_code for _ in range(12)]
    response = client.get("/api/v1/search?q=fracture")

    assert statuses[0] == 200 and response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert_declared(response, "/api/v1/search", "get")
    forget_plans()


def test_a_question_with_nul_and_control_characters_is_answered_and_kept(client: Client, db):
    # Was a 500 on PostgreSQL: a NUL in the question reached a text column.

    from medcode.assistant.answer import validate_question

    assert validate_question("\x00Is\x1f E11.9\ud800 billable?\t") == "Is  E11.9  billable?"
    user = make_user("asker@example.org")
    client.force_login(user)
    response = client.post(
        "/api/v1/assistant/ask", {"question": "Is E11.9\x00 billable?"}, "application/json"
    )

    assert response.status_code == 200, response.content[:300]
    assert response.json()["conversation_id"] is not None
    assert "\x00" not in response.json()["question"]


def test_no_two_response_schemas_share_a_name():
    # OpenAPI components are keyed by class name: two Schema classes of one name silently
    # become one component, and responses of the other shape fail the schema (a code page's
    # `dates` facts were once declared with CasePilot's answer facts, text and citation).
    from ninja import Schema

    from medcode.api import main

    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found += [sub, *subclasses(sub)]
        return found

    assert main.api  # every router (and so every schema) is imported
    by_name: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("medcode."):
            by_name.setdefault(cls.__name__, set()).add(cls.__module__)
    shared = {name: mods for name, mods in by_name.items() if len(mods) > 1}
    assert not shared, shared
