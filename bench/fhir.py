"""FHIR terminology latency beside medcode's own JSON API, in one run against one server.

Starts `medcode serve` (or uses --url) over DATABASE_URL and times, one request at a time on
a kept-alive connection, for the same codes and dates of service:
- GET /api/v1/codes/{code}?date=             (the JSON API: the baseline)
- GET /fhir/R4/CodeSystem/$lookup            (system, code, date)
- GET /fhir/R4/CodeSystem/$validate-code     (url, code, date)
- GET /fhir/R4/ValueSet/$expand              (implicit value set, filter, count=20)
- POST /fhir/R4/ (a batch Bundle of 20 $validate-code entries)
Each kind gets one untimed warm-up pass (caches fill as they would in service), then timed
passes; prints JSON with p50/p95/mean in ms and the FHIR/API ratios of the p50s.

    DATABASE_URL=sqlite:////work/var/dev.sqlite3 .venv/bin/python bench/fhir.py
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import wait_for  # the server start wait bench/pages.py already has

ROOT = Path(__file__).resolve().parent.parent
URIS = {
    "ICD10CM": "http://hl7.org/fhir/sid/icd-10-cm",
    "ICD10PCS": "http://www.cms.gov/Medicare/Coding/ICD10",
    "HCPCS": "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
}
FILTERS = (
    "fracture femur",
    "type 2 diabetes",
    "chest pain",
    "wheelchair",
    "pneumonia",
    "hip replacement",
    "asthma",
    "migraine",
    "crutches",
    "otitis media",
)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pick_codes(count: int, seed: int) -> list[tuple[str, str]]:
    """(system, printed code) from the current releases, the same every run."""
    from medcode.codes.models import Code, Release

    chosen: list[tuple[str, str]] = []
    share = {"ICD10CM": 0.6, "HCPCS": 0.2, "ICD10PCS": 0.2}
    rng = random.Random(seed)
    for system, part in share.items():
        release = (
            Release.objects.filter(code_system=system, row_counts__has_key="codes", is_current=True)
            .order_by("-effective_from")
            .first()
        )
        if release is None:
            continue
        displays = list(
            Code.objects.filter(release=release, system=system)
            .order_by("code")
            .values_list("display", flat=True)
        )
        chosen += [(system, d) for d in rng.sample(displays, min(len(displays), int(count * part)))]
    rng.shuffle(chosen)
    return chosen


class Session:
    """One kept-alive HTTP connection; returns (milliseconds, status, body)."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(
        self, method: str, path: str, body: bytes | None = None
    ) -> tuple[float, int, bytes]:
        headers = {"Accept": "application/fhir+json, application/json"}
        if body is not None:
            headers["Content-Type"] = "application/fhir+json"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        return (time.perf_counter() - started) * 1000, response.status, data


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
    }


def paths_for(system: str, code: str, date: str) -> dict[str, str]:
    uri = URIS[system]
    return {
        "api_code": f"/api/v1/codes/{code}?" + urlencode({"date": date, "system": system}),
        "fhir_lookup": "/fhir/R4/CodeSystem/$lookup?"
        + urlencode({"system": uri, "code": code, "date": date}),
        "fhir_validate": "/fhir/R4/CodeSystem/$validate-code?"
        + urlencode({"url": uri, "code": code, "date": date}),
    }


def batch_body(codes: list[tuple[str, str]], date: str) -> bytes:
    entries = [
        {
            "request": {
                "method": "GET",
                "url": paths_for(s, c, date)["fhir_validate"][len("/fhir/R4/") :],
            }
        }
        for s, c in codes
    ]
    return json.dumps({"resourceType": "Bundle", "type": "batch", "entry": entries}).encode()


def run(base: str, codes: list[tuple[str, str]], date: str, passes: int) -> dict[str, Any]:
    session = Session(base)
    times: dict[str, list[float]] = {}
    failures: dict[str, int] = {}

    def timed(
        kind: str, method: str, path: str, body: bytes | None = None, keep: bool = True
    ) -> None:
        ms, status, _ = session.request(method, path, body)
        if status >= 500 or (status >= 400 and kind != "api_code"):
            failures[kind] = failures.get(kind, 0) + 1
        if keep:
            times.setdefault(kind, []).append(ms)

    expand = [
        "/fhir/R4/ValueSet/$expand?"
        + urlencode({"url": f"{URIS['ICD10CM']}?fhir_vs", "filter": f, "count": "20", "date": date})
        for f in FILTERS
    ]
    batches = [codes[i : i + 20] for i in range(0, len(codes) - 19, 20)]
    for round_number in range(passes + 1):
        keep = round_number > 0  # the first pass warms the caches, as service would
        for system, code in codes:
            for kind, path in paths_for(system, code, date).items():
                timed(kind, "GET", path, keep=keep)
        for path in expand:
            timed("fhir_expand_filter", "GET", path, keep=keep)
        for chunk in batches:
            timed("fhir_batch_20", "POST", "/fhir/R4/", batch_body(chunk, date), keep=keep)
    result: dict[str, Any] = {kind: summary(found) for kind, found in times.items()}
    api = result["api_code"]["p50_ms"]
    result["ratio_lookup_to_api_p50"] = round(result["fhir_lookup"]["p50_ms"] / api, 2)
    result["ratio_validate_to_api_p50"] = round(result["fhir_validate"]["p50_ms"] / api, 2)
    result["failures"] = failures
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an already running medcode (default: start one)")
    parser.add_argument("--port", type=int, default=8737)
    parser.add_argument("--codes", type=int, default=200, help="codes sampled from the releases")
    parser.add_argument("--passes", type=int, default=3, help="timed passes after the warm-up")
    parser.add_argument("--date", default="2026-06-01", help="date of service of every request")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()

    setup_django()
    codes = pick_codes(args.codes, args.seed)
    process: subprocess.Popen[bytes] | None = None
    base = args.url
    with tempfile.TemporaryDirectory() as var:
        if base is None:
            env = {**os.environ, "MEDCODE_METERING": "off", "MEDCODE_VAR_DIR": var}
            command = [sys.executable, "-m", "medcode.cli", "serve", "--port", str(args.port)]
            command += ["--workers", "1", "--no-collectstatic"]
            process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            base = f"http://127.0.0.1:{args.port}"
            wait_for(f"{base}/healthz", process, seconds=90)
        try:
            result = run(base, codes, args.date, args.passes)
        finally:
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    result["settings"] = {
        "codes": len(codes),
        "passes": args.passes,
        "date": args.date,
        "server": "medcode serve --workers 1" if args.url is None else args.url,
        "database": os.environ.get("DATABASE_URL", "default"),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
