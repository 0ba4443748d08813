"""`medcode serve`: gunicorn with the settings a production server wants.

Workers default to one per CPU core, at least 2 (MEDCODE_WEB_WORKERS), with 8 threads each
(MEDCODE_WEB_THREADS; gunicorn's gthread worker): requests spend much of their time waiting on
the database, and bench/load.py measured 2 x 16 at 2.8 times the requests/second of 5
single-threaded workers on 2 cores. Fewer threads queue requests instead of sharing the GIL
among them, which shortens the tail: bench/load.py (64 connections, 60 s, 2026-12-07) gave
2 x 8 a worst-endpoint p99 of 358-370 ms on SQLite against 405-508 ms for 2 x 16 at the same
requests/s (723-762 against 604-752), and 398-466 ms against 513-613 ms on PostgreSQL (588-635
against 578-651 requests/s); 2 x 4 gave a similar tail at fewer requests/s, 2 x 2 a worse one.
Each thread may hold a database connection, so PostgreSQL's max_connections must exceed workers x
threads summed over app servers. The application is preloaded in the master, which also loads
the process-wide caches before forking (medcode.ops.warmup.warm_master; MEDCODE_WEB_PRELOAD=off
turns both off), static files are collected first when their sources changed, and Prometheus
samples go to PROMETHEUS_MULTIPROC_DIR (default VAR_DIR/prometheus), emptied at each start.
A worker is replaced after about a million requests (MEDCODE_WEB_MAX_REQUESTS; 0 never), rather
than every 40,000, which threw its kept pages away every 40 s or so under load.
The workers take turns at new connections and hand back kept-alive ones when they hold more
than their share (medcode.ops.balance). The access log is medcode's own request log (see
medcode.ops.middleware), one line per request, plain or JSON.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

GUNICORN_CONFIG = "python:medcode.ops.gunicorn_conf"
# Requests before a worker is replaced (a guard against slow leaks). A replaced worker starts
# with none of the pages and values its predecessor kept: at 5,000 per thread (40,000 a worker)
# a worker serving bench/pages.py's 1,000 requests/s was replaced after about 40 s of it, so its
# 3,000-code long tail was rendered again and again: 2.9-3.2x Datasette's requests/s, against
# 6.8-8.1x once workers kept their pages (with medcode.codes.page.cache's targets, 2026-12-07).
DEFAULT_MAX_REQUESTS = 1_000_000


def env_int(name: str, default: int, *, least: int = 1) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SystemExit(f"error: {name} must be a whole number, not {value!r}") from None
    if number < least:
        raise SystemExit(f"error: {name} must be {least} or more, not {number}")
    return number


DEFAULT_THREADS = 8


def default_workers() -> int:
    return max(2, os.cpu_count() or 1)


def env_on(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        return value in {"1", "true", "yes", "on"}
    raise SystemExit(f"error: {name} must be on or off, not {value!r}")


def add_server_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=os.environ.get("MEDCODE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MEDCODE_PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=env_int("MEDCODE_WEB_WORKERS", env_int("MEDCODE_WORKERS", default_workers())),
        help="worker processes (default: MEDCODE_WEB_WORKERS, else one per core, at least 2)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=env_int("MEDCODE_WEB_THREADS", DEFAULT_THREADS),
        help=f"threads per worker (default: MEDCODE_WEB_THREADS, else {DEFAULT_THREADS})",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=env_int("MEDCODE_WEB_MAX_REQUESTS", DEFAULT_MAX_REQUESTS, least=0),
        help=(
            "replace a worker after about this many requests, 0 never (default: "
            f"MEDCODE_WEB_MAX_REQUESTS, else {DEFAULT_MAX_REQUESTS:,})"
        ),
    )
    parser.add_argument(
        "--preload",
        action=argparse.BooleanOptionalAction,
        default=env_on("MEDCODE_WEB_PRELOAD", True),
        help="import the application once before forking workers (default: on)",
    )
    parser.add_argument(
        "--collectstatic",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="collect static files first when they changed (default: on)",
    )


def gunicorn_argv(args: argparse.Namespace) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "medcode.wsgi:application",
        "--config",
        GUNICORN_CONFIG,
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--timeout",
        "120",
        "--graceful-timeout",
        "20",
        # No control socket: it would live in the home folder, which a service user lacks.
        "--no-control-socket",
    ]
    if args.max_requests > 0:
        # Up to 5% more, so that the workers are not all replaced at once.
        jitter = max(1, args.max_requests // 20)
        argv += ["--max-requests", str(args.max_requests), "--max-requests-jitter", str(jitter)]
    if args.preload:
        argv.append("--preload")
    proxies = os.environ.get("MEDCODE_TRUSTED_PROXIES", "").strip()
    if proxies:
        argv += ["--forwarded-allow-ips", proxies]
    return argv


def prepare_metrics_dir(var_dir: Path) -> Path:
    """PROMETHEUS_MULTIPROC_DIR, created and emptied of the last run's samples."""
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or var_dir / "prometheus")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def serving_defaults() -> None:
    """Environment defaults for the server processes (an operator's own value wins)."""
    # gthread workers keep beating while a thread runs on: each request gets a hard budget.
    os.environ.setdefault("MEDCODE_REQUEST_BUDGET_SECONDS", "60")
    # Each worker already serves many requests on its threads, and workers are about one a
    # core: a BLAS thread pool per process for the vector math of note mode and meaning-aware
    # search only makes them fight for the cores (note mode CPU p50 0.53 -> 0.38 s a note).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def serve(args: argparse.Namespace, log: Any) -> int:
    from django.conf import settings

    for name in ("workers", "threads"):
        if getattr(args, name) < 1:
            print(f"error: --{name} must be 1 or more", file=sys.stderr)
            return 2
    if args.collectstatic:
        from medcode.ops.static import ensure_collected

        if ensure_collected():
            log(f"collected static files into {settings.STATIC_ROOT}")
    from medcode.ops.gunicorn_conf import gc_thresholds

    gc_thresholds()  # a malformed MEDCODE_GC_THRESHOLDS stops here, not in every worker
    from medcode.ops.startup import warn_at_start

    warn_at_start()
    prepare_metrics_dir(Path(settings.VAR_DIR))
    serving_defaults()
    argv = gunicorn_argv(args)
    log(
        f"serving on http://{args.host}:{args.port}/ with {args.workers} workers"
        f" x {args.threads} threads"
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)
    return 0  # pragma: no cover  (execv does not return)
