"""PostgreSQL stopped under a running `medcode serve`: clear 503s, then recovery, no restart."""

from __future__ import annotations

import json
import time

from tests.faults.conftest import cli, fetch, medcode_server, sample_files, server_env

OUTAGE_ANSWER_SECONDS = 10
RECOVERY_SECONDS = 20

# Pages that read the database on every request (each asked for once during the outage, so
# no per-process cache can answer it).
OUTAGE_PAGES = [
    "/codes/S72.002A/",
    "/codes/E0116/",
    "/search/?q=crutch",
    "/api/v1/codes/E0112",
    "/api/v1/search?q=femur",
    "/jobs/",
]


def test_pages_answer_503_while_postgres_is_down_and_recover_without_a_restart(
    private_postgres, tmp_path
):
    env = server_env(private_postgres.url, tmp_path / "var", MEDCODE_METERING="on")
    cli(env, "manage", "migrate", "-v0")
    cli(env, "data", "import", *sample_files(tmp_path / "data", "icd10cm_codes", "hcpcs_level2"))

    with medcode_server(env, tmp_path / "server.log", workers=1) as base:
        before = fetch(f"{base}/codes/S72.001A/")
        assert before.status == 200, before.body[:500]
        assert fetch(f"{base}/api/v1/codes/S72.001A").status == 200

        private_postgres.stop()
        for path in OUTAGE_PAGES:
            answer = fetch(f"{base}{path}")
            assert answer.status == 503, (path, answer.status, answer.body[:500])
            assert answer.seconds < OUTAGE_ANSWER_SECONDS, (path, answer.seconds)
            assert int(answer.headers["Retry-After"]) > 0
            assert "Traceback" not in answer.body and "OperationalError" not in answer.body
            if path.startswith("/api/"):
                body = json.loads(answer.body)
                assert "database is unavailable" in body["detail"] and body["errors"] == []
            else:
                assert "briefly unavailable" in answer.body, answer.body[:300]

        private_postgres.start()
        deadline = time.monotonic() + RECOVERY_SECONDS
        while True:
            after = fetch(f"{base}/codes/S72.001D/")
            if after.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert after.status == 200, (after.status, after.body[:300])
        assert "S72.001D" in after.body
        api = fetch(f"{base}/api/v1/codes/A01.00")
        assert api.status == 200 and json.loads(api.body)["display"] == "A01.00"
    log = (tmp_path / "server.log").read_text()
    assert "answered 503" in log
