"""RSS and Atom feeds for any search."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from medcode.jobs.models import Status
from medcode.jobs.tests.builders import make_posting

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def postings() -> None:
    make_posting(title="Remote CPC coder", work_mode="remote", credentials=("CPC",))
    make_posting(title="Onsite CCS coder", work_mode="onsite", credentials=("CCS",))
    make_posting(title="Pending coder", status=Status.PENDING)


def test_the_rss_feed_follows_the_search_in_its_address(client: Client, postings: None) -> None:
    response = client.get(reverse("jobs:feed_rss"), {"q": "coder", "mode": "remote"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel is not None
    assert channel.findtext("title") == "medcode CareerCenter: “coder”, Remote"
    assert channel.findtext("link") == "http://testserver/jobs/?q=coder&mode=remote"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == [
        "Remote CPC coder — Lakeside Health (Remote (Austin, TX))"
    ]
    link = items[0].findtext("link")
    assert link is not None and link.startswith("http://testserver/jobs/")
    assert "<strong>inpatient</strong>" in (items[0].findtext("description") or "")


def test_the_atom_feed_lists_every_live_posting_without_a_query(
    client: Client, postings: None
) -> None:
    response = client.get(reverse("jobs:feed_atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert len(titles) == 2 and not any("Pending" in (t or "") for t in titles)


def test_a_feed_with_bad_filters_still_answers(client: Client, postings: None) -> None:
    response = client.get(reverse("jobs:feed_rss"), {"mode": "nonsense", "page": "x"})
    assert response.status_code == 200
    assert len(ET.fromstring(response.content).findall("channel/item")) == 2


def test_the_search_page_links_its_feeds(client: Client, postings: None) -> None:
    body = client.get(reverse("jobs:search"), {"credential": "CPC"}).content.decode()
    assert 'type="application/rss+xml"' in body
    assert "/jobs/feed/rss/?credential=CPC" in body
    assert "/jobs/feed/atom/?credential=CPC" in body
