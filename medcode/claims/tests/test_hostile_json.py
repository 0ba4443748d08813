"""JSON that nests past the parser's depth or carries a number of thousands of digits: a 400 in
the API's JSON error shape (it was a 500 HTML page), and a batch stream that goes on."""

from __future__ import annotations

import json

import pytest

from tests.users import make_user

CHECK = "/api/v1/claims/check"
BATCH = "/api/v1/claims/check-batch"
HOSTILE = {
    "deep list": "[" * 100_000,
    "deep object": '{"a":' * 50_000,
    "long number": "1" * 5_000,
    "long number in a line": '{"lines": [{"code": ' + "9" * 5_000 + "}]}",
}


@pytest.fixture
def client(client, db):
    """Signed in: a guest's batch is capped at a sample's size first (medcode.accounts.costs)."""
    client.force_login(make_user("hostile-json"))
    return client


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_unreadable_json_is_a_400_in_the_api_error_shape(client, db, name):
    for url in (CHECK, BATCH):
        response = client.post(url, HOSTILE[name], content_type="application/json")
        assert response.status_code == 400, (url, name)
        assert response["Content-Type"].startswith("application/json")
        assert "thousands of digits" in json.dumps(response.json()), (url, name)


def test_a_hostile_line_in_a_json_lines_batch_is_reported_and_the_stream_goes_on(client, db):
    good = json.dumps({"lines": [{"code": "99213", "units": 1, "date_of_service": "2024-07-15"}]})
    body = "\n".join([good, "[" * 100_000, good]) + "\n"
    response = client.post(BATCH, body, content_type="application/x-ndjson")
    assert response.status_code == 200
    records = [json.loads(r) for r in b"".join(response.streaming_content).splitlines()]
    per_claim = [r for r in records if "summary" not in r]
    assert len(per_claim) == 3, records
    assert "nests too deeply" in json.dumps(per_claim[1])
