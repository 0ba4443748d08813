"""The files in deploy/: the compose file (parsed here: no container runtime is needed),
the Dockerfile, the systemd units (checked by `systemd-analyze verify` where it exists) and
the nginx example."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
UNITS = ("medcode-web.service", "medcode-worker.service", "medcode-send-alerts.service")
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "CapabilityBoundingSet": "",
    "User": "medcode",
}


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def test_compose_has_the_app_worker_postgres_and_redis_each_with_a_healthcheck():
    services = compose()["services"]
    assert {"app", "worker", "postgres", "redis", "migrate"} <= set(services)
    for name in ("app", "worker", "postgres", "redis"):
        check = services[name].get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), name
    assert services["app"]["command"][:2] == ["medcode", "serve"]
    assert services["worker"]["command"] == ["medcode", "worker"]
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]


def test_compose_builds_the_app_image_from_the_repository_and_starts_in_order():
    services = compose()["services"]
    for name in ("app", "worker", "migrate"):
        build = services[name]["build"]
        assert build["dockerfile"] == "deploy/Dockerfile"
        assert (DEPLOY / build["context"]).resolve() == REPO
    app_needs = services["app"]["depends_on"]
    assert app_needs["postgres"]["condition"] == "service_healthy"
    assert app_needs["redis"]["condition"] == "service_healthy"
    assert app_needs["migrate"]["condition"] == "service_completed_successfully"


def test_compose_takes_secrets_from_the_environment_and_runs_locked_down():
    services = compose()["services"]
    for name in ("app", "worker"):
        service = services[name]
        env = service["environment"]
        assert env["MEDCODE_SECRET_KEY"] == "${MEDCODE_SECRET_KEY:?set MEDCODE_SECRET_KEY}"
        assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
        assert env["DATABASE_URL"].endswith("@postgres:5432/medcode")
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]
    assert "PROMETHEUS_MULTIPROC_DIR" in services["app"]["environment"]
    assert "PROMETHEUS_MULTIPROC_DIR" not in services["worker"]["environment"]
    every_value = yaml.safe_dump(compose())
    assert "change-me" not in every_value


def test_the_dockerfile_installs_the_repository_and_runs_unprivileged():
    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^RUN pip install \.", text, re.M)
    assert re.search(r"^USER medcode$", text, re.M)
    assert "collectstatic" in text and "HEALTHCHECK" in text
    assert 'CMD ["medcode", "serve", "--no-collectstatic"]' in text


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name)
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_runs_medcode_hardened_with_the_env_file(name):
    service = unit(name)["Service"]
    for key, value in HARDENING.items():
        assert service.get(key) == value, (name, key)
    assert service["EnvironmentFile"] == "/etc/medcode/medcode.env"
    assert service["ReadWritePaths"].split()[0] == "/var/lib/medcode"
    assert service["SystemCallFilter"] == "@system-service"


def test_the_web_and_worker_units_run_serve_and_worker():
    assert unit("medcode-web.service")["Service"]["ExecStart"].endswith("/medcode serve")
    assert unit("medcode-worker.service")["Service"]["ExecStart"].endswith("/medcode worker")
    web = unit("medcode-web.service")["Service"]
    assert web["Environment"] == "PROMETHEUS_MULTIPROC_DIR=/run/medcode/prometheus"
    assert web["RuntimeDirectory"] == "medcode"


def test_the_env_example_names_only_variables_medcode_reads():
    known = set(re.findall(r"\b(?:MEDCODE|DATABASE|REDIS)_[A-Z_]+", _settings_text()))
    known |= {"MEDCODE_HOST", "MEDCODE_PORT", "MEDCODE_WEB_WORKERS", "MEDCODE_WEB_THREADS"}
    for example in (DEPLOY / "systemd" / "medcode.env.example", DEPLOY / "compose.env.example"):
        names = re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example.read_text(), re.M)
        assert names
        unknown = {n for n in names if n.startswith(("MEDCODE_", "DATABASE_", "REDIS_"))} - known
        assert not unknown - {"MEDCODE_DATA_HOST_DIR"}, (example.name, unknown)


def _settings_text() -> str:
    return (
        Path(settings.BASE_DIR / "medcode" / "settings.py").read_text()
        + (REPO / "medcode" / "ops" / "serve.py").read_text()
    )


def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` on the units, with ExecStart pointing at this medcode."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (apt-get install systemd)")
    medcode = Path(sys.executable).parent / "medcode"
    for name in (*UNITS, "medcode-send-alerts.timer"):
        text = (DEPLOY / "systemd" / name).read_text()
        (tmp_path / name).write_text(text.replace("/opt/medcode/.venv/bin/medcode", str(medcode)))
    result = subprocess.run(
        [analyze, "verify", *(str(tmp_path / n) for n in (*UNITS, "medcode-send-alerts.timer"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if str(tmp_path) in line or "Unknown" in line
    ]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr


def test_the_nginx_example_passes_the_client_and_scheme_and_hides_the_probes():
    text = (DEPLOY / "nginx" / "medcode.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "proxy_set_header Host $host;" in text
    assert "proxy_set_header X-Request-ID $request_id;" in text
    assert "location = /metrics { return 404; }" in text
    assert text.count("{") == text.count("}")
