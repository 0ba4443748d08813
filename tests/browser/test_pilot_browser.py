"""CasePilot in a real browser: ask, watch the answer stream in, follow a citation.

The server is the shared one (tests/browser/conftest.py) over the sample releases.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_a_coder_asks_sees_the_streamed_answer_and_follows_a_citation_to_the_code_page(
    server_url: str, page: Any, screenshots: Path
) -> None:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{server_url}/pilot/")
    page.fill("#pilot-question", "What is the global period for 63650?")
    page.get_by_role("button", name="Ask CasePilot").click()

    exchange = page.locator(".pilot-exchange").last
    exchange.locator(".pilot-answer[data-done='1']").wait_for()
    assert (
        "The global period of 63650 is 010"
        in exchange.locator(".pilot-answer__summary").inner_text()
    )
    facts = exchange.locator(".pilot-facts li")
    assert facts.count() >= 2
    assert "RVU25D" in facts.first.inner_text()
    assert page.locator("#pilot-question").input_value() == ""
    page.screenshot(path=str(screenshots / "pilot_63650_global.png"), full_page=True)

    exchange.locator(".pilot-facts a[href^='/codes/63650/']").first.click()
    page.wait_for_url(re.compile(r"/codes/63650/"))
    assert "63650" in page.locator("h1").inner_text()
    assert not [m for m in messages if "Content Security Policy" in m]


def test_a_script_in_the_question_is_shown_as_text_and_never_run(
    server_url: str, page: Any
) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(f"{server_url}/pilot/")
    page.fill(
        "#pilot-question", "<img src=x onerror=alert(1)><script>alert(2)</script> What is 99999?"
    )
    page.get_by_role("button", name="Ask CasePilot").click()

    exchange = page.locator(".pilot-exchange").last
    exchange.locator(".pilot-answer[data-done='1']").wait_for()
    assert "<script>alert(2)</script>" in exchange.locator(".pilot-question").inner_text()
    assert "99999 is not a code" in exchange.locator(".pilot-answer__summary").inner_text()
    assert exchange.locator(".pilot-code--not_found").count() == 1
    assert dialogs == []


def test_ask_about_this_code_opens_the_chat_with_the_question_ready(
    server_url: str, page: Any
) -> None:
    page.goto(f"{server_url}/pilot/?code=S72.001A")

    assert page.locator("#pilot-question").input_value() == "What is S72.001A?"
