"""What metering costs: a gated code page with metering on beside the same page with it off.

Two `medcode serve` (gunicorn) servers on loopback share one database, one with
MEDCODE_METERING=on and one with it off; wrk measures each scenario against both, in
alternating rounds of the same run:
- guest:   the HTML code page as a guest who has already opened this code (the re-view path:
           identity hash, crawler check, "counted already?" lookup);
- user:    the HTML code pages (rotating over 5 codes) as a signed-in user on a metered plan;
- api_key: the JSON twin with an API key (key lookup, per-minute and per-day counters, the gate).
Prints one JSON document with requests/s per scenario and the overhead in percent, and the
servers' CPU time per request (read from /proc), which other load on the machine disturbs
far less than requests/s.

The database is a fresh SQLite file holding the sample releases (as the browser tests use),
unless --database-url names one already loaded, or --postgres names a server to make a scratch
database on. Redis counters are used when --redis is given.

    .venv/bin/python bench/metering.py [--duration 4] [--rounds 7] [--redis redis://127.0.0.1:6379/0]
        [--postgres postgres://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ports import free_port  # noqa: E402

GUEST_CODE = "63650"
USER_CODES = ["63650", "63655", "E0114", "S72.001A", "0SR90J9"]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


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


def cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "medcode.cli", *args], env=env, cwd=ROOT, check=True)


def prepare_database(env: dict[str, str], folder: Path) -> None:
    """Migrate and import the small sample releases into the database in env."""
    os.environ.update(env)
    import django

    django.setup()
    from medcode.codes.tests.sample_data import importable, write_samples

    cli(env, "manage", "migrate", "-v0")
    files = [str(p) for p in write_samples(folder / "data") if importable(p)]
    subprocess.run(
        [sys.executable, "-m", "medcode.cli", "data", "import", *files],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


IDENTITIES = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from medcode.accounts.keys import create_key
from medcode.accounts.models import Plan
from medcode.accounts.services import set_plan

# Metered like the free plan (5 code pages), with API limits no benchmark reaches.
plan, _ = Plan.objects.update_or_create(slug="bench", defaults=dict(
    name="Bench", gated_views=5, api_per_minute=10**9, api_per_day=10**9, is_listed=False))
user, _ = User.objects.get_or_create(username="bench", defaults={"email": "bench@example.org"})
set_plan(user, plan, source="bench")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(json.dumps({"session": session.session_key, "key": create_key(user, name="bench").secret}))
"""


def make_identities(env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "medcode.cli", "manage", "shell", "-c", IDENTITIES],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def start(env: dict[str, str], workers: int) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    command = [sys.executable, "-m", "medcode.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/healthz", process)
    return url, process


def lua(paths: list[str], headers: dict[str, str], folder: Path, name: str) -> Path:
    script = folder / f"{name}.lua"
    listed = ", ".join(json.dumps(p) for p in paths)
    header_lines = "".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n" for k, v in headers.items()
    )
    script.write_text(
        header_lines + f"local paths = {{{listed}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    return script


def cpu_seconds(master: int) -> float:
    """User+system CPU of a gunicorn master and its workers (robust to other load)."""
    pids = [master]
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(
    base: str, script: Path, args: argparse.Namespace, duration: int, master: int = 0
) -> dict[str, Any]:
    cpu_before = cpu_seconds(master) if master else 0.0
    done = subprocess.run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{duration}s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    cpu = cpu_seconds(master) - cpu_before if master else 0.0
    rps = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", done.stdout)
    requests = re.search(r"(\d+) requests in", done.stdout)
    count = int(requests.group(1)) if requests else 0
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "cpu_ms_per_request": round(1000 * cpu / count, 3) if count and master else None,
    }


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def check_gate(base: str, path: str, headers: dict[str, str], *, visible: bool) -> None:
    """The scenario really shows the gated part (a locked page would be a cheaper page)."""
    request = urllib.request.Request(base + path, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
    if body.startswith("{"):
        shown = bool(json.loads(body)["gate"]["visible"])
    else:
        shown = 'class="gated"' in body
    if shown != visible:
        raise SystemExit(
            f"{base}{path}: the gated part should be {'shown' if visible else 'hidden'}: "
            + body[:600]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a loaded database (default: samples)")
    parser.add_argument("--redis", default="", help="REDIS_URL for the metered server")
    parser.add_argument(
        "--postgres",
        default="",
        help="a PostgreSQL server URL (postgres://user@host:port): use a scratch database there",
    )
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    folder = Path(tempfile.mkdtemp(prefix="medcode-bench-metering-"))
    scratch = ""
    if args.postgres:
        import psycopg

        scratch = f"medcode_bench_{os.getpid()}"
        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{scratch}"')
    database_url = args.database_url or (
        f"{args.postgres}/{scratch}" if scratch else f"sqlite:///{folder / 'medcode.sqlite3'}"
    )
    base_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDCODE_VAR_DIR": str(folder / "var"),
        "MEDCODE_DEBUG": "off",
        "MEDCODE_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
        "REDIS_URL": "",
    }
    if not args.database_url:
        prepare_database(base_env, folder)
    ids = make_identities(base_env)
    on_env = {**base_env, "MEDCODE_METERING": "on", "REDIS_URL": args.redis}
    off_env = {**base_env, "MEDCODE_METERING": "off"}
    servers: list[subprocess.Popen[bytes]] = []
    try:
        on_url, process = start(on_env, args.workers)
        servers.append(process)
        off_url, process = start(off_env, args.workers)
        servers.append(process)
        browser = {"User-Agent": BROWSER}
        scenarios = {
            "guest": ([f"/codes/{GUEST_CODE}/"], browser),
            "user": (
                [f"/codes/{c}/" for c in USER_CODES],
                {**browser, "Cookie": f"sessionid={ids['session']}"},
            ),
            "api_key": (
                [f"/api/v1/codes/{GUEST_CODE}"],
                {**browser, "Authorization": f"Bearer {ids['key']}"},
            ),
        }
        results: dict[str, Any] = {}
        for name, (paths, headers) in scenarios.items():
            script = lua(paths, headers, folder, name)
            for url in (on_url, off_url):
                for path in paths:  # the first view of each code is counted here
                    check_gate(url, path, headers, visible=True)
                wrk(url, script, args, args.warmup)
            rounds: dict[str, list[dict[str, Any]]] = {"on": [], "off": []}
            masters = {"on": servers[0].pid, "off": servers[1].pid}
            for n in range(args.rounds):
                order = [("on", on_url), ("off", off_url)]
                for label, url in order if n % 2 == 0 else order[::-1]:
                    rounds[label].append(wrk(url, script, args, args.duration, masters[label]))
            for path in paths:  # still the full page after the run
                check_gate(on_url, path, headers, visible=True)
            on = median([r["rps"] for r in rounds["on"]])
            off = median([r["rps"] for r in rounds["off"]])
            # Rounds next to each other in time share the machine's load: compare them in pairs.
            paired = [
                100 * (b["rps"] - a["rps"]) / b["rps"]
                for a, b in zip(rounds["on"], rounds["off"], strict=True)
                if b["rps"]
            ]
            cpu_on = median([r["cpu_ms_per_request"] for r in rounds["on"]])
            cpu_off = median([r["cpu_ms_per_request"] for r in rounds["off"]])
            results[name] = {
                "metering_on_rps": on,
                "metering_off_rps": off,
                "overhead_percent": round(100 * (off - on) / off, 1) if off else None,
                "paired_overhead_percent": round(median(paired), 1) if paired else None,
                "cpu_ms_per_request_on": cpu_on,
                "cpu_ms_per_request_off": cpu_off,
                "cpu_overhead_percent": round(100 * (cpu_on - cpu_off) / cpu_off, 1),
                "rounds_on": [r["rps"] for r in rounds["on"]],
                "rounds_off": [r["rps"] for r in rounds["off"]],
                "non_2xx": sum(r["non_2xx"] for r in rounds["on"] + rounds["off"]),
                "paths": paths,
            }
        print(
            json.dumps(
                {
                    "database": "postgresql"
                    if "postgres" in base_env["DATABASE_URL"]
                    else "sqlite",
                    "redis": bool(args.redis),
                    "workers": args.workers,
                    "connections": args.connections,
                    "duration_s": args.duration,
                    "rounds": args.rounds,
                    "cpus": os.cpu_count(),
                    "scenarios": results,
                },
                indent=2,
            )
        )
    finally:
        for process in servers:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)
        if scratch:
            import psycopg

            with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


if __name__ == "__main__":
    main()
