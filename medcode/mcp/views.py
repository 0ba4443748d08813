"""POST /mcp: the MCP server over streamable HTTP inside the Django app (WSGI).

Each request needs an API key (`Authorization: Bearer <key>` or `X-API-Key`) and is metered
as an /api/v1 request (`medcode.accounts.throttle.admit`). The SDK's own transport answers it,
stateless and in JSON (no session to keep between requests, so any worker can answer any
request): the request is handed to a fresh `StreamableHTTPSessionManager` as an ASGI call on
an event loop asgiref runs for this thread, and its response is returned as Django's.
"""

from __future__ import annotations

from typing import Any

import anyio
from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

from medcode.accounts.throttle import admit, presented_key
from medcode.mcp.server import current_server

KEY_REQUIRED = (
    "The MCP endpoint needs an API key: send Authorization: Bearer <key> (or X-API-Key). "
    "Create a key on your account page."
)
# Hop-by-hop and framing headers WSGI sets itself.
SKIPPED_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    if presented_key(request) is None:
        refusal = JsonResponse({"detail": KEY_REQUIRED, "errors": []}, status=401)
        refusal["WWW-Authenticate"] = 'Bearer realm="medcode"'
        return refusal
    admitted = admit(request)
    if isinstance(admitted, HttpResponse):
        return admitted
    server = current_server()
    status, headers, body = async_to_sync(serve)(server, _scope(request), request.body)
    response = HttpResponse(body, status=status)
    for name, value in headers:
        if name.lower() not in SKIPPED_HEADERS:
            response[name] = value
    for name, value in admitted.items():
        response[name] = value
    return response


def _scope(request: HttpRequest) -> dict[str, Any]:
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in request.headers.items()
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method or "POST",
        "scheme": request.scheme or "http",
        "path": request.path,
        "raw_path": request.path.encode(),
        "root_path": "",
        "query_string": request.META.get("QUERY_STRING", "").encode("latin-1"),
        "headers": headers,
        "client": (request.META.get("REMOTE_ADDR", ""), 0),
        "server": (request.get_host().rsplit(":", 1)[0], int(request.get_port() or 80)),
    }


async def serve(
    server: MCPServer, scope: dict[str, Any], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One HTTP exchange with the SDK's stateless JSON transport."""
    # The low-level server is what the transport drives (MCPServer keeps it private).
    manager = StreamableHTTPSessionManager(
        app=server._lowlevel_server, json_response=True, stateless=True
    )
    answered = anyio.Event()
    given = False
    status = 500
    headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
            headers.extend(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
            )
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                answered.set()

    async with manager.run():
        await manager.handle_request(scope, receive, send)  # type: ignore[arg-type]
    return status, headers, b"".join(chunks)
