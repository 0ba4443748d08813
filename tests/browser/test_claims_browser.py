"""The claim worksheet in a real browser: "Use code" three times, see a PTP finding and its
fix, apply the modifier and see the finding clear; then the print layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def use_code(page: Any, server_url: str, code: str) -> None:
    page.goto(f"{server_url}/codes/{code}/")
    page.locator("#actions").get_by_role("button", name="Use code").click()
    page.wait_for_url(f"{server_url}/claims/")


def test_a_coder_builds_a_claim_sees_a_ptp_finding_and_applies_its_fix(
    server_url: str, page: Any, screenshots: Path
) -> None:
    for code in ("63650", "63661", "63685"):
        use_code(page, server_url, code)
    use_code(page, server_url, "M54.50")

    assert page.locator("form.claim-line").count() == 3
    assert page.locator("#dx_1").input_value() == "M54.50"
    # 63661 is bundled into 63650 (NCCI PTP, modifier indicator 1).
    ptp = page.locator('li.finding[data-rule="ptp"]')
    assert ptp.count() == 1
    assert ptp.get_attribute("data-lines") == "1 2"
    assert "Append 59 or XS to 63661" in (ptp.locator(".finding__fix").text_content() or "")
    assert "NCCI PTP" in ptp.locator(".finding__source").inner_text()
    page.screenshot(path=str(screenshots / "claims_worksheet_ptp.png"), full_page=True)

    # A change to a line re-checks the claim in place (htmx swaps the findings panel).
    units = page.locator("#line-3 input[name=units]")
    units.fill("-1")
    units.dispatch_event("change")
    page.wait_for_selector(".claim-input-errors")
    assert "Line 3, units" in page.locator("#findings").inner_text()
    units.fill("1")
    units.dispatch_event("change")
    page.wait_for_selector('li.finding[data-rule="ptp"]')

    # "Usually included" leads; the modifier buttons wait behind the coder's confirmation.
    assert ptp.locator(".finding__lead").inner_text().startswith("Usually included")
    assert not ptp.get_by_role("button", name="Add XS to line 2").is_visible()
    ptp.locator(".finding__override summary").click()
    ptp.get_by_label("The record documents a distinct service").check()
    # Apply the fix: XS on the column 2 line, and the finding clears.
    ptp.get_by_role("button", name="Add XS to line 2").click()
    page.wait_for_selector('li.finding[data-rule="ptp"]', state="detached")
    assert page.locator("#line-2 input[name=modifier_1]").input_value() == "XS"
    assert page.locator("form.claim-line").count() == 3
    page.screenshot(path=str(screenshots / "claims_worksheet_fixed.png"), full_page=True)

    # The print layout keeps the lines and findings and drops the editing controls.
    page.emulate_media(media="print")
    assert not page.locator(".claim-tools").is_visible()
    assert not page.locator(".add-line").is_visible()
    assert page.locator("#findings").is_visible()
    page.screenshot(path=str(screenshots / "claims_worksheet_print.png"), full_page=True)
