"""Result-list summaries: the words of the description, without its Markdown."""

import pytest

from medcode.jobs.descriptions import summarise


@pytest.mark.parametrize(
    ("markdown", "summary"),
    [
        ("- Two days a week on site\n- CPC required", "Two days a week on site CPC required"),
        ("1. Code E/M visits\n2) Audit charts", "Code E/M visits Audit charts"),
        ("## Duties\n**Abstract** inpatient charts", "Duties Abstract inpatient charts"),
        ("Pay is 20-25 per hour - negotiable", "Pay is 20-25 per hour - negotiable"),
    ],
)
def test_a_summary_drops_list_markers_and_emphasis_but_keeps_hyphens_in_text(
    markdown: str, summary: str
) -> None:
    assert summarise(markdown) == summary
