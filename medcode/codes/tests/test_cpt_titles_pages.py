"""CPT pages with medcode's own titles and summaries (content/cpt_titles.csv): the heading,
the plain-language section labelled as ours, related and NCCI partner lists; a code without
a title says what the page can and cannot show."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from medcode.codes import queries
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from medcode.content import cpt_titles

SAMPLE = Path(cpt_titles.__file__).resolve().parent / "tests" / "data" / "cpt_titles_sample.csv"
HEADER = "code,title,summary,status,reviewed_by"


def text_of(response: Any) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


def use_titles(settings: Any, path: Path) -> None:
    settings.MEDCODE_CPT_TITLES_FILE = str(path)
    settings.MEDCODE_METERING = False
    cpt_titles.clear_cache()
    queries.clear_caches()


def get(client: Any, url: str) -> Any:
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200, url
    return response


def test_a_titled_code_has_our_title_in_its_heading_and_our_summary_labelled_as_ours(
    code_samples, client, settings
) -> None:
    use_titles(settings, SAMPLE)
    response = get(client, "/codes/27130/?date=2025-11-03")
    page = response.content.decode()
    text = text_of(response)
    title = "Total hip arthroplasty (total hip replacement)"
    assert re.search(r'<span class="code-head__title">Total hip arthroplasty \(total hip', page)
    assert f"<title>27130 – {title}" in page
    summary = cpt_titles.cpt_title("27130").summary  # type: ignore[union-attr]
    assert summary in text
    assert "medcode's own plain-language summary, not the official CPT descriptor" in text
    assert "reviewed by medcode test sample" in text
    # The official descriptor is still said to be missing, and the CMS data still shown.
    assert queries.CPT_NOT_LOADED in text
    assert "90-day global" in text
    assert "CPT code 27130" not in text


def test_a_code_without_a_title_says_what_the_page_can_and_cannot_show(
    code_samples, client, settings
) -> None:
    use_titles(settings, SAMPLE)
    response = get(client, "/codes/22551/?date=2025-11-03")
    text = text_of(response)
    assert "<title>22551 – Surgery: spine |" in response.content.decode()
    assert queries.CPT_NOT_LOADED in text
    assert "What it cannot show: the AMA's descriptor" in text
    assert "importing their own licensed CPT data file" in text
    assert "medcode data import" not in text  # no operator command shown to a reader
    assert "not the official CPT descriptor (reviewed" not in text
    assert "Written from the official data above." in text


def test_related_and_ncci_partner_lists_name_codes_by_our_titles(
    code_samples, client, settings, tmp_path
) -> None:
    path = tmp_path / "titles.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "62321,Epidural or subarachnoid injection in the neck or upper back (test),"
                "A test summary.,reviewed,test",
                "63661,Removal of spinal cord stimulator leads placed through the skin (test),"
                "A test summary.,reviewed,test",
                "77003,Fluoroscopic guidance for a spinal needle (test),A test summary.,reviewed,test",
                "22552,Cervical disc removal and fusion: each additional level (test),"
                "Add-on code: a test summary.,reviewed,test",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    use_titles(settings, path)
    if not code_samples.has_ncci:
        pytest.skip("the NCCI sample files are not imported")
    text = text_of(get(client, "/codes/63650/?date=2025-11-03"))
    ncci = text[text.index("NCCI column 2 partners") :][:600]
    assert "62321 Epidural or subarachnoid injection in the neck or upper back (test)" in ncci
    assert "77003 Fluoroscopic guidance for a spinal needle (test)" in ncci
    # An article's title wins over the titles file.
    assert "63661 Taking out spinal cord stimulator leads" in ncci
    assert "(test)" not in ncci.split("63661")[1].split("77003")[0]
    partners = text_of(get(client, "/codes/63650/ncci/?date=2025-11-03"))
    assert "Epidural or subarachnoid injection in the neck or upper back (test)" in partners
    assert "Fluoroscopic guidance for a spinal needle (test)" in partners
    addon = text_of(get(client, "/codes/22551/?date=2025-11-03"))
    assert "22552 Cervical disc removal and fusion: each additional level (test)" in addon


def test_a_draft_title_is_not_shown(code_samples, client, settings, tmp_path) -> None:
    path = tmp_path / "titles.csv"
    path.write_text(
        f"{HEADER}\n27130,Total hip replacement (draft),Some words.,draft,\n", encoding="utf-8"
    )
    use_titles(settings, path)
    page = get(client, "/codes/27130/?date=2025-11-03").content.decode()
    assert "Total hip replacement (draft)" not in page
    assert "<title>27130 – Surgery: pelvis and hip joint" in page


def test_the_json_page_carries_our_title_summary_and_who_wrote_it(
    code_samples, client, settings
) -> None:
    use_titles(settings, SAMPLE)
    data = client.get("/api/v1/codes/27130?date=2025-11-03", HTTP_HOST="localhost").json()
    assert data["title"] == "Total hip arthroplasty (total hip replacement)"
    assert "Both the hip socket" in data["plain_language_html"]
    assert "not the official CPT descriptor" in data["plain_language_note"]
    assert data["official"]["text"] == "" and data["official"]["notice"] == queries.CPT_NOT_LOADED


def test_a_long_add_on_list_says_it_shows_only_the_first_codes(code_samples, client, settings):
    from medcode.codes.models import AddOnEdit

    use_titles(settings, SAMPLE)
    edit = AddOnEdit.objects.filter(addon="22552").first()
    assert edit is not None
    AddOnEdit.objects.bulk_create(
        AddOnEdit(release_id=edit.release_id, addon="22552", primary=str(22600 + n), edit_type=1)
        for n in range(40)
    )
    queries.clear_caches()
    text = text_of(get(client, "/codes/22552/?date=2025-11-03"))
    assert "Primary codes this add-on is reported with (first 30 of 42)" in text
    # A short list says nothing of the kind.
    assert "Add-on codes (first" not in text_of(get(client, "/codes/22551/?date=2025-11-03"))
