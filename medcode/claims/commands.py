"""CLI verbs for claims: `medcode claims check FILE` (JSON, JSON lines or CSV)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.table import Table

FORMATS = ("auto", "json", "jsonl", "csv")
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
EXIT_CLEAN, EXIT_FINDINGS, EXIT_INVALID = 0, 1, 2


def register(subparsers: Any) -> None:
    claims = subparsers.add_parser("claims", help="check claims against the NCCI and PFS edits")
    verbs = claims.add_subparsers(dest="claims_command", required=True, metavar="VERB")
    check = verbs.add_parser(
        "check",
        help="check the claims in a file",
        description=(
            "Check claims from FILE ('-' for standard input): a JSON claim or list of claims, "
            "JSON lines (one claim per line) or CSV (one row per claim line). Exit status: 0 "
            "no error findings, 1 error findings, 2 input that could not be read."
        ),
    )
    check.add_argument("file", help="a .json, .jsonl/.ndjson or .csv file (gzip too), or -")
    check.add_argument(
        "--format", choices=FORMATS, default="auto", help="the file's format (default: by name)"
    )
    check.add_argument("--json", action="store_true", help="print JSON lines instead of tables")
    check.set_defaults(handler=cmd_check)
    inpatient = verbs.add_parser(
        "inpatient",
        help="check an inpatient discharge with the Medicare Code Editor",
        description=(
            "Check a discharge from FILE ('-' for standard input), a JSON object with "
            "discharge_date, age, principal_diagnosis, secondary_diagnoses and procedures "
            "(ICD-10-PCS), against the MCE edit lists in force. No MS-DRG is assigned (the "
            "grouper's tables are not loaded). Exit status: 0 no edit, 1 edits, 2 bad input."
        ),
    )
    inpatient.add_argument("file", help="a .json file, or -")
    inpatient.add_argument("--json", action="store_true", help="print the JSON result")
    inpatient.set_defaults(handler=cmd_inpatient)


def detect_format(name: str) -> str:
    lowered = name.lower().removesuffix(".gz")
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    return "json"


def cmd_check(args: argparse.Namespace) -> int:
    from medcode.claims import services
    from medcode.lib.datafiles import open_text
    from medcode.lib.errors import DataFileError

    fmt = args.format if args.format != "auto" else detect_format(args.file)
    try:
        stream: IO[str] = sys.stdin if args.file == "-" else open_text(Path(args.file))
    except DataFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    with stream:
        try:
            items: Iterator[services.BatchItem]
            if fmt == "jsonl":
                items = services.read_json_lines(stream)
            elif fmt == "csv":
                items = services.read_csv(stream)
            else:
                items = services.read_json_document(stream.read())
            records = services.check_batch_summary(services.check_batch(items))
            return _print(records, as_json=args.json)
        except services.BatchFormatError as exc:
            print(f"error: {args.file}: {exc}", file=sys.stderr)
        except services.ClaimInputError as exc:
            for error in exc.errors:
                print(f"error: {args.file}: {error.message}", file=sys.stderr)
        except UnicodeDecodeError:
            print(f"error: {args.file}: {services.NOT_UTF8}", file=sys.stderr)
    return EXIT_INVALID


def _print(records: Iterator[dict[str, Any]], *, as_json: bool) -> int:
    console = Console(soft_wrap=False)
    status = EXIT_CLEAN
    for record in records:
        if "summary" in record:
            summary = record["summary"]
            if as_json:
                print(json.dumps(record))
            else:
                findings = ", ".join(f"{n} {k}" for k, n in summary["findings"].items())
                console.print(
                    f"{summary['claims']} claim(s), {summary['invalid']} not valid; "
                    f"findings: {findings} ({summary['seconds']} s)"
                )
            continue
        if "errors" in record:
            status = EXIT_INVALID
        elif record["counts"]["error"] and status == EXIT_CLEAN:
            status = EXIT_FINDINGS
        if as_json:
            print(json.dumps(record))
        else:
            console.print(_table(record))
            if record.get("payment"):
                console.print(_payment_table(record["payment"]))
    return status


def _table(record: dict[str, Any]) -> Table:
    name = record.get("claim_id") or f"claim {record['record']}"
    if "errors" in record:
        table = Table(title=f"{name}: not valid — {record['detail']}", title_justify="left")
        table.add_column("Line")
        table.add_column("Field")
        table.add_column("Problem")
        for error in record["errors"]:
            line = "" if error.get("line") is None else str(error["line"])
            if error.get("row"):
                line += f" (row {error['row']})"
            table.add_row(line, error["field"], error["message"])
        return table
    findings = record["findings"]
    title = f"{name}: {len(findings)} finding(s)" if findings else f"{name}: no findings"
    caption = "\n".join(record.get("notices", ())) or None
    table = Table(
        title=title, title_justify="left", show_lines=True, caption=caption, caption_justify="left"
    )
    for column in ("Severity", "Lines", "Rule", "Why", "Fix", "Source"):
        table.add_column(column, overflow="fold")
    for finding in findings:
        severity = finding["severity"]
        table.add_row(
            f"[{SEVERITY_STYLES[severity]}]{severity}[/]",
            ", ".join(str(n) for n in finding["lines"]),
            finding["rule"],
            finding["message"],
            finding["fix"] or "",
            "\n".join(filter(None, (finding["source"], finding.get("stale")))),
        )
    return table


def _payment_table(payment: dict[str, Any]) -> Table:
    """The expected payment: one row per line, the adjustments, the claim total."""
    if payment["basis"] == "opps_national":
        where = "OPPS national"
    else:
        where = payment["locality"]["name"] if payment["locality"] else "national"
    if payment.get("state"):
        where += f"; DMEPOS {payment['state']}" + (" rural" if payment.get("rural") else "")
    total = f"${payment['total']}" + ("" if payment["is_complete"] else " (incomplete)")
    table = Table(
        title=f"Expected Medicare payment ({where}): {total}",
        title_justify="left",
        show_lines=True,
        caption="\n".join(payment["notices"]) or None,
        caption_justify="left",
    )
    for column in ("Line", "Code", "Paid under", "Fee", "Adjustments", "Expected"):
        table.add_column(column, overflow="fold")
    for line in payment["lines"]:
        adjustments = [a["message"] for a in line["adjustments"]]
        if line["reason"] and line["reason"] not in adjustments:
            adjustments.append(line["reason"])
        schedule = line.get("schedule", "pfs")
        if schedule == "opps":
            under = f"OPPS SI {line['status_indicator'] or '?'}"
        elif schedule == "dmepos":
            under = "DMEPOS"
        else:
            under = "PFS " + line["setting"].replace("_", "-")
        if line["status"] == "packaged":
            expected = "packaged"
        elif line["amount"] is not None:
            expected = f"${line['amount']}"
        else:
            expected = "not priced"
        table.add_row(
            str(line["line"]),
            line["code"],
            under,
            f"${line['fee']}" if line["fee"] else "",
            "\n".join(adjustments),
            expected,
        )
    return table


def cmd_inpatient(args: argparse.Namespace) -> int:
    from medcode.claims import inpatient, services
    from medcode.lib.datafiles import open_text
    from medcode.lib.errors import DataFileError

    try:
        stream: IO[str] = sys.stdin if args.file == "-" else open_text(Path(args.file))
        with stream:
            result = inpatient.check_discharge(services.load_json(stream.read()))
    except DataFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except services.ClaimInputError as exc:
        for error in exc.errors:
            print(f"error: {args.file}: {error.message}", file=sys.stderr)
        return EXIT_INVALID
    except inpatient.InpatientInputError as exc:
        for problem in exc.errors:
            print(f"error: {args.file}: {problem['field']}: {problem['message']}", file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        print(json.dumps(result))
    else:
        table = Table(
            title=f"Discharge {result['discharge_date']}: {result['count']} MCE edit(s)",
            title_justify="left",
            show_lines=True,
            caption="\n".join(result["notices"]) or None,
            caption_justify="left",
        )
        for column in ("Edit", "Codes", "Why", "Source"):
            table.add_column(column, overflow="fold")
        for edit in result["edits"]:
            table.add_row(edit["edit"], " ".join(edit["codes"]), edit["message"], edit["source"])
        console = Console(soft_wrap=False)
        console.print(table)
        console.print(_drg_line(result["ms_drg"]), highlight=False, soft_wrap=True)
    return EXIT_FINDINGS if result["count"] else EXIT_CLEAN


def _drg_line(drg: dict[str, Any]) -> str:
    """'MS-DRG 281 ACUTE MYOCARDIAL ..., MDC 05, weight 0.9191 (CC: N184)' or why none."""
    if not drg["grouped"]:
        return f"No MS-DRG ({drg['grouper']}): {drg['reason']}"
    text = f"MS-DRG {drg['drg']} {drg['title']}".rstrip()
    if drg["mdc"]:
        text += f", MDC {drg['mdc']}"
    if drg["weight"] is not None:
        text += f", weight {drg['weight']:.4f}"
    if drg["drove"]:
        text += f" (CC/MCC: {', '.join(drg['drove'])})"
    text += f"; {drg['grouper']}; weights: {drg['weight_source']}"
    text += f"; {drg['reason']}" if drg["reason"] else ""
    return "\n".join([text, *drg["warnings"]])
