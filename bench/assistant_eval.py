"""Score CasePilot on an evaluation set; print JSON.

Two kinds of set:

  # The shared format (pilot_dev.jsonl, independent.jsonl), answered through the HTTP API:
  .venv/bin/python bench/assistant_eval.py --set ../shared/eval/pilot_dev.jsonl \
      [--url http://127.0.0.1:8142] [--port 8142] [--out answers.jsonl] [--failures]

  # The generated regression set (questions.yaml), answered in-process:
  DATABASE_URL=sqlite:////work/var/dev.sqlite3 .venv/bin/python bench/assistant_eval.py \
      [--questions medcode/assistant/eval/questions.yaml] [--data-dir ../shared/data] \
      [--failures] [--only ID_PREFIX]

With `--set`, each question is POSTed to /api/v1/assistant/ask of a running server (`--url`),
or of a gunicorn server this script starts on `--port` against $DATABASE_URL (default
sqlite:////work/var/dev.sqlite3) with metering and the shared data cache off, and stops at the
end. The answer a user sees (short answer, facts, notices) is written as {"id", "answer"} JSON
lines to `--out`, and scored by the set's own scorer (score.py beside the set, `--scorer`).

The database must hold the shared data (`medcode manage migrate && medcode data import
../shared/data`). For questions.yaml each question is answered without a language model on
the set's date. A question is correct when every expected code is in the answer's code list as
valid (or, for `expect_any_code`, at least one is), no forbidden code is shown as valid, and
every expected fact (substring, case-insensitive) and regular expression is found in the
answer's text (short answer, facts and notices).

Invented codes are counted independently of the guard: every code-shaped token of the answer
text must be a code listed in some shared data file (read here from the CSVs), or be reported
by the answer itself as not found. Citation coverage is the share of answers with at least one
fact whose citation has a label, a link and a release.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_QUESTIONS = ROOT / "medcode" / "assistant" / "eval" / "questions.yaml"
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_SCORER = ROOT.parent / "shared" / "eval" / "score.py"

# The code columns of every shared file (the universe of real codes).
CODE_COLUMNS = {
    "icd10cm_codes_2026.csv.gz": ("code_nodot",),
    "icd10cm_order_2025.csv.gz": ("code",),
    "icd10pcs_codes_tuva.csv.gz": ("code",),
    "icd10pcs_medsurg_2025.csv.gz": ("code",),
    "hcpcs_level2_2020_anweb.csv.gz": ("hcpc",),
    "hcpcs_level2_2024_04.csv.gz": ("hcpc",),
    "hcpcs_level2_2024_07.csv.gz": ("hcpcs_code",),
    "hcpcs_level2_long_desc_2025_scraped.csv.gz": ("hcpcs",),
    "hcpcs_modifiers_2020.csv.gz": ("hcpc",),
    "hcpcs_modifiers_2024_04.csv.gz": ("hcpc",),
    "pfs_rvu_2025d.csv.gz": ("hcpcs",),
    "opps_addendum_b_2026_04.csv.gz": ("hcpcs",),
    "dmepos_fee_schedule_2025_04.csv.gz": ("hcpcs",),
    "ncci_ptp_practitioner_2024q3.csv.gz": ("column_1", "column_2"),
    "ncci_ptp_outpatient_hospital_2024q3.csv.gz": ("column_1", "column_2"),
    "ncci_mue_2024q3.csv.gz": ("hcpcs",),
    "ncci_mue_practitioner_2026q2_mai3_only.csv.gz": ("hcpcs",),
    "ncci_aoc_2024q3.csv.gz": ("add_on_code", "primary_code"),
    "place_of_service_codes_2024.csv.gz": ("pos_code",),
    "icd10cm_cc_mcc_fy2026.csv.gz": ("code_nodot",),
}
# CPT (Level I) modifiers are AMA's and in no file; these two-character values are real.
_CPT_MODIFIER_LIST = (
    "22 23 24 25 26 27 32 33 47 50 51 52 53 54 55 56 57 58 59 62 63 66 73 74 76 77 78 79 "
    "80 81 82 90 91 92 93 95 96 97 99 P1 P2 P3 P4 P5 P6 1P 2P 3P 8P"
)
CPT_MODIFIERS = set(_CPT_MODIFIER_LIST.split())
# The evaluation's own reading of "code-shaped" (deliberately written apart from the guard's).
TOKEN = re.compile(
    r"(?<![\w$.])("
    r"\d{4}[0-9FTUM]"  # CPT
    r"|[A-V]\d{4}"  # HCPCS Level II
    r"|[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?"  # ICD-10-CM, dotted or a category
    r"|[A-Z]\d[0-9A-Z]{2,4}"  # ICD-10-CM without the dot
    r"|(?=[0-9A-HJ-NP-Z]*\d)(?=[0-9A-HJ-NP-Z]*[A-HJ-NP-Z])[0-9A-HJ-NP-Z]{7}"  # ICD-10-PCS
    r")(?![\w])"
)
MODIFIER_TOKEN = re.compile(r"\bmodifiers? ([0-9A-Z]{2})\b")
NOT_CODES = {"N95", "A1C", "B12", "T2DM", "T1DM", "CO2", "H2O"}


def load_universe(data: Path) -> set[str]:
    found: set[str] = set()
    for name, columns in CODE_COLUMNS.items():
        path = data / name
        if not path.exists():
            continue
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for column in columns:
                    value = (row.get(column) or "").strip().upper().replace(".", "")
                    if value:
                        found.add(value)
    return found | CPT_MODIFIERS


def answer_text(answer: dict[str, Any]) -> str:
    parts = [answer["answer"], *(f["text"] for f in answer["facts"]), *answer["notices"]]
    return "\n".join(parts)


def invented_codes(answer: dict[str, Any], universe: set[str]) -> list[str]:
    """Code-shaped tokens of the answer that no data file lists and the answer calls valid or
    does not call not-found."""
    reported = {c["text"].upper().replace(".", ""): c["status"] for c in answer["codes"]} | {
        c["code"].upper().replace(".", ""): c["status"] for c in answer["codes"]
    }
    text = answer_text(answer)
    tokens = {t for t in TOKEN.findall(text) if t not in NOT_CODES}
    tokens |= set(MODIFIER_TOKEN.findall(text))
    invented = []
    for token in sorted(tokens):
        key = token.replace(".", "")
        if key in universe:
            continue
        if reported.get(key) == "not_found":
            continue
        invented.append(token)
    # A code the answer itself lists as valid must be real too.
    for check in answer["codes"]:
        key = check["code"].upper().replace(".", "")
        if check["status"] == "valid" and key not in universe and check["code"] not in invented:
            invented.append(check["code"])
    return invented


def score(item: dict[str, Any], answer: dict[str, Any]) -> list[str]:
    """Why an answer is not correct (empty when it is)."""
    reasons = []
    statuses = {c["code"].upper(): c["status"] for c in answer["codes"]}
    statuses |= {c["text"].upper(): c["status"] for c in answer["codes"]}
    for code in item.get("expect_codes", []):
        if statuses.get(code.upper()) != "valid":
            reasons.append(f"expected {code} as a valid code, got {statuses.get(code.upper())}")
    wanted = item.get("expect_any_code", [])
    if wanted and not any(statuses.get(c.upper()) == "valid" for c in wanted):
        reasons.append(f"expected one of {wanted[:8]} as a valid code")
    for code in item.get("forbid_codes", []):
        if statuses.get(code.upper()) == "valid":
            reasons.append(f"forbidden code {code} shown as valid")
    text = answer_text(answer)
    lowered = text.lower()
    for fact in item.get("expect_facts", []):
        if fact.lower() not in lowered:
            reasons.append(f"missing fact {fact!r}")
    for pattern in item.get("expect_regex", []):
        if not re.search(pattern, text, re.IGNORECASE | re.DOTALL):
            reasons.append(f"missing pattern {pattern!r}")
    return reasons


def is_cited(answer: dict[str, Any]) -> bool:
    return any(
        f["citation"]["label"] and f["citation"]["url"] and f["citation"]["release"]
        for f in answer["facts"]
    )


# --- The shared format, through the HTTP API ---------------------------------------------------

DEFAULT_DATABASE = "sqlite:////work/var/dev.sqlite3"
ASK_PATH = "/api/v1/assistant/ask"


def shown_text(answer: dict[str, Any]) -> str:
    """What a user reads: the short answer, each fact, then the notices."""
    return "\n".join(
        [answer["answer"], *(f["text"] for f in answer["facts"]), *answer["notices"]]
    ).strip()


def ask_http(base: str, question: str, *, timeout: float = 60.0) -> dict[str, Any]:
    request = urllib.request.Request(
        base.rstrip("/") + ASK_PATH,
        data=json.dumps({"question": question}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        result: dict[str, Any] = json.loads(response.read())
    return result


def wait_until_up(base: str, process: subprocess.Popen[bytes], *, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise SystemExit(f"the server at {base} did not answer /healthz within {seconds:.0f} s")


@contextmanager
def served(port: int, log_path: Path) -> Iterator[str]:
    """gunicorn on 127.0.0.1:`port` over $DATABASE_URL, metering and the data cache off."""
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE,
        "MEDCODE_METERING": "off",
        "MEDCODE_DATA_CACHE": "off",
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
    }
    env.pop("MEDCODE_LLM_BASE_URL", None)
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "medcode.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        try:
            wait_until_up(base, process)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def answer_set(base: str, rows: list[dict[str, Any]], out: Path) -> dict[str, Any]:
    """Ask every question of the set; write {"id", "answer"} lines; timings and errors."""
    seconds: list[float] = []
    errors: list[str] = []
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            started = time.perf_counter()
            try:
                text = shown_text(ask_http(base, row["question"]))
            except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
                errors.append(f"{row['id']}: {exc}")
                text = ""
            seconds.append(time.perf_counter() - started)
            fh.write(json.dumps({"id": row["id"], "answer": text}, ensure_ascii=False) + "\n")
    ordered = sorted(seconds)
    return {
        "http_errors": errors,
        "p50_ms": round(1000 * ordered[len(ordered) // 2], 1) if ordered else 0.0,
        "max_ms": round(1000 * ordered[-1], 1) if ordered else 0.0,
    }


def run_set(args: argparse.Namespace) -> int:
    rows = [json.loads(line) for line in args.set.read_text().splitlines() if line.strip()]
    if args.only:
        rows = [r for r in rows if r["id"].startswith(args.only) or r["intent"] == args.only]
    out: Path = args.out or Path("/tmp") / f"casepilot-answers-{args.set.stem}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if args.url:
        timing = answer_set(args.url, rows, out)
    else:
        with served(args.port, out.with_suffix(".server.log")) as base:
            timing = answer_set(base, rows, out)
    gold = args.set
    if args.only:
        gold = out.with_suffix(".gold.jsonl")
        gold.write_text("".join(json.dumps(r) + "\n" for r in rows))
    scorer = args.scorer or args.set.parent / "score.py"
    if not scorer.exists():
        scorer = DEFAULT_SCORER
    done = subprocess.run(
        [sys.executable, str(scorer), "pilot", "--pred", str(out), "--gold", str(gold),
         "--data-dir", str(args.data_dir)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        print(done.stdout, done.stderr, file=sys.stderr)
        return done.returncode
    result = json.loads(done.stdout)
    result.update(timing, answers=str(out), seconds=round(time.perf_counter() - started, 1))
    if args.failures:
        answers = {
            json.loads(line)["id"]: json.loads(line)["answer"]
            for line in out.read_text().splitlines()
        }
        by_id = {r["id"]: r for r in rows}
        result["failures"] = [
            {
                "id": item.split()[0],
                "why": item.split(" ", 1)[1],
                "question": by_id[item.split()[0]]["question"],
                "notes": by_id[item.split()[0]]["gold"].get("notes", ""),
                "answer": answers.get(item.split()[0], "")[:600],
            }
            for item in result["failed_ids"]
        ]
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--set", type=Path, help="a set in the shared JSONL format")
    parser.add_argument("--url", default="", help="a running server to ask (else one is started)")
    parser.add_argument("--port", type=int, default=8142, help="port of the server started here")
    parser.add_argument("--out", type=Path, help="where to write the answers (JSONL)")
    parser.add_argument("--scorer", type=Path, help="score.py (default: beside the set)")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("MEDCODE_DATA_DIR") or DEFAULT_DATA)
    )
    parser.add_argument("--failures", action="store_true", help="list every failed question")
    parser.add_argument("--only", default="", help="only questions whose id starts with this")
    args = parser.parse_args(argv)
    if args.set is not None:
        return run_set(args)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
    import django

    django.setup()
    from medcode.assistant.answer import answer_question

    document = yaml.safe_load(args.questions.read_text())
    on = dt.date.fromisoformat(str(document["date"]))
    questions = [q for q in document["questions"] if q["id"].startswith(args.only)]
    universe = load_universe(args.data_dir)

    per_intent: dict[str, Counter[str]] = defaultdict(Counter)
    failures, invented_all = [], []
    cited = intent_ok = correct = 0
    started = time.perf_counter()
    for item in questions:
        answer = answer_question(item["question"], today=on, use_llm=False).as_dict()
        reasons = score(item, answer)
        invented = invented_codes(answer, universe)
        if invented:
            reasons.append(f"invented codes {invented}")
            invented_all += [{"id": item["id"], "codes": invented}]
        cited += is_cited(answer)
        intent_ok += answer["intent"] == item["intent"]
        per_intent[item["intent"]]["total"] += 1
        if not reasons:
            correct += 1
            per_intent[item["intent"]]["correct"] += 1
        else:
            failures.append(
                {
                    "id": item["id"],
                    "question": item["question"],
                    "intent": answer["intent"],
                    "reasons": reasons,
                    "answer": answer["answer"][:300],
                }
            )
    total = len(questions)
    result = {
        "questions": total,
        "date": on.isoformat(),
        "correct": correct,
        "correct_pct": round(100 * correct / total, 1) if total else 0.0,
        "citation_coverage_pct": round(100 * cited / total, 1) if total else 0.0,
        "invented_codes": sum(len(i["codes"]) for i in invented_all),
        "invented": invented_all,
        "intent_accuracy_pct": round(100 * intent_ok / total, 1) if total else 0.0,
        "by_intent": {
            intent: {"correct": c["correct"], "total": c["total"]}
            for intent, c in sorted(per_intent.items())
        },
        "seconds": round(time.perf_counter() - started, 1),
        "failed": [f["id"] for f in failures],
    }
    if args.failures:
        result["failures"] = failures
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
