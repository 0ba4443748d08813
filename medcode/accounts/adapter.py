"""allauth adapter: the client address as medcode sees it (trusted proxies only), the site's
name in account mail, and a sign-up that never leaves an account whose mail was not sent."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import render

from medcode.accounts.viewers import client_address

log = logging.getLogger(__name__)

MAIL_NOT_SENT = (
    "We could not send the confirmation email, so no account was created. Please try again "
    "later; if it keeps happening, tell the operator of this site that its outgoing mail is "
    "not working."
)


@dataclass(frozen=True)
class SiteIdentity:
    """What allauth's mail templates read as `current_site`: named by settings, never by the
    host and port a request happened to use."""

    name: str
    domain: str


def site_identity() -> SiteIdentity:
    url = str(getattr(settings, "MEDCODE_SITE_URL", ""))
    domain = urlsplit(url).netloc or "localhost"
    return SiteIdentity(str(getattr(settings, "MEDCODE_SITE_NAME", "medcode")), domain)


class MailNotSent(Exception):
    pass


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request) or "0.0.0.0"

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(settings, "MEDCODE_SIGNUP_OPEN", True))

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        try:
            super().send_mail(template_prefix, email, {"current_site": site_identity(), **context})
        except (OSError, smtplib.SMTPException) as exc:
            log.error("account mail %s to a user could not be sent: %s", template_prefix, exc)
            raise MailNotSent(str(exc)) from exc

    def send_confirmation_mail(
        self, request: HttpRequest, emailconfirmation: Any, signup: bool
    ) -> None:
        try:
            super().send_confirmation_mail(request, emailconfirmation, signup)
        except MailNotSent:
            if signup:  # the account was made in this request: take it back
                user = emailconfirmation.email_address.user
                with transaction.atomic():
                    user.delete()
            response = render(
                request, "account/mail_not_sent.html", {"message": MAIL_NOT_SENT}, status=503
            )
            raise ImmediateHttpResponse(response) from None
