"""Search speed on the loaded releases: the API beside the raw FTS5 floor and Datasette.

    DATABASE_URL=sqlite:////path/full.sqlite3 .venv/bin/python bench/search.py \
        --datasette /path/to/venv/bin/datasette > bench-search.json

1,000 mixed queries (codes, prefixes, ranges, clinical words, lay phrases, typos) are drawn
from the loaded documents with a fixed seed. Measured, all on this machine in one run:
- facade: `facade.search` in-process, per kind (p50/p99 ms), with the semantic step;
- api: GET /api/v1/search against gunicorn (2 workers), one client: p50/p99 ms, then
  requests/s with 4 concurrent clients, and the workers' resident memory;
- fts5_floor: the bare FTS5 MATCH + bm25 query for the word queries (sqlite3, no Django);
- datasette: its table search (`/db/codes.json?_search=`) over the same rows, FTS5 on title
  and synonyms: p50/p99 ms and requests/s with the same 4 clients.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")

from tests.ports import free_port  # noqa: E402

LAY = [
    "sugar diabetes with kidney problems",
    "power wheelchair",
    "spinal cord stimulator",
    "heart attack",
    "high blood pressure",
    "broken hip",
    "kidney stone",
    "shortness of breath",
    "belly pain",
    "pink eye",
    "bed sore",
    "blood thinner",
    "crutches",
    "hearing aid",
    "water pill",
    "sore throat",
    "high cholesterol",
    "underactive thyroid",
    "wheelchair cushion",
    "oxygen concentrator",
]
STOP = {"of", "the", "and", "with", "or", "for", "to", "in", "by", "on", "other", "unspecified"}


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 2)


def summary(ms: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "mean_ms": round(statistics.mean(ms), 2) if ms else 0.0,
    }


# ---------------------------------------------------------------- queries


def make_queries(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, query) pairs drawn from the loaded documents."""
    from medcode.search.models import Document

    rng = random.Random(seed)
    docs = list(
        Document.objects.current()
        .exclude(title="")
        .values_list("system", "code", "display", "title")
    )
    rng.shuffle(docs)
    queries: list[tuple[str, str]] = []
    kinds = ["code"] * 25 + ["prefix"] * 8 + ["range"] * 4 + ["words"] * 43 + ["lay"] * 12
    kinds += ["typo"] * 8
    for i in range(n):
        kind = kinds[i % len(kinds)]
        system, code, display, title = docs[i % len(docs)]
        words = [w for w in re.findall(r"[a-z]+", title.lower()) if w not in STOP and len(w) > 2]
        if kind == "code":
            q = rng.choice([display, code, display.lower()])
        elif kind == "prefix":
            q = display[: max(3, len(display) - 2)] if system == "ICD10CM" else code[:4]
        elif kind == "range":
            q = f"{code}-{code[:-1]}{'9' if code[-1].isdigit() else 'Z'}"
        elif kind == "lay":
            q = LAY[i % len(LAY)]
        elif kind == "typo" and words:
            w = max(words, key=len)
            j = rng.randrange(1, max(2, len(w) - 1))
            q = " ".join([*words[:1], w[:j] + w[j + 1 :]]) if len(words) > 1 else w[:j] + w[j + 1 :]
        else:
            start = rng.randrange(max(1, len(words) - 2)) if words else 0
            q = " ".join(words[start : start + rng.choice([1, 2, 2, 3, 3, 4])]) or title[:20]
            kind = "words"
        queries.append((kind, q))
    return queries


# ---------------------------------------------------------------- in-process


def time_facade(queries: list[tuple[str, str]], *, semantic: bool) -> dict[str, Any]:
    from medcode.search.facade import search

    for _, q in queries[:50]:  # warm caches, load vectors and the model
        search(q, semantic=semantic)
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, q in queries:
        started = time.perf_counter()
        search(q, semantic=semantic)
        by_kind[kind].append((time.perf_counter() - started) * 1000)
    out = {kind: summary(ms) for kind, ms in sorted(by_kind.items())}
    out["all"] = summary([m for ms in by_kind.values() for m in ms])
    word_kinds = ("words", "lay", "typo", "lay_set")
    out["word_queries"] = summary([m for k in word_kinds for m in by_kind.get(k, [])])
    return out


def time_fts_floor(db_path: str, queries: list[tuple[str, str]]) -> dict[str, Any]:
    """The bare FTS5 query (AND of the words, bm25, top 20) without Django or fusion."""
    from medcode.search.backends.sqlite_fts import render_match
    from medcode.search.facade import word_groups
    from medcode.search.querytext import parse_query

    connection = sqlite3.connect(db_path)
    ms = []
    for kind, q in queries:
        if kind not in ("words", "lay", "typo"):
            continue
        words = list(parse_query(q).words)
        if not words:
            continue
        match = render_match(word_groups(words), prefix_last=False, operator="AND")
        started = time.perf_counter()
        connection.execute(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT 20",
            [match],
        ).fetchall()
        ms.append((time.perf_counter() - started) * 1000)
    connection.close()
    return summary(ms)


# ---------------------------------------------------------------- over HTTP


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def sequential(urls: list[str]) -> dict[str, float]:
    for url in urls[:30]:
        fetch(url)
    return summary([fetch(url) for url in urls])


def throughput(urls: list[str], clients: int = 4, seconds: float = 15.0) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds

    def run(i: int) -> None:
        k = i
        while time.monotonic() < stop:
            fetch(urls[k % len(urls)])
            done[i] += 1
            k += clients

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return round(sum(done) / (time.monotonic() - started), 1)


def rss_mb(pids: list[int]) -> list[float]:
    sizes = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        if found:
            sizes.append(round(int(found.group(1)) / 1024, 1))
    return sizes


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def serve(argv: list[str], env: dict[str, str], url: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(url)
    except RuntimeError:
        process.kill()
        raise
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def time_api(queries: list[tuple[str, str]], workers: int) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MEDCODE_METERING": "off"}
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "medcode.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
    ]
    process = serve(argv, env, f"{base}/healthz")
    try:
        urls = [f"{base}/api/v1/search?{urllib.parse.urlencode({'q': q})}" for _, q in queries]
        for url in urls[: workers * 20]:  # every worker loads its vectors
            fetch(url)
        by_kind: dict[str, list[float]] = defaultdict(list)
        for (kind, _), url in zip(queries, urls, strict=True):
            by_kind[kind].append(fetch(url))
        words = [
            u for (k, _), u in zip(queries, urls, strict=True) if k in ("words", "lay", "typo")
        ]
        result: dict[str, Any] = {kind: summary(ms) for kind, ms in sorted(by_kind.items())}
        result["all"] = summary([m for ms in by_kind.values() for m in ms])
        result["word_queries"] = summary(
            [m for k in ("words", "lay", "typo") for m in by_kind.get(k, [])]
        )
        result["word_requests_per_second_4_clients"] = throughput(words)
        result["worker_rss_mb"] = rss_mb(children(process.pid))
        result["master_rss_mb"] = rss_mb([process.pid])
        return result
    finally:
        stop(process)


def build_datasette_db(source: str, target: Path) -> int:
    """The same current documents as a plain table with an FTS5 index Datasette detects."""
    db = sqlite3.connect(target)
    db.execute(f"ATTACH DATABASE '{source}' AS src")
    db.executescript(
        """
        CREATE TABLE codes (id INTEGER PRIMARY KEY, system TEXT, code TEXT, display TEXT,
                            title TEXT, synonyms TEXT);
        INSERT INTO codes SELECT id, system, code, display, title, synonyms
            FROM src.search_document WHERE is_current = 1;
        CREATE VIRTUAL TABLE codes_fts USING fts5(title, synonyms, content='codes',
                                                   content_rowid='id');
        INSERT INTO codes_fts(codes_fts) VALUES ('rebuild');
        """
    )
    count = db.execute("SELECT count(*) FROM codes").fetchone()[0]
    db.commit()
    db.close()
    return int(count)


def time_datasette(binary: str, source: str, queries: list[tuple[str, str]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "db.db"
        rows = build_datasette_db(source, db)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = serve(
            [
                binary,
                "serve",
                str(db),
                "--port",
                str(port),
                "--setting",
                "sql_time_limit_ms",
                "5000",
                "--setting",
                "default_page_size",
                "20",
            ],
            dict(os.environ),
            f"{base}/-/versions.json",
        )
        try:
            words = [q for k, q in queries if k in ("words", "lay", "typo")]
            urls = [
                f"{base}/db/codes.json?{urllib.parse.urlencode({'_search': q, '_size': 20})}"
                for q in words
            ]
            result: dict[str, Any] = {"rows": rows, "word_queries": sequential(urls)}
            result["word_requests_per_second_4_clients"] = throughput(urls)
            result["rss_mb"] = rss_mb([process.pid])
            return result
        finally:
            stop(process)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="queries")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--datasette", help="a datasette executable (pip install datasette)")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--lay",
        type=Path,
        help="also time these lay queries (JSON lines with 'query', e.g. search_lay_dev.jsonl)",
    )
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings

    from medcode.search.vectors import get_vector_index, vector_status

    db = settings.DATABASES["default"]
    queries = make_queries(args.n)
    if args.lay:
        lines = args.lay.read_text().splitlines()
        queries += [("lay_set", json.loads(line)["query"]) for line in lines if line.strip()]
    started = time.perf_counter()
    index = get_vector_index()
    report: dict[str, Any] = {
        "database": db["ENGINE"].rsplit(".", 1)[-1],
        "queries": len(queries),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "vectors": vector_status(),
        "vector_index_load_seconds": round(time.perf_counter() - started, 2),
        "vector_index_mb": round(index.nbytes / 2**20, 1) if index else None,
    }
    timings: dict[str, Callable[[], Any]] = {
        "facade_hybrid": lambda: time_facade(queries, semantic=True),
        "facade_lexical_only": lambda: time_facade(queries, semantic=False),
    }
    if db["ENGINE"].endswith("sqlite3"):
        timings["fts5_floor"] = lambda: time_fts_floor(str(db["NAME"]), queries)
    if not args.skip_http:
        timings["api"] = lambda: time_api(queries, args.workers)
        if args.datasette and db["ENGINE"].endswith("sqlite3"):
            timings["datasette"] = lambda: time_datasette(args.datasette, str(db["NAME"]), queries)
    for name, run in timings.items():
        report[name] = run()
    if "api" in report and "datasette" in report:
        ours = report["api"]["word_requests_per_second_4_clients"]
        theirs = report["datasette"]["word_requests_per_second_4_clients"]
        report["api_vs_datasette_requests_per_second"] = round(ours / theirs, 2) if theirs else None
    report["load_average_at_end"] = os.getloadavg()
    print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
