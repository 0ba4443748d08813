"""Expensive requests (notes, claim batches, long search queries): sized, counted, capped."""

from __future__ import annotations

import json

import pytest

from medcode.accounts import costs, metering
from medcode.accounts.viewers import guest_id
from tests.users import browser, make_user

pytestmark = pytest.mark.django_db

NOTE_API = "/api/v1/search/note"
NOTE_PAGE = "/search/note"
BATCH = "/api/v1/claims/check-batch"
CHECK = "/api/v1/claims/check"


def test_a_guests_long_note_is_refused_before_any_work_with_a_reason():
    # Before: a 20,000-character note cost 11-18 s of CPU, with no limit at all.
    note = "Patient with type 2 diabetes and hypertension. " * 450  # ~21,000 characters
    page = browser().post(NOTE_PAGE, {"note": note})
    assert page.status_code == 413 and b"Signed in, you may send more" in page.content
    api = browser().post(NOTE_API, {"text": note}, content_type="application/json")
    assert api.status_code == 413 and "a guest may send up to" in api.json()["detail"]


@pytest.mark.usefixtures("early_in_a_minute")
def test_a_long_search_box_query_counts_as_a_note(settings):
    # Before: a 2,500-character query entered note mode (1.75 s) without any limit.
    settings.MEDCODE_METERING = True
    address = "198.51.100.60"
    guest = f"guest:{guest_id(address)}"
    metering.consume(guest, costs.NOTE.kind, limit=None, period=metering.MINUTE, amount=6)
    query = "fracture of the neck of the femur after a fall " * 60  # ~2,900 characters
    client = browser(address)
    assert client.get("/search/", {"q": query}).status_code == 429
    assert client.get("/search/", {"q": "fracture femur"}).status_code == 200
    assert browser().get("/search/", {"q": query * 5}).status_code == 413


@pytest.mark.usefixtures("early_in_a_minute")
def test_a_refused_page_is_in_the_sites_design_with_where_to_go_next(settings):
    """Issue 21: the 429 a page gets is the site's page with Register / Sign in / Upgrade,
    not a bare line of text; the 413 likewise."""
    settings.MEDCODE_METERING = True
    address = "198.51.100.61"
    guest = f"guest:{guest_id(address)}"
    metering.consume(guest, costs.NOTE.kind, limit=None, period=metering.MINUTE, amount=6)
    answer = browser(address).get("/search/", {"q": "fracture of the neck of the femur " * 90})
    assert answer.status_code == 429 and answer["Content-Type"].startswith("text/html")
    html = answer.content.decode()
    assert '<h1 id="error-h">Too many requests</h1>' in html and "Retry after" in html
    for title, path in (("Register free", "/account/signup/"), ("Sign in", "/account/login/"),
                        ("Upgrade your plan", "/account/plans/")):  # fmt: skip
        assert f'{path}">{title}</a>' in html
    assert 'class="site-header' in html or "<nav" in html  # the site's layout around it
    too_long = browser().post(NOTE_PAGE, {"note": "chest pain " * 2000})
    assert too_long.status_code == 413 and "Too long to read" in too_long.content.decode()


@pytest.mark.usefixtures("early_in_a_minute")
def test_a_guest_gets_a_few_notes_a_minute_then_429_with_retry_after(settings):
    settings.MEDCODE_METERING = True
    client = browser("198.51.100.31")
    answers = [
        client.post(NOTE_API, {"text": "chest pain"}, content_type="application/json")
        for _ in range(costs.NOTE.guest_per_minute + 1)
    ]
    assert all(a.status_code != 429 for a in answers[:-1])
    assert answers[-1].status_code == 429
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60
    # Another guest is not held up by the first.
    other = browser("198.51.100.32").post(
        NOTE_API, {"text": "chest pain"}, content_type="application/json"
    )
    assert other.status_code != 429


@pytest.mark.usefixtures("early_in_a_minute")
def test_claim_batches_are_counted_per_account_across_its_sessions():
    user = make_user()
    first, second = browser("203.0.113.40"), browser("203.0.113.41")
    first.force_login(user)
    second.force_login(user)
    limit = costs.BATCH.account_per_minute
    # All but one of the minute's batches used already (by either session).
    metering.consume(f"user:{user.pk}", costs.BATCH.kind, limit=None, period=metering.MINUTE,
                     amount=limit - 1)  # fmt: skip
    body = '{"lines": [{"code": "99213", "units": 1, "date_of_service": "2024-07-15"}]}\n'
    last = first.post(BATCH, body, content_type="application/x-ndjson")
    assert last.status_code == 200
    # Read to the end, which gives the batch's place back. (Closing the response instead would
    # send request_finished, which closes the test's PostgreSQL connection mid-transaction.)
    b"".join(last.streaming_content)  # type: ignore[attr-defined]
    over = second.post(BATCH, body, content_type="application/x-ndjson")
    assert over.status_code == 429


def test_when_every_place_of_a_kind_is_taken_the_next_is_told_to_retry():
    running = costs._running[costs.NOTE.kind]
    taken = [running.acquire(blocking=False) for _ in range(costs.NOTE.at_once)]
    try:
        assert all(taken)
        busy = browser().post(NOTE_API, {"text": "chest pain"}, content_type="application/json")
        assert busy.status_code == 503 and busy["Retry-After"]
    finally:
        for _ in taken:
            running.release()
    again = browser().post(NOTE_API, {"text": "chest pain"}, content_type="application/json")
    assert again.status_code != 503


def test_a_streamed_batch_holds_its_place_until_the_stream_ends():
    running = costs._running[costs.BATCH.kind]
    body = '{"lines": [{"code": "99213", "units": 1, "date_of_service": "2024-07-15"}]}\n'
    response = browser().post(BATCH, body, content_type="application/x-ndjson")
    assert response.status_code == 200
    assert not running.acquire(blocking=False)  # still held: the stream is unread
    b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert running.acquire(blocking=False)
    running.release()


def test_a_guests_claims_batch_is_a_sample_and_an_accounts_may_be_large():
    rows = "claim_id,code,units,date_of_service\n" + "c1,99213,1,2024-07-15\n" * 1500
    guest = browser().post(BATCH, rows, content_type="text/csv")
    assert guest.status_code == 413 and "Send fewer claims at a time" in guest.json()["detail"]
    client = browser()
    client.force_login(make_user())
    account = client.post(BATCH, rows, content_type="text/csv")
    assert account.status_code == 200
    b"".join(account.streaming_content)  # type: ignore[attr-defined]


def claim_body(lines: int) -> str:
    line = {"code": "99213", "units": 1, "date_of_service": "2024-07-15"}
    return json.dumps({"lines": [line] * lines})


def test_a_guests_claim_holds_50_lines_and_an_accounts_999():
    from medcode.claims.api import GUEST_TOO_MANY_LINES

    guest = browser().post(CHECK, claim_body(51), content_type="application/json")
    assert guest.status_code == 413
    assert guest.json()["detail"] == GUEST_TOO_MANY_LINES.format(lines=51)
    client = browser("203.0.113.50")
    client.force_login(make_user())
    assert client.post(CHECK, claim_body(51), content_type="application/json").status_code == 200


def test_a_claims_findings_are_capped_most_severe_first_with_a_marker():
    from medcode.claims.services import MAX_FINDINGS, ClaimResult
    from medcode.rules.claim import Finding

    findings = [
        Finding("mue", "error" if n < 3 else "info", (n,), f"m{n}", None, "CMS MUE")
        for n in range(MAX_FINDINGS + 100)
    ]
    shown = ClaimResult("c1", findings).as_dict()
    assert len(shown["findings"]) == MAX_FINDINGS
    assert shown["truncated"]["total"] == MAX_FINDINGS + 100
    assert "500 most severe of 600" in shown["truncated"]["detail"]
    assert sum(shown["counts"].values()) == MAX_FINDINGS + 100  # the counts cover all
    assert [f["severity"] for f in shown["findings"][:4]] == ["error"] * 3 + ["info"]


def test_a_batch_is_checked_up_to_its_claim_cap_and_the_summary_says_so(monkeypatch):
    from medcode.claims import api

    monkeypatch.setattr(api, "MAX_BATCH_CLAIMS", 3)
    client = browser("203.0.113.51")
    client.force_login(make_user())
    body = "".join(claim_body(1) + "\n" for _ in range(5))
    response = client.post(BATCH, body, content_type="application/x-ndjson")
    assert response.status_code == 200
    stream = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    records = [json.loads(line) for line in stream.splitlines()]
    assert [r.get("record") for r in records[:-1]] == [1, 2, 3]
    summary = records[-1]["summary"]
    assert summary["claims"] == 3
    assert summary["truncated"] == api.BATCH_TRUNCATED.format(limit=3)
