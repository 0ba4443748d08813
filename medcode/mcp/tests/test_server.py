"""The MCP server's tools and resources through the SDK's own client (in process), and the
/mcp HTTP endpoint's key check and metering through Django's test client."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from asgiref.sync import async_to_sync
from django.test import Client as DjangoClient
from mcp import Client

from medcode.accounts import keys
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from medcode.mcp import tools
from medcode.mcp.server import build_server
from medcode.mcp.views import KEY_REQUIRED
from tests.users import make_user

pytestmark = pytest.mark.usefixtures("code_samples")

T = TypeVar("T")
TOOLS = {
    "lookup_code",
    "search_codes",
    "suggest_codes_from_note",
    "check_claim",
    "ask_coding_question",
}


@pytest.fixture(autouse=True)
def open_gate(settings):
    settings.MEDCODE_METERING = False


def with_client(flow: Callable[[Client], Awaitable[T]]) -> T:
    """Run `flow` with an SDK client connected in process; tools run in this thread, so they
    see the test database."""
    server = build_server()

    async def run() -> T:
        async with Client(server) as client:
            return await flow(client)

    return async_to_sync(run)()


def call(name: str, arguments: dict[str, Any]) -> Any:
    async def flow(client: Client) -> Any:
        return await client.call_tool(name, arguments)

    return with_client(flow)


def test_the_server_lists_the_tools_and_names_the_loaded_releases():
    async def flow(client: Client) -> tuple[set[str], str]:
        listed = await client.list_tools()
        return {t.name for t in listed.tools}, client.instructions or ""

    names, instructions = with_client(flow)
    assert names == TOOLS
    for release in tools.loaded_releases():
        assert release["release"] in instructions


def test_lookup_code_reports_status_on_the_date_with_its_release():
    result = call("lookup_code", {"code": "S72.001A"})
    assert not result.is_error
    [found] = result.structured_content["codes"]
    assert found["system"] == "ICD10CM" and found["is_valid_on_date"] is True
    assert "ICD-10-CM" in found["citation"]


def test_lookup_code_of_a_code_no_release_holds_says_so_and_never_valid():
    result = call("lookup_code", {"code": "Q99.99"})
    data = result.structured_content
    assert data["found"] is False and data["codes"] == []
    assert "Q99.99 is not a code in any loaded release" in data["message"]


def test_lookup_code_rejects_a_bad_date_as_a_tool_error():
    result = call("lookup_code", {"code": "S72.001A", "date": "yesterday"})
    assert result.is_error
    assert "YYYY-MM-DD" in result.content[0].text


def test_search_codes_ranks_like_case2code():
    from medcode.search.facade import search
    from medcode.search.index import rebuild_index

    rebuild_index(force=True)
    result = call("search_codes", {"query": "femur fracture", "system": "ICD10CM"})
    codes = [r["code"] for r in result.structured_content["results"]]
    assert codes == [
        r.display for r in search("femur fracture", system="ICD10CM", limit=10).results
    ]
    assert codes and all(c.startswith("S72") for c in codes)


def test_check_claim_returns_findings_with_sources():
    result = call(
        "check_claim",
        {
            "lines": [{"code": "63650"}, {"code": "63661"}],
            "diagnoses": ["S72.001A"],
            "date": "2024-08-01",
        },
    )
    assert not result.is_error, result.content
    data = result.structured_content
    assert set(data) >= {"findings", "counts", "sources"}
    assert any(f["rule"].startswith("ptp") or "63661" in json.dumps(f) for f in data["findings"])


def test_check_claim_input_errors_name_the_field():
    result = call(
        "check_claim", {"lines": [{"code": "63650", "units": "many"}], "date": "2024-08-01"}
    )
    assert result.is_error and "units" in result.content[0].text


def test_ask_coding_question_about_an_unknown_code_names_no_such_code():
    result = call("ask_coding_question", {"question": "What is code Q99.99?"})
    data = result.structured_content
    assert "not a code" in data["answer"]
    assert all(c["status"] != "valid" for c in data["codes"] if c["code"] == "Q9999")


def test_suggest_codes_from_note_returns_suggestions_with_evidence():
    from medcode.search.index import rebuild_index

    rebuild_index(force=True)
    note = "Patient fell at home. X-ray shows fracture of the neck of the right femur."
    result = call("suggest_codes_from_note", {"note": note})
    assert not result.is_error, result.content
    data = result.structured_content
    assert set(data) >= {"suggestions", "not_coded", "notices"}
    for suggestion in data["suggestions"]:
        assert suggestion["evidence"]["text"] in note


def test_code_resources_read_the_code_page():
    async def flow(client: Client) -> Any:
        templates = await client.list_resource_templates()
        read = await client.read_resource("medcode://codes/S72.001A")
        return templates, read

    templates, read = with_client(flow)
    assert [t.uri_template for t in templates.resource_templates] == ["medcode://codes/{code}"]
    data = json.loads(read.contents[0].text)
    assert data["codes"][0]["code"] == "S72.001A"


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}
HEADERS = {"Accept": "application/json, text/event-stream", "Host": "localhost"}


def test_the_http_endpoint_needs_an_api_key():
    response = DjangoClient().post(
        "/mcp", INITIALIZE, content_type="application/json", headers=HEADERS
    )
    assert response.status_code == 401
    assert response.json()["detail"] == KEY_REQUIRED


def test_the_http_endpoint_answers_with_a_key_and_is_metered(settings):
    settings.MEDCODE_METERING = True
    made = keys.create_key(make_user(), name="agent")
    response = DjangoClient().post(
        "/mcp",
        INITIALIZE,
        content_type="application/json",
        headers={**HEADERS, "Authorization": f"Bearer {made.secret}"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["result"]["serverInfo"]["name"] == "medcode"
    assert "X-RateLimit-Remaining-Day" in response
