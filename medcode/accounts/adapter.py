"""allauth adapter: the client address as medcode sees it (trusted proxies only)."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from medcode.accounts.viewers import client_address


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request) or "0.0.0.0"

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(settings, "MEDCODE_SIGNUP_OPEN", True))
