"""Benchmark: what computing the diff at import adds to the largest import (a second PTP quarter),
and how fast /api/v1/changes answers.

A second practitioner PTP quarter is written from the 2024Q3 file (every 500th row dropped,
every 700th row's modifier indicator changed, every 900th row's column 2 changed: a new pair
and an ended one), imported through `import_file` (which computes and stores the diff), timed,
and then deleted again. As each import of a PTP table stores its rows grouped by column 1
for the next quarter's diff, the 2024Q3 groups are stored first (untimed: its own import
would have stored them). Before the new release is deleted, the same diff is computed again
three ways, each timed in wall and CPU seconds in this run so they read side by side under
the same load: grouped with the older side stored (what an import does), grouped with both
sides read from the table, and the one-statement UNION ALL/GROUP BY query (the reference).
The database is written: point DATABASE_URL at a copy that holds the 2024Q3 practitioner
table. Prints one JSON document. Run from the repository root:

    DATABASE_URL=sqlite:////work/var/copy.sqlite3 MEDCODE_DATA_DIR=../shared/data \
        .venv/bin/python bench/diff.py [--ptp FILE] [--requests 200]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def write_next_quarter(source: Path, folder: Path) -> Path:
    """The 2024Q3 shared CSV as a 2024Q4 release with known changes."""
    target = folder / "ncci_ptp_practitioner_2024q4.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8", newline="") as src:
        rows = list(csv.reader(src))
    header, body = rows[0], rows[1:]
    c2 = header.index("column_2")
    mi = header.index("modifier_indicator")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for n, row in enumerate(body, start=1):
        if n % 500 == 0:
            continue
        if n % 700 == 0:
            row[mi] = "9" if row[mi] != "9" else "1"
        if n % 900 == 0:
            row[c2] = "Z" + row[c2][1:]
        writer.writerow(row)
    with gzip.open(target, "wt", encoding="utf-8", newline="") as fh:
        fh.write(out.getvalue())
    return target


def time_import(path: Path) -> dict[str, Any]:
    from medcode.changes import services
    from medcode.changes.families import BY_NAME
    from medcode.changes.models import ReleaseDiff
    from medcode.codes.models import Release
    from medcode.codes.services import import_file

    family = BY_NAME["ncci_ptp_practitioner"]
    services.keep_groups(family, services.sides_of(family))

    started, cpu = time.perf_counter(), time.process_time()
    result = import_file(path)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    try:
        diff = ReleaseDiff.objects.get(to_release_id=result.release_id)
        without = seconds - diff.seconds
        methods = time_methods(diff)
        grouped_cpu = methods["grouped"]["cpu_seconds"]
        return {
            "rows": result.row_counts,
            "import_seconds_with_diff": round(seconds, 2),
            "import_cpu_seconds_with_diff": round(cpu_seconds, 2),
            "diff_seconds": diff.seconds,
            "diff_adds_percent": round(diff.seconds / without * 100, 1),
            # CPU is less at the mercy of the other processes on the machine than wall time.
            "diff_adds_percent_cpu": round(grouped_cpu / (cpu_seconds - grouped_cpu) * 100, 1),
            "diff_counts": diff.counts,
            "methods": methods,
        }
    finally:
        Release.objects.filter(pk=result.release_id).delete()


def time_methods(diff: Any) -> dict[str, dict[str, float]]:
    """The stored diff computed again: grouped (older side stored, or neither), one query."""
    from medcode.changes import services
    from medcode.changes.families import BY_NAME
    from medcode.changes.models import GroupRows

    family = BY_NAME[diff.family]
    old, new = (s for s in services.sides_of(family) if s.key in (diff.from_ids, diff.to_ids))
    found: dict[str, dict[str, float]] = {}
    ways = (
        ("grouped", True, new.ids),
        ("grouped_neither_side_stored", True, (*old.ids, *new.ids)),
        ("one_query_reference", False, ()),
    )
    for name, grouped, unstored in ways:
        GroupRows.objects.filter(release_id__in=unstored).delete()
        variant = dataclasses.replace(family, grouped=grouped)
        started, cpu = time.perf_counter(), time.process_time()
        again = services.compute_diff(variant, old, new)
        found[name] = {
            "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
        }
        assert again.counts == diff.counts, (name, again.counts, diff.counts)
    return found


def time_api(requests: int) -> dict[str, Any]:
    from django.test import Client

    client = Client()
    queries = [
        {},
        {"codes": "63650,95972"},
        {"dataset": "ncci_aoc", "kind": "added", "page": "2"},
        {"since": "2026-01-01", "range": "636"},
        {"dataset": "pfs_rvu", "system": "CPT", "page_size": "100"},
    ]
    found: dict[str, Any] = {}
    for params in queries:
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get("/api/v1/changes", params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:300]
        times.sort()
        label = "&".join(f"{k}={v}" for k, v in params.items()) or "(no filter)"
        found[label] = {
            "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
            "count": response.json()["count"],
        }
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    data = Path(os.environ.get("MEDCODE_DATA_DIR") or REPO.parent / "shared" / "data")
    parser.add_argument("--ptp", type=Path, default=data / "ncci_ptp_practitioner_2024q3.csv.gz")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-import", action="store_true", help="time the API only")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
    os.environ["MEDCODE_METERING"] = "off"  # the API's own time, not the guest rate limit
    os.environ.setdefault("MEDCODE_ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    report: dict[str, Any] = {"load_average": os.getloadavg()}
    if not args.no_import:
        with tempfile.TemporaryDirectory() as folder:
            report["ptp_second_quarter"] = time_import(write_next_quarter(args.ptp, Path(folder)))
    report["api_changes"] = time_api(args.requests)
    report["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
