"""`{% path "name" %}`: the path of a route that takes no arguments, reversed once per process;
`path_with(name, code)` the same for a route of one code; `{% static_url "file" %}` a static
file's URL, looked up once per process.

The layout (base.html) links six such routes on every page, and `{% url %}` reverses each one
on every render: a twentieth of a long-tail code page's CPU (cProfile, bench/page_miss.py).
The path depends only on the route name, the script prefix and the URLconf, the cache's key.
"""

from __future__ import annotations

import functools
import re

from django import template
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@functools.lru_cache(maxsize=256)
def _reversed(name: str, script_prefix: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def path(name: str) -> str:
    """`{% url name %}` for a route without arguments (escaped as a simple tag's output is)."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


# A route argument that reverse() leaves as it is (no percent-encoding): codes and the like.
PLAIN_ARGUMENT = re.compile(r"[A-Za-z0-9.\-]+")
_MARK = "MEDCODEARGUMENT"


@functools.lru_cache(maxsize=256)
def _around(name: str, script_prefix: str, urlconf: str | None) -> tuple[str, str]:
    """The path of a route of one argument before and after that argument."""
    before, _, after = reverse(name, args=[_MARK], urlconf=urlconf).rpartition(_MARK)
    return before, after


def path_with(name: str, argument: str) -> str:
    """reverse(name, args=[argument]), the route reversed once per process when the argument
    is plain (letters, digits, dots, hyphens): a code page reversed three routes on each
    render."""
    if not PLAIN_ARGUMENT.fullmatch(argument):
        return reverse(name, args=[argument])
    before, after = _around(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{before}{argument}{after}"


@functools.lru_cache(maxsize=256)
def _static(name: str, static_url: str, debug: bool, storage: int, files: int, count: int) -> str:
    return static(name)


@register.simple_tag
def static_url(name: str) -> str:
    """`{% static name %}`, kept per process: the layout names four static files on every page,
    and the four lookups through the manifest storage were a tenth of rendering a long-tail
    code page (cProfile, bench/page_miss.py). The key holds all the URL depends on: the
    settings, the storage and its manifest (a collectstatic in the process replaces it)."""
    storage = getattr(staticfiles_storage, "_wrapped", None)
    files = getattr(storage, "hashed_files", None)
    return _static(
        name,
        str(settings.STATIC_URL),
        bool(settings.DEBUG),
        id(storage),
        id(files),
        len(files) if files is not None else -1,
    )
