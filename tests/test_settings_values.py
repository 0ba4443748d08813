"""medcode/settings.py with bad environment values: start-up stops with an error that names the
variable (each case loads settings.py afresh as its own module, under the given environment)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from medcode.lib.env import EnvError

SETTINGS = Path(__file__).resolve().parent.parent / "medcode" / "settings.py"


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **environ: str) -> ModuleType:
    monkeypatch.setenv("MEDCODE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MEDCODE_SECRET_KEY", "k" * 40)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("medcode_settings_under_test", SETTINGS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MEDCODE_DEBUG", "sometimes", "must be on or off"),
        ("MEDCODE_METERING", "ture", "must be on or off"),
        ("MEDCODE_REQUIRE_SECRET", "yes please", "must be on or off"),
        ("MEDCODE_DATA_CACHE_SECONDS", "6h", "must be a whole number"),
        ("MEDCODE_LOGIN_FAILURE_LIMIT", "five", "must be a whole number"),
        ("MEDCODE_MAX_BODY_BYTES", "2.5MB", "must be a whole number"),
        ("EMAIL_PORT", "smtp", "must be a whole number"),
        ("MEDCODE_PAGE_CACHE_MB", "64MB", "must be a number"),
        ("MEDCODE_LOGIN_COOLOFF_HOURS", "15 minutes", "must be a number"),
        ("MEDCODE_QUEUE_MAX_AGE", "nan", "must be a finite number"),
        ("MEDCODE_EMAIL_URL", "mail.example:587", "must start with smtp://"),
        ("MEDCODE_EMAIL_URL", "smtp://mail.example:five", "port that is not a number"),
        ("MEDCODE_EMAIL_URL", "smtp://mail.example?tls=sometimes", "tls= must be 1 or 0"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, message: str
) -> None:
    extra = {"EMAIL_HOST": "relay.example"} if name == "EMAIL_PORT" else {}
    with pytest.raises(EnvError) as raised:
        load_settings(monkeypatch, tmp_path, **{name: value, **extra})
    assert str(raised.value).startswith(name)
    assert message in str(raised.value)


def test_good_values_are_read_with_their_types(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    module = load_settings(
        monkeypatch,
        tmp_path,
        MEDCODE_DATA_CACHE_SECONDS="60",
        MEDCODE_PAGE_CACHE_MB="12.5",
        MEDCODE_METERING="off",
        MEDCODE_ALLOWED_HOSTS="a.example, b.example",
        MEDCODE_EMAIL_URL="smtp://me:secret@mail.example:587?tls=1",
    )
    assert module.MEDCODE_DATA_CACHE_SECONDS == 60
    assert module.MEDCODE_PAGE_CACHE_MB == 12.5
    assert module.MEDCODE_METERING is False
    assert module.ALLOWED_HOSTS == ["a.example", "b.example"]
    assert (module.EMAIL_HOST, module.EMAIL_PORT, module.EMAIL_USE_TLS) == (
        "mail.example",
        587,
        True,
    )
    assert (module.EMAIL_HOST_USER, module.EMAIL_HOST_PASSWORD) == ("me", "secret")


def test_empty_numbers_and_flags_mean_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    module = load_settings(
        monkeypatch, tmp_path, MEDCODE_DATA_CACHE_SECONDS="", MEDCODE_METERING=""
    )
    assert module.MEDCODE_DATA_CACHE_SECONDS == 6 * 3600
    assert module.MEDCODE_METERING is True
