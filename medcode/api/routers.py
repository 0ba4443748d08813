"""The routers mounted on the one NinjaAPI, as (URL prefix, "module:attribute").

Each app adds its own line here; medcode.api.main imports and mounts them in this order.
"""

from __future__ import annotations

ROUTERS: list[tuple[str, str]] = [
    ("/codes", "medcode.codes.api:router"),
    ("/claims", "medcode.claims.api:router"),
    ("/search", "medcode.search.api:router"),
    ("/jobs", "medcode.jobs.api:router"),
    ("/assistant", "medcode.assistant.api:router"),
    ("/changes", "medcode.changes.api:router"),
]
