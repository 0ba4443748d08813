"""Stored release-to-release diffs: one ReleaseDiff per dataset family and pair of releases,
and one Change row per thing that differs (computed once at import, read by query)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from medcode.codes.models import Release


class ReleaseDiff(models.Model):
    """What changed in one dataset family from one release (or quarter of parts) to another.

    `from_release`/`to_release` are the first release of each side; `from_ids`/`to_ids` name
    every release of each side (NCCI quarters come in parts), so a diff whose sides no longer
    match the loaded releases is known to be stale and is computed again.
    """

    family = models.CharField(max_length=40)
    from_release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    to_release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    from_label = models.CharField(max_length=80)
    to_label = models.CharField(max_length=80)
    from_ids = models.CharField(max_length=255)
    to_ids = models.CharField(max_length=255)
    effective_on = models.DateField(help_text="when the newer side took effect")
    counts = models.JSONField(default=dict, help_text="changes by kind")
    seconds = models.FloatField(default=0)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["family", "from_ids", "to_ids"], name="changes_diff_unique_pair"
            )
        ]
        indexes = [models.Index(fields=["family", "effective_on"])]
        ordering = ["-effective_on", "family"]

    def __str__(self) -> str:
        return f"{self.family}: {self.from_label} -> {self.to_label}"


class Change(models.Model):
    """One difference: a key (code, or a pair of codes) added, deleted, or a field changed."""

    diff = models.ForeignKey(ReleaseDiff, on_delete=models.CASCADE, related_name="changes")
    code_system = models.CharField(max_length=12, blank=True)
    code = models.CharField(max_length=16)
    other_code = models.CharField(max_length=16, blank=True, help_text="PTP column 2, ...")
    qualifier = models.CharField(max_length=16, blank=True, help_text="PFS modifier, ...")
    kind = models.CharField(max_length=20)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    percent = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["diff", "kind"]),
            models.Index(fields=["diff", "code"]),
            models.Index(fields=["code"]),
            models.Index(fields=["other_code"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.kind} {self.field}"


class WatchedCode(models.Model):
    """A code a signed-in user watches: the digest after each import lists its changes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watched_codes"
    )
    code = models.CharField(max_length=16)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code"], name="changes_watch_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.code}"


class WatchDigest(models.Model):
    """A diff counted in one watcher's digest. All rows of one mail share a batch; they are
    created (claimed) before the mail goes and stamped once the mail server took it, so a
    digest retried after its worker died is sent only if it was not (the job-alert design)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    diff = models.ForeignKey(ReleaseDiff, on_delete=models.CASCADE, related_name="digests")
    batch = models.CharField(max_length=32)
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    changes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "diff"], name="changes_digest_once")]
        indexes = [models.Index(fields=["batch"])]

    def __str__(self) -> str:
        return f"digest {self.batch} of diff {self.diff_id} for user {self.user_id}"


class GroupRows(models.Model):
    """One release's rows of one first key (e.g. a PTP column 1 code), as the grouped diff
    compares them (services.grouped_rows). Stored when a release is read, so the next
    quarter's diff reads its older side here instead of scanning millions of rows again;
    kept for the newest two sides of a family."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="the side's first day: which rows were in force")
    first = models.CharField(max_length=16)
    rows = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["release", "day"])]

    def __str__(self) -> str:
        return f"{self.release_id} {self.first}"
