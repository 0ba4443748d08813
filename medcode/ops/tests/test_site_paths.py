from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import set_script_prefix

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
