"""Writes: computing and storing release-to-release diffs (once per pair, at import).

The comparison is one set-based query per family and pair: both sides' rows go through one
UNION ALL and one GROUP BY on the key, so the database sorts once and only the rows that
differ come back to Python (to be formatted and bulk-inserted). Nothing loops over the
unchanged millions of NCCI rows.

The largest tables (NCCI PTP, `Family.grouped`) skip that sort, which cost most of the diff:
each side is read once in the order of the (release, column 1) index as one string per
column 1 code (its column 2 codes and fields), equal strings are passed over, and only the
rows of the groups that differ are compared, as sets of strings (see `grouped_rows`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from medcode.changes.families import BY_NAME, FAMILIES, FROM_QUALIFIER, Family, families_of
from medcode.changes.models import Change, GroupRows, ReleaseDiff
from medcode.codes.models import Release
from medcode.lib.codeshapes import CPT_CODE
from medcode.ops.bulk import insert_rows

logger = logging.getLogger(__name__)

UNKNOWN_FAMILY = "unknown dataset {name!r}; known: {known}"
UNKNOWN_RELEASE = "no loaded release of {family} is labelled {label!r} (loaded: {loaded})"
SAME_RELEASE = "--from and --to name the same release ({label})"

PART = re.compile(r" part \d+$")
FETCH_ROWS = 20_000
CHANGE_FIELDS = (
    "diff_id",
    "code_system",
    "code",
    "other_code",
    "qualifier",
    "kind",
    "field",
    "old_value",
    "new_value",
    "percent",
)


@dataclass(frozen=True)
class Side:
    """One side of a diff: the releases that together make a family's table from `day`."""

    ids: tuple[int, ...]
    label: str
    day: dt.date

    @property
    def key(self) -> str:
        return ",".join(str(i) for i in self.ids)


def sides_of(family: Family) -> list[Side]:
    """The family's loaded releases, oldest first, one side per effective date.

    Parts of one NCCI quarter share their effective date and make one side. When several of
    the family's datasets have a release on one date, the preferred (first listed) dataset
    that actually holds rows of this family is used.
    """
    by_day: dict[dt.date, dict[str, list[Release]]] = {}
    for release in Release.objects.filter(dataset__in=family.datasets).order_by("pk"):
        by_day.setdefault(release.effective_from, {}).setdefault(release.dataset, []).append(
            release
        )
    sides: list[Side] = []
    for day in sorted(by_day):
        for dataset in family.datasets:
            releases = by_day[day].get(dataset)
            if releases and _has_rows(family, [r.pk for r in releases], day):
                label = PART.sub("", releases[0].version_label)
                sides.append(Side(tuple(r.pk for r in releases), label, day))
                break
    return sides


def _sql(family: Family, text: str) -> str:
    def json_key(match: re.Match[str]) -> str:
        name = match.group(1)
        if connection.vendor == "postgresql":
            return f"(data ->> '{name}')"
        return f"CAST(json_extract(data, '$.{name}') AS TEXT)"

    return re.sub(r"\{json:(\w+)\}", json_key, text)


def _side_select(family: Family, side: Side, number: int) -> tuple[str, list[Any]]:
    keys = [f"{_sql(family, k)} AS k{i}" for i, k in enumerate(family.keys)]
    fields = [f"{_sql(family, f.sql)} AS f{i}" for i, f in enumerate(family.fields)]
    where = family.where.replace("%(day)s", "%s")
    marks = ", ".join(["%s"] * len(side.ids))
    sql = (
        f"SELECT {', '.join([*keys, *fields])}, {number} AS side FROM {family.table} "
        f"WHERE release_id IN ({marks}) AND {where}"
    )
    return sql, [*side.ids, *[side.day] * family.where.count("%(day)s")]


def _has_rows(family: Family, ids: list[int], day: dt.date) -> bool:
    select, params = _side_select(family, Side(tuple(ids), "", day), 0)
    with connection.cursor() as cursor:
        cursor.execute(f"{select} LIMIT 1", params)
        return cursor.fetchone() is not None


def _differs(old: str, new: str, *, soft: bool) -> str:
    if soft:
        return f"({old} IS NOT NULL AND {new} IS NOT NULL AND {old} <> {new})"
    if connection.vendor == "postgresql":
        return f"({old} IS DISTINCT FROM {new})"
    return f"({old} IS NOT {new})"


def diff_query(family: Family, old: Side, new: Side) -> tuple[str, list[Any]]:
    """The rows whose key is on one side only, or whose compared fields differ."""
    old_sql, old_params = _side_select(family, old, 0)
    new_sql, new_params = _side_select(family, new, 1)
    keys = [f"k{i}" for i in range(len(family.keys))]
    columns = [
        "MAX(CASE WHEN side = 0 THEN 1 ELSE 0 END) AS in_old",
        "MAX(CASE WHEN side = 1 THEN 1 ELSE 0 END) AS in_new",
    ]
    conditions = ["in_old = 0", "in_new = 0"]
    for i, spec in enumerate(family.fields):
        columns.append(f"MAX(CASE WHEN side = 0 THEN f{i} END) AS o{i}")
        columns.append(f"MAX(CASE WHEN side = 1 THEN f{i} END) AS n{i}")
        conditions.append(_differs(f"o{i}", f"n{i}", soft=spec.soft))
    grouped = (
        f"SELECT {', '.join([*keys, *columns])} "
        f"FROM ({old_sql} UNION ALL {new_sql}) u GROUP BY {', '.join(keys)}"
    )
    sql = f"SELECT * FROM ({grouped}) g WHERE {' OR '.join(conditions)} ORDER BY {', '.join(keys)}"
    return sql, [*old_params, *new_params]


# Separators of the grouped comparison's strings: codes and indicators never contain them.
UNIT, RECORD = "\x1f", "\x1e"


def _chr(number: int) -> str:
    return f"chr({number})" if connection.vendor == "postgresql" else f"char({number})"


def _group_select(family: Family, release_id: int, day: dt.date) -> tuple[str, list[Any]]:
    """One side's rows of one release as one string per first key, in the index's order."""
    first, second = (_sql(family, k) for k in family.keys)
    # A NULL field reads '!', a value '=' + value: no two different rows give one string.
    # (`||` makes text of a number on both databases; a CAST per row cost 10% more.)
    parts = [second] + [f"COALESCE('=' || {_sql(family, f.sql)}, '!')" for f in family.fields]
    item = f" || {_chr(31)} || ".join(parts)
    concat = (
        f"string_agg({item}, {_chr(30)})"
        if connection.vendor == "postgresql"
        else f"group_concat({item}, {_chr(30)})"
    )
    where = family.where.replace("%(day)s", "%s")
    sql = (
        f"SELECT {first}, {concat} FROM {family.table} "
        f"WHERE release_id = %s AND {where} GROUP BY {first}"
    )
    return sql, [release_id, *[day] * family.where.count("%(day)s")]


def _release_groups(family: Family, release_id: int, day: dt.date, *, store: bool) -> list[Any]:
    """A release's (first key, rows) strings: stored ones, else read from its table (and
    stored when `store`: the newer side of a diff is the older side of the next one)."""
    stored = list(
        GroupRows.objects.filter(release_id=release_id, day=day).values_list("first", "rows")
    )
    if stored:
        return stored
    with connection.cursor() as cursor:
        cursor.execute(*_group_select(family, release_id, day))
        found: list[Any] = cursor.fetchall()
    if store:
        insert_rows(
            GroupRows,
            ("first", "rows"),
            found,
            constants={"release_id": release_id, "day": day.isoformat()},
        )
    return found


def _groups(family: Family, side: Side, *, store: bool = False) -> dict[str, str] | None:
    """First key -> its rows' string; None when a first key spans two parts."""
    found: dict[str, str] = {}
    for release_id in side.ids:
        for first, rows in _release_groups(family, release_id, side.day, store=store):
            if first in found:
                return None
            found[first] = rows
    return found


def keep_groups(family: Family, sides: Sequence[Side]) -> None:
    """Store the newest side's groups (the next import's older side), and drop those of
    sides before the newest two."""
    if not family.grouped or not sides:
        return
    newest = sides[-1]
    for release_id in newest.ids:
        if not GroupRows.objects.filter(release_id=release_id, day=newest.day).exists():
            _release_groups(family, release_id, newest.day, store=True)
    kept = [i for side in sides[-2:] for i in side.ids]
    releases = [i for side in sides for i in side.ids if i not in kept]
    GroupRows.objects.filter(release_id__in=releases).delete()


def _repeated(rows: str, second: str) -> bool:
    """Whether a group's string holds two rows of one second key (a search, not a split)."""
    return (RECORD + rows).count(RECORD + second + UNIT) > 1


def _split(rows: str | None) -> dict[str, list[str | None]]:
    """A group's string back to second key -> field values."""
    found: dict[str, list[str | None]] = {}
    for row in rows.split(RECORD) if rows else ():
        second, *fields = row.split(UNIT)
        found[second] = [None if f == "!" else f[1:] for f in fields]
    return found


def grouped_rows(family: Family, old: Side, new: Side) -> list[tuple[Any, ...]] | None:
    """The rows `diff_query` would return, from each side's groups: a group whose string is
    the same on both sides holds no change and is not split. None (a pair twice in force on
    one side, or a first key in two parts): use `diff_query`."""
    before, after = _groups(family, old), _groups(family, new, store=True)
    if before is None or after is None:
        return None
    found: list[tuple[Any, ...]] = []
    for first in sorted(before.keys() | after.keys()):
        old_rows, new_rows = before.get(first), after.get(first)
        if old_rows == new_rows:
            continue
        old_set = set(old_rows.split(RECORD)) if old_rows else set()
        new_set = set(new_rows.split(RECORD)) if new_rows else set()
        gone = _split(RECORD.join(old_set - new_set))
        came = _split(RECORD.join(new_set - old_set))
        seconds = sorted(gone.keys() | came.keys())
        # A pair twice in force on one side: which row counts is the GROUP BY query's MAX.
        if any(_repeated(old_rows or "", k) or _repeated(new_rows or "", k) for k in seconds):
            return None
        for second in seconds:
            was, now = gone.get(second), came.get(second)
            values: list[Any] = []
            for i in range(len(family.fields)):
                values += [was[i] if was else None, now[i] if now else None]
            found.append((first, second, int(was is not None), int(now is not None), *values))
    return found


def _text(value: Any, places: int | None = None) -> str:
    if value is None:
        return ""
    if places is not None and isinstance(value, float | int | Decimal):
        return f"{float(value):.{places}f}"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _percent(old: Any, new: Any) -> float | None:
    a, b = _number(old), _number(new)
    if a is None or b is None or a == 0:
        return None
    return round((b - a) / abs(a) * 100, 2)


def code_system_of(code: str) -> str:
    """CPT or HCPCS, by shape (NCCI and PFS rows mix both); HCPCS for anything else."""
    return "CPT" if CPT_CODE.match(code) else "HCPCS"


def _changes(
    family: Family, diff_id: int, rows: Iterable[Sequence[Any]], counts: Counter[str]
) -> Iterator[tuple[Any, ...]]:
    n_keys = len(family.keys)
    for row in rows:
        keys = [_text(k) for k in row[:n_keys]]
        code = keys[0]
        other = keys[1] if n_keys > 1 else ""
        qualifier = keys[2] if n_keys > 2 else ""
        if family.code_system == FROM_QUALIFIER:
            system = qualifier
        else:
            system = family.code_system or code_system_of(code)
        in_old, in_new = row[n_keys], row[n_keys + 1]
        values = row[n_keys + 2 :]
        head = (diff_id, system, code, other, qualifier)
        first = family.fields[0]
        if not in_old:
            counts["added"] += 1
            yield (*head, "added", first.name, "", _text(values[1], first.places), None)
            continue
        if not in_new:
            counts["deleted"] += 1
            yield (*head, "deleted", first.name, _text(values[0], first.places), "", None)
            continue
        for i, spec in enumerate(family.fields):
            old, new = values[2 * i], values[2 * i + 1]
            if old == new or (spec.soft and (old is None or new is None)):
                continue
            before, after = _text(old, spec.places), _text(new, spec.places)
            if before == after:
                continue  # the same value typed differently (e.g. 2 vs 2.0)
            counts[spec.kind] += 1
            percent = _percent(old, new) if spec.numeric else None
            yield (*head, spec.kind, spec.name, before, after, percent)


def compute_diff(family: Family, old: Side, new: Side) -> ReleaseDiff:
    """Compare two sides of a family and store the diff (replacing a stored one of the pair)."""
    started = time.perf_counter()
    with transaction.atomic():
        ReleaseDiff.objects.filter(family=family.name, from_ids=old.key, to_ids=new.key).delete()
        diff = ReleaseDiff.objects.create(
            family=family.name,
            from_release_id=old.ids[0],
            to_release_id=new.ids[0],
            from_label=old.label,
            to_label=new.label,
            from_ids=old.key,
            to_ids=new.key,
            effective_on=new.day,
        )
        counts: Counter[str] = Counter()
        rows = grouped_rows(family, old, new) if family.grouped else None
        if rows is not None:
            for start in range(0, len(rows), FETCH_ROWS):
                batch = rows[start : start + FETCH_ROWS]
                insert_rows(Change, CHANGE_FIELDS, list(_changes(family, diff.pk, batch, counts)))
        else:
            sql, params = diff_query(family, old, new)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                # A batch is inserted before the next is fetched: PostgreSQL's COPY holds
                # the connection, so it must not wait on a fetch from the same connection.
                while batch := cursor.fetchmany(FETCH_ROWS):
                    insert_rows(
                        Change, CHANGE_FIELDS, list(_changes(family, diff.pk, batch, counts))
                    )
        diff.counts = dict(sorted(counts.items()))
        diff.seconds = round(time.perf_counter() - started, 3)
        diff.save(update_fields=["counts", "seconds"])
    logger.info("%s: %s changes in %.1f s", diff, sum(counts.values()), diff.seconds)
    return diff


def ensure_diffs(family: Family) -> list[ReleaseDiff]:
    """Bring a family's stored diffs in line with its loaded releases; the diffs computed.

    Each release is compared with the one before it. A stored diff one of whose sides is no
    longer loaded as it was (a part added, a release replaced) is dropped.
    """
    sides = sides_of(family)
    keys = {s.key for s in sides}
    stored = ReleaseDiff.objects.filter(family=family.name)
    stale = [d.pk for d in stored if d.from_ids not in keys or d.to_ids not in keys]
    if stale:
        ReleaseDiff.objects.filter(pk__in=stale).delete()
    have = set(stored.values_list("from_ids", "to_ids"))
    computed = []
    for old, new in itertools.pairwise(sides):
        if (old.key, new.key) not in have:
            computed.append(compute_diff(family, old, new))
    keep_groups(family, sides)
    return computed


def record_changes(*, release: Release) -> list[ReleaseDiff]:
    """After an import: diff the families the release belongs to (called in its transaction)."""
    computed: list[ReleaseDiff] = []
    for family in families_of(release.dataset):
        computed.extend(ensure_diffs(family))
    if computed:
        from medcode.changes.digests import enqueue_digests

        ids = [d.pk for d in computed]
        transaction.on_commit(lambda: enqueue_digests(diff_ids=ids))
    return computed


def backfill() -> list[ReleaseDiff]:
    """Compute every missing diff of the loaded releases (an install upgraded to this app)."""
    computed: list[ReleaseDiff] = []
    for family in FAMILIES:
        computed.extend(ensure_diffs(family))
    return computed


def resolve_family(name: str) -> list[Family]:
    """A family by name, or the families a dataset name belongs to."""
    if name in BY_NAME:
        return [BY_NAME[name]]
    found = families_of(name)
    if not found:
        known = ", ".join(f.name for f in FAMILIES)
        raise ValueError(UNKNOWN_FAMILY.format(name=name, known=known))
    return found


def _find_side(sides: list[Side], label: str) -> Side | None:
    wanted = label.strip().casefold()
    for side in sides:
        if side.label.casefold() == wanted or side.label.casefold().split(" (")[0] == wanted:
            return side
    return None


def diff_between(family: Family, from_label: str, to_label: str) -> ReleaseDiff:
    """The stored diff of two releases of a family, computed now if it is not stored yet."""
    sides = sides_of(family)
    loaded = ", ".join(s.label for s in sides) or "none"
    found = []
    for label in (from_label, to_label):
        side = _find_side(sides, label)
        if side is None:
            raise ValueError(UNKNOWN_RELEASE.format(family=family.name, label=label, loaded=loaded))
        found.append(side)
    old, new = found
    if old.key == new.key:
        raise ValueError(SAME_RELEASE.format(label=old.label))
    existing = ReleaseDiff.objects.filter(
        family=family.name, from_ids=old.key, to_ids=new.key
    ).first()
    return existing or compute_diff(family, old, new)


def families_with(from_label: str, to_label: str) -> list[Family]:
    """The families that have loaded releases under both labels."""
    return [
        f
        for f in FAMILIES
        if (sides := sides_of(f))
        and _find_side(sides, from_label) is not None
        and _find_side(sides, to_label) is not None
    ]
