"""medcode's MCP server (the official Python SDK's MCPServer): the tools of medcode.mcp.tools,
the code pages as resources `medcode://codes/{code}`, and server instructions naming the
loaded releases.

Tools are async wrappers that run the (synchronous, database-reading) functions through
asgiref's thread-sensitive `sync_to_async`: over HTTP they run in the web request's own thread
and connection; over stdio in one worker thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from medcode.codes.catalog import release_catalog
from medcode.mcp import tools

T = TypeVar("T")

INSTRUCTIONS = """\
medcode: a medical coding reference (ICD-10-CM, ICD-10-PCS, HCPCS Level II and modifiers, CPT
as numbers with CMS data). Every answer names the release it comes from; a code the loaded
releases do not hold is never reported as valid. Dates are dates of service (YYYY-MM-DD;
default today). Loaded code releases:
{releases}"""


async def _run(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return await sync_to_async(function, thread_sensitive=True)(*args, **kwargs)
    except ValueError as exc:  # bad input: the message goes back to the agent
        raise ToolError(str(exc)) from None


def instructions() -> str:
    lines = [
        f"- {r['release']} (effective {r['effective_from']}"
        + (f" to {r['effective_to']})" if r["effective_to"] else " onwards)")
        for r in tools.loaded_releases()
    ]
    return INSTRUCTIONS.format(releases="\n".join(lines) or "- none: import release files first")


def build_server() -> MCPServer:
    server: MCPServer = MCPServer(
        name="medcode",
        title="medcode coding reference",
        instructions=instructions(),
        version="1",
        subscriptions=False,
        log_level="WARNING",
    )

    @server.tool(title="Look up a code")
    async def lookup_code(code: str, date: str | None = None) -> dict[str, Any]:
        """A code (any code set, dotted or not) on a date of service: title, status (active,
        added, revised, deleted, not yet valid), billable flag and the release cited."""
        return await _run(tools.lookup_code, code, date)

    @server.tool(title="Search codes")
    async def search_codes(
        query: str, system: str | None = None, date: str | None = None, limit: int = 10
    ) -> dict[str, Any]:
        """Case2Code search over every code set: a code, a range or words (lay terms too).
        system: ICD10CM, ICD10PCS, HCPCS, CPT or MODIFIER."""
        return await _run(tools.search_codes, query, system, date, limit)

    @server.tool(title="Suggest codes from a case note")
    async def suggest_codes_from_note(note: str, date: str | None = None) -> dict[str, Any]:
        """ICD-10-CM codes for a clinical note, each with the note's words that support it."""
        return await _run(tools.suggest_codes_from_note, note, date)

    @server.tool(title="Check a claim")
    async def check_claim(
        lines: list[dict[str, Any]],
        diagnoses: list[str] | None = None,
        date: str | None = None,
        setting: str = "practitioner",
    ) -> dict[str, Any]:
        """Check claim lines ({code, modifiers, units, date_of_service, diagnosis_pointers})
        against NCCI PTP, MUE, add-on, fee-schedule and diagnosis rules. setting:
        practitioner or outpatient_hospital."""
        return await _run(tools.check_claim, lines, diagnoses, date, setting)

    @server.tool(title="Ask CasePilot")
    async def ask_coding_question(question: str, date: str | None = None) -> dict[str, Any]:
        """A coding question answered from the loaded data with a citation for every fact."""
        return await _run(tools.ask_coding_question, question, date)

    @server.resource(
        "medcode://codes/{code}",
        name="code",
        title="Code page",
        description="A code's page data (status, title, release) as JSON",
        mime_type="application/json",
    )
    async def code_page(code: str) -> str:
        return json.dumps(await _run(tools.lookup_code, code, None))

    @server.resource(
        "medcode://releases",
        name="releases",
        title="Loaded releases",
        mime_type="application/json",
    )
    async def releases() -> str:
        return json.dumps(await _run(tools.loaded_releases))

    return server


# A server object, not a query's result (so not in the data cache, which pickles its values):
# one per data generation in this process, the generation token as its key.
@lru_cache(maxsize=2)
def _server_for(generation: str) -> MCPServer:
    return build_server()


def current_server() -> MCPServer:
    """The server for the loaded releases (rebuilt after an import, for its instructions)."""
    return _server_for(release_catalog().generation)
