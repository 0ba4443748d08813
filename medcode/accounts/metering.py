"""Metering in one place: what a subject used, counted atomically, with limits from its plan.

Counters live in Redis when REDIS_URL is set (one Lua script per operation, so a check and
its increment are one atomic step) and in the database otherwise, or while Redis is down
(conditional `UPDATE ... SET count = count + 1 WHERE count <= limit - 1` after an
`INSERT ... ON CONFLICT DO NOTHING`, atomic on SQLite and PostgreSQL alike).

For other apps:

    check_quota(request_or_user, kind, *, dry_run=False) -> Allowance
        kind is CASEPILOT ("casepilot", per day) or CONSULT ("consult", per month).
        One unit is taken if the plan allows it, in the same atomic step as the check (so call
        it once per question, when the question is accepted); dry_run=True only reports.
        Read `.allowed`, `.remaining`, `.retry_after` (seconds) and `.message` (a sentence
        for the user).
        CasePilot passes the request (a guest, a user or an API key's owner); the consult
        mail handler passes the sender's User. With MEDCODE_METERING=off everything is allowed.

    consume(subject, kind, *, limit, period) -> Allowance
    consume_api(subject, *, per_minute, per_day, also_count) -> (minute, day)  (API limits)
    open_gated(subject, code, *, limit, period) -> Allowance  (medcode.accounts.gate uses this)
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import sqlite3
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from medcode.accounts.models import GatedView, Period, UsageCounter
from medcode.accounts.viewers import Viewer, user_viewer, who_is
from medcode.ops.sqlite3.base import kept_writer

log = logging.getLogger(__name__)

GATED = "gated"
CASEPILOT = "casepilot"
CONSULT = "consult"
API_MINUTE = "api_minute"
API_DAY = "api_day"
MINUTE = "minute"

QUOTA_LEFT = "{remaining} {noun} left {when}."
QUOTA_UNLIMITED = "Your plan has no limit on {noun}."
QUOTA_REACHED = (
    "You have used all {limit} {noun} your {plan} plan allows {when}. "
    "More are available {resets}{upgrade}."
)
UPGRADE_GUEST = "; a free account raises the limit"
UPGRADE_USER = "; a paid plan raises the limit"

_QUOTAS = {
    CASEPILOT: ("casepilot_per_day", Period.DAY, "CasePilot questions"),
    CONSULT: ("consult_per_month", Period.MONTH, "consult emails"),
}

# Redis keys outlive their period so the account page can show recent days.
_KEEP_SECONDS = {MINUTE: 120, Period.DAY: 40 * 86400, Period.WEEK: 15 * 86400}
_KEEP_MONTH = 70 * 86400
REDIS_RETRY_SECONDS = 30.0
KEY_PREFIX = "medcode:"


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    used: int
    limit: int | None
    resets_at: dt.datetime
    message: str = ""
    newly_counted: bool = False

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil((self.resets_at - timezone.now()).total_seconds()))


# Periods ----------------------------------------------------------------------------------


def period_key(period: str, now: dt.datetime | None = None) -> str:
    """The counter's period: a minute in UTC; a day, ISO week or month in the site's zone."""
    return _period_key(period, _minute_of(now or timezone.now()))


def period_end(period: str, now: dt.datetime | None = None) -> dt.datetime:
    """When the period's counters start again from zero."""
    return _period_end(period, _minute_of(now or timezone.now()))


def _minute_of(now: dt.datetime) -> dt.datetime:
    # Periods change on whole minutes, so both answers can be cached per minute.
    return now.astimezone(dt.UTC).replace(second=0, microsecond=0)


@lru_cache(maxsize=256)
def _period_key(period: str, now: dt.datetime) -> str:
    if period == MINUTE:
        return now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    local = timezone.localtime(now)
    if period == Period.DAY:
        return local.strftime("%Y-%m-%d")
    if period == Period.WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if period == Period.MONTH:
        return local.strftime("%Y-%m")
    raise ValueError(f"unknown period {period!r}")


@lru_cache(maxsize=256)
def _period_end(period: str, now: dt.datetime) -> dt.datetime:
    if period == MINUTE:
        return now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    local = timezone.localtime(now)
    day = local.date()
    if period == Period.DAY:
        nxt = day + dt.timedelta(days=1)
    elif period == Period.WEEK:
        nxt = day + dt.timedelta(days=7 - day.weekday())
    elif period == Period.MONTH:
        nxt = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"unknown period {period!r}")
    zone = timezone.get_current_timezone()
    return dt.datetime.combine(nxt, dt.time.min).replace(tzinfo=zone)


def _keep(period: str) -> int:
    return _KEEP_SECONDS.get(period, _KEEP_MONTH)


# Redis --------------------------------------------------------------------------------------

_CONSUME_LUA = """
local limit = tonumber(ARGV[1])
local amount = tonumber(ARGV[2])
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if limit >= 0 and n + amount > limit then return {0, n} end
n = redis.call('INCRBY', KEYS[1], amount)
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return {1, n}
"""

_OPEN_GATED_LUA = """
local limit = tonumber(ARGV[2])
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {1, n, 0} end
if limit >= 0 and n >= limit then return {0, n, 0} end
redis.call('SADD', KEYS[1], ARGV[1])
n = redis.call('INCR', KEYS[2])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
return {1, n, 1}
"""


_API_LUA = """
local per_minute = tonumber(ARGV[1])
local per_day = tonumber(ARGV[2])
local m = tonumber(redis.call('GET', KEYS[1]) or '0')
local d = tonumber(redis.call('GET', KEYS[2]) or '0')
if per_day >= 0 and d >= per_day then return {2, m, d} end
if per_minute >= 0 and m >= per_minute then return {1, m, d} end
m = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
d = redis.call('INCR', KEYS[2])
if redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
if KEYS[3] then
  redis.call('INCR', KEYS[3])
  if redis.call('TTL', KEYS[3]) < 0 then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
end
return {0, m, d}
"""


class _Redis:
    """A lazily connected client that steps aside for REDIS_RETRY_SECONDS after a failure."""

    def __init__(self) -> None:
        self.client: Any = None
        self.url = ""
        self.down_until = 0.0
        self.scripts: dict[str, Any] = {}

    def get(self) -> Any:
        url: str = getattr(settings, "REDIS_URL", "")
        if not url or time.monotonic() < self.down_until:
            return None
        if self.client is None or url != self.url:
            import redis

            self.client = redis.Redis.from_url(
                url, socket_timeout=0.25, socket_connect_timeout=0.25, health_check_interval=30
            )
            self.url = url
            self.scripts = {
                "consume": self.client.register_script(_CONSUME_LUA),
                "gated": self.client.register_script(_OPEN_GATED_LUA),
                "api": self.client.register_script(_API_LUA),
            }
        return self.client

    def failed(self, exc: Exception) -> None:
        log.warning("Redis unavailable (%s); metering in the database for a while", exc)
        self.down_until = time.monotonic() + REDIS_RETRY_SECONDS

    def reset(self) -> None:
        self.client = None
        self.down_until = 0.0


redis_state = _Redis()


def _redis_errors() -> tuple[type[Exception], ...]:
    import redis

    return (redis.RedisError, OSError)


def _rkey(*parts: str) -> str:
    return KEY_PREFIX + ":".join(parts)


# The database ---------------------------------------------------------------------------------
# Plain SQL on the hot paths: the ORM's query compilation costs more than the queries here.


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _when(now: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(now)


def _insert_ignore(model: type[Model], values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; whether a row was inserted."""
    meta = model._meta
    values = {
        **{
            f.name: f.get_default()
            for f in meta.concrete_fields
            if not f.primary_key and f.has_default()
        },
        **values,
    }
    fields = [meta.get_field(name) for name in values]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]  # type: ignore[union-attr]
    marks = ", ".join(["%s"] * len(params))
    sql = f"INSERT INTO {_table(model)} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.rowcount == 1)


def _db_used(subject: str, kind: str, key: str) -> int:
    sql = (
        f"SELECT count FROM {_table(UsageCounter)} WHERE subject = %s AND kind = %s AND period = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [subject, kind, key])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _db_add(
    subject: str, kind: str, key: str, limit: int | None, amount: int, now: dt.datetime
) -> int | None:
    """Add `amount` if the result stays within `limit`: the new count, or None."""
    sql = (
        f"UPDATE {_table(UsageCounter)} SET count = count + %s, updated_at = %s"
        " WHERE subject = %s AND kind = %s AND period = %s"
    )
    params: list[Any] = [amount, _when(now), subject, kind, key]
    if limit is not None:
        sql += " AND count <= %s"
        params.append(limit - amount)
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING count", params)
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _db_consume(
    subject: str, kind: str, key: str, limit: int | None, amount: int, now: dt.datetime
) -> tuple[bool, int]:
    if limit is not None and amount > limit:
        return False, _db_used(subject, kind, key)
    count = _db_add(subject, kind, key, limit, amount, now)
    if count is None:
        row = {"subject": subject, "kind": kind, "period": key, "count": 0, "updated_at": now}
        _insert_ignore(UsageCounter, row)
        count = _db_add(subject, kind, key, limit, amount, now)
        if count is None:
            return False, _db_used(subject, kind, key)
    return True, count


def _db_seen_and_used(subject: str, code: str, key: str) -> tuple[bool, int]:
    sql = (
        f"SELECT (SELECT 1 FROM {_table(GatedView)}"
        " WHERE subject = %s AND code = %s AND period = %s),"
        f" (SELECT count FROM {_table(UsageCounter)}"
        " WHERE subject = %s AND kind = %s AND period = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [subject, code, key, subject, GATED, key])
        seen, used = cursor.fetchone()
    return bool(seen), int(used or 0)


def _db_consume_api(
    subject: str,
    minute: str,
    day: str,
    per_minute: int | None,
    per_day: int | None,
    now: dt.datetime,
    also_count: str | None = None,
) -> tuple[int, int, int]:
    """(refused: 0 no, 1 by the minute, 2 by the day; minute count; day count).

    One conditional UPDATE of the subject's day row, which also counts the current minute (the
    row is made first if missing). An accepted request counts for `also_count` too: in the
    same statement on PostgreSQL (a data-modifying WITH: one round trip, not two), by a second
    UPDATE on SQLite, which has no such statement.
    """
    if per_minute == 0 or per_day == 0:
        # Nothing to count (the minute test below would let a fresh row's first call through).
        return _db_api_refusal(subject, minute, day, per_minute, per_day)
    with kept_writer(connection) as kept:
        if kept is not None:
            try:
                return _kept_consume_api(
                    kept, subject, minute, day, per_minute, per_day, now, also_count
                )
            except sqlite3.Error as exc:  # the limited count failed, so nothing was counted
                log.warning("SQLite kept connection failed (%s); metering on the request's", exc)
    table, when = _table(UsageCounter), _when(now)
    sql = (
        f"UPDATE {table} SET count = count + 1, updated_at = %s,"
        " minute_count = CASE WHEN minute = %s THEN minute_count + 1 ELSE 1 END, minute = %s"
        " WHERE subject = %s AND kind = %s AND period = %s"
    )
    params: list[Any] = [when, minute, minute, subject, API_DAY, day]
    if per_day is not None:
        sql += " AND count < %s"
        params.append(per_day)
    if per_minute is not None:
        sql += " AND (minute <> %s OR minute_count < %s)"
        params += [minute, per_minute]
    sql += " RETURNING minute_count, count"
    together = also_count is not None and connection.vendor == "postgresql"
    if together:
        sql = (
            f"WITH account AS ({sql}), per_key AS ("
            f"INSERT INTO {table} AS c (subject, kind, period, count, minute, minute_count,"
            " updated_at) SELECT %s, %s, %s, 1, '', 0, %s::timestamptz FROM account"
            " ON CONFLICT (subject, kind, period) DO UPDATE"
            " SET count = c.count + 1, updated_at = excluded.updated_at)"
            " SELECT minute_count, count FROM account"
        )
        params += [also_count, API_DAY, day, when]
    for attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is not None:
            if also_count is not None and not together:
                _db_consume(also_count, API_DAY, day, None, 1, now)
            return 0, int(row[0]), int(row[1])
        if attempt == 0:
            values = {"subject": subject, "kind": API_DAY, "period": day, "updated_at": now}
            if not _insert_ignore(UsageCounter, values):
                break  # the row was there: a limit refused the request
    return _db_api_refusal(subject, minute, day, per_minute, per_day)


_KEPT_API = (
    "UPDATE {table} SET count = count + 1, updated_at = ?,"
    " minute_count = CASE WHEN minute = ? THEN minute_count + 1 ELSE 1 END, minute = ?"
    " WHERE subject = ? AND kind = ? AND period = ?"
    " AND (? IS NULL OR count < ?) AND (? IS NULL OR minute <> ? OR minute_count < ?)"
    " RETURNING minute_count, count"
)
_KEPT_INSERT = (
    "INSERT INTO {table} (subject, kind, period, count, minute, minute_count, updated_at)"
    " VALUES (?, ?, ?, 0, '', 0, ?) ON CONFLICT DO NOTHING"
)
_KEPT_ALSO = (
    "INSERT INTO {table} (subject, kind, period, count, minute, minute_count, updated_at)"
    " VALUES (?, ?, ?, 1, '', 0, ?) ON CONFLICT (subject, kind, period)"
    " DO UPDATE SET count = count + 1, updated_at = excluded.updated_at"
)


def _kept_consume_api(
    kept: sqlite3.Connection,
    subject: str,
    minute: str,
    day: str,
    per_minute: int | None,
    per_day: int | None,
    now: dt.datetime,
    also_count: str | None,
) -> tuple[int, int, int]:
    """_db_consume_api through SQLite's kept connection: the same statements, one text each
    (limits as parameters), so the connection's prepared statements serve every call."""
    table, when = _table(UsageCounter), _when(now)
    params = [when, minute, minute, subject, API_DAY, day]
    params += [per_day, per_day, per_minute, minute, per_minute]
    for attempt in range(2):
        row = kept.execute(_KEPT_API.format(table=table), params).fetchall()
        if row:
            if also_count is not None:
                try:
                    kept.execute(_KEPT_ALSO.format(table=table), [also_count, API_DAY, day, when])
                except sqlite3.Error as exc:  # the request is counted: not again on failure
                    log.warning(
                        "SQLite kept connection failed (%s); one use of %s uncounted",
                        exc,
                        also_count,
                    )
            return 0, int(row[0][0]), int(row[0][1])
        if attempt == 0:
            inserted = kept.execute(_KEPT_INSERT.format(table=table), [subject, API_DAY, day, when])
            if inserted.rowcount != 1:
                break  # the row was there: a limit refused the request
    return _db_api_refusal(subject, minute, day, per_minute, per_day)


def _db_api_refusal(
    subject: str, minute: str, day: str, per_minute: int | None, per_day: int | None
) -> tuple[int, int, int]:
    """Which limit refused a request, and the counts it met."""
    found = (
        f"SELECT minute, minute_count, count FROM {_table(UsageCounter)}"
        " WHERE subject = %s AND kind = %s AND period = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(found, [subject, API_DAY, day])
        at, in_minute, in_day = cursor.fetchone() or (minute, 0, 0)
    in_minute = int(in_minute) if at == minute else 0
    return (2 if per_day is not None and in_day >= per_day else 1), in_minute, int(in_day)


class _Refused(Exception):
    def __init__(self, used: int) -> None:
        self.used = used


def _db_open_gated(
    subject: str, code: str, key: str, limit: int | None, now: dt.datetime
) -> tuple[bool, int, bool]:
    seen, used = _db_seen_and_used(subject, code, key)
    if seen:
        return True, used, False
    if limit is not None and used >= limit:
        # A twin request may have counted this code since the first look; a view and its
        # count commit together, so a second look after reading the count settles it.
        seen, used = _db_seen_and_used(subject, code, key)
        return seen, used, False
    try:
        with transaction.atomic():
            row = {"subject": subject, "code": code, "period": key, "viewed_at": now}
            if not _insert_ignore(GatedView, row):
                return True, _db_used(subject, GATED, key), False  # counted by a twin request
            ok, used = _db_consume(subject, GATED, key, limit, 1, now)
            if not ok:
                raise _Refused(used)  # rolls the GatedView row back
            return True, used, True
    except _Refused as refused:
        return False, refused.used, False


# Codes a subject has opened, remembered per process for a few seconds: a re-view (the common
# case: reloads, htmx swaps, the JSON twin) then costs nothing. A view once counted stays
# counted for its period, so the only staleness is the "remaining" figure in the message.
SEEN_SECONDS = 5.0
SEEN_MAX = 20_000
_seen: dict[tuple[str, str, str], tuple[float, int]] = {}


def forget_seen() -> None:
    _seen.clear()


def _remember_seen(entry: tuple[str, str, str], used: int) -> None:
    if len(_seen) >= SEEN_MAX:
        _seen.clear()
    _seen[entry] = (time.monotonic() + SEEN_SECONDS, used)


# The metering functions -----------------------------------------------------------------------


def consume(
    subject: str,
    kind: str,
    *,
    limit: int | None,
    period: str,
    amount: int = 1,
    now: dt.datetime | None = None,
) -> Allowance:
    """Take `amount` of `kind` for `subject` if that keeps it within `limit` (None: no limit)."""
    now = now or timezone.now()
    key = period_key(period, now)
    resets = period_end(period, now)
    client = redis_state.get()
    if client is not None:
        try:
            ok, used = redis_state.scripts["consume"](
                keys=[_rkey("n", kind, subject, key)],
                args=[-1 if limit is None else limit, amount, _keep(period)],
            )
            return Allowance(bool(ok), int(used), limit, resets, newly_counted=bool(ok))
        except _redis_errors() as exc:
            redis_state.failed(exc)
    ok, used = _db_consume(subject, kind, key, limit, amount, now)
    return Allowance(ok, used, limit, resets, newly_counted=ok)


def consume_api(
    subject: str,
    *,
    per_minute: int | None,
    per_day: int | None,
    also_count: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Allowance, Allowance]:
    """Count one API request against both limits in one atomic step: (minute, day).

    A request refused by either limit is counted by neither; the refusing one is not allowed.
    An allowed request is also counted, without a limit, in the day counter of `also_count`
    (an API key's own use, shown on its owner's account page): in the same Redis script or
    PostgreSQL statement, right after it on SQLite.
    """
    now = now or timezone.now()
    minute, day = period_key(MINUTE, now), period_key(Period.DAY, now)
    refused, in_minute, in_day = -1, 0, 0
    client = redis_state.get()
    if client is not None:
        keys = [_rkey("n", API_MINUTE, subject, minute), _rkey("n", API_DAY, subject, day)]
        if also_count is not None:
            keys.append(_rkey("n", API_DAY, also_count, day))
        try:
            refused, in_minute, in_day = redis_state.scripts["api"](
                keys=keys,
                args=[
                    -1 if per_minute is None else per_minute,
                    -1 if per_day is None else per_day,
                    _keep(MINUTE),
                    _keep(Period.DAY),
                ],
            )
        except _redis_errors() as exc:
            redis_state.failed(exc)
            refused = -1
    if refused == -1:
        refused, in_minute, in_day = _db_consume_api(
            subject, minute, day, per_minute, per_day, now, also_count
        )
    return (
        Allowance(refused != 1, int(in_minute), per_minute, period_end(MINUTE, now)),
        Allowance(refused != 2, int(in_day), per_day, period_end(Period.DAY, now)),
    )


def open_gated(
    subject: str, code: str, *, limit: int | None, period: str, now: dt.datetime | None = None
) -> Allowance:
    """Open a gated page: counted once per code per period; refused past `limit` codes."""
    now = now or timezone.now()
    key = period_key(period, now)
    resets = period_end(period, now)
    remembered = _seen.get((subject, code, key))
    if remembered is not None and remembered[0] > time.monotonic():
        return Allowance(True, remembered[1], limit, resets)
    ok, used, new = _open_gated(subject, code, key, limit, period, now)
    if ok:
        _remember_seen((subject, code, key), used)
    return Allowance(ok, used, limit, resets, newly_counted=new)


def _open_gated(
    subject: str, code: str, key: str, limit: int | None, period: str, now: dt.datetime
) -> tuple[bool, int, bool]:
    client = redis_state.get()
    if client is not None:
        try:
            ok, used, new = redis_state.scripts["gated"](
                keys=[_rkey("gv", subject, key), _rkey("n", GATED, subject, key)],
                args=[code, -1 if limit is None else limit, _keep(period)],
            )
            return bool(ok), int(used), bool(new)
        except _redis_errors() as exc:
            redis_state.failed(exc)
    return _db_open_gated(subject, code, key, limit, now)


def used(subject: str, kind: str, *, period: str, now: dt.datetime | None = None) -> int:
    """How much of `kind` the subject has used in the current period."""
    key = period_key(period, now)
    client = redis_state.get()
    if client is not None:
        try:
            return int(client.get(_rkey("n", kind, subject, key)) or 0)
        except _redis_errors() as exc:
            redis_state.failed(exc)
    return _db_used(subject, kind, key)


def daily_usage(
    subject: str, kind: str, *, days: int, now: dt.datetime | None = None
) -> list[tuple[dt.date, int]]:
    """Use per day over the last `days` days (today last), for the account page."""
    today = timezone.localtime(now or timezone.now()).date()
    dates = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    keys = [d.isoformat() for d in dates]
    client = redis_state.get()
    if client is not None:
        try:
            values = client.mget([_rkey("n", kind, subject, k) for k in keys])
            return [(d, int(v or 0)) for d, v in zip(dates, values, strict=True)]
        except _redis_errors() as exc:
            redis_state.failed(exc)
    found = dict(
        UsageCounter.objects.filter(subject=subject, kind=kind, period__in=keys).values_list(
            "period", "count"
        )
    )
    return [(d, found.get(k, 0)) for d, k in zip(dates, keys, strict=True)]


# Quotas for CasePilot and CaseConsultant ------------------------------------------------------


def check_quota(request_or_user: Any, kind: str, *, dry_run: bool = False) -> Allowance:
    """Whether the requester may ask one more CasePilot question / send one more consult email.

    See the module docstring. Raises ValueError for an unknown kind.
    """
    if kind not in _QUOTAS:
        raise ValueError(f"unknown quota {kind!r}; use one of {sorted(_QUOTAS)}")
    field, period, noun = _QUOTAS[kind]
    now = timezone.now()
    if not settings.MEDCODE_METERING:
        return Allowance(True, 0, None, period_end(period, now), QUOTA_UNLIMITED.format(noun=noun))
    if isinstance(request_or_user, HttpRequest):
        viewer = who_is(request_or_user, remember=not dry_run)
    else:
        viewer = user_viewer(request_or_user)
    limit: int | None = None if viewer.is_staff else getattr(viewer.plan, field)
    subject = _subject(viewer)
    if not dry_run:
        result = consume(subject, kind, limit=limit, period=period, now=now)
    else:
        n = used(subject, kind, period=period, now=now)
        result = Allowance(limit is None or n < limit, n, limit, period_end(period, now))
    return _with_message(result, viewer, noun, period)


def _subject(viewer: Viewer) -> str:
    # An API key's questions count against its owner, like the owner's own.
    return f"user:{viewer.user_id}" if viewer.user_id is not None else viewer.subject


def _with_message(result: Allowance, viewer: Viewer, noun: str, period: str) -> Allowance:
    when = "today" if period == Period.DAY else "this month"
    if result.limit is None:
        message = QUOTA_UNLIMITED.format(noun=noun)
    elif result.allowed:
        message = QUOTA_LEFT.format(remaining=result.remaining, noun=noun, when=when)
    else:
        resets = timezone.localtime(result.resets_at)
        message = QUOTA_REACHED.format(
            limit=result.limit,
            noun=noun,
            plan=viewer.plan.name,
            when=when,
            resets="tomorrow" if period == Period.DAY else f"on {resets:%B} {resets.day}",
            upgrade=UPGRADE_GUEST if viewer.is_guest else UPGRADE_USER,
        )
    return Allowance(
        result.allowed, result.used, result.limit, result.resets_at, message, result.newly_counted
    )
