"""Watchlist digests: after an import, each watcher of a changed code gets one mail.

The import queues one task a little later (NCCI quarters arrive as several part files, each
its own import; a digest sent after part 1 would report every edit of parts 2-4 as deleted).
The task mails each watcher the changes to their codes in the diffs they have not had yet.
A mail's diffs are claimed first (WatchDigest rows, unique per watcher and diff, so two
workers never both send) and stamped when the mail server took it; a claim left unsent by a
worker that died is taken again once a task lease has passed, so each digest goes out once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from medcode.changes.models import Change, ReleaseDiff, WatchDigest, WatchedCode

# How long after an import its digests wait: the other parts of an NCCI quarter import
# within minutes of the first, and the diff they settle on is the one worth mailing.
DIGEST_DELAY = dt.timedelta(minutes=10)
MAX_DIGEST_CHANGES = 200


def site_url(path: str) -> str:
    base: str = getattr(settings, "MEDCODE_SITE_URL", "http://localhost:8000")
    return base.rstrip("/") + path


def enqueue_digests(*, diff_ids: list[int]) -> int:
    """Queue the digest task (once an import has committed); 0 when nobody watches a code."""
    if not diff_ids or not WatchedCode.objects.exists():
        return 0
    from medcode.changes.tasks import send_watch_digests

    send_watch_digests.using(run_after=timezone.now() + DIGEST_DELAY).enqueue()
    return 1


@dataclass(frozen=True)
class Digest:
    batch: str
    diffs: list[ReleaseDiff]
    changes: list[Change]
    total: int


def pending_diffs(user_id: int) -> list[ReleaseDiff]:
    """Diffs computed since the user started watching that no digest of theirs has counted."""
    since = WatchedCode.objects.filter(user_id=user_id).aggregate(m=Min("added_at"))["m"]
    if since is None:
        return []
    counted = WatchDigest.objects.filter(user_id=user_id).values("diff_id")
    return list(
        ReleaseDiff.objects.filter(computed_at__gte=since)
        .exclude(pk__in=counted)
        .order_by("effective_on", "pk")
    )


def watched_changes(user_id: int, diff_ids: list[int]) -> tuple[list[Change], int]:
    codes = WatchedCode.objects.filter(user_id=user_id).values("code")
    found = (
        Change.objects.filter(diff_id__in=diff_ids)
        .filter(Q(code__in=codes) | Q(other_code__in=codes))
        .select_related("diff")
        .order_by("code", "diff__family", "other_code", "field")
    )
    return list(found[:MAX_DIGEST_CHANGES]), found.count()


def _claim(user_id: int) -> str | None:
    """The batch this attempt may send: one left unsent by a dead worker (claimed longer than
    a task lease ago), or the user's pending diffs claimed now; None when nothing is due."""
    lease = dt.timedelta(seconds=float(settings.MEDCODE_TASK_LEASE_SECONDS))
    stale = (
        WatchDigest.objects.filter(
            user_id=user_id, sent_at__isnull=True, claimed_at__lt=timezone.now() - lease
        )
        .values_list("batch", flat=True)
        .first()
    )
    if stale is not None:
        taken = WatchDigest.objects.filter(
            batch=stale, sent_at__isnull=True, claimed_at__lt=timezone.now() - lease
        ).update(claimed_at=timezone.now())
        return stale if taken else None
    diffs = pending_diffs(user_id)
    if not diffs:
        return None
    batch = uuid.uuid4().hex
    try:
        with transaction.atomic():
            WatchDigest.objects.bulk_create(
                [WatchDigest(user_id=user_id, diff=d, batch=batch) for d in diffs]
            )
    except IntegrityError:
        return None  # another worker claimed some of these diffs first
    return batch


def send_digest(user_id: int) -> int:
    """Mail one watcher the changes to their codes they have not had; the changes mailed."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    batch = _claim(user_id)
    if batch is None:
        return 0
    rows = WatchDigest.objects.filter(batch=batch)
    diff_ids = list(rows.values_list("diff_id", flat=True))
    changes, total = watched_changes(user_id, diff_ids)
    email = getattr(user, "email", "")
    if not changes or not email:
        rows.update(sent_at=timezone.now())
        return 0
    diffs = list(ReleaseDiff.objects.filter(pk__in=diff_ids).order_by("effective_on", "family"))
    message = digest_message(Digest(batch, diffs, changes, total), to=email)
    message.connection = get_connection()
    try:
        with message.connection:
            message.send()
            # Stamped before the connection closes: a worker killed while the server says
            # goodbye leaves a digest known to be sent, and its retry sends nothing.
            rows.update(sent_at=timezone.now(), changes=total)
    except Exception:
        if not rows.filter(sent_at__isnull=False).exists():
            rows.delete()  # give the claim back: the task's retry sends it
        raise
    return total


def digest_message(digest: Digest, *, to: str) -> EmailMessage:
    codes = sorted({c.code for c in digest.changes})
    context = {
        "digest": digest,
        "more": digest.total > len(digest.changes),
        "history": [(code, site_url(reverse("changes:code", args=[code]))) for code in codes],
        "manage_url": site_url(reverse("changes:watchlist")),
    }
    noun = "change" if digest.total == 1 else "changes"
    subject = f"medcode: {digest.total} {noun} to codes you watch"
    body = render_to_string("changes/email/digest.txt", context)
    return EmailMessage(subject=subject, body=body, to=[to])


def send_all() -> dict[str, int]:
    """Every watcher's digest (the task body); counts of mails and changes sent."""
    sent = changes = 0
    users = WatchedCode.objects.values_list("user_id", flat=True).distinct().order_by("user_id")
    for user_id in users:
        count = send_digest(user_id)
        if count:
            sent += 1
            changes += count
    return {"digests": sent, "changes": changes}
