"""/api/v1/docs in Chromium: Swagger UI comes from our own static files and renders under the CSP
(issue 20, item 13: it loaded from a CDN the CSP blocks, so the page was blank)."""

from __future__ import annotations

from typing import Any


def test_the_api_docs_render_from_local_assets_under_the_csp(
    server_url: str, chromium: Any
) -> None:
    context = chromium.new_context()
    page = context.new_page()
    blocked: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(server_url) else None,
    )
    page.goto(f"{server_url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "medcode API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag", timeout=20_000)  # the operations, from openapi.json
    assert outside == [] and blocked == []
    context.close()
