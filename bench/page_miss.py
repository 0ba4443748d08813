"""CPU of a code page cache miss, in process: renders different codes' HTML pages through the
real WSGI handler and middleware (as gunicorn calls it), every page a miss of the page caches,
and prints the CPU milliseconds per page (time.process_time).

The codes are bench/pages.py's long tail (the same seed and order), after a warm-up on other
codes so the per-process tables are loaded. `--dump DIR` writes each page's HTML (the CSRF
token blanked) to compare before and after a change; `--profile FILE` writes a cProfile.

    DATABASE_URL=sqlite:////tmp/pages.sqlite3 .venv/bin/python bench/page_miss.py --count 500
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("63650", "S72.001A", "E0114", "0SR90J9", "99213", "50", "59", "XS")
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def call(handler: Any, path: str) -> tuple[int, bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "Mozilla/5.0 (bench)",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    status: list[str] = []

    def start_response(line: str, headers: list[Any], exc_info: Any = None) -> None:
        status.append(line)

    response = handler(environ, start_response)
    body = b"".join(response)
    if hasattr(response, "close"):
        response.close()
    return int(status[0].split()[0]), body


def forget() -> None:
    """Empty the caches a page is kept in (rendered pages, page data, Django's cache)."""
    from django.core.cache import caches

    from medcode.codes.page import cache as page_cache
    from medcode.ops import datacache

    page_cache.clear()
    datacache.reset()
    caches["default"].clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500, help="long-tail codes measured")
    parser.add_argument("--skip", type=int, default=0, help="start this far into the long tail")
    parser.add_argument("--warmup", type=int, default=60, help="other codes rendered first")
    parser.add_argument("--examples", action="store_true", help="also the example pages")
    parser.add_argument("--dump", type=Path, help="write each page's HTML into this folder")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the measured pages")
    parser.add_argument(
        "--codes-file",
        type=Path,
        help="the long tail's codes, one a line (as --write-codes wrote them), instead of "
        "reading them from the database (quicker under valgrind)",
    )
    parser.add_argument("--write-codes", type=Path, help="write the long tail's codes and stop")
    parser.add_argument(
        "--passes",
        type=int,
        default=1,
        help="render the codes this many times, emptying the page and data caches between "
        "passes, and keep each page's least CPU (steadier on a busy machine)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
    os.environ.setdefault("MEDCODE_METERING", "off")
    os.environ.setdefault("MEDCODE_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from pages import long_tail_rows

    from medcode.ops import warmup
    from medcode.ops.gunicorn_conf import gc_thresholds

    handler = WSGIHandler()
    # As a gunicorn worker starts (medcode.ops.gunicorn_conf), but for note mode's tables,
    # which a background thread would build while the pages are measured.
    warmup.warm_worker(note_mode=False)
    if args.codes_file:
        tail = args.codes_file.read_text().split()
    else:
        tail = [display for display, _ in long_tail_rows(3000)]
    if args.write_codes:
        args.write_codes.write_text("\n".join(tail) + "\n")
        return
    warm = tail[-args.warmup :] if args.warmup else []
    measured = tail[args.skip : args.skip + args.count]
    if args.examples:
        measured += list(EXAMPLES)
    for display in warm:
        call(handler, f"/codes/{display}/")
    gc.freeze()
    gc.set_threshold(*gc_thresholds())
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile() if args.profile else None
    least: dict[str, float] = {}
    first: list[float] = []
    statuses: dict[int, int] = {}
    for number in range(args.passes):
        if number:
            forget()
        for display in measured:
            started = time.process_time()
            if profiler:
                profiler.enable()
            code, body = call(handler, f"/codes/{display}/")
            if profiler:
                profiler.disable()
            cost = (time.process_time() - started) * 1000
            least[display] = min(cost, least.get(display, cost))
            if not number:
                first.append(cost)
                statuses[code] = statuses.get(code, 0) + 1
                if args.dump:
                    (args.dump / f"{display}.html").write_bytes(CSRF.sub(rb"\1-\2", body))
    if profiler and args.profile:
        profiler.dump_stats(args.profile)
    costs = list(least.values())
    first.sort()
    costs.sort()
    print(
        json.dumps(
            {
                "pages": len(costs),
                "statuses": statuses,
                "cpu_ms_mean": round(statistics.fmean(costs), 3),
                "cpu_ms_median": round(costs[len(costs) // 2], 3),
                "cpu_ms_p90": round(costs[int(len(costs) * 0.9)], 3),
                "cpu_ms_max": round(costs[-1], 3),
                "first_pass_cpu_ms_median": round(first[len(first) // 2], 3),
                "load_average_1m": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
