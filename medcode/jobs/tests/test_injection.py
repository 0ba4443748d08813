"""Script and style injection in every text field a stranger controls: stored as typed,
rendered inert on every page, feed, JSON and email that shows it. (The browser test checks
the same in Chromium: no dialog fires and no injected element exists.)"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from medcode.jobs import services, tasks
from medcode.jobs.descriptions import render_description
from medcode.jobs.models import Employer, Posting, SavedSearch, Status
from medcode.jobs.search import JobQuery
from medcode.jobs.tests.builders import form_data
from medcode.jobs.tests.conftest import client_for
from tests.users import make_user

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script>'
BREAKOUT = '</script><script>alert("ld")</script>'
IMG = "<img src=x onerror=alert(1)>"
ATTR = '"><svg onload=alert(1)>'
STYLE = "<style>body{display:none}</style>"
PAYLOADS = [SCRIPT, BREAKOUT, IMG, ATTR, STYLE, "{{ 7|add:7 }}{% debug %}"]
DESCRIPTION = "\n\n".join(
    [
        *PAYLOADS,
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(2)">x</a>',
        "[data](data:text/html,<script>alert(3)</script>)",
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="position:fixed;inset:0">cover</p>',
        "<form action=https://evil.example><input name=pw></form>",
        "[fine](https://careers.example.org/)",
    ]
)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []  # the text of executable scripts (not JSON-LD data)
        self.data_blocks: list[str] = []
        self._in_script = False
        self._current = self.scripts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            is_data = dict(attrs).get("type") == "application/ld+json"
            self._current = self.data_blocks if is_data else self.scripts
            self._current.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._current[-1] += data


def assert_inert(html: str) -> Elements:
    page = Elements()
    page.feed(html)
    for tag, attrs in page.tags:
        assert tag not in {"style", "iframe", "svg", "object", "embed"}, tag
        assert tag != "img" or attrs.get("src") != "x", attrs
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
        if tag == "script":
            # Only the site's own files, and JSON-LD data.
            is_ours = (attrs.get("src") or "").startswith("/static/")
            assert is_ours or attrs.get("type") == "application/ld+json", attrs
        assert not (tag == "input" and attrs.get("name") == "pw"), "an injected form survived"
        assert not (tag == "form" and "evil.example" in (attrs.get("action") or "")), attrs
        assert "style" not in attrs or tag in {"html"}, (tag, attrs)
    assert "alert(" not in "".join(page.scripts)
    return page


@pytest.fixture
def hostile(employer_client: Client, employer: Employer, staff: Any) -> Posting:
    """A posting with a payload in every text field, sent through the real form."""
    employer.company = f"Evil {IMG}"
    employer.website = "https://evil.example/"
    employer.save()
    response = employer_client.post(
        reverse("jobs:post"),
        form_data(
            title=f"Coder {SCRIPT}",
            company=f"Acme {ATTR} {STYLE}",
            city=f"Austin {IMG}",
            description=DESCRIPTION,
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    posting = Posting.objects.get()
    services.approve_posting(actor=staff, posting=posting, note=SCRIPT)
    posting.refresh_from_db()
    return posting


def test_the_text_is_stored_as_typed(hostile: Posting) -> None:
    assert hostile.title == f"Coder {SCRIPT}"
    assert hostile.description == DESCRIPTION


def test_the_posting_page_is_inert_and_its_json_ld_keeps_the_text(
    hostile: Posting, client: Client
) -> None:
    body = client.get(hostile.get_absolute_url()).content.decode()
    page = assert_inert(body)
    (ld,) = page.data_blocks
    data = json.loads(ld)
    assert data["title"] == hostile.title
    assert data["hiringOrganization"]["name"] == hostile.company
    assert "</script" not in ld.lower() and "<" not in ld
    assert '<a href="https://careers.example.org/" rel="nofollow ugc noopener">fine</a>' in body


def test_search_results_are_inert(hostile: Posting, client: Client) -> None:
    body = client.get(reverse("jobs:search"), {"q": "coder"}).content.decode()
    assert "Coder &lt;script&gt;" in body
    assert_inert(body)


def test_the_search_words_reflected_on_the_page_are_inert(hostile: Posting, client: Client) -> None:
    for payload in PAYLOADS:
        assert_inert(
            client.get(reverse("jobs:search"), {"q": payload, "city": payload}).content.decode()
        )


def test_the_feeds_escape_the_text(hostile: Posting, client: Client) -> None:
    for name in ("jobs:feed_rss", "jobs:feed_atom"):
        response = client.get(reverse(name), {"q": SCRIPT})
        root = ET.fromstring(response.content)  # well-formed XML despite the payloads
        assert root is not None
        text = response.content.decode()
        assert "<script>" not in text and "<img" not in text


def test_the_api_returns_the_text_as_data_and_a_sanitised_description(
    hostile: Posting, client: Client
) -> None:
    body = client.get(f"/api/v1/jobs/{hostile.pk}").json()
    assert body["title"] == hostile.title
    assert_inert(body["description_html"])


def test_the_employer_dashboard_and_moderation_queue_are_inert(
    hostile: Posting, employer_client: Client, staff_client: Client, coder: Any
) -> None:
    services.report_posting(reporter=coder, posting=hostile, reason="spam", details=SCRIPT + IMG)
    assert_inert(employer_client.get(reverse("jobs:employer")).content.decode())
    assert_inert(staff_client.get(reverse("jobs:moderation")).content.decode())
    assert_inert(employer_client.get(reverse("jobs:edit", args=[hostile.pk])).content.decode())


def test_a_staff_note_with_markup_is_inert_for_the_employer(
    employer: Employer, employer_client: Client, staff: Any
) -> None:
    employer_client.post(reverse("jobs:post"), form_data())
    posting = Posting.objects.get()
    services.reject_posting(actor=staff, posting=posting, note=SCRIPT)
    assert_inert(employer_client.get(reverse("jobs:employer")).content.decode())
    assert_inert(employer_client.get(posting.get_absolute_url()).content.decode())


def test_saved_pages_and_alert_labels_are_inert(
    hostile: Posting, coder: Any, client: Client
) -> None:
    alert = services.create_alert(
        user=coder, query=JobQuery(words=SCRIPT, city=IMG), frequency="daily"
    )
    services.save_job(user=coder, posting=hostile)
    assert_inert(client_for(coder).get(reverse("jobs:saved")).content.decode())
    url = reverse("jobs:unsubscribe", args=[services.unsubscribe_token(alert)])
    assert_inert(client.get(url).content.decode())
    assert_inert(client.post(url).content.decode())


def test_the_digest_email_is_plain_text(hostile: Posting, coder: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    alert = services.create_alert(user=coder, query=JobQuery(words="coder"), frequency="daily")
    SavedSearch.objects.filter(pk=alert.pk).update(
        last_sent_at=timezone.now() - dt.timedelta(days=2)
    )
    tasks.enqueue_due_work()
    (message,) = mail.outbox
    assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
    assert hostile.title in message.body


@pytest.mark.parametrize("payload", [*PAYLOADS, DESCRIPTION])
def test_the_sanitiser_leaves_nothing_active(payload: str) -> None:
    assert_inert(str(render_description(payload)))


def test_a_report_or_save_of_a_draft_is_refused(employer: Employer, coder: Any) -> None:
    client = client_for(coder)
    services.save_posting(employer=employer, fields=form_fields(), credentials=[], submit=False)
    draft = Posting.objects.get(status=Status.DRAFT)
    assert client.get(reverse("jobs:report", args=[draft.pk])).status_code == 404
    assert client.post(reverse("jobs:save", args=[draft.pk])).status_code == 404


def form_fields() -> dict[str, Any]:
    from medcode.jobs.tests.builders import posting_fields

    return posting_fields()


def test_someone_else_cannot_read_a_draft_through_any_face(
    employer: Employer, client: Client
) -> None:
    services.save_posting(employer=employer, fields=form_fields(), credentials=[], submit=False)
    draft = Posting.objects.get()
    other = client_for(make_user("nosy"))
    assert other.get(draft.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/jobs/{draft.pk}").status_code == 404
    assert draft.title not in client.get(reverse("jobs:feed_rss")).content.decode()
    assert re.search(re.escape(draft.title), client.get("/jobs/").content.decode()) is None
