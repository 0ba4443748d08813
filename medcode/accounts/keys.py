"""API keys: made once and shown once, stored as a prefix and a SHA-256 of the whole key.

A key reads `mck_<prefix>_<secret>`: the prefix finds the row, the hash proves the secret.
A SHA-256 (not a slow password hash) fits because the secret is 32 random bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from medcode.accounts.models import ApiKey, KeyScope
from medcode.accounts.services import audit

KEY_PATTERN = re.compile(r"^mck_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$")
# Anything that looks like one of our keys, wherever it appears (a query string).
KEY_LOOKALIKE = re.compile(r"mck_[a-z0-9]{10}_")
MAX_ACTIVE_KEYS = 20
TOO_MANY_KEYS = f"An account can hold {MAX_ACTIVE_KEYS} active API keys; revoke one first."
NAME_REQUIRED = "Give the key a name, such as the script or server that will use it."
SCOPE_INVALID = "A key's scope is read, use or account, not {scope!r}."


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # the whole key, shown to its owner once


class KeyRefused(Exception):
    pass


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_key(user: User, *, name: str, scope: str = KeyScope.USE) -> NewKey:
    name = name.strip()[:80]
    if not name:
        raise KeyRefused(NAME_REQUIRED)
    if scope not in KeyScope.values:
        raise KeyRefused(SCOPE_INVALID.format(scope=scope))
    if ApiKey.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_KEYS:
        raise KeyRefused(TOO_MANY_KEYS)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    prefix = "".join(secrets.choice(alphabet) for _ in range(10))
    raw = f"mck_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        user=user, name=name, prefix=prefix, secret_hash=hash_secret(raw), scope=scope
    )
    audit(user, "api_key.create", str(key), scope=scope)
    return NewKey(key, raw)


@transaction.atomic
def revoke_key(user: User, key_id: int) -> ApiKey | None:
    """Revoke one of the user's own keys; None when it is not theirs."""
    key = ApiKey.objects.select_for_update().filter(pk=key_id, user=user).first()
    if key is None:
        return None
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit(user, "api_key.revoke", str(key))
    return key


def find_key(raw: str) -> ApiKey | None:
    """The key a raw string proves, revoked or not; None for a wrong or malformed key."""
    match = KEY_PATTERN.match(raw.strip())
    if match is None:
        return None
    key = (
        ApiKey.objects.select_related("user")
        .filter(prefix=match.group(1), user__is_active=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(raw.strip())):
        return None
    return key


def mark_used(key: ApiKey, *, every_seconds: int = 60) -> None:
    """Note the key's last use, writing at most once a minute per key."""
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() >= every_seconds:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
