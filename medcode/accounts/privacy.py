"""No shared cache keeps a personal page: `Cache-Control: private, no-store` on them.

Personal pages are the account pages, CasePilot (questions may describe a patient), the claim
worksheet, the saved jobs and the employer's and staff's pages, CaseConsultant's pages and the
assistant API (conversations); and any page a signed-in user gets that sets no caching policy of
its own. Pages that do set one (code pages validated by ETag, static files) keep it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control

PERSONAL_PREFIXES = (
    "/account/",
    "/pilot/",
    "/claims/",
    "/consult/",
    "/jobs/saved/",
    "/jobs/alerts/",
    "/jobs/post/",
    "/jobs/employer/",
    "/jobs/moderation/",
    "/api/v1/assistant/",
    "/admin/",
)


def is_personal(path: str) -> bool:
    return path.startswith(PERSONAL_PREFIXES)


class PrivateResponseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_personal(request.path_info):
            cache_control = response.get("Cache-Control", "")
            if "public" in cache_control or "max-age" in cache_control:
                del response["Cache-Control"]
            patch_cache_control(response, private=True, no_store=True)
        elif not response.has_header("Cache-Control"):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                patch_cache_control(response, private=True, no_store=True)
        return response
