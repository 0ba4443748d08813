"""The import service: one transaction per release, clear errors, nothing lost."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run_cli, write_text
from medcode.codes.importers.base import parse_date
from medcode.codes.importers.registry import UNKNOWN_FILE, detect
from medcode.codes.models import Code, Release
from medcode.codes.services import ALREADY_IMPORTED, import_file
from medcode.lib.errors import DataFileError

HEADER = "code,code_nodot,description,level,billable,parent,chapter,section,description_derived\n"
ROWS = (
    "S72,S72,Fracture of femur,category,0,,19,S70-S79,0\n"
    "S72.0,S720,Fracture of head and neck of femur,subcategory,0,S72,19,S70-S79,0\n"
    "S72.00,S7200,Fracture of unspecified part of neck of femur,subcategory,0,S72.0,19,S70-S79,0\n"
    'S72.001,S72001,"Fracture of unspecified part of neck of right femur",subcategory,0,S72.00,19,S70-S79,0\n'
    'S72.001A,S72001A,"Fracture of unspecified part of neck of right femur, initial encounter",code_7th_char,1,S72.001,19,S70-S79,1\n'
)


def codes_file(tmp_path: Path, name: str = "icd10cm_codes_2026.csv.gz", rows: str = ROWS) -> Path:
    return write_text(tmp_path / name, HEADER + rows, gz=name.endswith(".gz"))


@pytest.mark.django_db
def test_it_imports_a_release_with_its_rows_and_provenance(tmp_path: Path) -> None:
    result = import_file(codes_file(tmp_path))

    assert result.status == "imported"
    assert result.row_counts == {"codes": 5}
    release = Release.objects.get()
    assert (release.version_label, str(release.effective_from), str(release.effective_to)) == (
        "FY2026 April",
        "2026-04-01",
        "2026-09-30",
    )
    assert release.source_file == "icd10cm_codes_2026.csv.gz"
    assert len(release.sha256) == 64 and release.is_current
    code = Code.objects.get(code="S72001A")
    assert code.display == "S72.001A" and code.is_billable and code.parent == "S72001"
    assert code.attributes == {"description_derived": True}


@pytest.mark.django_db
def test_it_reimports_the_same_file_as_a_no_op_that_says_so(tmp_path: Path) -> None:
    path = codes_file(tmp_path)
    first = import_file(path)
    second = import_file(path)

    assert second.status == "unchanged"
    assert second.message == ALREADY_IMPORTED.format(release=Release.objects.get())
    assert second.release_id == first.release_id
    assert Code.objects.count() == 5


@pytest.mark.django_db
def test_it_keeps_an_older_release_as_history_without_making_it_current(tmp_path: Path) -> None:
    import_file(codes_file(tmp_path / "new"))
    older = import_file(
        codes_file(
            tmp_path / "old", "icd10cm_codes_2025.csv", "".join(ROWS.splitlines(keepends=True)[:2])
        )
    )

    assert older.status == "imported" and not older.is_current
    assert Release.objects.get(is_current=True).version_label == "FY2026 April"
    assert Release.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message", "line"),
    [
        (
            "missing column",
            HEADER.replace("billable,", "") + "A00,A00,Cholera,category,,1,A00-A09,0\n",
            "header lacks column(s): billable",
            1,
        ),
        (
            "bad flag",
            HEADER + ROWS + "A00,A00,Cholera,category,2,,1,A00-A09,0\n",
            "billable must be 0 or 1, not '2'",
            7,
        ),
        (
            "duplicate code",
            HEADER + ROWS + ROWS.splitlines(keepends=True)[1],
            "duplicate code 'S720' (first seen on line 3)",
            7,
        ),
        ("wrong field count", HEADER + "A00,A00,Cholera\n", "expected 9 fields, found 3", 2),
        ("not a code", HEADER + "hello,hello,x,category,0,,1,A00,0\n", "not an ICD-10-CM code", 2),
    ],
)
@pytest.mark.django_db
def test_it_rejects_bad_rows_naming_the_file_and_line_and_changes_nothing(
    tmp_path: Path, name: str, content: str, message: str, line: int
) -> None:
    import_file(codes_file(tmp_path / "good", "icd10cm_codes_2025.csv"))
    before = (Release.objects.count(), Code.objects.count())
    path = write_text(tmp_path / "icd10cm_codes_2026.csv", content)

    with pytest.raises(DataFileError) as failure:
        import_file(path)

    assert failure.value.path == str(path)
    assert failure.value.line == line
    assert message in str(failure.value)
    assert (Release.objects.count(), Code.objects.count()) == before


@pytest.mark.django_db
def test_it_rejects_a_truncated_gzip_and_leaves_the_database_unchanged(tmp_path: Path) -> None:
    many = "".join(
        f"A{n // 100:02d}.{n % 100:02d},A{n // 100:02d}{n % 100:02d},Test code {n},subcategory,1,,1,A00-A09,0\n"
        for n in range(5000)
    )
    whole = codes_file(tmp_path, rows=many).read_bytes()
    path = tmp_path / "cut" / "icd10cm_codes_2026.csv.gz"
    path.parent.mkdir()
    path.write_bytes(whole[: len(whole) // 2])

    with pytest.raises(DataFileError, match="truncated or corrupt") as failure:
        import_file(path)

    assert failure.value.line is not None and failure.value.line > 1
    assert Release.objects.count() == 0 and Code.objects.count() == 0


@pytest.mark.django_db
def test_it_rejects_an_empty_file(tmp_path: Path) -> None:
    path = write_text(tmp_path / "icd10cm_codes_2026.csv", "")

    with pytest.raises(DataFileError, match="empty"):
        import_file(path)
    assert Release.objects.count() == 0


def test_it_names_an_unknown_file_with_its_header(tmp_path: Path) -> None:
    path = write_text(tmp_path / "mystery.csv", "alpha,beta\n1,2\n")

    with pytest.raises(DataFileError) as failure:
        detect(path)

    assert str(path) in str(failure.value)
    assert UNKNOWN_FILE.format(header="alpha, beta") in str(failure.value)


def test_it_refuses_a_known_name_with_the_wrong_header_naming_the_missing_columns(
    tmp_path: Path,
) -> None:
    path = write_text(tmp_path / "icd10cm_codes_2026.csv", "code,title\nA00,Cholera\n")

    with pytest.raises(DataFileError, match="named like a ICD-10-CM file, but its header lacks"):
        detect(path)


@pytest.mark.django_db
def test_a_failed_replacement_leaves_the_previous_release_intact(tmp_path: Path) -> None:
    import_file(codes_file(tmp_path / "v1"))
    broken = codes_file(tmp_path / "v2", rows=ROWS + "A00,A00,,category,0,,1,A00-A09,0\n")

    with pytest.raises(DataFileError, match="has no description"):
        import_file(broken)

    release = Release.objects.get()
    assert release.row_counts == {"codes": 5} and Code.objects.filter(release=release).count() == 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-07-01", "2024-07-01"),
        ("20240701", "2024-07-01"),
        ("07/01/2024", "2024-07-01"),
        ("2024183", "2024-07-01"),
        ("*", None),
        ("9999999", None),
        ("", None),
    ],
)
def test_it_reads_the_date_forms_release_files_use(value: str, expected: str | None) -> None:
    parsed = parse_date(Path("f.txt"), 3, value, column="effective")
    assert (parsed.isoformat() if parsed else None) == expected


def test_it_names_the_column_and_line_of_a_bad_date() -> None:
    with pytest.raises(
        DataFileError, match=r"f\.txt, line 3: bad date '2024-13-45' in column effective"
    ):
        parse_date(Path("f.txt"), 3, "2024-13-45", column="effective")


def _big_codes_file(path: Path, rows: int) -> Path:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        for n in range(rows):
            cat, rest = divmod(n, 36**4)
            tail = "".join(alphabet[(rest // 36**i) % 36] for i in range(4))
            code = f"T{cat:02d}.{tail}"
            fh.write(
                f"{code},{code.replace('.', '')},Generated test code {n},subcategory,1,,1,T00,0\n"
            )
    return path


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_halfway_leaves_the_previous_release_and_nothing_else(
    tmp_path: Path, scratch_database_url: str
) -> None:
    run_cli(
        ["data", "import", str(codes_file(tmp_path / "v1"))],
        database_url=scratch_database_url,
        var_dir=tmp_path,
    )
    big = _big_codes_file(tmp_path / "icd10cm_codes_2027.csv.gz", 1_500_000)
    env = {**os.environ, "DATABASE_URL": scratch_database_url, "MEDCODE_VAR_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "medcode.cli", "data", "import", str(big)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(4)
    assert proc.poll() is None, "the import finished before it could be killed; use a bigger file"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    status = run_cli(
        ["data", "status", "--json"], database_url=scratch_database_url, var_dir=tmp_path
    )
    releases = json.loads(status.stdout)["releases"]
    assert [(r["version_label"], r["row_counts"]) for r in releases] == [
        ("FY2026 April", {"codes": 5, "billable": 1})
    ]
    # The database is usable at once: the same file now imports in full.
    again = run_cli(
        ["data", "import", str(codes_file(tmp_path / "v3", "icd10cm_codes_2025.csv"))],
        database_url=scratch_database_url,
        var_dir=tmp_path,
    )
    assert "imported" in again.stdout


def test_a_folder_holding_two_files_of_one_release_plans_only_the_first(tmp_path: Path) -> None:
    from medcode.codes.services import plan_imports

    first = codes_file(tmp_path, "icd10cm_codes_2026.csv")
    codes_file(tmp_path, "icd10cm_codes_2026.csv.gz")

    assert [path for path, _ in plan_imports([tmp_path])] == [first]


@pytest.mark.parametrize(
    "name",
    [
        "HCPC2026_recordlayout.txt",
        "proc_notes_OCT2026.txt",
        "NOC codes_OCT2026.xlsx",
        "HCPC2026_TRANS_ALPHA.xlsx",
        "README.txt",
        "MANIFEST.md",
        "schema.xsd",
    ],
)
def test_a_folder_import_passes_over_the_publishers_companion_files(
    tmp_path: Path, name: str
) -> None:
    from medcode.codes.services import find_files

    write_text(tmp_path / name, "layout notes\n")
    assert find_files([tmp_path]) == []
