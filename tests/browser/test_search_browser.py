"""The search box in a real browser: type, pick a suggestion with the keyboard, land on it.

The server is the shared one (tests/browser/conftest.py) over the sample releases.
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def suggest(server_url: str, q: str) -> str:
    with urllib.request.urlopen(f"{server_url}/search/suggest?q={q}", timeout=10) as response:
        body: str = response.read().decode()
        return body


@pytest.fixture(scope="module")
def indexed_server(server_url: str) -> str:
    """The shared server: `medcode data import` built its search word index."""
    assert "data-href" in suggest(server_url, "S72.00")
    return server_url


def test_a_coder_types_picks_a_suggestion_with_the_keyboard_and_lands_on_the_code(
    indexed_server: str, page: Any, screenshots: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and "favicon" not in r.url
            else None
        ),
    )
    page.goto(f"{indexed_server}/")
    box = page.locator("#site-search")
    assert box.get_attribute("role") == "combobox"
    box.click()
    box.press_sequentially("S72.00", delay=60)
    listbox = page.locator("#site-search-listbox")
    # The list for the whole code (an earlier list may show while typing).
    page.locator('#site-search-option-0[data-href^="/codes/S72.00/"]').wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    page.screenshot(path=str(screenshots / "search_autocomplete.png"))

    options = listbox.locator('[role="option"]:not([aria-disabled="true"])')
    assert options.count() >= 2
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("ArrowUp")
    active = box.get_attribute("aria-activedescendant")
    assert active == "site-search-option-0"
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    href = page.locator(f"#{active}").get_attribute("data-href")
    assert href and href.startswith("/codes/S72.00")

    box.press("Enter")
    page.wait_for_url(re.compile(r"/codes/S72\.00"))
    assert "S72.00" in page.locator("h1").inner_text()
    assert not errors, errors


def test_escape_closes_the_list_and_enter_then_searches(indexed_server: str, page: Any) -> None:
    page.goto(f"{indexed_server}/search/")
    box = page.locator("#site-search")
    box.click()
    box.press_sequentially("fracture", delay=40)
    page.locator('#site-search-listbox [role="option"]').first.wait_for(state="visible")
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert page.locator("#site-search-listbox").is_hidden()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=fracture"))
    assert page.locator(".search-result").count() >= 1
    assert page.locator(".search-result mark").first.inner_text().lower().startswith("fractur")


def test_the_search_page_works_without_javascript(indexed_server: str, chromium: Any) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(f"{indexed_server}/search/?q=63650")
        assert "63650" in tab.locator(".search-result__code").first.inner_text()
    finally:
        context.close()
