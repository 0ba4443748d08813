"""REDIS_URL names a port where nothing listens: the site keeps serving, limits still hold."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from tests.faults.conftest import cli, fetch, medcode_server, sample_files, server_env
from tests.ports import free_port

GUEST_API_PER_MINUTE = 10  # the guest plan (accounts migration 0002)


def test_the_site_serves_and_meters_without_redis(scratch_database_url, tmp_path):
    closed = free_port()  # bound and released: nothing listens there
    env = server_env(
        scratch_database_url,
        tmp_path / "var",
        REDIS_URL=f"redis://127.0.0.1:{closed}/0",
        MEDCODE_METERING="on",
    )
    cli(env, "data", "import", *sample_files(tmp_path / "data", "hcpcs_level2"))

    with medcode_server(env, tmp_path / "server.log", workers=1) as base:
        for path in ("/", "/codes/E0114/", "/search/?q=crutch", "/account/login/"):
            answer = fetch(f"{base}{path}")
            assert answer.status == 200, (path, answer.status, answer.body[:300])
            assert answer.seconds < 5, (path, answer.seconds)

        # Sign-in posts go through allauth's rate limits, kept in the cache.
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/account/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "login": "nobody@example.org",
                "password": "not the password",
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/account/login/", data=form, headers={"Referer": f"{base}/account/login/"}
        )
        try:
            with opener.open(request, timeout=10) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read().decode()
        assert status == 200, (status, body[:500])  # the form again, with its error
        assert "csrfmiddlewaretoken" in body

        # The API's guest limit is still enforced: counted in the database instead.
        statuses = [
            fetch(f"{base}/api/v1/codes/E0114").status for _ in range(GUEST_API_PER_MINUTE + 2)
        ]
        assert statuses[:GUEST_API_PER_MINUTE] == [200] * GUEST_API_PER_MINUTE, statuses
        assert statuses[-1] == 429, statuses
        assert json.loads(fetch(f"{base}/api/v1/codes/E0114").body)["detail"]

    log = (tmp_path / "server.log").read_text()
    assert "Internal Server Error" not in log and "Traceback" not in log, log[-3000:]
    assert "Redis" in log  # the fallback said so
