"""Start-up warnings: a worker whose mail would link to a loopback address says so when it starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from medcode.ops.startup import site_url_warning

pytestmark = pytest.mark.process


@pytest.mark.parametrize(
    "site",
    [
        "http://localhost:8000",
        "http://127.0.0.1:8000/",
        "http://[::1]:8000",
        "",
        "http://app.localhost",
    ],
)
def test_a_loopback_or_empty_site_url_is_warned_about(settings: Any, site: str) -> None:
    settings.MEDCODE_SITE_URL = site
    assert "MEDCODE_SITE_URL" in site_url_warning()


def test_a_real_site_url_is_not_warned_about(settings: Any) -> None:
    settings.MEDCODE_SITE_URL = "https://medcode.example.org"
    assert site_url_warning() == ""


def test_the_worker_warns_at_start_only_while_the_site_url_is_the_default(
    scratch_database_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.delenv("MEDCODE_SITE_URL", raising=False)
    default = run_cli(["worker", "--batch"], database_url=scratch_database_url, var_dir=tmp_path)
    assert "warning: MEDCODE_SITE_URL is http://localhost:8000" in default.stderr
    monkeypatch.setenv("MEDCODE_SITE_URL", "https://medcode.example.org")
    configured = run_cli(["worker", "--batch"], database_url=scratch_database_url, var_dir=tmp_path)
    assert "MEDCODE_SITE_URL" not in configured.stderr
