"""The site's URLs, with the worksheet mounted if the site does not mount it yet."""

from django.urls import Resolver404, include, path, resolve

from medcode.urls import urlpatterns as site_patterns

try:
    resolve("/claims/", urlconf="medcode.urls")
    urlpatterns = list(site_patterns)
except Resolver404:
    urlpatterns = [*site_patterns, path("claims/", include("medcode.claims.urls"))]
