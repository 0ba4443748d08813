from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse, set_script_prefix

from medcode.ops.templatetags.site_paths import path_with

NAMES = (
    "home",
    "codes:index",
    "accounts:home",
    "account_login",
    "account_signup",
    "about-data",
    "sitemap-index",
)


def render(text: str) -> str:
    return Template("{% load site_paths %}" + text).render(Context())


@pytest.mark.parametrize("name", NAMES)
def test_path_gives_what_the_url_tag_gives(name: str) -> None:
    assert render(f"{{% path '{name}' %}}") == render(f"{{% url '{name}' %}}")


def test_path_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/medcode/")
        assert render("{% path 'home' %}") == "/medcode/"
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize(
    ("name", "argument"),
    [
        ("codes:detail", "S72.001A"),
        ("codes:detail", "0SR90J9"),
        ("codes:ncci", "63650"),
        ("api:code_detail", "E0114"),
        # Not a plain code: reverse() itself quotes it.
        ("codes:detail", "a b&c"),
    ],
)
def test_path_with_gives_what_reverse_gives(name: str, argument: str) -> None:
    assert path_with(name, argument) == reverse(name, args=[argument])


def test_path_with_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/medcode/")
        assert path_with("codes:detail", "E0114") == "/medcode/codes/E0114/"
    finally:
        set_script_prefix("/")


FILES = ("medcode/favicon.svg", "medcode/site.css", "medcode/htmx.min.js")


@pytest.mark.parametrize("name", FILES)
def test_static_url_gives_what_the_static_tag_gives(name: str) -> None:
    assert render(f"{{% static_url '{name}' %}}") == Template(
        f"{{% load static %}}{{% static '{name}' %}}"
    ).render(Context())


def test_static_url_follows_the_static_url_setting() -> None:
    before = render("{% static_url 'medcode/site.css' %}")
    with override_settings(STATIC_URL="/assets/"):
        moved = render("{% static_url 'medcode/site.css' %}")
    assert moved.startswith("/assets/medcode/site")
    assert render("{% static_url 'medcode/site.css' %}") == before
