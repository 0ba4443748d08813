"""Reads: stored diffs and their changes, filtered the same way for the page, the CSV, the
API, the feed and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from medcode.changes.families import BY_NAME, KINDS
from medcode.changes.models import Change, ReleaseDiff
from medcode.changes.services import CHANGE_FIELDS

BAD_RANGE = "code range {value!r}: give a prefix (636) or two codes (63650-63688)"
BAD_KIND = "unknown change kind {value!r}; known: {known}"
BAD_DATASET = "unknown dataset {value!r}; known: {known}"
TOO_MANY_CODES = "at most {limit} codes at once"
BAD_CODE = "{value!r} is not a code"
BAD_SYSTEM = "unknown code set {value!r}; known: {known}"
SYSTEMS = ("CPT", "HCPCS", "MODIFIER", "ICD10CM", "ICD10PCS", "POS")
MAX_CODES = 5000
CODE = re.compile(r"^[A-Z0-9]{1,8}$")
# The stored fields of a change, after the diff's dataset, releases and date.
CSV_COLUMNS = ("dataset", "from_release", "to_release", "effective_on", *CHANGE_FIELDS[1:])


@dataclass(frozen=True)
class ChangeFilter:
    """What a reader asks for; every face parses its input into one of these."""

    families: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    code_system: str = ""
    code_range: str = ""
    codes: tuple[str, ...] = ()
    since: dt.date | None = None
    errors: list[str] = field(default_factory=list)


def normalise_code(text: str) -> str:
    return text.strip().upper().replace(".", "")


def parse_filter(
    *,
    families: Iterable[str] = (),
    kinds: Iterable[str] = (),
    code_system: str = "",
    code_range: str = "",
    codes: Iterable[str] = (),
    since: dt.date | None = None,
) -> ChangeFilter:
    """Validate user input; problems go to `errors` (the caller answers 400/422 with them)."""
    errors: list[str] = []
    wanted_families = tuple(f for f in (s.strip() for s in families) if f)
    for name in wanted_families:
        if name not in BY_NAME:
            errors.append(BAD_DATASET.format(value=name, known=", ".join(BY_NAME)))
    wanted_kinds = tuple(k for k in (s.strip() for s in kinds) if k)
    for kind in wanted_kinds:
        if kind not in KINDS:
            errors.append(BAD_KIND.format(value=kind, known=", ".join(KINDS)))
    code_range = normalise_code(code_range)
    if code_range and not _range_bounds(code_range):
        errors.append(BAD_RANGE.format(value=code_range))
    wanted_codes = tuple(sorted({normalise_code(c) for c in codes if c.strip()}))
    if len(wanted_codes) > MAX_CODES:
        errors.append(TOO_MANY_CODES.format(limit=MAX_CODES))
    errors.extend(BAD_CODE.format(value=c[:20]) for c in wanted_codes[:20] if not CODE.match(c))
    code_system = code_system.strip().upper()
    if code_system and code_system not in SYSTEMS:
        errors.append(BAD_SYSTEM.format(value=code_system[:20], known=", ".join(SYSTEMS)))
    return ChangeFilter(
        families=wanted_families,
        kinds=wanted_kinds,
        code_system=code_system,
        code_range=code_range,
        codes=wanted_codes,
        since=since,
        errors=errors,
    )


def _range_bounds(text: str) -> tuple[str, str] | None:
    low, dash, high = text.partition("-")
    if not dash:
        return (low, "") if CODE.match(low) else None
    if CODE.match(low) and CODE.match(high) and low <= high:
        return low, high
    return None


def find_diffs(*, families: Iterable[str] = ()) -> QuerySet[ReleaseDiff]:
    diffs = ReleaseDiff.objects.all()
    wanted = list(families)
    if wanted:
        diffs = diffs.filter(family__in=wanted)
    return diffs.order_by("-effective_on", "family", "-pk")


def find_changes(wanted: ChangeFilter, *, diff: ReleaseDiff | None = None) -> QuerySet[Change]:
    changes = Change.objects.select_related("diff")
    if diff is not None:
        changes = changes.filter(diff=diff)
    if wanted.families or wanted.since is not None:
        # The few diffs first, so the changes are filtered by their indexed diff_id, not a join.
        diffs = find_diffs(families=wanted.families)
        if wanted.since is not None:
            diffs = diffs.filter(effective_on__gte=wanted.since)
        changes = changes.filter(diff_id__in=list(diffs.values_list("pk", flat=True)))
    if wanted.kinds:
        changes = changes.filter(kind__in=wanted.kinds)
    if wanted.code_system:
        changes = changes.filter(code_system=wanted.code_system)
    if wanted.code_range:
        bounds = _range_bounds(wanted.code_range)
        if bounds is not None:
            low, high = bounds
            if high:
                changes = changes.filter(code__gte=low, code__lte=high)
            else:  # a prefix as a range, which an index serves (LIKE ... ESCAPE is not)
                after = low[:-1] + chr(ord(low[-1]) + 1)
                changes = changes.filter(code__gte=low, code__lt=after)
    if wanted.codes:
        changes = changes.filter(Q(code__in=wanted.codes) | Q(other_code__in=wanted.codes))
    # Diff by diff, each in key order (rows are stored sorted by key): the index on diff_id
    # gives this order without sorting the whole result (a join sort took 140 ms a page).
    return changes.order_by("diff_id", "pk")


@dataclass(frozen=True)
class DiffFacts:
    family: str
    from_label: str
    to_label: str
    effective_on: str


def diff_facts() -> dict[int, DiffFacts]:
    """Every stored diff's dataset, releases and date by id (a few dozen rows, one query):
    a page of changes reads these from here instead of joining them to every row."""
    rows = ReleaseDiff.objects.order_by().values_list(
        "pk", "family", "from_label", "to_label", "effective_on"
    )
    return {pk: DiffFacts(f, a, b, day.isoformat()) for pk, f, a, b, day in rows}


ROW_FIELDS = ("diff_id", *CHANGE_FIELDS[1:])


def page_rows(
    changes: QuerySet[Change], start: int, stop: int, facts: dict[int, DiffFacts]
) -> list[dict[str, object]]:
    """Rows `start`..`stop` as `change_row` gives them, read as tuples (no model objects)."""
    found = []
    for diff_id, *values in changes.values_list(*ROW_FIELDS)[start:stop]:
        diff = facts[diff_id]
        row: dict[str, object] = {
            "dataset": diff.family,
            "from_release": diff.from_label,
            "to_release": diff.to_label,
            "effective_on": diff.effective_on,
        }
        row.update(zip(ROW_FIELDS[1:], values, strict=True))
        found.append(row)
    return found


def count_changes(
    wanted: ChangeFilter, changes: QuerySet[Change], facts: dict[int, DiffFacts] | None = None
) -> int:
    """How many changes match: from the diffs' stored counts when only datasets, dates and
    kinds are asked for (no scan of the changes), else counted once per filter and set of
    stored diffs (a diff is never changed, only replaced under a new id)."""
    if wanted.code_system or wanted.code_range or wanted.codes:
        from medcode.ops import datacache

        stored = tuple(sorted(facts if facts is not None else diff_facts()))
        key = (
            wanted.families,
            wanted.kinds,
            wanted.code_system,
            wanted.code_range,
            wanted.codes,
            wanted.since,
            stored,
        )
        return datacache.get_or_build("changes-count", key, changes.count)
    diffs = find_diffs(families=wanted.families)
    if wanted.since is not None:
        diffs = diffs.filter(effective_on__gte=wanted.since)
    return sum(
        n
        for counts in diffs.values_list("counts", flat=True)
        for kind, n in counts.items()
        if not wanted.kinds or kind in wanted.kinds
    )


def counts_by_kind(changes: QuerySet[Change]) -> dict[str, int]:
    from django.db.models import Count

    rows = changes.order_by().values_list("kind").annotate(n=Count("id"))
    found = dict(rows)
    return {k: found[k] for k in KINDS if k in found}


def code_history(code: str) -> QuerySet[Change]:
    """Every stored change that touches a code (as the code or its partner), newest first."""
    changes = find_changes(parse_filter(codes=[code]))
    return changes.order_by("-diff__effective_on", "diff__family", "code", "other_code", "pk")


def family_title(name: str) -> str:
    family = BY_NAME.get(name)
    return family.title if family else name


def change_row(change: Change) -> dict[str, object]:
    diff = change.diff
    return {
        "dataset": diff.family,
        "from_release": diff.from_label,
        "to_release": diff.to_label,
        "effective_on": diff.effective_on.isoformat(),
        "code_system": change.code_system,
        "code": change.code,
        "other_code": change.other_code,
        "qualifier": change.qualifier,
        "kind": change.kind,
        "field": change.field,
        "old_value": change.old_value,
        "new_value": change.new_value,
        "percent": change.percent,
    }


def _cell(value: object) -> object:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): text that starts
    like one gets a leading apostrophe; numbers are left alone."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def csv_lines(changes: Iterable[Change]) -> Iterator[str]:
    """CSV text, a line at a time (for a streamed download)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for change in changes:
        buffer.seek(0)
        buffer.truncate()
        row = change_row(change)
        writer.writerow([_cell(row[c]) for c in CSV_COLUMNS])
        yield buffer.getvalue()
