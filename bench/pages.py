"""Code page throughput: medcode (`medcode serve`) beside Datasette, measured with wrk.

Prints JSON: requests/s, p50 and p99 latency of
- medcode's HTML code page (/codes/<code>/) and its JSON twin (/api/v1/codes/<code>),
- Datasette's row page and row JSON for the same code rows, copied into an SQLite file,
each rotating over the same codes, at the same concurrency, in the same run. A "long tail"
pair rotates over many codes (most requests miss medcode's per-process page cache), and a
"no page cache" run restarts medcode with its page caches off (bench/pages_settings.py)
to show the cold cost.

Needs a database holding the shared data (DATABASE_URL), wrk (apt-get install wrk) and
Datasette in the virtualenv (`pip install -e ".[bench]"`; not a runtime dependency).

    DATABASE_URL=sqlite:////tmp/pages.sqlite3 .venv/bin/python bench/pages.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from medcode.ops.serve import DEFAULT_THREADS, default_workers  # noqa: E402
from tests.ports import free_port  # noqa: E402

DEFAULT_CODES = "63650,S72.001A,E0114,0SR90J9,99213"
CODE_COLUMNS = (
    "id",
    "release_id",
    "system",
    "code",
    "display",
    "short_description",
    "long_description",
    "is_billable",
    "level",
    "parent",
    "chapter",
    "section",
    "added_on",
    "action_on",
    "terminated_on",
    "action_code",
    "attributes",
)


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited ({process.returncode}) before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"no answer from {url} within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pick_rows(codes: list[str]) -> list[tuple[str, int]]:
    """(page path code, Code row id in force today) for each benchmark code."""
    import datetime as dt

    from medcode.codes.models import Code
    from medcode.codes.queries import lookup_code

    picked = []
    for text in codes:
        found = lookup_code(text, system=None, on=dt.date.today())
        if found.page is None:
            raise SystemExit(f"{text} has no page in this database: load the shared data first")
        page = found.page
        row = (
            Code.objects.filter(system=page.system, code=page.code)
            .order_by("-release__effective_from", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        if row is None:
            raise SystemExit(f"{text} has no code row to compare with Datasette")
        picked.append((page.display, row))
    return picked


def long_tail_rows(count: int, seed: int = 7) -> list[tuple[str, int]]:
    """A spread of codes across the current code sets, as (display, row id)."""
    from medcode.codes.models import Code, Release

    current = list(
        Release.objects.filter(is_current=True, row_counts__has_key="codes")
        .exclude(code_system="POS")
        .values_list("pk", flat=True)
    )
    rows = list(Code.objects.filter(release_id__in=current).values_list("display", "pk"))
    random.Random(seed).shuffle(rows)
    seen: set[str] = set()
    picked = []
    for display, pk in rows:
        if display not in seen:
            seen.add(display)
            picked.append((display, pk))
        if len(picked) == count:
            break
    return picked


def copy_code_rows(target: Path) -> int:
    """The code store's Code rows into a plain SQLite table `codes` for Datasette."""
    from medcode.codes.models import Code

    connection = sqlite3.connect(target)
    columns = ", ".join(CODE_COLUMNS)
    connection.execute(
        f"CREATE TABLE codes ({columns.replace('id,', 'id INTEGER PRIMARY KEY,', 1)})"
    )
    rows = Code.objects.order_by("pk").values_list(*CODE_COLUMNS)
    count = 0
    batch: list[tuple[Any, ...]] = []
    for row in rows.iterator(chunk_size=20_000):
        batch.append(tuple(json.dumps(v) if isinstance(v, dict) else v for v in row))
        if len(batch) == 20_000:
            connection.executemany(
                f"INSERT INTO codes VALUES ({','.join('?' * len(CODE_COLUMNS))})", batch
            )
            count += len(batch)
            batch = []
    connection.executemany(f"INSERT INTO codes VALUES ({','.join('?' * len(CODE_COLUMNS))})", batch)
    count += len(batch)
    connection.execute("CREATE INDEX codes_code ON codes (code)")
    connection.commit()
    connection.close()
    return count


def lua_rotation(paths: list[str], folder: Path, name: str) -> Path:
    script = folder / f"{name}.lua"
    listed = ",\n".join(json.dumps(p) for p in paths)
    script.write_text(
        "local paths = {\n" + listed + "\n}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format('GET', paths[i])\n"
        "end\n"
    )
    return script


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> dict[str, Any]:
    def latency(percent: str) -> float | None:
        found = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, flags=re.M)
        return round(float(found.group(1)) * UNITS[found.group(2)], 2) if found else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    requests = re.search(r"(\d+) requests in", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:(.*)", output)
    return {
        "requests_per_second": float(rps.group(1)) if rps else None,
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "requests": int(requests.group(1)) if requests else None,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def run_wrk(
    base: str,
    paths: list[str],
    folder: Path,
    name: str,
    args: argparse.Namespace,
    duration: int,
    *,
    server_pid: int = 0,
    measure: bool = True,
) -> dict[str, Any]:
    script = lua_rotation(paths, folder, name)
    cpu_before = process_tree_cpu_seconds(server_pid) if server_pid else 0.0
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(script),
        base,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    if not measure:
        return {}
    result = parse_wrk(done.stdout)
    result["paths"] = len(paths)
    if server_pid and result["requests"]:
        used = process_tree_cpu_seconds(server_pid) - cpu_before
        # Server CPU per request: comparable across runs however busy the machine is.
        result["server_cpu_ms_per_request"] = round(used * 1000 / result["requests"], 3)
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    return result


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and all its descendants, living or reaped (from
    /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        # utime + stime, plus cutime + cstime: the CPU of children already reaped (a worker
        # replaced during a round would otherwise take its CPU out of the sum).
        times[int(entry.name)] = sum(int(f) for f in fields[11:15]) / CLOCK_TICKS
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(times.get(pid, 0.0) for pid in tree)


def median_round(found: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median requests/s (its latencies come with it)."""
    ordered = sorted(found, key=lambda r: r["requests_per_second"] or 0)
    chosen = dict(ordered[len(ordered) // 2])
    chosen["rounds_requests_per_second"] = [r["requests_per_second"] for r in found]
    cpu = sorted(r["server_cpu_ms_per_request"] for r in found if "server_cpu_ms_per_request" in r)
    if cpu:
        chosen["server_cpu_ms_per_request"] = cpu[len(cpu) // 2]
    return chosen


def start_datasette(database: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "datasette"),
            "serve",
            "--immutable",
            str(database),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_medcode(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "medcode.cli", "serve", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for(f"http://127.0.0.1:{port}/healthz", process)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--codes", default=DEFAULT_CODES, help="comma-separated codes")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=8, help="seconds of warm-up per target")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per target")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (0: medcode serve's default)"
    )
    parser.add_argument("--long-tail", type=int, default=3000, help="codes in the long-tail run")
    parser.add_argument("--skip-cold", action="store_true", help="skip the no-page-cache server")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if shutil.which("datasette", path=str(Path(sys.executable).parent)) is None:
        raise SystemExit(
            "datasette is not installed in this virtualenv (pip install -e '.[bench]')"
        )

    setup_django()
    codes = [c.strip() for c in args.codes.split(",") if c.strip()]
    rows = pick_rows(codes)
    tail = long_tail_rows(args.long_tail)
    folder = Path(tempfile.mkdtemp(prefix="medcode-bench-"))
    datasette_db = folder / "codes.db"
    copied = copy_code_rows(datasette_db)

    env = {
        **os.environ,
        "MEDCODE_METERING": "off",
        "MEDCODE_DEBUG": "off",
        "MEDCODE_LOG_LEVEL": "WARNING",
    }
    cold_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "pages_settings",
        "PYTHONPATH": str(ROOT / "bench"),
    }
    servers: list[subprocess.Popen[bytes]] = []
    try:
        port = free_port()
        servers.append(start_medcode(env, port, args.workers))
        medcode = (f"http://127.0.0.1:{port}", servers[-1].pid)
        cold = ("", 0)
        if not args.skip_cold:
            port = free_port()
            servers.append(start_medcode(cold_env, port, args.workers))
            cold = (f"http://127.0.0.1:{port}", servers[-1].pid)
        port = free_port()
        servers.append(start_datasette(datasette_db, port))
        datasette = (f"http://127.0.0.1:{port}", servers[-1].pid)
        wait_for(f"{datasette[0]}/codes/codes/{rows[0][1]}", servers[-1])

        html_paths = [f"/codes/{display}/" for display, _ in rows]
        json_paths = [f"/api/v1/codes/{display}" for display, _ in rows]
        targets = {
            "medcode_html": (medcode, html_paths),
            "datasette_row_html": (datasette, [f"/codes/codes/{pk}" for _, pk in rows]),
            "medcode_json": (medcode, json_paths),
            "datasette_row_json": (datasette, [f"/codes/codes/{pk}.json" for _, pk in rows]),
            "medcode_html_long_tail": (medcode, [f"/codes/{d}/" for d, _ in tail]),
            "datasette_row_html_long_tail": (datasette, [f"/codes/codes/{pk}" for _, pk in tail]),
        }
        if cold[0]:
            targets["medcode_html_no_page_cache"] = (cold, html_paths)
            targets["medcode_json_no_page_cache"] = (cold, json_paths)
        # Every gunicorn worker loads the app and fills its caches on first use: warm them all.
        for name, ((base, _), paths) in targets.items():
            if "long_tail" not in name:
                run_wrk(base, paths, folder, name, args, args.warmup, measure=False)
        # Rounds alternate medcode and Datasette so background load hits both alike.
        rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, ((base, pid), paths) in targets.items():
                rounds[name].append(
                    run_wrk(base, paths, folder, name, args, args.duration, server_pid=pid)
                )
        results = {name: median_round(found) for name, found in rounds.items()}
    finally:
        for server in servers:
            stop(server)

    def ratio(a: str, b: str, key: str = "requests_per_second") -> float | None:
        if a not in results or b not in results:
            return None
        x, y = results[a].get(key), results[b].get(key)
        return round(x / y, 2) if x and y else None

    from django.conf import settings

    report = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "cpu_count": os.cpu_count(),
        # What `medcode serve` ran with (its defaults unless --workers or MEDCODE_WEB_* say).
        "medcode_workers": args.workers
        or int(os.environ.get("MEDCODE_WEB_WORKERS") or default_workers()),
        "medcode_threads": int(os.environ.get("MEDCODE_WEB_THREADS") or DEFAULT_THREADS),
        "connections": args.connections,
        "wrk_threads": args.threads,
        "duration_seconds": args.duration,
        "rounds": args.rounds,
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        "codes": [display for display, _ in rows],
        "datasette_rows": copied,
        "results": results,
        "html_vs_datasette_row_html": ratio("medcode_html", "datasette_row_html"),
        "json_vs_datasette_row_json": ratio("medcode_json", "datasette_row_json"),
        "long_tail_html_vs_datasette": ratio(
            "medcode_html_long_tail", "datasette_row_html_long_tail"
        ),
        # Datasette's CPU per request over medcode's: how many times more requests medcode
        # serves per CPU second (independent of other load on the machine).
        "html_cpu_efficiency_vs_datasette": ratio(
            "datasette_row_html", "medcode_html", "server_cpu_ms_per_request"
        ),
        "json_cpu_efficiency_vs_datasette": ratio(
            "datasette_row_json", "medcode_json", "server_cpu_ms_per_request"
        ),
        # The same for the long tail: steadier than requests/s on a busy or noisy machine. It is
        # not the requests/s ratio: medcode's two workers kept 1.9 cores busy where Datasette's
        # one process kept 1.1 (577.93 req/s x 3.224 ms, 196.57 x 5.727 ms, 2026-12-07).
        "long_tail_cpu_efficiency_vs_datasette": ratio(
            "datasette_row_html_long_tail", "medcode_html_long_tail", "server_cpu_ms_per_request"
        ),
    }
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
