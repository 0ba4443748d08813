"""CLI verb `medcode mcp`: the MCP server over stdio, for desktop agents that launch it.

(Over HTTP the same server is mounted in the web app at /mcp; see docs/integrations.md.)
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    mcp = subparsers.add_parser(
        "mcp",
        help="run the MCP server over stdio (for AI agents)",
        description="Serve medcode's MCP tools (lookup_code, search_codes, "
        "suggest_codes_from_note, check_claim, ask_coding_question) and code resources "
        "(medcode://codes/{code}) over stdin/stdout. Logs go to stderr.",
    )
    mcp.set_defaults(handler=cmd_mcp)


def cmd_mcp(args: argparse.Namespace) -> int:
    from medcode.mcp.server import build_server

    # Built before the event loop starts: the instructions read the release table.
    build_server().run("stdio")
    return 0
