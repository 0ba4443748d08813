"""Benchmark: a full import of MEDCODE_DATA_DIR into fresh SQLite and PostgreSQL databases.

Beside it, the floor: the SQLite shell's `.import` of the same CSV rows into plain tables.
Prints one JSON document. Run from the repository root:

    MEDCODE_DATA_DIR=../shared/data .venv/bin/python bench/import.py [--no-postgres]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def run_import(database_url: str, data_dir: Path, var_dir: Path) -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDCODE_VAR_DIR": str(var_dir)}
    cli = [sys.executable, "-m", "medcode.cli"]
    subprocess.run([*cli, "manage", "migrate", "-v0"], env=env, check=True, cwd=REPO)
    started = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *cli, "data", "import", str(data_dir)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"import failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))  # type: ignore[union-attr]
    status = subprocess.run(
        [*cli, "data", "status", "--json"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    releases = json.loads(status.stdout)["releases"]
    rows = sum(v for r in releases for k, v in r["row_counts"].items() if k != "billable")
    return {
        "wall_seconds": round(seconds, 2),
        "rows": rows,
        "rows_per_second": round(rows / seconds),
        "peak_memory_mb": round(peak_kb / 1024, 1),
        "releases": len(releases),
    }


def sqlite_shell_floor(data_dir: Path, work: Path) -> dict[str, object]:
    """`.import` every CSV (decompressed beforehand, not timed) into a fresh database."""
    csvs = []
    for n, gz in enumerate(sorted(data_dir.glob("*.csv.gz"))):
        target = work / f"t{n}.csv"
        with gzip.open(gz, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        csvs.append(target)
    script = "".join(f".import --csv {p} t{n}\n" for n, p in enumerate(csvs))
    db = work / "floor.sqlite3"
    started = time.perf_counter()
    subprocess.run(["sqlite3", str(db)], input=script, text=True, check=True)
    seconds = time.perf_counter() - started
    rows = sum(max(0, sum(1 for _ in p.open("rb")) - 1) for p in csvs)  # physical lines, approx.
    return {"wall_seconds": round(seconds, 2), "csv_lines": rows, "files": len(csvs)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    data_dir = Path(os.environ.get("MEDCODE_DATA_DIR", REPO.parent / "shared" / "data")).resolve()
    out: dict[str, object] = {"data_dir": str(data_dir), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out["sqlite_shell_floor"] = sqlite_shell_floor(data_dir, work)
        out["medcode_sqlite"] = run_import(f"sqlite:///{work / 'medcode.sqlite3'}", data_dir, work)
        if not args.no_postgres:
            import psycopg

            name = f"medcode_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
                try:
                    out["medcode_postgresql"] = run_import(
                        f"postgres://postgres@127.0.0.1:5432/{name}", data_dir, work
                    )
                finally:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    floor = out["sqlite_shell_floor"]["wall_seconds"]  # type: ignore[index]
    out["sqlite_vs_floor"] = round(out["medcode_sqlite"]["wall_seconds"] / floor, 2)  # type: ignore[index]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
