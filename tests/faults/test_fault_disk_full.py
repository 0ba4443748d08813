"""Disk full during `medcode data import`: a clear error, the previous release intact.

The importing process gets a file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored), so its
writes past the limit fail with EFBIG as on a full disk. The database is a SQLite file in
either suite run: only there does the importing process write the database file itself
(PostgreSQL writes in its server process, which this limit does not reach).
"""

from __future__ import annotations

import json
import resource
import signal
import sqlite3
import subprocess
import sys

from medcode.codes.tests.sample_data import SAMPLES
from tests.faults.conftest import REPO, cli, sample_files, server_env

OLD = "hcpcs_level2_2024_07.csv"
NEW = "hcpcs_level2_2024_10.csv"
HEADROOM = 256 * 1024


def bigger_release(path):
    """A HCPCS file of 9,000 made-up codes, in the layout of the real one."""
    header = SAMPLES[OLD].splitlines()[0]
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        for letter in "ABCEGJKLQ":
            for number in range(1000):
                code = f"{letter}{number:04d}"
                fh.write(
                    f'{code},"Made-up item {code} with a long description",Item {code},'
                    "00,9,I,O1A,D,N,,,,,,,,0,,2001-01-01,,2001-01-01\n"
                )
    return path


def releases(env):
    return json.loads(cli(env, "data", "status", "--json").stdout)["releases"]


def test_an_import_that_fills_the_disk_fails_cleanly_and_keeps_the_previous_release(tmp_path):
    database = tmp_path / "medcode.sqlite3"
    env = server_env(f"sqlite:///{database}", tmp_path / "var")
    cli(env, "manage", "migrate", "-v0")
    cli(env, "data", "import", *sample_files(tmp_path / "data", "hcpcs_level2"))
    before = releases(env)
    assert [(r["source_file"], r["is_current"]) for r in before] == [(OLD, True)]
    new_file = bigger_release(tmp_path / NEW)

    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    limit = database.stat().st_size + HEADROOM

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "medcode.cli", "data", "import", str(new_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        preexec_fn=full_disk,
    )

    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    [message] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert NEW in message and "could not be written" in message and "unchanged" in message
    assert releases(env) == before
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM codes_code").fetchone()[0] >= 1
