"""A test URLconf: the site's URLs plus one view that works until it is stopped."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from medcode.urls import urlpatterns as site


def spin(request: HttpRequest) -> HttpResponse:
    n = 0
    while True:  # pure-Python work, like note mode's matching
        n += 1


urlpatterns = [path("spin/", spin), *site]
