from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path

from medcode.api.main import api
from medcode.codes import views as code_views
from medcode.codes.sitemaps import SITEMAPS
from medcode.mcp import views as mcp_views
from medcode.ops import health, metrics

urlpatterns = [
    # Answered by medcode.ops.middleware.ProbeMiddleware first; here for reverse().
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("account/", include("medcode.accounts.urls")),
    path("account/", include("allauth.urls")),
    path("", code_views.home, name="home"),
    path("codes/", include("medcode.codes.urls")),
    path("claims/", include("medcode.claims.urls")),
    path("search/", include("medcode.search.urls")),
    path("jobs/", include("medcode.jobs.urls")),
    path("pilot/", include("medcode.assistant.urls")),
    path("consult/", include("medcode.consult.urls")),
    path("changes/", include("medcode.changes.urls")),
    path("api/v1/", api.urls),
    path("fhir/R4/", include("medcode.fhir.urls")),
    re_path(r"^mcp/?$", mcp_views.endpoint, name="mcp"),
    path("about/data/", code_views.about_data, name="about-data"),
    path("robots.txt", code_views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
