"""Watchlists: reading an uploaded code list, and adding or removing a user's watched codes.

An upload is a CSV of codes (one a line) or a chargemaster-like CSV with a code column; the
good rows are kept and every other row is reported by its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction

from medcode.changes.models import WatchedCode
from medcode.codes.models import Code, FeeScheduleItem

MAX_LIST_BYTES = 5 * 1024 * 1024

LIST_TOO_LARGE = "the list is {size:,} bytes; the largest accepted is {limit:,} bytes (5 MB)"
NOT_TEXT = "the file is not a text CSV (it could not be read as UTF-8 or Latin-1)"
BAD_CODE = "line {line}: {value!r} is not a code"
UNKNOWN_CODE = "line {line}: {code} is in no loaded release"
EMPTY_ROW = "line {line}: no code in the {column} column"
OVER_LIMIT = "your plan watches at most {limit:,} codes; {dropped:,} codes were not added"

# Column names that hold the code in chargemaster and claim exports, compared squashed.
CODE_COLUMNS = (
    "code",
    "codes",
    "cpt",
    "cpthcpcs",
    "hcpcs",
    "hcpcscode",
    "cptcode",
    "cpthcpcscode",
    "procedurecode",
    "icd10",
    "icd10code",
    "diagnosiscode",
    "billingcode",
)


@dataclass
class ParsedList:
    codes: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class ListRefused(ValueError):
    """The whole upload is refused (too large, not text)."""


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _looks_like_code(text: str) -> bool:
    return 2 <= len(text) <= 8 and text.isalnum()


def read_code_list(data: bytes) -> ParsedList:
    """Codes of an uploaded list, with each bad row reported by line. Raises ListRefused."""
    if len(data) > MAX_LIST_BYTES:
        raise ListRefused(LIST_TOO_LARGE.format(size=len(data), limit=MAX_LIST_BYTES))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover (latin-1 decodes any byte)
            raise ListRefused(NOT_TEXT) from None
    rows = list(csv.reader(io.StringIO(text)))
    parsed = ParsedList()
    column, start, name = 0, 0, "first"
    if rows:
        header = [_squash(c) for c in rows[0]]
        named = [i for i, c in enumerate(header) if c in CODE_COLUMNS]
        if named:
            column, start, name = named[0], 1, rows[0][named[0]].strip()
        elif rows[0] and not _looks_like_code(rows[0][0].strip().replace(".", "")):
            start = 1  # a header that names no code column: codes from the first column
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        value = row[column].strip() if column < len(row) else ""
        if not value:
            parsed.problems.append(EMPTY_ROW.format(line=number, column=name))
            continue
        code = value.upper().replace(".", "")
        if not _looks_like_code(code):
            parsed.problems.append(BAD_CODE.format(line=number, value=value[:40]))
            continue
        if code not in parsed.lines:
            parsed.lines[code] = number
            parsed.codes.append(code)
    return parsed


def known_codes(codes: list[str]) -> set[str]:
    """The codes some loaded release has (code sets, or the fee schedule for CPT)."""
    found: set[str] = set()
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        found.update(Code.objects.filter(code__in=chunk).values_list("code", flat=True))
        found.update(FeeScheduleItem.objects.filter(code__in=chunk).values_list("code", flat=True))
    return found


def watch_limit(user_id: int) -> int:
    """How many codes the user's plan may watch (Plan.watched_codes, edited by the operator)."""
    from medcode.accounts.viewers import plan_of_user

    return plan_of_user(user_id).watched_codes


@dataclass(frozen=True)
class WatchResult:
    added: list[str]
    problems: list[str]


def watch_codes(*, user_id: int, parsed: ParsedList) -> WatchResult:
    """Add the list's known codes to the user's watchlist, up to the plan's limit."""
    problems = list(parsed.problems)
    known = known_codes(parsed.codes)
    for code in parsed.codes:
        if code not in known:
            problems.append(UNKNOWN_CODE.format(line=parsed.lines.get(code, 0), code=code))
    wanted = [c for c in parsed.codes if c in known]
    with transaction.atomic():
        have = set(WatchedCode.objects.filter(user_id=user_id).values_list("code", flat=True))
        new = [c for c in wanted if c not in have]
        limit = watch_limit(user_id)
        room = max(0, limit - len(have))
        if len(new) > room:
            problems.append(OVER_LIMIT.format(limit=limit, dropped=len(new) - room))
            new = new[:room]
        WatchedCode.objects.bulk_create([WatchedCode(user_id=user_id, code=c) for c in new])
    return WatchResult(added=new, problems=problems)


def worksheet_codes(*, user_id: int, worksheet_id: int) -> ParsedList | None:
    """The codes on a claim worksheet the user owns (lines, then diagnoses); None if not theirs."""
    from medcode.claims.models import Worksheet

    worksheet = Worksheet.objects.filter(pk=worksheet_id, owner_id=user_id).first()
    if worksheet is None:
        return None
    document = worksheet.document if isinstance(worksheet.document, dict) else {}
    lines = [line.get("code", "") for line in document.get("lines", []) if isinstance(line, dict)]
    values = [*lines, *[str(d) for d in document.get("diagnoses", [])]]
    text = "\n".join(str(v).replace(",", " ") for v in values if str(v).strip())
    return read_code_list(text.encode())


def unwatch_code(*, user_id: int, code: str) -> bool:
    return WatchedCode.objects.filter(user_id=user_id, code=code).delete()[0] > 0
