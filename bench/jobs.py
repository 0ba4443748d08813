"""CareerCenter search speed: 50,000 generated postings, words plus two filters.

    .venv/bin/python bench/jobs.py [--postings 50000] [--queries 400] \
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] > bench-jobs.json

For each database (a fresh SQLite file, and PostgreSQL when --postgres names a server to
create a scratch database on), the same seeded postings and queries are measured in one run:
- search: `find_postings` + the first page (count and 20 rows with their credentials), i.e.
  what /jobs/ and GET /api/v1/jobs run (FTS5 or tsvector + filters + newest first);
- page: the whole GET /jobs/?q=...&mode=...&credential=... through Django (test client,
  no network), HTML rendered;
- icontains: the same query written as a plain ORM filter (title, company or description
  icontains the word; same filters, order and page) — the baseline without a full-text index.
Each: p50/p99 ms and requests/s for one client, and this process's CPU per request (for
SQLite that is all the work, so it shows the cost apart from a busy machine). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

WORDS = [
    "coder", "coding", "inpatient", "outpatient", "auditor", "denials", "HCC", "DRG", "CDI",
    "surgery", "oncology", "cardiology", "radiology", "emergency", "profee", "billing",
    "compliance", "abstraction", "telehealth", "pediatric", "orthopedic", "anesthesia",
    "modifier", "E/M", "chargemaster", "revenue", "education", "validation", "trauma",
]  # fmt: skip
FILLER_TEXT = (
    "Review documentation and assign ICD-10-CM, ICD-10-PCS, CPT and HCPCS codes. Query "
    "providers when the record is unclear, follow official guidelines and payer policy, "
    "meet productivity and accuracy targets, and work with the revenue cycle team on edits. "
    "Benefits include paid time off, continuing education units and credential fees."
)
FILLER = FILLER_TEXT.split()
TITLES = ["Medical coder", "Coding specialist", "Coding auditor", "Coding educator",
          "Risk adjustment coder", "Inpatient coder", "Outpatient coder", "Pro-fee coder",
          "CDI specialist", "Denials analyst", "Coding validator", "Surgery coder"]  # fmt: skip
COMPANIES = [f"{a} {b}" for a in ("Lakeside", "Northwind", "Peak", "Metro", "Summit", "Harbor",
             "Prairie", "Valley", "Coastal", "Cedar") for b in ("Health", "Medical Group",
             "Billing", "Clinic", "Hospital", "Partners")]  # fmt: skip
CITIES = [("Austin", "TX"), ("Dallas", "TX"), ("Denver", "CO"), ("Tampa", "FL"),
          ("Columbus", "OH"), ("Phoenix", "AZ"), ("Raleigh", "NC"), ("Seattle", "WA"),
          ("Boston", "MA"), ("Nashville", "TN"), ("Omaha", "NE"), ("Portland", "OR")]  # fmt: skip


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 2)


def measure(run: Callable[[Any], Any], queries: Sequence[Any]) -> dict[str, float]:
    for query in queries[:10]:
        run(query)  # warm caches and the page cache
    times, cpu = [], []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        run(query)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "n": len(times),
        "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99),
        "mean_ms": round(statistics.fmean(times), 2),
        "requests_per_second": round(1000 / statistics.fmean(times), 1),
        # This process's CPU (all of SQLite's work; not the PostgreSQL server's): the cost
        # without waiting for a busy machine's CPUs.
        "cpu_p50_ms": percentile(cpu, 50),
        "cpu_p99_ms": percentile(cpu, 99),
    }


def generate(count: int, rng: random.Random) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from medcode.jobs.models import (
        Credential,
        Employer,
        EmploymentType,
        Posting,
        PostingCredential,
        Specialty,
        WorkMode,
    )
    from medcode.jobs.search import facets_of

    user = get_user_model().objects.create_user("bench", "bench@example.com", "x")
    employer = Employer.objects.create(user=user, company="Bench Health")
    now = timezone.now()
    today = timezone.localdate()
    credentials = [c.value for c in Credential]
    batch: list[Posting] = []
    chosen: list[list[str]] = []

    def flush() -> None:
        for posting, credentials_ in zip(batch, chosen, strict=True):
            posting.search_facets = facets_of(posting, credentials_)
        made = Posting.objects.bulk_create(batch)
        PostingCredential.objects.bulk_create(
            PostingCredential(posting=p, credential=c)
            for p, cs in zip(made, chosen, strict=True)
            for c in cs
        )
        batch.clear()
        chosen.clear()

    for _ in range(count):
        city, state = rng.choice(CITIES)
        low = rng.randrange(38_000, 90_000, 1000)
        words = [rng.choice(FILLER) for _ in range(rng.randint(150, 260))]
        for _ in range(6):
            words.insert(rng.randrange(len(words)), rng.choice(WORDS))
        batch.append(
            Posting(
                employer=employer,
                title=f"{rng.choice(TITLES)} ({rng.choice(WORDS)})",
                company=rng.choice(COMPANIES),
                city=city,
                state=state,
                work_mode=rng.choice([m.value for m in WorkMode]),
                employment_type=rng.choice([t.value for t in EmploymentType]),
                specialty=rng.choice([s.value for s in Specialty]),
                experience_years=rng.randint(0, 6),
                salary_min=Decimal(low),
                salary_max=Decimal(low + rng.randrange(0, 20_000, 1000)),
                annual_salary_min=low,
                annual_salary_max=low + 10_000,
                description=" ".join(words),
                apply_url="https://careers.example.org/jobs/1",
                status="live",
                posted_at=now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 60)),
                expires_on=today + dt.timedelta(days=rng.randint(1, 60)),
            )
        )
        chosen.append(rng.sample(credentials, rng.randint(1, 3)))
        if len(batch) == 2000:
            flush()
    if batch:
        flush()


def run_one(database_url: str, postings: int, queries: int) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Exists, OuterRef, Q
    from django.test import Client

    from medcode.jobs.models import Credential, Posting, PostingCredential, WorkMode
    from medcode.jobs.search import JobQuery, find_postings, page_of, rebuild_index

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    rng = random.Random(20261123)
    started = time.perf_counter()
    generate(postings, rng)
    rebuild_index()  # SQLite: optimize the FTS5 b-trees; PostgreSQL: ANALYZE
    generated = time.perf_counter() - started

    modes = [m.value for m in WorkMode]
    credentials = [c.value for c in Credential]
    asked = [
        JobQuery(
            words=rng.choice(WORDS),
            work_modes=(rng.choice(modes),),
            credentials=(rng.choice(credentials),),
        )
        for _ in range(queries)
    ]

    def search(query: JobQuery) -> int:
        page = page_of(find_postings(query), 1)
        list(page.object_list)
        return page.paginator.count

    def icontains(query: JobQuery) -> int:
        word = query.words
        wanted = PostingCredential.objects.filter(
            posting=OuterRef("pk"), credential__in=query.credentials
        )
        postings_ = (
            Posting.objects.live()
            .filter(
                Q(title__icontains=word)
                | Q(company__icontains=word)
                | Q(description__icontains=word),
                Exists(wanted),
                work_mode__in=query.work_modes,
            )
            .order_by("-posted_at", "-id")
            .select_related("employer")
            .prefetch_related("credentials")
        )
        page = page_of(postings_, 1)  # type: ignore[arg-type]
        list(page.object_list)
        return page.paginator.count

    client = Client()

    def page_request(query: JobQuery) -> int:
        response = client.get("/jobs/", dict(query.to_params()))
        assert response.status_code == 200, response.status_code
        return len(response.content)

    found = [search(q) for q in asked[:50]]
    found_plain = [icontains(q) for q in asked[:50]]
    return {
        "database": connection.vendor,
        "postings": postings,
        "generate_seconds": round(generated, 1),
        "query_shape": "one word + work mode + credential, newest first, page 1 of 20",
        "mean_matches_fts": round(statistics.fmean(found)),
        "mean_matches_icontains": round(statistics.fmean(found_plain)),
        "search": measure(search, asked),
        "page": measure(page_request, asked[: max(50, queries // 4)]),
        "icontains": measure(icontains, asked[: max(50, queries // 4)]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postings", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--postgres", default="", help="admin URL of a PostgreSQL server")
    parser.add_argument("--run-one", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        print(json.dumps(run_one(args.run_one, args.postings, args.queries)))
        return

    results = []
    with tempfile.TemporaryDirectory() as work:
        urls = [f"sqlite:///{Path(work) / 'jobs.sqlite3'}"]
        scratch = ""
        if args.postgres:
            import psycopg

            scratch = f"medcode_jobs_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{scratch}"')
            urls.append(args.postgres.rsplit("/", 1)[0] + f"/{scratch}")
        try:
            for url in urls:
                env = {**os.environ, "MEDCODE_VAR_DIR": work}
                out = subprocess.run(
                    [sys.executable, __file__, "--run-one", url, "--postings", str(args.postings),
                     "--queries", str(args.queries)],
                    env=env, cwd=REPO, capture_output=True, text=True, check=False,
                )  # fmt: skip
                if out.returncode != 0:
                    raise SystemExit(out.stderr[-4000:])
                results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        finally:
            if scratch:
                with psycopg.connect(args.postgres, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    print(json.dumps({
        "target_p99_ms": 50,
        "cpus": os.cpu_count(),
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "runs": results,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
