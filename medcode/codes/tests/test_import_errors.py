"""`medcode data import` on a database that is not migrated, and the cause its write errors
name: the disk only when it is the disk."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

from conftest import write_text
from medcode.codes.import_errors import write_error_message

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parents[3]
POS = "pos_code,facility_or_nonfacility,pos_name,pos_description\n11,Non-Facility,Office,Made-up description\n"


def db_error(message: str) -> OperationalError:
    """A Django OperationalError wrapping the driver's, as the ORM raises it."""
    try:
        try:
            raise sqlite3.OperationalError(message)
        except sqlite3.OperationalError as inner:
            raise OperationalError(*inner.args) from inner
    except OperationalError as outer:
        return outer


def test_a_missing_table_blames_the_migrations_not_the_disk() -> None:
    message = write_error_message("x.csv", db_error("no such table: codes_release"))
    assert "run `medcode manage migrate` first" in message and "disk" not in message


def test_only_a_full_disk_is_called_a_full_disk() -> None:
    full = write_error_message("x.csv", db_error("database or disk is full"))
    assert "the disk is full" in full and "unchanged" in full
    assert "the disk is full" in write_error_message("x.csv", OSError(errno.ENOSPC, "No space"))
    assert "the disk is full" in write_error_message("x.csv", OSError(errno.EFBIG, "Too large"))
    locked = write_error_message("x.csv", db_error("database is locked"))
    assert "another process holds the database" in locked and "disk" not in locked
    other = write_error_message("x.csv", db_error("near 'x': syntax error"))
    assert "disk" not in other and "could not be written" in other


def test_import_into_a_database_never_migrated_migrates_first(tmp_path: Path) -> None:
    database = tmp_path / "fresh.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDCODE_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    data = write_text(tmp_path / "data" / "place_of_service_codes_2024.csv", POS)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "medcode.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
        )

    result = cli("data", "import", str(data))

    assert result.returncode == 0, result.stderr
    assert "not migrated" in result.stderr and "disk" not in result.stderr
    status = json.loads(cli("data", "status", "--json").stdout)
    assert [r["dataset"] for r in status["releases"]] == ["pos"]
