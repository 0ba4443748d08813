"""docs/integrations.md and the README keep up with the FHIR operations and the MCP tools."""

from __future__ import annotations

import asyncio
from pathlib import Path

from medcode.cli import build_parser
from medcode.fhir.dispatch import OPERATIONS
from medcode.fhir.systems import SYSTEMS
from medcode.mcp.server import build_server

REPO = Path(__file__).resolve().parents[3]
GUIDE = (REPO / "docs" / "integrations.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_fhir_operation_and_code_system_uri_is_in_the_guide():
    for kind, operation in OPERATIONS:
        assert f"{kind}/{operation}" in GUIDE, f"{kind}/{operation}"
    for system in SYSTEMS:
        assert system.uri in GUIDE, system.uri


def test_every_mcp_tool_is_in_the_guide(db):
    tools = asyncio.run(build_server().list_tools())
    assert tools
    for tool in tools:
        assert f"`{tool.name}(" in GUIDE, tool.name


def test_the_readme_names_the_mcp_verb_and_points_to_the_guide():
    assert build_parser().parse_args(["mcp"]).handler.__name__ == "cmd_mcp"
    assert "`medcode mcp`" in README
    assert "docs/integrations.md" in README
