"""Sitemaps of code pages: one section per code set, paginated by Django (50,000 per page)."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from medcode.codes.models import Code, Release
from medcode.codes.page.modifiers import CPT_MODIFIERS


class CodeSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "monthly"
    priority = 0.5

    def __init__(self, system: str) -> None:
        self.system = system

    def items(self) -> QuerySet[Code, Any]:
        current = Release.objects.filter(is_current=True, row_counts__has_key="codes").values_list(
            "pk", flat=True
        )
        return (
            Code.objects.filter(system=self.system, release_id__in=list(current))
            .order_by("display")
            .values_list("display", flat=True)
            .distinct()
        )

    def location(self, item: str) -> str:
        return reverse("codes:detail", args=[item])


class ModifierSitemap(CodeSitemap):
    """Level II modifiers from the data, plus the CPT modifiers we explain in our own words."""

    def items(self) -> list[str]:  # type: ignore[override]
        return sorted(set(super().items()) | set(CPT_MODIFIERS))


SITEMAPS: dict[str, Sitemap] = {  # type: ignore[type-arg]
    "cpt": CodeSitemap("CPT"),
    "hcpcs": CodeSitemap("HCPCS"),
    "modifier": ModifierSitemap("MODIFIER"),
    "icd10cm": CodeSitemap("ICD10CM"),
    "icd10pcs": CodeSitemap("ICD10PCS"),
}
