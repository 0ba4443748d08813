"""Benchmark: a full import of release folders into fresh SQLite and PostgreSQL databases.

Beside it, the floor: the SQLite shell's `.import` of the same CSV rows into plain tables.
Reports wall and CPU seconds (user + system, from /usr/bin/time: on a shared machine the CPU
figure is the one to compare) and the load average around each run. Embedding for
meaning-aware search is left to `medcode search build` unless --embed. Prints one JSON
document. Run from the repository root:

    .venv/bin/python bench/import.py ../shared/data ../shared/incoming [--no-postgres]

(no folder: MEDCODE_DATA_DIR, else ../shared/data).
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


def run_import(
    database_url: str, data_dirs: list[Path], var_dir: Path, *, embed: bool
) -> dict[str, object]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDCODE_VAR_DIR": str(var_dir),
        "MEDCODE_SEARCH_EMBED_ON_IMPORT": "on" if embed else "off",
    }
    cli = [sys.executable, "-m", "medcode.cli"]
    subprocess.run([*cli, "manage", "migrate", "-v0"], env=env, check=True, cwd=REPO)
    load_before = os.getloadavg()
    started = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *cli, "data", "import", *map(str, data_dirs)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    load_after = os.getloadavg()
    if proc.returncode != 0:
        raise SystemExit(f"import failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")

    def measured(name: str) -> float:
        found = re.search(rf"{name}: ([\d.]+)", proc.stderr)
        assert found is not None, f"/usr/bin/time printed no {name}"
        return float(found.group(1))

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
    cpu = measured("User time \\(seconds\\)") + measured("System time \\(seconds\\)")
    return {
        "wall_seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows": rows,
        "rows_per_cpu_second": round(rows / cpu),
        "peak_memory_mb": round(measured("Maximum resident set size \\(kbytes\\)") / 1024, 1),
        "releases": len(releases),
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
    }


def sqlite_shell_floor(data_dirs: list[Path], work: Path) -> dict[str, object]:
    """`.import` every CSV (decompressed beforehand, not timed) into a fresh database."""
    csvs = []
    found = sorted(gz for d in data_dirs for gz in d.rglob("*.csv.gz"))
    for n, gz in enumerate(found):
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
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--embed", action="store_true", help="embed new texts during the import")
    args = parser.parse_args()
    default = Path(os.environ.get("MEDCODE_DATA_DIR", REPO.parent / "shared" / "data"))
    data_dirs = [p.resolve() for p in (args.folders or [default])]
    out: dict[str, object] = {
        "data_dirs": [str(d) for d in data_dirs],
        "cpus": os.cpu_count(),
        "embed": args.embed,
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out["sqlite_shell_floor"] = sqlite_shell_floor(data_dirs, work)
        out["medcode_sqlite"] = run_import(
            f"sqlite:///{work / 'medcode.sqlite3'}", data_dirs, work, embed=args.embed
        )
        if not args.no_postgres:
            import psycopg

            name = f"medcode_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
                try:
                    out["medcode_postgresql"] = run_import(
                        f"postgres://postgres@127.0.0.1:5432/{name}",
                        data_dirs,
                        work,
                        embed=args.embed,
                    )
                finally:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    floor = out["sqlite_shell_floor"]["wall_seconds"]  # type: ignore[index]
    out["sqlite_vs_floor"] = round(out["medcode_sqlite"]["wall_seconds"] / floor, 2)  # type: ignore[index]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
