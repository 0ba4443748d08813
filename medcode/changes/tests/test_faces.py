"""/changes/ pages, CSV, the JSON API, the Atom feed and `medcode data diff`: one query, many
faces."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from medcode import cli
from medcode.changes.models import ReleaseDiff
from medcode.changes.queries import BAD_RANGE
from medcode.changes.tests import files
from medcode.codes.services import import_file

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def loaded(tmp_path: Path) -> None:
    import_file(files.write_aoc(tmp_path, "2024Q3", files.AOC_2024Q3))
    import_file(files.write_aoc(tmp_path, "2026Q2", files.AOC_2026Q2))
    rows = [files.pfs_row("63650", "7.15", "4.51", "12.48", "010", "32.3465")]
    import_file(files.write_pfs(tmp_path, "pfs_rvu_2025d.csv", rows))
    rows = [
        files.pfs_row("63650", "6.97", "4.51", "12.30", "090", "33.4009"),
        files.pfs_row("95972", "0.80", "0.31", "1.18", "XXX", "33.4009"),
    ]
    import_file(files.write_pfs(tmp_path, "pfs_rvu_2026c.csv", rows))


def aoc_diff() -> ReleaseDiff:
    return ReleaseDiff.objects.get(family="ncci_aoc")


def test_the_index_lists_each_dataset_with_its_release_pairs(client: Client, loaded: None) -> None:
    response = client.get(reverse("changes:index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "NCCI add-on code edits" in text and "2024Q3" in text and "RVU25D" in text
    assert reverse("changes:detail", args=[aoc_diff().pk]) in text


def test_change_kinds_and_fields_read_as_words_not_column_names(
    client: Client, loaded: None
) -> None:
    """Issue 21: 'global period changed 1', 'work RVU', never 'global_days' or 'work_rvu'."""
    index = client.get(reverse("changes:index")).content.decode()
    assert "global period changed 1" in index and "RVUs changed" in index
    assert "global_days" not in index.split("<main")[-1]
    pfs = ReleaseDiff.objects.get(family="pfs_rvu")
    detail = client.get(reverse("changes:detail", args=[pfs.pk])).content.decode()
    assert "<td>work RVU</td>" in detail and "<td>RVUs changed</td>" in detail
    assert ">global period changed</option>" in detail and 'value="global_days"' in detail
    assert "<td>work_rvu</td>" not in detail and "<td>rvu</td>" not in detail


def test_the_detail_page_filters_by_kind_and_code_range(client: Client, loaded: None) -> None:
    url = reverse("changes:detail", args=[aoc_diff().pk])
    text = client.get(url, {"kind": "added"}).content.decode()
    assert "95972" in text and "22554" not in text
    text = client.get(url, {"range": "22550-22553"}).content.decode()
    assert "22554" in text and "95972" not in text


def test_the_change_tables_scroll_inside_their_box_on_a_phone(client: Client, loaded: None) -> None:
    # Before: /changes/<id>/ was 618 px wide at 390 (issue 21 audit): the tables had no box.
    for url in (reverse("changes:index"), reverse("changes:detail", args=[aoc_diff().pk])):
        html = client.get(url).content.decode()
        box = html.index('<div class="table-wrap"')
        assert box < html.index('<table class="data-table">') < html.index("</div>", box)


def test_a_bad_code_range_is_a_400_naming_it(client: Client, loaded: None) -> None:
    url = reverse("changes:detail", args=[aoc_diff().pk])
    response = client.get(url, {"range": "Z9-A1"})
    assert response.status_code == 400
    assert BAD_RANGE.format(value="Z9-A1") in response.content.decode().replace("&#x27;", "'")


def test_the_csv_download_has_one_row_per_change(client: Client, loaded: None) -> None:
    url = reverse("changes:detail", args=[aoc_diff().pk])
    response = client.get(url, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert len(rows) == 3
    assert {(r["code"], r["other_code"], r["kind"]) for r in rows} == {
        ("95972", "95970", "added"),
        ("22552", "22554", "deleted"),
        ("63688", "63685", "deleted"),
    }
    assert {r["from_release"] for r in rows} == {"2024Q3"}


def test_the_api_filters_by_codes_and_pages(client: Client, loaded: None) -> None:
    response = client.get("/api/v1/changes", {"codes": "63650", "page_size": "2"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] > 2 and body["next"] and len(body["results"]) == 2
    everything = client.get("/api/v1/changes", {"codes": "63650", "page_size": "100"}).json()
    work = [r for r in everything["results"] if r["field"] == "work_rvu"]
    assert [(w["old_value"], w["new_value"], w["from_release"], w["to_release"]) for w in work] == [
        ("7.15", "6.97", "RVU25D", "RVU26C")
    ]
    since = client.get("/api/v1/changes", {"since": "2026-05-01"}).json()
    assert since["count"] > 0 and {r["dataset"] for r in since["results"]} == {"pfs_rvu"}
    assert client.get("/api/v1/changes", {"since": "2026-07-02"}).json()["count"] == 0


def test_the_api_refuses_an_unknown_kind_with_422(client: Client, loaded: None) -> None:
    response = client.get("/api/v1/changes", {"kind": "exploded"})
    assert response.status_code == 422
    assert "unknown change kind 'exploded'" in response.json()["errors"][0]["msg"]


def test_the_api_refuses_a_key_that_is_not_valid(client: Client, loaded: None) -> None:
    response = client.get("/api/v1/changes", HTTP_AUTHORIZATION="Bearer not-a-key")
    assert response.status_code == 401


def test_the_api_is_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/changes" in paths and "/api/v1/changes/diffs" in paths


def test_the_atom_feed_is_atom_with_an_entry_per_diff(client: Client, loaded: None) -> None:
    response = client.get(reverse("changes:feed", args=["ncci_aoc"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["2024Q3 -> 2026Q2: 3 changes"]
    for required in ("id", "title", "updated", "link"):
        assert entries[0].find(f"{ATOM}{required}") is not None
    assert client.get("/changes/feed/nope.atom").status_code == 404


def test_a_code_history_lists_each_change_with_both_releases(client: Client, loaded: None) -> None:
    text = client.get(reverse("changes:code", args=["63650"])).content.decode()
    assert "work_rvu" in text and "7.15" in text and "6.97" in text
    assert "RVU25D → RVU26C" in text and "global_days" in text


def test_data_diff_prints_json_for_two_labels(
    loaded: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli.main(["data", "diff", "--from", "2024Q3", "--to", "2026Q2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(r["dataset"], r["counts"]) for r in report] == [
        ("ncci_aoc", {"added": 1, "deleted": 2})
    ]
    codes = tmp_path / "codes.csv"
    codes.write_text("code\n63650\nnot a code!\n")
    assert (
        cli.main(
            ["data", "diff", "--from", "RVU25D", "--to", "RVU26C", "--codes", str(codes), "--csv"]
        )
        == 0
    )
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {r["code"] for r in rows} == {"63650"}
    assert "line 3" in err


def test_data_diff_names_the_loaded_releases_for_an_unknown_label(
    loaded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["data", "diff", "--from", "2024Q3", "--to", "2031Q1", "--dataset", "ncci_aoc"])
    assert code == 2
    assert "loaded: 2024Q3, 2026Q2" in capsys.readouterr().err


def test_a_code_page_links_to_its_history(client: Client, loaded: None) -> None:
    response = client.get("/codes/63650/")
    assert response.status_code == 200
    assert 'href="/changes/code/63650/"' in response.content.decode()


def test_data_diff_and_the_change_feed_are_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    assert "`medcode data diff --from REL --to REL" in readme
    assert "`--backfill`" in readme and "`/api/v1/changes`" in readme


def test_the_api_count_from_stored_counts_matches_the_rows(client: Client, loaded: None) -> None:
    params = {"dataset": "ncci_aoc", "kind": "deleted", "page_size": "1"}
    body = client.get("/api/v1/changes", params).json()
    assert body["count"] == 2 and body["next"]
    second = client.get(body["next"]).json()
    assert [r["kind"] for r in body["results"] + second["results"]] == ["deleted", "deleted"]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"system": "NOPE"}, "unknown code set 'NOPE'"),
        ({"codes": "63650,bad\x00code"}, "is not a code"),
        ({"dataset": "nope"}, "unknown dataset 'nope'"),
        ({"range": "6!"}, "code range '6!'"),
    ],
)
def test_the_api_names_each_bad_filter(
    client: Client, params: dict[str, str], message: str
) -> None:
    response = client.get("/api/v1/changes", params)
    assert response.status_code == 422
    assert message in response.json()["errors"][0]["msg"]


def test_a_history_of_something_that_is_not_a_code_is_404(client: Client) -> None:
    assert client.get("/changes/code/a%00b/").status_code == 404


def test_the_diffs_api_lists_the_stored_diffs_of_a_dataset(client: Client, loaded: None) -> None:
    body = client.get("/api/v1/changes/diffs", {"dataset": "ncci_aoc"}).json()
    assert [(d["from_release"], d["to_release"], d["counts"]) for d in body] == [
        ("2024Q3", "2026Q2", {"added": 1, "deleted": 2})
    ]
    assert client.get("/api/v1/changes/diffs", {"dataset": "nope"}).status_code == 422


def test_the_code_page_has_a_history_section_with_both_sources(
    client: Client, loaded: None
) -> None:
    page = client.get("/codes/63650/").content.decode()
    history = page[page.index('<section id="history"') :]
    history = history[: history.index("</section>")]
    assert "global period changed</td><td>010</td><td>090</td>" in history
    assert "work RVU changed</td><td>7.15</td><td>6.97</td><td>-2.52</td>" in history
    assert "RVU25D → Medicare PFS relative values RVU26C" in history
    # The AOC pair release compared, without a change to 63650.
    assert "NCCI add-on code edits 2024Q3 → 2026Q2" in history.split("Also compared")[1]
    # A pair names the partner and this code's side of it, and both releases.
    from medcode.changes.history import code_history

    (row,) = code_history("22554", "CPT").rows
    assert row.what == "pair with add-on 22552 (this code primary) deleted"
    assert (row.from_source, row.to_source) == (
        "NCCI add-on code edits 2024Q3",
        "NCCI add-on code edits 2026Q2",
    )


def test_the_history_is_one_query_for_its_rows(
    loaded: None, django_assert_num_queries: Callable[..., Any]
) -> None:
    from medcode.changes.history import code_history

    code_history("63685", "CPT")  # reads the few stored diffs, once per data generation
    with django_assert_num_queries(1):  # the rows (indexed)
        found = code_history("63650", "CPT")
    assert [r.effective_on for r in found.rows] == sorted(
        (r.effective_on for r in found.rows), reverse=True
    )
    assert not found.more and len(found.rows) >= 2


def test_comparing_two_dates_shows_both_sides_with_their_sources(
    client: Client, loaded: None
) -> None:
    page = client.get("/codes/63650/?date=2025-11-01&compare=2026-08-01").content.decode()
    compared = page[page.index('id="compare"') : page.index('class="toc"')]
    assert "RVU25D (in effect" in compared and "RVU26C (in effect" in compared
    assert "Global period <strong>(changed)</strong></th><td>010</td><td>090</td>" in compared
    response = client.get("/codes/63650/?compare=yesterday")
    assert response.status_code == 400 and "compare" in response.content.decode()


def test_the_api_page_has_the_documented_shape_and_counts_a_code_filter_once(
    client: Client, loaded: None, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    from medcode.changes.api import ChangePageOut
    from medcode.changes.queries import change_row, find_changes, parse_filter

    params = {"system": "CPT", "page_size": "1"}
    body = client.get("/api/v1/changes", params).json()
    page = ChangePageOut.model_validate(body)  # the JSON written by hand is the schema's
    assert page.count == find_changes(parse_filter(code_system="CPT")).count() > 1
    # The rows read as tuples are those of the model rows.
    first = find_changes(parse_filter(code_system="CPT")).first()
    assert first is not None and body["results"] == [change_row(first)]
    # The count of a code-set filter is kept for the same stored diffs: not counted again.
    with django_assert_max_num_queries(3):  # the diffs, the page, and no COUNT
        again = client.get("/api/v1/changes", params).json()
    assert again["count"] == body["count"]


def test_a_diff_computed_outside_an_import_changes_the_data_generation(loaded: None) -> None:
    """Code pages (with their History) are cached per data generation: `medcode data diff`
    computing a diff after the import must move it on, or pages would miss the change."""
    from medcode.changes import services
    from medcode.ops import generation

    generation.expire()
    before = generation.current().token
    ReleaseDiff.objects.filter(family="ncci_aoc").delete()
    generation.expire()
    dropped = generation.current().token
    assert [d.family for d in services.backfill()] == ["ncci_aoc"]
    generation.expire()
    assert len({before, dropped, generation.current().token}) == 3


def test_a_code_set_no_change_family_covers_has_an_empty_history(loaded: None) -> None:
    from medcode.changes.history import code_history

    # No family lists this code set: nothing to read (PostgreSQL rejects an empty IN list).
    history = code_history("11", "NO-SUCH-SET")
    assert history.rows == ()
