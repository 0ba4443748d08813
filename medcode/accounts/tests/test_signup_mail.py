"""Sign-up on an install whose mail is not set up, the site's name in mail, the plans page."""

from __future__ import annotations

import smtplib

import pytest
from django.contrib.auth.models import User
from django.core import mail

from medcode.accounts.adapter import MAIL_NOT_SENT
from medcode.accounts.plans import NO_UPGRADE_PATH
from medcode.ops import startup
from tests.users import PASSWORD, browser

pytestmark = pytest.mark.django_db


def sign_up(email: str):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return browser().post("/account/signup/", data)


class RefusingBackend:
    """An SMTP server that is not there (what a default install's localhost:25 is)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


class SmtpErrorBackend(RefusingBackend):
    def send_messages(self, messages: object) -> int:
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no")})


@pytest.mark.parametrize("backend", ["RefusingBackend", "SmtpErrorBackend"])
def test_a_sign_up_whose_mail_fails_says_so_and_leaves_no_account(settings, backend):
    settings.EMAIL_BACKEND = f"{__name__}.{backend}"
    response = sign_up("nomail@example.org")
    assert response.status_code == 503
    assert MAIL_NOT_SENT in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.filter(email="nomail@example.org").exists()
    # ... so the same address can register once mail works.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sign_up("nomail@example.org").status_code == 302
    assert User.objects.filter(email="nomail@example.org").exists()


def test_account_mail_names_the_site_from_settings_not_the_host_and_port(settings):
    settings.MEDCODE_SITE_NAME = "Acme Coding"
    settings.MEDCODE_SITE_URL = "https://coding.acme.example"
    assert sign_up("named@example.org").status_code == 302
    [message] = mail.outbox
    assert "Hello from Acme Coding" in message.body
    assert "Hello from testserver" not in message.body
    assert "Thank you for using Acme Coding" in message.body


def test_without_mail_settings_mail_goes_to_the_console_and_startup_warns(monkeypatch):
    import importlib

    import medcode.settings as site_settings

    for name in ("MEDCODE_EMAIL_URL", "EMAIL_HOST", "MEDCODE_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    fresh = importlib.reload(site_settings)
    try:
        assert fresh.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
        assert fresh.MEDCODE_MAIL_CONFIGURED is False
    finally:
        monkeypatch.undo()
        importlib.reload(site_settings)


def test_startup_warns_only_while_mail_is_not_configured(settings):
    settings.MEDCODE_MAIL_CONFIGURED = False
    assert startup.mail_warning() == startup.MAIL_NOT_CONFIGURED
    assert "MEDCODE_EMAIL_URL" in startup.MAIL_NOT_CONFIGURED
    settings.MEDCODE_MAIL_CONFIGURED = True
    assert startup.mail_warning() == ""


def test_the_plans_page_lists_the_plans_and_the_operators_upgrade_path(settings):
    settings.MEDCODE_UPGRADE_URL = ""
    settings.MEDCODE_SALES_EMAIL = ""
    html = browser().get("/account/plans/").content.decode()
    for name in ("Guest", "Free", "Pro", "Team"):
        assert f"<h2>{name}</h2>" in html
    assert NO_UPGRADE_PATH in html.replace("&#x27;", "'")
    assert 'href="/account/signup/"' in html and 'href="/account/login/"' in html
    settings.MEDCODE_SALES_EMAIL = "sales@acme.example"
    assert 'href="mailto:sales@acme.example' in browser().get("/account/plans/").content.decode()
    settings.MEDCODE_UPGRADE_URL = "https://pay.acme.example/medcode"
    html = browser().get("/account/plans/").content.decode()
    assert 'href="https://pay.acme.example/medcode"' in html and "mailto:" not in html


@pytest.mark.parametrize(
    "name", ["MEDCODE_SITE_NAME", "MEDCODE_UPGRADE_URL", "MEDCODE_SALES_EMAIL"]
)
def test_the_plan_and_mail_settings_are_in_the_readme(name: str) -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    assert f'"{name}"' in (root / "medcode" / "settings.py").read_text()
    assert f"`{name}`" in (root / "README.md").read_text()
