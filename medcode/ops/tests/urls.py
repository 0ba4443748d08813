"""The site's URLs plus one view that fails, to see a server error counted and logged."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from medcode.urls import urlpatterns as site


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a view failed on purpose")


urlpatterns = [path("test-fails/", fails, name="test-fails"), *site]
