"""`medcode mcp` over stdio and /mcp over streamable HTTP (a real gunicorn server), each driven
by the SDK's own client against a database migrated and filled by the real CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from medcode.codes.tests.sample_data import importable, write_samples
from medcode.mcp.views import KEY_REQUIRED
from tests.browser.conftest import gunicorn_server, run_cli
from tests.ports import free_port

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parents[3]
TOOLS = {
    "lookup_code",
    "search_codes",
    "suggest_codes_from_note",
    "check_claim",
    "ask_coding_question",
}

MAKE_KEY = """
from django.contrib.auth.models import User
from medcode.accounts.keys import create_key
user = User.objects.create(username="agent", email="agent@example.org")
print(create_key(user, name="mcp").secret)
"""


@dataclass(frozen=True)
class Site:
    env: dict[str, str]
    url: str
    key: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("mcp-site")
    files = [str(p) for p in write_samples(root / "data") if importable(p)]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{root / 'medcode.sqlite3'}",
        "MEDCODE_VAR_DIR": str(root / "var"),
        "MEDCODE_METERING": "on",
        "MEDCODE_DEBUG": "off",
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
    }
    run_cli(env, "manage", "migrate", "--verbosity", "0")
    run_cli(env, "data", "import", *files)
    made = subprocess.run(
        [sys.executable, "-m", "medcode.cli", "manage", "shell", "-c", MAKE_KEY],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    key = made.stdout.strip().splitlines()[-1]
    with gunicorn_server(env, free_port(), root / "server.log") as url:
        yield Site(env, url, key)


async def exercise(client: Client) -> dict[str, Any]:
    listed = await client.list_tools()
    calls: dict[str, dict[str, Any]] = {
        "lookup_code": {"code": "S72.001A"},
        "search_codes": {"query": "S72.001A"},
        "suggest_codes_from_note": {"note": "Closed fracture of the neck of the right femur."},
        "check_claim": {"lines": [{"code": "63650"}], "date": "2024-08-01"},
        "ask_coding_question": {"question": "What is code Q99.99?"},
    }
    results = {name: await client.call_tool(name, args) for name, args in calls.items()}
    resource = await client.read_resource("medcode://codes/A01.00")
    return {"tools": {t.name for t in listed.tools}, "results": results, "resource": resource}


def check(found: dict[str, Any]) -> None:
    assert found["tools"] == TOOLS
    results = found["results"]
    assert all(not r.is_error for r in results.values()), {
        n: r.content for n, r in results.items() if r.is_error
    }
    assert results["lookup_code"].structured_content["codes"][0]["is_valid_on_date"] is True
    assert results["search_codes"].structured_content["results"][0]["code"] == "S72.001A"
    assert "findings" in results["check_claim"].structured_content
    answer = results["ask_coding_question"].structured_content
    assert "not a code" in answer["answer"]
    assert "A01.00" in found["resource"].contents[0].text


def test_stdio_transport_answers_every_tool(site: Site) -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "medcode.cli", "mcp"], env=site.env, cwd=str(REPO)
    )

    async def run() -> dict[str, Any]:
        async with Client(params) as client:
            return await exercise(client)

    check(asyncio.run(run()))


def test_streamable_http_transport_answers_every_tool_with_a_key(site: Site) -> None:
    async def run() -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {site.key}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as http,
            Client(streamable_http_client(f"{site.url}/mcp", http_client=http)) as client,
        ):
            return await exercise(client)

    check(asyncio.run(run()))


def test_streamable_http_transport_refuses_a_client_without_a_key(site: Site) -> None:
    async def run() -> None:
        async with Client(f"{site.url}/mcp") as client:
            await client.list_tools()

    with pytest.raises(BaseException):  # noqa: B017 (the SDK wraps the 401 in task groups)
        asyncio.run(run())
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    response = httpx2.post(f"{site.url}/mcp", json=ping, headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.json()["detail"] == KEY_REQUIRED
