"""The chat page /pilot/: asking (htmx and plain), the answer stream, history, escaping."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from medcode.assistant.answer import QUESTION_EMPTY
from medcode.assistant.models import Conversation
from medcode.assistant.tests.conftest import ON
from medcode.assistant.views import TICKET_EXPIRED
from medcode.codes.queries import code_page
from tests.users import make_user

pytestmark = pytest.mark.usefixtures("pilot_samples")

HTMX = {"HX-Request": "true"}
SCRIPT = "<script>alert('pilot')</script>"


def stream_url(html: str) -> str:
    found = re.search(r'data-pilot-stream="([^"]+)"', html)
    assert found, html
    return found.group(1)


def read_stream(client: Client, url: str) -> list[tuple[str, str]]:
    response: Any = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    text = b"".join(response.streaming_content).decode()
    events = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        data = "\n".join(line.removeprefix("data: ") for line in lines[1:])
        events.append((lines[0].removeprefix("event: "), data))
    return events


def test_the_page_has_the_question_form_and_examples(client: Client) -> None:
    html = client.get("/pilot/").content.decode()

    assert 'hx-post="/pilot/ask/"' in html and 'name="question"' in html
    assert "Can 63650 and 63685 be billed on the same day?" in html
    assert "assistant/pilot.js" in html


def test_ask_about_this_code_prefills_the_question(client: Client) -> None:
    assert "What is L8687?</textarea>" in client.get("/pilot/?code=L8687").content.decode()
    assert 'together?"></textarea>' in client.get("/pilot/?code=%3Cb%3E").content.decode()


def test_htmx_ask_returns_the_exchange_whose_stream_fills_in_the_answer(client: Client) -> None:
    response = client.post(
        "/pilot/ask/", {"question": "What is the global period for 63650?"}, headers=HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "What is the global period for 63650?" in html
    events = read_stream(client, stream_url(html))
    names = [name for name, _ in events]
    assert names[0] == "answer" and names[-1] == "done"
    assert "The global period of 63650 is 010" in events[0][1]
    facts = [data for name, data in events if name == "fact"]
    assert facts and all('<a href="' in f and "pilot-release" in f for f in facts)
    assert any('href="/codes/63650/"' in f for f in facts)


def test_without_javascript_the_same_form_post_renders_the_whole_answer(client: Client) -> None:
    html = client.post("/pilot/ask/", {"question": "What is 63650?"}).content.decode()

    assert "pilot-facts" in html and 'href="/codes/63650/"' in html
    assert "data-pilot-stream" not in html


def test_cited_releases_are_named_without_their_file_names(client: Client) -> None:
    """Issue 21: the answer cites 'ICD-10-CM FY2026 April', not '... (icd10cm_codes_2026.csv)';
    the JSON answer keeps the file for API clients."""
    html = client.post("/pilot/ask/", {"question": "What is E11.9?"}).content.decode()
    releases = re.findall(r'<span class="pilot-release">([^<]*)</span>', html)
    assert releases, html
    assert not [r for r in releases if re.search(r"\.(csv|txt|gz|xlsx|zip|xml)\b", r)]
    fact = {"text": "t", "citation": {"url": "/", "label": "E11.9", "release": "DMEPOS fee "
            "schedule 2025 April (dmepos_fee_schedule_2025_04.csv.gz)"}}  # fmt: skip
    shown = render_to_string("assistant/_fact.html", {"fact": fact})
    assert "DMEPOS fee schedule 2025 April</span>" in shown and ".csv" not in shown


def test_html_in_a_question_is_escaped_wherever_it_is_shown(client: Client) -> None:
    question = f"{SCRIPT} What is 63650?"
    exchange = client.post("/pilot/ask/", {"question": question}, headers=HTMX).content.decode()
    page = client.post("/pilot/ask/", {"question": question}).content.decode()
    prefilled = client.get("/pilot/", {"q": question}).content.decode()
    streamed = "".join(data for _, data in read_stream(client, stream_url(exchange)))

    for html in (exchange, page, prefilled, streamed):
        assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#x27;pilot&#x27;)&lt;/script&gt;" in exchange + page


@pytest.mark.parametrize(
    ("question", "message"),
    [("", QUESTION_EMPTY), ("What is 63650? " + "x" * 49_985, "this one has 50,000")],
)
def test_an_empty_or_too_long_question_is_refused_with_a_422_and_the_reason(
    client: Client, question: str, message: str
) -> None:
    no_headers: dict[str, str] = {}
    for headers in (HTMX, no_headers):
        response = client.post("/pilot/ask/", {"question": question}, headers=headers)
        assert response.status_code == 422
        assert 'role="alert"' in response.content.decode()
        assert message[:20] in response.content.decode()


def test_a_made_up_or_someone_elses_stream_id_is_refused(client: Client) -> None:
    assert client.get("/pilot/stream/not-a-ticket/").content.decode() == TICKET_EXPIRED
    owner = make_user("owner@example.org")
    client.force_login(owner)
    url = stream_url(client.post("/pilot/ask/", {"question": "What is 63650?"}, headers=HTMX)
                     .content.decode())  # fmt: skip
    other = Client()
    other.force_login(make_user())
    response = other.get(url)  # the id lives in the owner's session only
    assert (response.status_code, response.content.decode()) == (400, TICKET_EXPIRED)
    client.logout()
    client.force_login(make_user("third@example.org"))
    assert client.get(url).status_code in (400, 403)


def test_the_stream_url_holds_no_question_and_works_once(client: Client) -> None:
    # Before: the question rode in the URL as readable base64 (access and proxy logs) and the
    # ticket replayed for 5 minutes without taking from the quota (issue 20, finding 9).
    question = "Pt John Smith DOB 1950-02-03: what is 63650?"
    url = stream_url(client.post("/pilot/ask/", {"question": question}, headers=HTMX)
                     .content.decode())  # fmt: skip
    ticket = url.rstrip("/").rsplit("/", 1)[-1]
    padded = ticket + "=" * (-len(ticket) % 4)
    assert "Smith" not in base64.urlsafe_b64decode(padded).decode("latin-1")
    assert "Smith" not in url and len(ticket) < 40
    assert read_stream(client, url)[-1][0] == "done"
    again = client.get(url)
    assert (again.status_code, again.content.decode()) == (400, TICKET_EXPIRED)


def test_a_signed_in_users_exchanges_are_kept_and_listed(client: Client) -> None:
    user = make_user()
    client.force_login(user)

    exchange = client.post(
        "/pilot/ask/", {"question": "What is 63650?"}, headers=HTMX
    ).content.decode()
    events = read_stream(client, stream_url(exchange))
    conversation = Conversation.objects.get(user=user)
    assert f'data-conversation="{conversation.pk}"' in events[-1][1]
    follow = client.post(
        "/pilot/ask/", {"question": "MUE for 63650?", "conversation": conversation.pk}, headers=HTMX
    )
    read_stream(client, stream_url(follow.content.decode()))

    assert [m.question for m in conversation.messages.all()] == ["What is 63650?", "MUE for 63650?"]
    page = client.get(f"/pilot/?c={conversation.pk}").content.decode()
    assert "What is 63650?" in page and "MUE for 63650?" in page and 'aria-current="page"' in page


def test_the_account_page_lists_the_conversation_asked_on_the_pilot_page(client: Client) -> None:
    # The first-hour review found /account/ saying "no conversations" while /pilot/ listed one.
    user = make_user()
    client.force_login(user)
    exchange = client.post("/pilot/ask/", {"question": "What is 63650?"}, headers=HTMX)
    read_stream(client, stream_url(exchange.content.decode()))
    conversation = Conversation.objects.get(user=user)

    account = client.get("/account/").content.decode()
    assert f"/pilot/?c={conversation.pk}" in account and "No conversations yet" not in account


def test_a_guest_is_told_conversations_need_an_account(client: Client) -> None:
    assert "Sign in to keep your conversations." in client.get("/pilot/").content.decode()


def test_knowledge_entries_have_their_own_page_with_their_sources(client: Client) -> None:
    html = client.get("/pilot/kb/modifier-59-vs-x/").content.decode()

    assert "Modifier 59 or XE, XS, XP, XU" in html and "MLN1783722" in html
    assert client.get("/pilot/kb/no-such-entry/").status_code == 404


def test_the_code_page_panel_links_to_casepilot_about_the_code() -> None:
    html = render_to_string("assistant/_code_panel.html", {"page": code_page("CPT", "63650", ON)})

    assert 'action="/pilot/"' in html and 'value="63650"' in html
    assert "MUE+for+63650" in html or "MUE%20for%2063650" in html


def test_the_stream_marks_a_code_that_does_not_exist_as_not_found(client: Client) -> None:
    exchange = client.post(
        "/pilot/ask/", {"question": "What is 99999?"}, headers=HTMX
    ).content.decode()
    codes = [data for name, data in read_stream(client, stream_url(exchange)) if name == "code"]

    assert codes == ['<li class="pilot-code pilot-code--not_found">99999 not found</li>']
