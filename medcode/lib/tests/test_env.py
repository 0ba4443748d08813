"""medcode.lib.env: typed environment reads, and errors that name the variable."""

from __future__ import annotations

import pytest

from medcode.lib import env
from medcode.lib.env import EnvError

NAME = "MEDCODE_ENV_TEST_VALUE"


@pytest.fixture
def setenv(monkeypatch: pytest.MonkeyPatch):
    def set_value(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv(NAME, raising=False)
        else:
            monkeypatch.setenv(NAME, value)

    return set_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True),
        ("", True),
        ("on", True),
        ("TRUE", True),
        ("yes", True),
        ("1", True),
        ("off", False),
        ("False", False),
        ("no", False),
        ("0", False),
        (" off ", False),
    ],
)
def test_flag_reads_the_on_off_words(setenv, value, expected) -> None:
    setenv(value)
    assert env.flag(NAME, True) is expected


@pytest.mark.parametrize("value", ["ture", "enabled", "2", "of"])
def test_flag_refuses_any_other_word_and_names_the_variable(setenv, value) -> None:
    setenv(value)
    with pytest.raises(EnvError, match=rf"{NAME} must be on or off .* not '{value}'"):
        env.flag(NAME, False)


def test_whole_numbers(setenv) -> None:
    setenv(None)
    assert env.whole(NAME, 7) == 7
    setenv("")
    assert env.whole(NAME, 7) == 7
    setenv(" 42 ")
    assert env.whole(NAME, 7) == 42
    setenv("-3")
    assert env.whole(NAME, 7) == -3


@pytest.mark.parametrize("value", ["2.5", "ten", "5m", "0x10"])
def test_whole_refuses_what_is_not_a_whole_number(setenv, value) -> None:
    setenv(value)
    with pytest.raises(EnvError, match=rf"{NAME} must be a whole number, not '{value}'"):
        env.whole(NAME, 1)


def test_numbers(setenv) -> None:
    setenv(None)
    assert env.number(NAME, 0.25) == 0.25
    setenv("1.5")
    assert env.number(NAME, 0.25) == 1.5
    setenv("30")
    assert env.number(NAME, 0.25) == 30.0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("30s", "must be a number, not '30s'"),
        ("1,5", "must be a number, not '1,5'"),
        ("nan", "must be a finite number, not 'nan'"),
        ("inf", "must be a finite number, not 'inf'"),
    ],
)
def test_number_refuses_words_units_and_non_finite_values(setenv, value, message) -> None:
    setenv(value)
    with pytest.raises(EnvError, match=f"{NAME} {message}"):
        env.number(NAME, 1.0)


def test_text_keeps_an_empty_value_and_items_drop_blanks(setenv) -> None:
    setenv(None)
    assert env.text(NAME, "fallback") == "fallback"
    setenv("")
    assert env.text(NAME, "fallback") == ""
    assert env.items(NAME, "a,b") == []
    setenv(" a.example , ,b.example,")
    assert env.items(NAME) == ["a.example", "b.example"]


def test_mail_url_smtp_with_credentials_port_and_tls() -> None:
    mail = env.mail_url(NAME, "smtp://user%40x.org:p%2Fw@mail.example:587?tls=1")
    assert mail == env.Mail(
        env.SMTP,
        host="mail.example",
        port=587,
        user="user@x.org",
        password="p/w",
        use_ssl=False,
        use_tls=True,
    )


def test_mail_url_defaults_by_scheme() -> None:
    assert env.mail_url(NAME, "smtp://relay") == env.Mail(env.SMTP, host="relay", port=25)
    assert env.mail_url(NAME, "smtps://relay") == env.Mail(
        env.SMTP, host="relay", port=465, use_ssl=True
    )
    assert env.mail_url(NAME, "console:") == env.Mail(env.CONSOLE)
    assert env.mail_url(NAME, "file:///srv/mail") == env.Mail(env.FILE, file_path="/srv/mail")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mailto:me@example.org", "must start with smtp://, smtps://, file:// or console:"),
        ("smtp://relay:25x", "has a port that is not a number"),
        ("smtp://relay:587?tls=maybe", "tls= must be 1 or 0 .* not 'maybe'"),
        ("file://", "must name a folder after file://"),
    ],
)
def test_mail_url_refuses_what_it_cannot_use_and_names_the_variable(value, message) -> None:
    with pytest.raises(EnvError, match=f"{NAME}:? {message}"):
        env.mail_url(NAME, value)
