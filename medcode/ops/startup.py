"""Warnings an operator should see when a long-running process starts (server, worker, listener)."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from django.conf import settings

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def site_url_warning() -> str:
    """Why links in mail will not open for their readers, or "" when MEDCODE_SITE_URL is fine."""
    site = str(settings.MEDCODE_SITE_URL or "")
    host = (urlsplit(site).hostname or "").lower()
    if host and host not in LOOPBACK_HOSTS and not host.endswith(".localhost"):
        return ""
    return (
        f"warning: MEDCODE_SITE_URL is {site or 'empty'}, so the links in mail this install "
        "sends (CaseConsultant replies, job alerts) point at a loopback address their readers "
        "cannot open; set MEDCODE_SITE_URL to the address users reach this site at "
        "(e.g. https://medcode.example.org)."
    )


MAIL_NOT_CONFIGURED = (
    "warning: outgoing mail is not configured (neither MEDCODE_EMAIL_URL nor EMAIL_HOST is "
    "set), so account mail (sign-up confirmations, password resets) and other mail is "
    "written to this log instead of being sent; set MEDCODE_EMAIL_URL "
    "(e.g. smtp://user:password@mail.example.org:587?tls=1)."
)


def mail_warning() -> str:
    """Why mail will not reach anyone, or "" when outgoing mail is configured."""
    return "" if getattr(settings, "MEDCODE_MAIL_CONFIGURED", True) else MAIL_NOT_CONFIGURED


def warn_at_start() -> None:
    """Print each start-up warning to standard error (the process's log)."""
    for warning in (site_url_warning(), mail_warning()):
        if warning:
            print(warning, file=sys.stderr, flush=True)
