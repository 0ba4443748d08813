"""Searching postings: words, every filter, sorting, paging, hostile input; on SQLite (FTS5)
and PostgreSQL (tsvector) alike: the suite runs on whichever database DATABASE_URL names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from medcode.jobs import services
from medcode.jobs.forms import parse_search
from medcode.jobs.models import Posting, Status
from medcode.jobs.search import JobQuery, find_postings, page_of
from medcode.jobs.tests.builders import make_employer, make_posting

pytestmark = pytest.mark.django_db


def titles(query: JobQuery) -> list[str]:
    return [p.title for p in find_postings(query)]


@pytest.fixture
def board() -> dict[str, Posting]:
    """Five live postings with different facts, posted one hour apart (a oldest, e newest)."""
    employer = make_employer("board")
    now = timezone.now()
    specs: dict[str, dict[str, Any]] = {
        "a": dict(title="Inpatient coder", company="Lakeside Health", city="Austin", state="TX",
                  work_mode="onsite", employment_type="full_time", specialty="inpatient",
                  experience_years=3, salary_min=Decimal("60000"), salary_max=Decimal("70000"),
                  description="DRG assignment and PCS procedure coding.", credentials=("CCS",)),
        "b": dict(title="Remote risk adjustment coder", company="Northwind Payer", city="",
                  state="", work_mode="remote", employment_type="contract",
                  specialty="risk_adjustment", experience_years=1, salary_min=Decimal("30"),
                  salary_max=Decimal("36"), salary_period="hour",
                  description="HCC capture from outpatient notes.", credentials=("CRC", "CPC")),
        "c": dict(title="Coding auditor", company="Peak Compliance", city="Denver", state="CO",
                  work_mode="hybrid", employment_type="full_time", specialty="auditing",
                  experience_years=5, salary_min=None, salary_max=None,
                  description="Audit professional fee claims for modifier 25 and 59 use.",
                  credentials=("CPMA", "CPC")),
        "d": dict(title="Entry level medical coder", company="Lakeside Health", city="austin",
                  state="TX", work_mode="remote", employment_type="part_time",
                  specialty="profee", experience_years=0, salary_min=Decimal("40000"),
                  salary_max=Decimal("45000"), description="We train new coders. COC welcome.",
                  credentials=("CPC", "COC", "CCA")),
        "e": dict(title="Emergency department coder", company="Metro ER Group", city="Dallas",
                  state="TX", work_mode="remote", employment_type="full_time",
                  specialty="emergency", experience_years=2, salary_min=Decimal("52000"),
                  salary_max=Decimal("90000"), description="E/M levels and procedures in the ED.",
                  credentials=("CPC",)),
    }  # fmt: skip
    made = {}
    for n, (key, spec) in enumerate(specs.items()):
        credentials = spec.pop("credentials")
        made[key] = make_posting(
            employer, credentials=credentials, posted_at=now - dt.timedelta(hours=10 - n), **spec
        )
    return made


def test_no_words_and_no_filters_lists_every_live_posting_newest_first(
    board: dict[str, Posting],
) -> None:
    assert titles(JobQuery()) == [board[k].title for k in "edcba"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("coder", "edba"),  # title
        ("coders", "edba"),  # stemmed
        ("Lakeside", "da"),  # company
        ("modifier", "c"),  # description
        ("HCC outpatient", "b"),  # every word must match
        ("audit", "c"),  # "auditor" in the title, "audit" in the description
        ("neurosurgery", ""),
    ],
)
def test_words_match_the_title_company_and_description(
    board: dict[str, Posting], words: str, expected: str
) -> None:
    assert titles(JobQuery(words=words)) == [board[k].title for k in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (JobQuery(city="AUSTIN"), "da"),
        (JobQuery(state="TX"), "eda"),
        (JobQuery(work_modes=("remote",)), "edb"),
        (JobQuery(work_modes=("hybrid", "onsite")), "ca"),
        (JobQuery(employment_types=("contract", "part_time")), "db"),
        (JobQuery(credentials=("CPC",)), "edcb"),
        (JobQuery(credentials=("CCS", "CRC")), "ba"),
        (JobQuery(specialties=("auditing",)), "c"),
        (JobQuery(max_experience=1), "db"),
        (JobQuery(min_salary=70000), "eba"),  # b: $36/hour is $74,880 a year
        (JobQuery(state="TX", work_modes=("remote",)), "ed"),
        (JobQuery(words="coder", credentials=("CPC",), work_modes=("remote",)), "edb"),
        (JobQuery(words="coder", state="TX", min_salary=50000), "ea"),
    ],
)
def test_each_filter_and_their_combinations(
    board: dict[str, Posting], query: JobQuery, expected: str
) -> None:
    assert titles(query) == [board[k].title for k in expected]


def test_sorting_by_salary_puts_the_best_paid_first_and_unpaid_last(
    board: dict[str, Posting],
) -> None:
    assert titles(JobQuery(sort="salary")) == [board[k].title for k in "ebadc"]


def test_only_live_postings_before_their_closing_date_are_found(board: dict[str, Posting]) -> None:
    make_posting(status=Status.PENDING, title="Pending coder")
    make_posting(status=Status.DRAFT, title="Draft coder")
    make_posting(status=Status.CLOSED, title="Closed coder")
    Posting.objects.filter(pk=board["a"].pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    found = titles(JobQuery(words="coder"))
    assert found == [board[k].title for k in "edb"]


def test_the_index_follows_edits_and_deletions(board: dict[str, Posting]) -> None:
    posting = board["c"]
    services.save_posting(
        employer=posting.employer,
        posting=posting,
        fields={"title": "Compliance specialist", "description": "Nothing about that."},
        credentials=["CPMA"],
        submit=True,
    )
    Posting.objects.filter(pk=posting.pk).update(status=Status.LIVE)
    assert titles(JobQuery(words="modifier")) == []
    assert titles(JobQuery(words="specialist")) == ["Compliance specialist"]
    board["b"].delete()
    assert titles(JobQuery(words="HCC")) == []


def test_counter_updates_do_not_rewrite_the_index(board: dict[str, Posting]) -> None:
    services.record_view(posting_id=board["a"].pk)
    assert titles(JobQuery(words="DRG")) == [board["a"].title]


@pytest.mark.parametrize(
    "words",
    ['"', "'", '"coder', "AND", "OR OR", "NOT", "NEAR(coder", "coder*", "^coder", "title:coder",
     "-coder", "(((", ")", "a\\b", "coder; DROP TABLE jobs_posting;--", "%", "_", "\x00",
     "ünïcödé", "コーダー", "C++", "CCS-P", "ICD-10-CM", "a" * 500, " ".join(["coder"] * 100)],
)  # fmt: skip
def test_hostile_words_never_break_the_search(board: dict[str, Posting], words: str) -> None:
    query, _ = parse_search({"q": [words]})
    list(find_postings(query))  # no exception, whatever the engine
    assert Posting.objects.count() == 5


def test_a_hyphenated_credential_is_found_as_typed(board: dict[str, Posting]) -> None:
    make_posting(title="CCS-P coder wanted", credentials=("CCS-P",))
    assert titles(JobQuery(words="CCS-P")) == ["CCS-P coder wanted"]


def test_paging_and_a_page_past_the_end_gives_the_last(board: dict[str, Posting]) -> None:
    page = page_of(find_postings(JobQuery()), "1", size=2)
    assert (page.paginator.count, page.paginator.num_pages, len(page.object_list)) == (5, 3, 2)
    assert page_of(find_postings(JobQuery()), "99", size=2).number == 3
    assert page_of(find_postings(JobQuery()), "junk", size=2).number == 1


def test_the_search_page_reads_the_filters_from_the_address(
    board: dict[str, Posting], client: Client
) -> None:
    page = client.get(reverse("jobs:search"), {"q": "coder", "mode": "remote", "state": "TX"})
    assert page.status_code == 200
    assert [p.title for p in page.context["page"].object_list] == [board[k].title for k in "ed"]
    assert "2 jobs for “coder”, TX, Remote" in page.content.decode()


def test_bad_filters_are_shown_and_left_out(board: dict[str, Posting], client: Client) -> None:
    page = client.get(reverse("jobs:search"), {"mode": "underwater", "salary": "lots"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "were not understood" in body
    assert page.context["page"].paginator.count == 5


def test_an_htmx_search_gets_only_the_results(board: dict[str, Posting], client: Client) -> None:
    page = client.get(reverse("jobs:search"), {"q": "auditor"}, HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert "<html" not in body and "Coding auditor" in body


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 triggers are SQLite's")
def test_the_fulltext_triggers_exist_after_all_migrations() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'jobs_posting'"
        )
        triggers = dict(cursor.fetchall())
    assert set(triggers) == {
        "jobs_posting_fts_insert",
        "jobs_posting_fts_delete",
        "jobs_posting_fts_update",
    }
    assert (
        "UPDATE OF title, company, description, search_facets"
        in triggers["jobs_posting_fts_update"]
    )


def test_filters_follow_an_edit_of_the_posting(board: dict[str, Posting]) -> None:
    posting = board["e"]
    services.save_posting(
        employer=posting.employer,
        posting=posting,
        fields={"work_mode": "onsite", "city": "Fort Worth"},
        credentials=["CCS"],
        submit=True,
    )
    Posting.objects.filter(pk=posting.pk).update(status=Status.LIVE)
    posting.refresh_from_db()
    assert posting.search_facets == (
        "xmodeonsite xtypefulltime xspecemergency xstatetx xcityfortworth xcredccs"
    )
    assert posting.title not in titles(JobQuery(work_modes=("remote",)))
    assert posting.title not in titles(JobQuery(credentials=("CPC",)))
    assert titles(JobQuery(city="fort worth", credentials=("CCS",))) == [posting.title]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite query plan")
def test_words_and_filters_read_only_the_matching_rows(board: dict[str, Posting]) -> None:
    query = JobQuery(words="coder", work_modes=("remote",), credentials=("CPC",))
    sql, params = find_postings(query).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "SEARCH jobs_posting USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
    assert "jobs_posting_fts VIRTUAL TABLE" in plan, plan
