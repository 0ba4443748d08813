"""A code page in a real browser: follow related codes, switch the date of service."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_a_coder_opens_a_page_follows_a_related_code_and_switches_the_date(
    server_url: str, page: Any, screenshots: Path
) -> None:
    page.goto(f"{server_url}/codes/63650/?date=2025-11-03")
    assert "63650" in page.locator("h1").inner_text()
    for section in ("official", "plain-language", "modifiers", "related-codes", "data", "actions"):
        assert page.locator(f"#{section}").count() == 1, section
    assert page.locator("#panel-fee_schedule").get_by_text("$2,127.11").count() >= 1
    page.screenshot(path=str(screenshots / "code_page_63650.png"), full_page=True)

    # Follow a related code from the "Related codes" section.
    page.locator("#related-codes").get_by_role("link", name="63655", exact=True).first.click()
    page.wait_for_url(re.compile(r"/codes/63655/\?date=2025-11-03$"))
    assert "63655" in page.locator("h1").inner_text()

    # Switch the date of service: htmx swaps the page body and pushes the new URL.
    page.goto(f"{server_url}/codes/S72.001A/")
    page.fill("#date-of-service", "2025-03-01")
    page.get_by_role("button", name="Show this date").click()
    page.wait_for_selector('article#code-page-body[data-date="2025-03-01"]')
    page.wait_for_url(re.compile(r"date=2025-03-01"))
    assert "FY2025" in page.locator(".dates").inner_text()
    # The page around the body stays: only the body was swapped, once.
    assert page.locator("header.site-header").count() == 1
    assert page.locator("article#code-page-body").count() == 1
    page.screenshot(path=str(screenshots / "code_page_S72.001A_2025-03-01.png"), full_page=True)


def test_the_date_switch_works_without_javascript(server_url: str, chromium: Any) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(f"{server_url}/codes/S72.001A/")
        tab.fill("#date-of-service", "2025-03-01")
        tab.get_by_role("button", name="Show this date").click()
        tab.wait_for_url(re.compile(r"date=2025-03-01"))
        assert tab.locator('article#code-page-body[data-date="2025-03-01"]').count() == 1
    finally:
        context.close()


def test_a_phone_sized_page_reads_without_sideways_scrolling(
    server_url: str, chromium: Any, screenshots: Path
) -> None:
    context = chromium.new_context(viewport={"width": 375, "height": 800}, device_scale_factor=2)
    try:
        tab = context.new_page()
        tab.goto(f"{server_url}/codes/S72.001A/?date=2026-05-01")
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
        tab.screenshot(path=str(screenshots / "code_page_S72.001A_phone.png"), full_page=True)
        # The NCCI pair edits page: its filter's long modifier-indicator options stay inside
        # the screen (issue 21 audit: 422 px wide at 390).
        tab.goto(f"{server_url}/codes/63650/ncci/?date=2025-11-03")
        assert tab.locator("#f-ind").count() == 1
        assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_two_dates_of_service_are_compared_from_the_form_and_the_history_is_inline(
    server_url: str, chromium: Any
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(f"{server_url}/codes/63650/?date=2025-11-03")
        assert tab.locator("section#history h2").inner_text() == "History"
        tab.fill("#compare-date", "2024-08-01")
        tab.get_by_role("button", name="Compare", exact=True).click()
        tab.wait_for_url(re.compile(r"date=2025-11-03&compare=2024-08-01"))
        heading = tab.locator("section#compare h2").inner_text()
        assert heading == "63650 on 2025-11-03 and 2024-08-01"
        assert tab.locator("section#compare table").count() >= 2
    finally:
        context.close()
