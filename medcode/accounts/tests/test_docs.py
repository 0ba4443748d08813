"""The accounts settings an operator may set are documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[3] / "README.md"


@pytest.mark.parametrize(
    "name",
    [
        "MEDCODE_METERING",
        "REDIS_URL",
        "MEDCODE_HTTPS",
        "MEDCODE_TRUSTED_PROXIES",
        "MEDCODE_EMAIL_URL",
        "MEDCODE_FROM_EMAIL",
        "MEDCODE_SIGNUP",
        "MEDCODE_SIGNUP_RATE",
        "MEDCODE_LOGIN_FAILURE_LIMIT",
        "MEDCODE_LOGIN_COOLOFF_HOURS",
        "MEDCODE_MAX_BODY_BYTES",
        "MEDCODE_MAX_UPLOAD_BYTES",
        "MEDCODE_REQUEST_BUDGET_SECONDS",
    ],
)
def test_each_accounts_setting_is_in_the_readme(name: str) -> None:
    settings_text = (README.parent / "medcode" / "settings.py").read_text()
    assert f'"{name}"' in settings_text, f"{name} is no longer read by settings.py"
    assert f"`{name}`" in README.read_text(), f"{name} is missing from README.md"
