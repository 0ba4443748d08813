"""`medcode data diff`: what changed from one release to another (the verb is registered
under `data` by medcode.codes.commands)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

NO_RELEASES = "no dataset has loaded releases labelled {old!r} and {new!r}"
BAD_CODES_FILE = "{path}: cannot read the code list ({reason})"


def register_diff(verbs: Any) -> None:
    diff = verbs.add_parser(
        "diff",
        help="what changed between two releases (codes, edits, MUEs, fees, coverage)",
        description=(
            "Compare two loaded releases, e.g. --from 2024Q3 --to 2026Q2 (NCCI), "
            "--from '2024 July' --to '2026 January' (HCPCS), --from RVU25D --to RVU26C (PFS). "
            "Without --from/--to, list the stored diffs. --backfill computes the diffs of "
            "releases imported before this command existed."
        ),
    )
    diff.add_argument("--from", dest="old", help="the older release's label")
    diff.add_argument("--to", dest="new", help="the newer release's label")
    diff.add_argument("--dataset", help="a dataset (family) name, e.g. ncci_aoc, hcpcs, pfs_rvu")
    diff.add_argument("--codes", type=Path, help="a file of codes (one a line, or a CSV)")
    diff.add_argument("--kind", action="append", default=[], help="only this kind of change")
    out = diff.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV")
    diff.add_argument("--backfill", action="store_true", help="compute every missing diff")
    diff.set_defaults(handler=cmd_diff)


def cmd_diff(args: argparse.Namespace) -> int:
    from medcode.changes import queries, services
    from medcode.changes.watchlists import read_code_list

    if args.backfill:
        computed = services.backfill()
        for d in computed:
            print(f"{d.family}: {d.from_label} -> {d.to_label}: {d.counts} ({d.seconds} s)")
        print(f"{len(computed)} diffs computed", file=sys.stderr)
        if not (args.old or args.new):
            return 0
    if not (args.old and args.new):
        return _list_diffs(args)
    try:
        families = (
            services.resolve_family(args.dataset)
            if args.dataset
            else services.families_with(args.old, args.new)
        )
        if not families:
            raise ValueError(NO_RELEASES.format(old=args.old, new=args.new))
        diffs = [services.diff_between(f, args.old, args.new) for f in families]
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    codes: list[str] = []
    if args.codes:
        try:
            parsed = read_code_list(args.codes.read_bytes())
        except OSError as error:
            reason = error.strerror or str(error)
            print(
                "error: " + BAD_CODES_FILE.format(path=args.codes, reason=reason), file=sys.stderr
            )
            return 2
        for problem in parsed.problems:
            print(f"warning: {args.codes}: {problem}", file=sys.stderr)
        codes = parsed.codes
    wanted = queries.parse_filter(kinds=args.kind, codes=codes)
    if wanted.errors:
        for problem in wanted.errors:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    if args.codes and not codes:
        print(f"error: {args.codes}: no codes in the file", file=sys.stderr)
        return 2
    if args.csv:
        for diff in diffs:
            lines = queries.csv_lines(queries.find_changes(wanted, diff=diff).iterator())
            for i, line in enumerate(lines):
                if i == 0 and diff is not diffs[0]:
                    continue  # one header
                sys.stdout.write(line)
        return 0
    report = [_diff_report(queries, wanted, diff) for diff in diffs]
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for item in report:
        print(f"{item['dataset']} ({item['title']}): {item['from']} -> {item['to']}")
        for kind, n in item["counts"].items():
            print(f"  {kind:<20} {n:>9,}")
        for row in item["changes"][:50]:
            print("  " + _line(row))
        if item["shown"] < item["total"]:
            print(f"  ... {item['total']:,} changes in all (--csv or --json for every one)")
    return 0


def _diff_report(queries: Any, wanted: Any, diff: Any) -> dict[str, Any]:
    changes = queries.find_changes(wanted, diff=diff)
    counts = queries.counts_by_kind(changes)
    total = sum(counts.values())
    rows = [queries.change_row(c) for c in changes.iterator()]
    return {
        "dataset": diff.family,
        "title": queries.family_title(diff.family),
        "from": diff.from_label,
        "to": diff.to_label,
        "effective_on": diff.effective_on.isoformat(),
        "counts": counts,
        "total": total,
        "shown": len(rows),
        "changes": rows,
    }


def _line(row: dict[str, Any]) -> str:
    key = row["code"] + (f"/{row['other_code']}" if row["other_code"] else "")
    key += f" [{row['qualifier']}]" if row["qualifier"] else ""
    text = f"{key:<16} {row['kind']:<12} {row['field']:<18} {row['old_value']!s:.30} -> "
    text += f"{row['new_value']!s:.30}"
    if row["percent"] is not None:
        text += f" ({row['percent']:+.2f}%)"
    return text


def _list_diffs(args: argparse.Namespace) -> int:
    from medcode.changes import queries

    families = [args.dataset] if args.dataset else []
    diffs = list(queries.find_diffs(families=families))
    rows = [
        {
            "dataset": d.family,
            "from": d.from_label,
            "to": d.to_label,
            "effective_on": d.effective_on.isoformat(),
            "counts": d.counts,
            "seconds": d.seconds,
        }
        for d in diffs
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no stored diffs (import two releases of a dataset, or run --backfill)")
    for row in rows:
        total = sum(row["counts"].values())
        print(f"{row['dataset']:<24} {row['from']} -> {row['to']}: {total:,} changes")
    return 0
