"""Checking claims against the database: one claim, or a batch sharing loaded tables.

Input is validated in one place, `parse_claim` (through schemas.ClaimCheckIn); every error
names the line and the field. A claim is split by the releases in force on its lines' dates,
each part is checked by the pure rules over a TableCache, and the findings are merged.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from medcode.claims.payment import ExpectedPayment, expected_payment
from medcode.claims.releases import Catalog, Setting
from medcode.claims.schemas import ClaimCheckIn, ClaimLineIn
from medcode.claims.stale_tables import claim_notices, mark_findings
from medcode.claims.tables import STORE, ClaimTables, TableCache
from medcode.ops.metrics import CLAIM_CHECK_SECONDS
from medcode.rules import Claim, ClaimLine, Finding, check_claim
from medcode.rules.check import SEVERITY_ORDER
from medcode.rules.tables import TableKind

TABLE_KINDS: tuple[TableKind, ...] = (
    "ptp",
    "mue",
    "addon",
    "pfs",
    "codes",
    "modifiers",
    "diagnoses",
    "ncd",
    "lcd_articles",
)

MALFORMED_JSON = "malformed JSON: {reason} (line {line}, column {column})"
NOT_AN_OBJECT = "a claim must be a JSON object with lines (and diagnoses), not {kind}"
NOT_UTF8 = "the input is not UTF-8 text"
UNKNOWN_FIELD = "unknown field {name!r}; {where} takes {allowed}"
MISSING_FIELD = "{name} is required"
LINE_NOT_AN_OBJECT = "each line must be an object with code, units and date_of_service"
INVALID_CLAIM = "the claim is not valid: {count} error(s)"
CSV_MISSING_COLUMNS = "the CSV lacks column(s): {columns} (it needs {required})"
CSV_UNKNOWN_COLUMNS = "the CSV has unknown column(s): {columns} (it takes {allowed})"
CSV_EMPTY = "the CSV has no header row"
CSV_UNREADABLE = "the CSV cannot be read at line {line}: {error}"
CSV_ROWS_APART = "the rows of claim {claim_id!r} must be together; they start again at row {row}"
CSV_DIAGNOSES_DIFFER = "claim {claim_id!r} lists different diagnoses on rows {first} and {row}"
MAX_ERRORS = 50
FIRST_CHUNK = 50  # claims checked before the first result is sent
FULL_PTP_FROM = 200  # claims into a batch from which whole PTP rows per code pay off
UNREADABLE_JSON = (
    "The body is not JSON medcode can read: it nests too deeply or holds a number with "
    "thousands of digits."
)

CSV_REQUIRED = ("claim_id", "code", "units", "date_of_service")
CSV_OPTIONAL = (
    "line",
    "modifiers",
    "place_of_service",
    "diagnosis_pointers",
    "diagnoses",
    "setting",
    "locality",
    "state",
    "rural",
)
CSV_COLUMNS = (*CSV_REQUIRED, *CSV_OPTIONAL)


@dataclass(frozen=True, slots=True)
class InputError:
    line: int | None  # the claim line number
    field: str
    message: str
    row: int | None = None  # the CSV row, in a CSV batch


class ClaimInputError(Exception):
    """The input is not a claim the check can read; `errors` say where and why."""

    def __init__(self, errors: Sequence[InputError], *, status: int = 422) -> None:
        self.errors = list(errors)[:MAX_ERRORS]
        self.status = status
        self.detail = INVALID_CLAIM.format(count=len(errors))
        super().__init__(self.detail)

    def as_dict(self) -> dict[str, Any]:
        errors = [
            {k: v for k, v in vars_of(e).items() if k != "row" or v is not None}
            for e in self.errors
        ]
        return {"detail": self.detail, "errors": errors}


class BatchFormatError(Exception):
    """The batch as a whole cannot be read (a CSV without a required column)."""


def vars_of(error: InputError) -> dict[str, Any]:
    return {"line": error.line, "field": error.field, "message": error.message, "row": error.row}


@dataclass(frozen=True, slots=True)
class ParsedClaim:
    claim: Claim
    claim_id: str | None = None
    setting: Setting = "practitioner"
    locality: str | None = None  # for the expected payment
    state: str | None = None  # the DMEPOS fees' state
    rural: bool = False


# Findings listed per claim in a response (a 999-line claim once gave 47,271, 22.6 MB); the
# counts still cover all of them.
MAX_FINDINGS = 500
FINDINGS_TRUNCATED = (
    "only the {shown:,} most severe of {total:,} findings are listed; the counts cover all of them"
)


@dataclass(frozen=True, slots=True)
class ClaimResult:
    claim_id: str | None
    findings: list[Finding]
    sources: dict[str, str] = field(default_factory=dict)
    # The tables checked whose newest loaded release ends before the latest date of service.
    notices: list[str] = field(default_factory=list)
    payment: ExpectedPayment | None = None

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(SEVERITY_ORDER, 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        shown = self.findings[:MAX_FINDINGS]  # most severe first (_order)
        truncated = None
        if len(shown) < len(self.findings):
            detail = FINDINGS_TRUNCATED.format(shown=len(shown), total=len(self.findings))
            truncated = {"shown": len(shown), "total": len(self.findings), "detail": detail}
        return {
            "claim_id": self.claim_id,
            "findings": [finding_dict(f) for f in shown],
            "counts": self.counts,
            "sources": self.sources,
            "notices": self.notices,
            "payment": self.payment.as_dict() if self.payment is not None else None,
            "truncated": truncated,
        }


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "lines": list(finding.lines),
        "message": finding.message,
        "fix": finding.fix,
        "source": finding.source,
        "stale": finding.stale,
    }


# Parsing -------------------------------------------------------------------------------------


def parse_claim(data: object) -> ParsedClaim:
    """A rules.Claim from decoded JSON (or a dict built from CSV rows or a form)."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise ClaimInputError([InputError(None, "body", NOT_AN_OBJECT.format(kind=kind))])
    try:
        checked = ClaimCheckIn.model_validate(data)
    except ValidationError as exc:
        raise ClaimInputError(_errors(exc, data)) from None
    lines = tuple(
        ClaimLine(
            number=line.number or position,
            code=line.code,
            modifiers=tuple(line.modifiers),
            units=line.units,
            date_of_service=line.date_of_service,
            place_of_service=line.place_of_service,
            diagnosis_pointers=tuple(line.diagnosis_pointers),
        )
        for position, line in enumerate(checked.lines, 1)
    )
    return ParsedClaim(
        Claim(lines, tuple(checked.diagnoses)),
        checked.claim_id,
        checked.setting,
        checked.locality,
        checked.state,
        checked.rural,
    )


def parse_claim_json(body: bytes | str) -> ParsedClaim:
    return parse_claim(load_json(body))


def load_json(body: bytes | str) -> object:
    try:
        text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        raise ClaimInputError([InputError(None, "body", NOT_UTF8)], status=400) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = MALFORMED_JSON.format(reason=exc.msg, line=exc.lineno, column=exc.colno)
        raise ClaimInputError([InputError(None, "body", message)], status=400) from None
    except (ValueError, RecursionError):
        # Nested past the parser's depth, or a number of thousands of digits (3.11's int limit).
        raise ClaimInputError([InputError(None, "body", UNREADABLE_JSON)], status=400) from None


def _errors(exc: ValidationError, data: dict[str, Any]) -> list[InputError]:
    given = data.get("lines")
    raw_lines: list[Any] = given if isinstance(given, list) else []
    errors = []
    for error in exc.errors():
        loc = list(error["loc"])
        line: int | None = None
        where, allowed = "a claim", ", ".join(ClaimCheckIn.model_fields)
        if error["type"] == "number_repeated":
            line = int(error.get("ctx", {})["number"])
            loc = ["lines", "number"]
        elif len(loc) >= 2 and loc[0] == "lines" and isinstance(loc[1], int):
            raw = raw_lines[loc[1]] if loc[1] < len(raw_lines) else None
            number = raw.get("number") if isinstance(raw, dict) else None
            valid = isinstance(number, int) and not isinstance(number, bool) and number > 0
            line = number if valid else loc[1] + 1
            loc = loc[2:] or ["line"]
            where = "a line"
            allowed = ", ".join(ClaimLineIn.model_fields)
        name = ".".join(str(part) for part in loc) or "body"
        if error["type"] == "extra_forbidden":
            message = UNKNOWN_FIELD.format(name=str(loc[-1]), where=where, allowed=allowed)
        elif error["type"] == "missing":
            message = MISSING_FIELD.format(name=name)
        elif error["type"] == "model_type" and where == "a line":
            message = LINE_NOT_AN_OBJECT
        elif error["type"] in {"literal_error", "string_too_long", "string_type"}:
            message = f"{name}: {error['msg'].lower()}"
        else:
            message = error["msg"]
        errors.append(InputError(line, name, message))
    return errors


# Checking ------------------------------------------------------------------------------------


def check_claim_data(data: object) -> ClaimResult:
    """Validate and check one claim given as decoded JSON; raises ClaimInputError."""
    return check_parsed(parse_claim(data))


@CLAIM_CHECK_SECONDS.time()
def check_parsed(parsed: ParsedClaim, *, catalog: Catalog | None = None) -> ClaimResult:
    catalog = catalog or STORE.refresh()
    parts = STORE.split(parsed.claim, parsed.setting, catalog=catalog)
    for part, cache in parts:
        cache.prepare([part])
    return _result(parsed, parts)


def _result(parsed: ParsedClaim, parts: list[tuple[Claim, TableCache]]) -> ClaimResult:
    result = _checked(parsed, parts)
    findings = mark_findings(result.findings, parsed.claim, parsed.setting)
    notices = claim_notices(parsed.claim, parsed.setting)
    payment = expected_payment(
        parsed.claim,
        parts,
        setting=parsed.setting,
        locality=parsed.locality,
        state=parsed.state,
        rural=parsed.rural,
    )
    return ClaimResult(result.claim_id, findings, result.sources, notices, payment)


def _checked(parsed: ParsedClaim, parts: list[tuple[Claim, TableCache]]) -> ClaimResult:
    if len(parts) == 1:
        part, cache = parts[0]
        findings = check_claim(part, ClaimTables(cache, part))
        sources: dict[str, str] = {kind: cache.source(kind) for kind in TABLE_KINDS}
        return ClaimResult(parsed.claim_id, findings, sources)
    merged: dict[tuple[str, str, str, str | None], Finding] = {}
    by_kind: dict[str, list[str]] = {kind: [] for kind in TABLE_KINDS}
    for part, cache in parts:
        for kind in TABLE_KINDS:
            if cache.source(kind) not in by_kind[kind]:
                by_kind[kind].append(cache.source(kind))
        for finding in check_claim(part, ClaimTables(cache, part)):
            # A claim-level finding (an Excludes1 pair) comes from each part: report it once.
            key = (finding.rule, finding.severity, finding.message, finding.fix)
            if key in merged:
                lines = tuple(sorted(set(merged[key].lines) | set(finding.lines)))
                finding = Finding(
                    finding.rule,
                    finding.severity,
                    lines,
                    finding.message,
                    finding.fix,
                    merged[key].source,
                    fixes=merged[key].fixes,
                    ptp=merged[key].ptp,
                )
            merged[key] = finding
    findings = sorted(merged.values(), key=_order)
    return ClaimResult(parsed.claim_id, findings, {k: "; ".join(v) for k, v in by_kind.items()})


def _order(finding: Finding) -> tuple[int, int, str]:
    return (SEVERITY_ORDER[finding.severity], min(finding.lines, default=0), finding.rule)


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """One claim of a batch: its position (file line or claim count) and its result."""

    record: int
    claim_id: str | None
    result: ClaimResult | None = None
    error: ClaimInputError | None = None

    def as_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"record": self.record, "claim_id": self.claim_id, **self.error.as_dict()}
        assert self.result is not None
        found = self.result.as_dict()
        del found["sources"]
        return {"record": self.record, **found}


BatchItem = tuple[int, str | None, ParsedClaim | ClaimInputError]


def check_batch(items: Iterable[BatchItem], *, chunk_size: int = 2000) -> Iterator[BatchRecord]:
    """Check many claims: each chunk's rows are loaded in a few queries, then kept for the next.

    Chunks start small and double up to chunk_size, so the first results stream out at once.
    From FULL_PTP_FROM claims on, codes recur, so the PTP edits of a code are loaded whole,
    once, and every later claim with that code is checked from memory.
    """
    catalog = STORE.refresh()
    chunk: list[BatchItem] = []
    size, seen = FIRST_CHUNK, 0
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            seen += len(chunk)
            yield from _check_chunk(chunk, catalog, full_ptp=seen >= FULL_PTP_FROM)
            chunk, size = [], min(size * 2, chunk_size)
    if chunk:
        yield from _check_chunk(chunk, catalog, full_ptp=seen + len(chunk) >= FULL_PTP_FROM)


def _check_chunk(
    chunk: list[BatchItem], catalog: Catalog, *, full_ptp: bool
) -> Iterator[BatchRecord]:
    split: dict[int, list[tuple[Claim, TableCache]]] = {}
    needs: dict[int, tuple[TableCache, list[Claim]]] = {}
    for record, _, parsed in chunk:
        if isinstance(parsed, ParsedClaim):
            parts = split[record] = STORE.split(parsed.claim, parsed.setting, catalog=catalog)
            for part, cache in parts:
                needs.setdefault(id(cache), (cache, []))[1].append(part)
    for cache, claims in needs.values():
        cache.prepare(claims, full_ptp=full_ptp)
    for record, claim_id, parsed in chunk:
        if isinstance(parsed, ClaimInputError):
            yield BatchRecord(record, claim_id, error=parsed)
        else:
            yield BatchRecord(record, claim_id, result=_result(parsed, split[record]))


def check_batch_summary(records: Iterable[BatchRecord]) -> Iterator[dict[str, Any]]:
    """Each record as a dict, then a summary line: counts and time taken."""
    started = time.perf_counter()
    claims = invalid = 0
    totals: dict[str, int] = dict.fromkeys(SEVERITY_ORDER, 0)
    for record in records:
        claims += 1
        if record.error is not None:
            invalid += 1
        elif record.result is not None:
            for severity, n in record.result.counts.items():
                totals[severity] += n
        yield record.as_dict()
    yield {
        "summary": {
            "claims": claims,
            "invalid": invalid,
            "findings": totals,
            "seconds": round(time.perf_counter() - started, 3),
        }
    }


# Batch input ---------------------------------------------------------------------------------


def read_json_lines(lines: Iterable[str]) -> Iterator[BatchItem]:
    """One claim per line; blank lines are skipped. Records are numbered by file line."""
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        claim_id = None
        try:
            data = load_json(text)
            if isinstance(data, dict) and isinstance(data.get("claim_id"), str):
                claim_id = data["claim_id"]
            yield number, claim_id, parse_claim(data)
        except ClaimInputError as exc:
            yield number, claim_id, exc


def read_json_document(text: str) -> Iterator[BatchItem]:
    """A JSON file: one claim object, or a list of them (malformed JSON raises at once)."""
    data = load_json(text)
    return _json_items(data if isinstance(data, list) else [data])


def _json_items(items: list[Any]) -> Iterator[BatchItem]:
    for number, item in enumerate(items, 1):
        given = item.get("claim_id") if isinstance(item, dict) else None
        claim_id = given if isinstance(given, str) else None
        try:
            yield number, claim_id, parse_claim(item)
        except ClaimInputError as exc:
            yield number, claim_id, exc


def read_csv(lines: Iterable[str]) -> Iterator[BatchItem]:
    """Claims from CSV rows, one row per claim line, a claim's rows together.

    The header is read at once: a missing required column raises BatchFormatError before
    any claim is read (so an endpoint can answer 400 before it starts streaming).
    """
    reader = _csv_rows(csv.reader(lines))
    try:
        header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise BatchFormatError(CSV_EMPTY) from None
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise BatchFormatError(
            CSV_MISSING_COLUMNS.format(columns=", ".join(missing), required=", ".join(CSV_REQUIRED))
        )
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown:
        raise BatchFormatError(
            CSV_UNKNOWN_COLUMNS.format(columns=", ".join(unknown), allowed=", ".join(CSV_COLUMNS))
        )
    return _csv_claims(reader, header)


def _csv_rows(reader: Any) -> Iterator[list[str]]:
    """The rows of a csv.reader; a malformed row (a stray carriage return in an unquoted
    field, say) is a BatchFormatError naming its line, not an exception the caller misses."""
    while True:
        try:
            row: list[str] = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BatchFormatError(CSV_UNREADABLE.format(line=reader.line_num, error=exc)) from None
        yield row


def _csv_claims(reader: Iterator[list[str]], header: list[str]) -> Iterator[BatchItem]:
    seen: set[str] = set()
    record = 0
    group: list[tuple[int, dict[str, str]]] = []
    for row_number, cells in enumerate(reader, 2):
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        if group and row.get("claim_id", "") != group[0][1]["claim_id"]:
            record += 1
            yield _csv_claim(record, group, seen)
            group = []
        group.append((row_number, row))
    if group:
        record += 1
        yield _csv_claim(record, group, seen)


def _csv_claim(record: int, group: list[tuple[int, dict[str, str]]], seen: set[str]) -> BatchItem:
    first_row, first = group[0]
    claim_id = first.get("claim_id", "")
    if claim_id in seen:
        message = CSV_ROWS_APART.format(claim_id=claim_id, row=first_row)
        return record, claim_id, ClaimInputError([InputError(None, "claim_id", message, first_row)])
    seen.add(claim_id)
    diagnoses, diagnoses_row = "", first_row
    for row_number, row in group:
        cell = row.get("diagnoses", "")
        if cell and diagnoses and cell != diagnoses:
            message = CSV_DIAGNOSES_DIFFER.format(
                claim_id=claim_id, first=diagnoses_row, row=row_number
            )
            return (
                record,
                claim_id,
                ClaimInputError([InputError(None, "diagnoses", message, row_number)]),
            )
        if cell and not diagnoses:
            diagnoses, diagnoses_row = cell, row_number
    lines = []
    for _, row in group:
        line: dict[str, Any] = {
            "code": row.get("code", ""),
            "units": row.get("units", ""),
            "date_of_service": row.get("date_of_service", ""),
        }
        for column in ("modifiers", "place_of_service", "diagnosis_pointers"):
            if row.get(column):
                line[column] = row[column]
        if row.get("line"):
            line["number"] = row["line"]
        lines.append(line)
    data: dict[str, Any] = {"claim_id": claim_id or None, "diagnoses": diagnoses, "lines": lines}
    for column in ("setting", "locality", "state", "rural"):
        if first.get(column):
            data[column] = first[column]
    try:
        return record, claim_id, parse_claim(data)
    except ClaimInputError as exc:
        rows = [row_number for row_number, _ in group]
        errors = [_with_row(e, rows, lines) for e in exc.errors]
        return record, claim_id, ClaimInputError(errors)


def _with_row(error: InputError, rows: list[int], lines: list[dict[str, Any]]) -> InputError:
    """Name the CSV row of a line error: the row whose line number (or position) it is."""
    if error.line is None:
        return InputError(None, error.field, error.message, rows[0])
    for position, (row, line) in enumerate(zip(rows, lines, strict=True), 1):
        number = line.get("number")
        if str(number) == str(error.line) or (number is None and position == error.line):
            return InputError(error.line, error.field, error.message, row)
    return error


def decode_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Text lines from a byte stream (a request body); a bad byte stops with a clear error."""
    for number, chunk in enumerate(chunks, 1):
        try:
            text = chunk.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise BatchFormatError(f"{NOT_UTF8} (line {number})") from None
        yield text
