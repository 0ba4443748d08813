"""Every setting the code reads is one an operator can find: each environment variable read
outside the tests is documented in the README or docs/, and every `getattr(settings, ...)` names
a setting that medcode/settings.py defines (no setting exists only as a scattered default)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CODE = REPO / "medcode"
ENV_READ = re.compile(
    r"(?:environ\.get|environ\.setdefault|environ\[|getenv|env_int|env_on"
    r"|env\.(?:text|flag|whole|number|items))\(?\s*"
    r"\"([A-Z][A-Z0-9_]+)\""
)
SETTING_READ = re.compile(r"getattr\(\s*settings,\s*\"([A-Z][A-Z0-9_]+)\"")
SETTING_DEFINED = re.compile(r"^([A-Z][A-Z0-9_]+)\s*(?::[^=\n]+)?=", re.M)

# Read by the code but not for operators: Django's own.
NOT_FOR_OPERATORS = {
    "DJANGO_SETTINGS_MODULE": "set by medcode's own entry points",
}


def production_sources() -> list[Path]:
    return [
        path
        for path in sorted(CODE.rglob("*.py"))
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path.name != "conftest.py"
    ]


def names_read(pattern: re.Pattern[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in production_sources():
        for name in pattern.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(str(path.relative_to(REPO)))
    return found


def documentation() -> str:
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


ENV_NAMES = names_read(ENV_READ)
SETTING_NAMES = names_read(SETTING_READ)


def test_the_scan_finds_the_settings_it_should() -> None:
    # The patterns still match how settings are read (a rename of env_bool would hide them all).
    assert {"DATABASE_URL", "MEDCODE_DATA_DIR", "MEDCODE_METERING", "MEDCODE_WEB_WORKERS"} <= set(
        ENV_NAMES
    )
    assert "MEDCODE_RELEASE_CHECK_SECONDS" in SETTING_NAMES
    assert len(ENV_NAMES) > 50


@pytest.mark.parametrize("name", sorted(set(ENV_NAMES) - set(NOT_FOR_OPERATORS)))
def test_each_environment_variable_is_documented(name: str) -> None:
    assert f"`{name}`" in documentation(), (
        f"{name} is read in {', '.join(sorted(set(ENV_NAMES[name])))} "
        "but neither README.md nor docs/*.md documents it"
    )


@pytest.mark.parametrize("name", sorted(SETTING_NAMES))
def test_each_setting_read_with_a_default_is_defined_in_settings(name: str) -> None:
    defined = set(SETTING_DEFINED.findall((CODE / "settings.py").read_text(encoding="utf-8")))
    assert name in defined, (
        f"{name} is read with getattr(settings, ...) in {', '.join(SETTING_NAMES[name])} "
        "but medcode/settings.py does not define it"
    )
