"""The CLI as an operator runs it: `medcode jobs send-alerts` from cron queues the work and
`medcode worker --batch` sends it (here into a mail folder, as MEDCODE_EMAIL_URL=file:// does)."""

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


def run_cli(
    args: list[str], *, database_url: str, var_dir: Path
) -> subprocess.CompletedProcess[str]:
    """The `medcode` script in a subprocess (the root conftest's helper, which a bare
    `import conftest` may not reach when the browser tests' conftest is loaded too)."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDCODE_VAR_DIR": str(var_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "medcode.cli", *args],
        env=env, capture_output=True, text=True, timeout=300, cwd=REPO, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"medcode {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


SETUP = """
import datetime as dt
from django.contrib.auth import get_user_model
from django.utils import timezone
from medcode.jobs import services
from medcode.jobs.models import SavedSearch
from medcode.jobs.search import JobQuery
from medcode.jobs.tests.builders import make_posting
from tests.users import make_user
coder = make_user("cli-coder")
alert = services.create_alert(user=coder, query=JobQuery(words="coder"), frequency="daily")
SavedSearch.objects.filter(pk=alert.pk).update(last_sent_at=timezone.now() - dt.timedelta(days=2))
make_posting(title="CLI remote coder", posted_at=timezone.now() - dt.timedelta(hours=1))
soon = make_posting(title="CLI closing soon", expires_on=timezone.localdate() + dt.timedelta(days=1))
"""


def test_send_alerts_queues_and_the_worker_sends(
    scratch_database_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    outbox = tmp_path / "mail"
    monkeypatch.setenv("MEDCODE_EMAIL_URL", f"file://{outbox}")
    monkeypatch.setenv("MEDCODE_SITE_URL", "https://jobs.example")

    def medcode(*args: str) -> Any:
        return run_cli(list(args), database_url=scratch_database_url, var_dir=tmp_path)

    medcode("manage", "shell", "-c", SETUP)

    queued = medcode("jobs", "send-alerts", "--json")
    assert json.loads(queued.stdout) == {"expired": 0, "digests": 1, "expiry_notices": 1}
    assert not outbox.exists() or not list(outbox.iterdir())

    medcode("worker", "--batch")
    sent = "\n".join(p.read_text() for p in sorted(outbox.iterdir()))
    assert "CLI remote coder" in sent and "https://jobs.example/jobs/" in sent
    assert "CLI closing soon" in sent and "cli-coder@example.com" in sent

    again = medcode("jobs", "send-alerts", "--json")
    assert json.loads(again.stdout) == {"expired": 0, "digests": 0, "expiry_notices": 0}


@pytest.mark.parametrize("args", [["worker", "--help"], ["jobs", "send-alerts", "--help"]])
def test_the_commands_explain_themselves(tmp_path: Path, args: list[str]) -> None:
    url = f"sqlite:///{tmp_path / 'unused.sqlite3'}"  # --help answers before Django starts
    result = run_cli(args, database_url=url, var_dir=tmp_path)
    assert "usage: medcode" in result.stdout
