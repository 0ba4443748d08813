"""Abuse test: the worst requests of the outside security review, from several guests at once,
against `medcode serve`, while one more client reads code pages. Prints JSON.

    DATABASE_URL=sqlite:////path/full.sqlite3 .venv/bin/python bench/abuse.py \\
        [--attackers 4] [--duration 30] [--baseline 10] [--warmup 10] [--workers N --threads N]

The database must hold the shared data (`medcode data import`). On this machine only, over
loopback: `medcode serve` starts with metering on and MEDCODE_TRUSTED_PROXIES=127.0.0.1, so each
attacker is a different guest (its own X-Forwarded-For address). First the reader alone reads
code pages for --warmup seconds (not counted), then for --baseline seconds (the reference);
then --attackers clients send, back to back for --duration seconds, a 20,000-character note to
the note page and the note API, a 2,500-character search box query, and a claims batch of a few
thousand CSV lines, while the reader goes on. The JSON has the reader's p50/p99 (ms) in both
phases, and per attack how many requests were answered with which status: 413, 429 and 503 are
the limits (medcode.accounts.costs) doing their work.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import free_port, percentile, start_server, stop_server

NOTE = (
    "67 year old man with type 2 diabetes on metformin, essential hypertension and chronic "
    "kidney disease stage 3, seen for follow up; denies chest pain; family history of colon "
    "cancer. "
) * 110
LONG_QUERY = ("fracture of the neck of the right femur after a fall from a ladder " * 40)[:2500]
CODES = ["E11.9", "I10", "63650", "99214", "S72.001A", "J44.1", "M54.50", "G0101", "Z79.84"]


def batch_csv(lines: int) -> bytes:
    rows = ["claim_id,line,code,units,date_of_service,diagnoses"]
    rows += [f"c{n // 4},{n % 4 + 1},99213,1,2024-07-15,I10" for n in range(lines)]
    return ("\n".join(rows) + "\n").encode()


ATTACKS: dict[str, tuple[str, str, bytes, str]] = {
    "note page": (
        "POST",
        "/search/note",
        urlencode({"note": NOTE[:20000]}).encode(),
        "application/x-www-form-urlencoded",
    ),
    "note API": (
        "POST",
        "/api/v1/search/note",
        json.dumps({"text": NOTE[:20000]}).encode(),
        "application/json",
    ),
    "long search query": ("GET", "/search/?" + urlencode({"q": LONG_QUERY}), b"", ""),
    "claims batch": ("POST", "/api/v1/claims/check-batch", batch_csv(4000), "text/csv"),
}


def send(
    conn: http.client.HTTPConnection, method: str, path: str, body: bytes, ctype: str, ip: str
) -> int:
    headers = {"X-Forwarded-For": ip, "User-Agent": "Mozilla/5.0 (abuse bench)"}
    if ctype:
        headers["Content-Type"] = ctype
    conn.request(method, path, body=body or None, headers=headers)
    answer = conn.getresponse()
    answer.read()
    return answer.status


def attacker(port: int, ip: str, until: float, tally: dict[str, Counter[int]]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.monotonic() < until:
        for name, (method, path, body, ctype) in ATTACKS.items():
            if time.monotonic() >= until:
                break
            status = 0
            # The server closes a connection whose large body it refused unread, so a failure
            # is retried once on a new connection (else the next attack would go untested).
            for _ in range(2):
                try:
                    status = send(conn, method, path, body, ctype, ip)
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            tally[name][status] += 1
    conn.close()


def reader(port: int, until: float, latencies: list[float], statuses: Counter[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    n = 0
    while time.monotonic() < until:
        code = CODES[n % len(CODES)]
        n += 1
        started = time.perf_counter()
        try:
            statuses[send(conn, "GET", f"/codes/{code}/", b"", "", "192.0.2.250")] += 1
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            statuses[0] += 1
        latencies.append((time.perf_counter() - started) * 1000)
    conn.close()


def phase(port: int, seconds: float, attackers: int) -> dict[str, Any]:
    until = time.monotonic() + seconds
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    tally: dict[str, Counter[int]] = {name: Counter() for name in ATTACKS}
    threads = [threading.Thread(target=reader, args=(port, until, latencies, statuses))]
    threads += [
        threading.Thread(target=attacker, args=(port, f"198.51.100.{10 + n}", until, tally))
        for n in range(attackers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out: dict[str, Any] = {
        "reader": {
            "requests": len(latencies),
            "p50_ms": percentile(latencies, 0.5),
            "p99_ms": percentile(latencies, 0.99),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
        }
    }
    if attackers:
        out["attacks"] = {
            name: {str(k): v for k, v in sorted(counts.items())} for name, counts in tally.items()
        }
        limits = Counter[str]()
        for counts in tally.values():
            for status in (413, 429, 503):
                limits[str(status)] += counts.get(status, 0)
        out["limits_hit"] = dict(limits)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--baseline", type=float, default=10.0)
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds of reading first, not counted"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--target-p99-ms", type=float, default=250.0)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL to a database holding the shared data")
    env = {
        **os.environ,
        "MEDCODE_METERING": "on",
        "MEDCODE_TRUSTED_PROXIES": "127.0.0.1",
        "MEDCODE_LOG_LEVEL": "WARNING",
    }
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(args, env, port, Path(folder) / "server.log")
        try:
            # Fresh workers render each page once before caching it: not the reference.
            phase(port, args.warmup, 0)
            baseline = phase(port, args.baseline, 0)
            attacked = phase(port, args.duration, args.attackers)
        finally:
            stop_server(server)
    p99 = attacked["reader"]["p99_ms"]
    result = {
        "attackers": args.attackers,
        "duration_s": args.duration,
        "reference_reader_alone": baseline["reader"],
        "under_attack": attacked,
        "target_p99_ms": args.target_p99_ms,
        "target_met": p99 is not None and p99 < args.target_p99_ms,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
