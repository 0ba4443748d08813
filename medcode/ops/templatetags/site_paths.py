"""`{% path "name" %}`: the path of a route that takes no arguments, reversed once per process.

The layout (base.html) links six such routes on every page, and `{% url %}` reverses each one
on every render: a twentieth of a long-tail code page's CPU (cProfile, bench/page_miss.py).
The path depends only on the route name, the script prefix and the URLconf, the cache's key.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@functools.lru_cache(maxsize=256)
def _reversed(name: str, script_prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def path(name: str) -> str:
    """`{% url name %}` for a route without arguments (escaped as a simple tag's output is)."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
