"""Security checks CI runs: response headers under the production settings, `pip check`, and
Django's deployment checklist (`check --deploy`) with a production environment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parents[3]


# What an operator sets (docs/deploy.md): everything else is the default.
def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MEDCODE_", "DATABASE_", "REDIS_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "medcode.settings",
            "MEDCODE_DEBUG": "off",
            "MEDCODE_SECRET_KEY": secrets.token_urlsafe(60),
            "MEDCODE_REQUIRE_SECRET": "1",
            "MEDCODE_ALLOWED_HOSTS": "medcode.example.org",
            "MEDCODE_HTTPS": "on",
            "MEDCODE_TRUSTED_PROXIES": "127.0.0.1",
            "MEDCODE_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'medcode.sqlite3'}",
        }
    )
    env.update(extra)
    return env


HEADERS_PROBE = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
client = Client(HTTP_HOST="medcode.example.org")
out = {}
for name, url in (("page", "/"), ("api", "/api/v1/jobs")):
    plain = client.get(url)
    secure = client.get(url, HTTP_X_FORWARDED_PROTO="https")
    out[name] = {"plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
                 "status": secure.status_code, "headers": dict(secure.headers)}
print(json.dumps(out))
"""


def test_pages_and_the_api_carry_the_security_headers_in_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", HEADERS_PROBE],
        env=production_env(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("page", "api"):
        seen = out[name]
        # Plain HTTP through the proxy is sent to HTTPS.
        assert seen["plain_status"] == 301, (name, seen)
        assert seen["plain_location"].startswith("https://medcode.example.org/")
        assert seen["status"] == 200, (name, seen)
        headers = {k.lower(): v for k, v in seen["headers"].items()}
        assert headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cross-origin-opener-policy"] == "same-origin"
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert len(headers["x-request-id"]) == 32


def test_django_deploy_checklist_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "medcode.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=production_env(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_checklist_does_fail_on_an_unsafe_setting(tmp_path):
    # The check above can fail: without HTTPS the checklist flags cookies, HSTS and redirects.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "medcode.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=production_env(tmp_path, MEDCODE_HTTPS="off"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_installed_packages_have_compatible_requirements():
    result = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No broken requirements found" in result.stdout


FORWARDED_PROBE = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
out = {}
for name, address in (("proxy", "127.0.0.1"), ("client", "203.0.113.9")):
    client = Client(HTTP_HOST="medcode.example.org", REMOTE_ADDR=address)
    answer = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    out[name] = answer.status_code
print(json.dumps(out))
"""


def test_x_forwarded_proto_is_believed_from_the_trusted_proxy_only(tmp_path):
    # A client connecting directly cannot make plain HTTP count as HTTPS by sending the header.
    result = subprocess.run(
        [sys.executable, "-c", FORWARDED_PROBE],
        env=production_env(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out == {"proxy": 200, "client": 301}


def test_a_placeholder_secret_is_refused_where_a_secret_is_required(tmp_path):
    for placeholder in ("change-me", "CHANGE_ME_" + "x" * 40, "a" * 60):
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env=production_env(tmp_path, MEDCODE_SECRET_KEY=placeholder),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0, placeholder
        assert "MEDCODE_SECRET_KEY looks like a placeholder" in result.stderr
