"""Threads racing the meter against a real database (and Redis with --redis); prints JSON.

Run by test_race.py in a subprocess against a fresh migrated database of the suite's vendor:

    DATABASE_URL=... python -m medcode.accounts.tests.race --threads 24 [--redis URL]
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import uuid
from collections.abc import Callable
from typing import Any


def race(threads: int, work: Callable[[int], bool]) -> list[bool]:
    from django.db import connections

    barrier = threading.Barrier(threads)
    results: list[bool] = [False] * threads
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = work(n)
        except BaseException as exc:  # reported below, never swallowed
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=24)
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--redis", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
    os.environ["REDIS_URL"] = args.redis
    import django

    django.setup()
    from django.db import connection

    from medcode.accounts import metering
    from medcode.accounts.models import GatedView, UsageCounter
    from medcode.ops.sqlite3.base import kept_writer

    metering.KEY_PREFIX = f"medcode-race-{uuid.uuid4().hex[:8]}:"
    tag = uuid.uuid4().hex[:8]
    out: dict[str, Any] = {"vendor": django.db.connection.vendor, "redis": bool(args.redis)}

    subject = f"user:race-{tag}-a"
    allowed = race(
        args.threads,
        lambda n: metering.consume(subject, "race", limit=args.limit, period="day").allowed,
    )
    out["consume"] = {
        "allowed": sum(allowed),
        "counter": metering.used(subject, "race", period="day"),
    }

    subject = f"user:race-{tag}-b"
    allowed = race(
        args.threads,
        lambda n: metering.open_gated(subject, "CPT:63650", limit=1, period="month").allowed,
    )
    out["same_code"] = {
        "allowed": sum(allowed),
        "counter": metering.used(subject, metering.GATED, period="month"),
        "records": GatedView.objects.filter(subject=subject).count(),
    }

    subject = f"user:race-{tag}-c"
    allowed = race(
        args.threads,
        lambda n: (
            metering.open_gated(subject, f"CPT:{n}", limit=args.limit, period="month").allowed
        ),
    )
    out["many_codes"] = {
        "allowed": sum(allowed),
        "counter": metering.used(subject, metering.GATED, period="month"),
        "records": GatedView.objects.filter(subject=subject).count(),
    }
    subject, key = f"user:race-{tag}-d", f"key:race-{tag}-e"
    allowed = race(
        args.threads,
        lambda n: all(
            a.allowed
            for a in metering.consume_api(
                subject, per_minute=args.limit, per_day=1000, also_count=key
            )
        ),
    )
    minute_and_day = [
        metering.used(subject, kind, period=period)
        for kind, period in ((metering.API_MINUTE, metering.MINUTE), (metering.API_DAY, "day"))
    ]
    out["api"] = {
        "allowed": sum(allowed),
        "day_counter": minute_and_day[1],
        "key_counter": metering.used(key, metering.API_DAY, period="day"),
    }
    out["db_counters"] = UsageCounter.objects.filter(subject__contains=tag).count()
    # On SQLite the API counts went through the process's kept connection (ops.sqlite3).
    with kept_writer(connection) as kept:
        out["kept_writer"] = kept is not None
    if args.redis:
        client = metering.redis_state.get()
        for key in client.scan_iter(f"{metering.KEY_PREFIX}*"):
            client.delete(key)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
