"""Saved claim worksheets: one document per worksheet, in the shape the claim check takes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


def empty_document() -> dict[str, Any]:
    return {"lines": [], "diagnoses": []}


class Worksheet(models.Model):
    """A claim being worked on: lines and diagnoses, as a ClaimCheckIn-shaped JSON document.

    A signed-in user's worksheet has an owner; a guest's has none and is found through the
    id kept in the guest's session (session_key is kept to clear abandoned guest worksheets).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="claim_worksheets",
    )
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    name = models.CharField(max_length=120, default="Claim worksheet")
    document = models.JSONField(default=empty_document)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]
        indexes = [models.Index(fields=["owner", "-updated"])]

    def __str__(self) -> str:
        return self.name


class ArticleListing(models.Model):
    """The LCD article crosswalk of one release, indexed by procedure code for the claim check.

    Derived from the release's reference rows (key "article_icd10", JSON without an index) by
    medcode.claims.articles, once per release; removed with the release.
    """

    release = models.ForeignKey("codes.Release", on_delete=models.CASCADE, related_name="+")
    hcpcs = models.CharField(max_length=5)
    icd10cm = models.CharField(max_length=8, help_text="no dot")
    status = models.CharField(max_length=10, help_text="covered or noncovered")
    lcd_ids = models.CharField(max_length=255, blank=True, help_text="space-separated")

    class Meta:
        indexes = [models.Index(fields=["release", "hcpcs"])]


class ArticleIndex(models.Model):
    """A release whose crosswalk rows are in ArticleListing (built once, by the first check)."""

    release = models.OneToOneField(
        "codes.Release", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    rows = models.IntegerField()
    built = models.DateTimeField(auto_now_add=True)
