"""Read replicas: with DATABASE_REPLICA_URLS set, reference reads go to a replica and all else
to the primary. The replica here is the same database under a second alias (as a test mirror
would be), on the suite's own vendor; the routing is observed on the real connections."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parents[3]

PROBE = r"""
import json, django
django.setup()
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connections, router, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult
from medcode.accounts.models import UsageCounter
from medcode.codes.models import Code, PtpEdit, Release
from medcode.jobs.models import Posting
from medcode.ops.health import readiness
from medcode.ops.models import WorkerHeartbeat
from medcode.ops.routers import primary_reads, reference_connection
from medcode.search.facade import search
from medcode.search.models import Document

for alias in connections:
    connections[alias].force_debug_cursor = True
reads = {m.__name__: m.objects.all().db for m in (
    Code, PtpEdit, Release, Document, User, Session, UsageCounter, Posting, DBTaskResult,
    WorkerHeartbeat)}
with transaction.atomic():
    in_transaction = Code.objects.all().db
with primary_reads():
    pinned = Code.objects.all().db
Code.objects.count()
raw_alias = reference_connection().alias
search("63650")
user = User.objects.create_user("router-test", "r@example.org", "x" * 20)
before_page = {a: [q["sql"] for q in connections[a].queries] for a in connections}
page = Client().get("/codes/63650/").status_code  # (a request resets the query logs)
ready, checks = readiness()
print(json.dumps({
    "reads": reads,
    "in_transaction": in_transaction,
    "pinned": pinned,
    "raw_alias": raw_alias,
    "write": router.db_for_write(Code),
    "migrate_replica": router.allow_migrate("replica1", "codes"),
    "migrate_primary": router.allow_migrate("default", "codes"),
    "queries": before_page,
    "page_queries": {a: [q["sql"] for q in connections[a].queries] for a in connections},
    "page": page,
    "database_check": checks["database"]["detail"],
}))
"""


def run_probe(database_url: str, var_dir: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
        "DATABASE_URL": database_url,
        "DATABASE_REPLICA_URLS": database_url,
        "MEDCODE_VAR_DIR": str(var_dir),
        "MEDCODE_ALLOWED_HOSTS": "testserver",
        "MEDCODE_METERING": "off",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    out: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


def test_reference_reads_go_to_the_replica_and_everything_else_to_the_primary(
    scratch_database_url, tmp_path
):
    out = run_probe(scratch_database_url, tmp_path)
    reads = out["reads"]
    for model in ("Code", "PtpEdit", "Release", "Document"):
        assert reads[model] == "replica1", (model, reads)
    for model in ("User", "Session", "UsageCounter", "Posting", "DBTaskResult", "WorkerHeartbeat"):
        assert reads[model] == "default", (model, reads)
    assert out["in_transaction"] == "default" and out["pinned"] == "default"
    assert out["write"] == "default"
    assert out["migrate_replica"] is False and out["migrate_primary"] is True
    replica_sql = " ".join(out["queries"]["replica1"]).lower()
    primary_sql = " ".join(out["queries"]["default"]).lower()
    assert "codes_code" in replica_sql
    # Raw-SQL reads of reference data (the search's code lookup) take the replica too.
    assert out["raw_alias"] == "replica1"
    assert "search_document" in replica_sql and "search_document" not in primary_sql
    assert "insert into" not in replica_sql and "auth_user" not in replica_sql
    assert "insert into" in primary_sql and "auth_user" in primary_sql
    assert out["page"] in (200, 404)
    assert "codes_" in " ".join(out["page_queries"]["replica1"]).lower()
    assert out["database_check"] == "2 reachable"
