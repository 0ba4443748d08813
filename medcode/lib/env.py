"""Typed reads of environment variables for medcode/settings.py.

Each helper returns the default when the variable is unset (numbers and on/off also when it is
empty), and raises EnvError naming
the variable when its value does not parse, so a typo stops start-up with a sentence an operator
can act on instead of a bare `invalid literal for int()`. Framework-free (settings.py turns
nothing into Django types here; it only assigns the values).

Not django-environ: its booleans read any unknown word as false (`MEDCODE_HTTPS=ture` would
silently switch HTTPS off), its number errors do not name the variable, and its email URLs
(`smtp+tls://`, `consolemail://`, `filemail://`, `smtps://` for STARTTLS) are not the
`smtp://...?tls=1`, `smtps://` (SSL), `file:///folder` and `console:` forms medcode's operators
already use; adapting both would leave more code than these helpers.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

ON = frozenset({"1", "true", "yes", "on"})
OFF = frozenset({"0", "false", "no", "off"})


class EnvError(ValueError):
    """An environment variable is set to a value medcode cannot use."""


def _raw(name: str) -> str:
    return os.environ.get(name, "").strip()


def text(name: str, default: str = "") -> str:
    """The value as set (an empty value stays empty: for text that can mean "none")."""
    return os.environ.get(name, default)


def flag(name: str, default: bool) -> bool:
    """on/off, true/false, yes/no or 1/0 (any case)."""
    value = _raw(name).lower()
    if not value:
        return default
    if value in ON:
        return True
    if value in OFF:
        return False
    raise EnvError(f"{name} must be on or off (or true/false, yes/no, 1/0), not {value!r}")


def whole(name: str, default: int) -> int:
    """A whole number (`5`, `-1`)."""
    value = _raw(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise EnvError(f"{name} must be a whole number, not {value!r}") from None


def number(name: str, default: float) -> float:
    """A finite decimal number (`0.25`, `30`, `1e3`)."""
    value = _raw(name)
    if not value:
        return default
    try:
        parsed = float(value)
    except ValueError:
        raise EnvError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(parsed):
        raise EnvError(f"{name} must be a finite number, not {value!r}")
    return parsed


def items(name: str, default: str = "") -> list[str]:
    """A comma-separated list; blanks around and between commas are dropped."""
    return [part.strip() for part in text(name, default).split(",") if part.strip()]


SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
FILE = "django.core.mail.backends.filebased.EmailBackend"


@dataclass(frozen=True)
class Mail:
    """What an email URL sets (Django's EMAIL_* settings; the defaults are Django's own)."""

    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_ssl: bool = False
    use_tls: bool = False
    file_path: str = ""


def mail_url(name: str, value: str) -> Mail:
    """`smtp://user:password@host:587?tls=1`, `smtps://...` (port 465 unless given),
    `file:///folder` (one file per message) or `console:` (the server's log)."""
    if value.startswith("console:"):
        return Mail(CONSOLE)
    if value.startswith("file://"):
        folder = value.removeprefix("file://")
        if not folder:
            raise EnvError(f"{name} must name a folder after file://, e.g. file:///var/mail")
        return Mail(FILE, file_path=folder)
    if not value.startswith(("smtp://", "smtps://")):
        raise EnvError(f"{name} must start with smtp://, smtps://, file:// or console:")
    url = urlsplit(value)
    try:
        port = url.port
    except ValueError:
        raise EnvError(f"{name} has a port that is not a number: {value!r}") from None
    tls = parse_qs(url.query).get("tls", ["0"])[0].lower()
    if tls not in ON | OFF:
        raise EnvError(f"{name}: tls= must be 1 or 0 (or on/off, true/false), not {tls!r}")
    return Mail(
        SMTP,
        host=url.hostname or "localhost",
        port=port or (465 if url.scheme == "smtps" else 25),
        user=unquote(url.username or ""),
        password=unquote(url.password or ""),
        use_ssl=url.scheme == "smtps",
        use_tls=tls in ON,
    )
