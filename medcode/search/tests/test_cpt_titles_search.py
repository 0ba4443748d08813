"""medcode's own CPT titles (content/cpt_titles.csv) make CPT codes findable by words: search,
autocomplete and browse show and match them; HCPCS codes that merely mention the words
("colonoscopy") no longer come first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medcode.codes.models import Code, Release
from medcode.content import cpt_titles
from medcode.search.facade import search
from medcode.search.index import rebuild_index, source_releases, source_signature
from medcode.search.tests.builders import make_release

pytestmark = pytest.mark.django_db

SAMPLE = Path(cpt_titles.__file__).resolve().parent / "tests" / "data" / "cpt_titles_sample.csv"
# The sample file's codes the sample store does not already hold (it has 27130 and 99213).
SAMPLE_CODES = ["27447", "45378", "45380", "99214", "93000", "71046", "80053", "85025"]
# Public-domain HCPCS Level II texts that mention colonoscopy (the issue: these came first).
COLONOSCOPY_HCPCS = [
    ("S0285", "Colonoscopy consultation performed prior to a screening colonoscopy procedure"),
    ("G0105", "Colorectal cancer screening; colonoscopy on individual at high risk"),
    ("G0121", "Colorectal cancer screening; colonoscopy on individual not meeting criteria for high risk"),
]  # fmt: skip


@pytest.fixture
def titled_store(code_store: dict[str, Release], settings: Any, lexical_only: None) -> None:
    """The sample store plus the sample file's CPT codes and three colonoscopy HCPCS codes,
    indexed with the sample titles."""
    settings.MEDCODE_CPT_TITLES_FILE = str(SAMPLE)
    cpt_titles.clear_cache()
    pfs = code_store["pfs"]
    Code.objects.bulk_create(
        Code(release=pfs, system="CPT", code=c, display=c) for c in SAMPLE_CODES
    )
    hcpcs = make_release("hcpcs_extra", "HCPCS", "2026 January", pfs.effective_from)
    Code.objects.bulk_create(
        Code(release=hcpcs, system="HCPCS", code=c, display=c, long_description=text)
        for c, text in COLONOSCOPY_HCPCS
    )
    rebuild_index(force=True)


def codes(query: str, **options: Any) -> list[str]:
    return [r.code for r in search(query, **options).results]


def test_total_hip_arthroplasty_finds_27130_first(titled_store: None) -> None:
    found = search("total hip arthroplasty")
    assert found.results, "no result"
    assert found.results[0].code == "27130"
    assert "Total hip arthroplasty" in found.results[0].title


def test_everyday_words_find_the_titled_code(titled_store: None) -> None:
    assert codes("knee replacement")[:1] == ["27447"]
    assert codes("ecg")[:1] == ["93000"]
    # Across every code set an ICD-10-CM reading may come first (R07.9 for "chest", I10 for
    # "blood"); within CPT our title is first.
    assert "71046" in codes("chest x-ray two views")[:2]
    assert codes("chest x-ray two views", system="CPT")[:1] == ["71046"]
    assert "85025" in codes("complete blood count")[:2]
    assert codes("complete blood count", system="CPT")[:1] == ["85025"]


def test_colonoscopy_finds_the_colonoscopy_cpt_codes_above_the_hcpcs_mentions(
    titled_store: None,
) -> None:
    found = codes("colonoscopy")
    assert {"45378", "45380"} <= set(found), found
    last_cpt = max(found.index("45378"), found.index("45380"))
    for other in ("S0285", "G0105", "G0121"):
        if other in found:
            assert found.index(other) > last_cpt, found
    assert codes("colonoscopy with biopsy")[:1] == ["45380"]


def test_without_the_titles_file_cpt_words_find_nothing(
    titled_store: None, settings: Any, tmp_path: Path
) -> None:
    """The reference the test above is measured against: the issue's '0 results'."""
    settings.MEDCODE_CPT_TITLES_FILE = str(tmp_path / "missing.csv")
    cpt_titles.clear_cache()
    rebuild_index(force=True)
    assert "27130" not in codes("total hip arthroplasty")


def test_autocomplete_shows_our_title(titled_store: None, client: Any) -> None:
    response = client.get("/search/suggest", {"q": "total hip"}, HTTP_HOST="localhost")
    html = response.content.decode()
    assert response.status_code == 200
    option = next(part for part in html.split("<li") if "27130" in part)
    assert "hip arthroplasty" in option.replace("<mark>", "").replace("</mark>", "")


def test_the_search_page_and_browse_list_show_our_title(titled_store: None, client: Any) -> None:
    html = client.get("/search/", {"q": "total hip arthroplasty"}, HTTP_HOST="localhost")
    text = html.content.decode().replace("<mark>", "").replace("</mark>", "")
    assert "Total hip arthroplasty (total hip replacement)" in text
    browse = client.get("/search/browse/cpt/26990-27299/", HTTP_HOST="localhost").content.decode()
    assert "Total hip arthroplasty (total hip replacement)" in browse


def test_a_draft_row_is_not_shown_or_searched(
    titled_store: None, settings: Any, tmp_path: Path
) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    drafted = [lines[0]] + [
        line.replace(",reviewed,", ",draft,") if line.startswith("27130,") else line
        for line in lines[1:]
    ]
    path = tmp_path / "titles.csv"
    path.write_text("\n".join(drafted) + "\n", encoding="utf-8")
    settings.MEDCODE_CPT_TITLES_FILE = str(path)
    cpt_titles.clear_cache()
    rebuild_index(force=True)
    assert "27130" not in codes("total hip arthroplasty")
    assert codes("knee replacement")[:1] == ["27447"]


def test_editing_the_titles_file_changes_the_index_signature(
    titled_store: None, settings: Any, tmp_path: Path
) -> None:
    before = source_signature(source_releases())
    path = tmp_path / "titles.csv"
    path.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    settings.MEDCODE_CPT_TITLES_FILE = str(path)
    assert source_signature(source_releases()) != before
