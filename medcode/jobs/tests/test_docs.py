"""CareerCenter's settings and commands are documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[3] / "README.md"
SETTINGS = README.parent / "medcode" / "settings.py"


@pytest.mark.parametrize(
    "name",
    ["MEDCODE_SITE_URL", "MEDCODE_JOBS_POSTS_PER_DAY", "MEDCODE_JOBS_EXPIRY_NOTICE_DAYS"],
)
def test_each_jobs_setting_is_read_and_documented(name: str) -> None:
    assert f'"{name}"' in SETTINGS.read_text(), f"{name} is no longer read by settings.py"
    assert f"`{name}`" in README.read_text(), f"{name} is missing from README.md"


@pytest.mark.parametrize(
    "command", ["medcode worker", "medcode jobs send-alerts", "medcode jobs reindex"]
)
def test_each_jobs_command_is_documented(command: str) -> None:
    assert f"`{command}" in README.read_text(), f"{command} is missing from README.md"
