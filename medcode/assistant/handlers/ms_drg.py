"""Which MS-DRG a discharge groups to ("What MS-DRG for principal I21.4 with secondary E11.9
and N18.4?"): the inpatient check (claims/inpatient.py: the MCE edits and rules/drg.py's
grouping, with the loaded IPPS Table 5 weight), the same answer as the API and the CLI.

The first ICD-10-CM code is the principal unless another follows "principal" / "PDX"; the
other ICD-10-CM codes are secondary; ICD-10-PCS codes are the procedures. "male" / "female"
give the sex, "died" / "expired" the discharge status 20."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from medcode.assistant.context import Context
from medcode.assistant.facts import Citation, Draft, Fact
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import says
from medcode.assistant.intent import CodeMention, Question
from medcode.rules.claim import format_diagnosis

EXAMPLES = (
    "What MS-DRG for principal I21.4 with secondary E11.9 and N18.4?",
    "Which DRG does J18.9 with J96.01 group to?",
    "MS-DRG for M16.11 with procedure 0SR9019, female patient",
)
DRG = r"\bms-?drgs?\b|\bdrgs?\b"
# Asking for the DRG itself ("what MS-DRG", "which DRG", "groups to", "DRG for"), not whether
# one code is a CC for the DRG (the severity answer's).
GROUPING = (
    r"\b(what|which)\b[^?]*\bdrg\b|\bgroups?\b|\bgrouping\b|\bgrouper\b|"
    r"^\s*(ms-?)?drg\s+(for|of)\b|\bassign"
)
PRINCIPAL = re.compile(r"\b(?:principal|pdx|primary)\b(?:\s+(?:diagnosis|dx|of|is|=|:))*\s*$")
PRINCIPAL_WORD = re.compile(r"\b(?:principal|pdx)\b", re.IGNORECASE)
FEMALE = r"\bfemale\b|\bwoman\b|\bgirl\b|\bshe\b"
MALE = r"\bmale\b|\bman\b|\bboy\b|\bhe\b"
EXPIRED = r"\bdied\b|\bexpired\b|\bdeceased\b|\bdeath\b"
LATEST_ONLY = (
    "No discharge date was given and no MS-DRG version available here covers today "
    "({today}): this is the {version} grouping, as for a discharge on {on}."
)


def score(question: Question) -> float:
    if not question.diagnosis_codes or not says(question.text, DRG):
        return 0.0
    pcs = any(c.shapes[:1] == ("ICD10PCS",) for c in question.codes)
    discharge = len(question.diagnosis_codes) > 1 or pcs or PRINCIPAL_WORD.search(question.text)
    return 3.0 if discharge and says(question.text, GROUPING) else 0.0


def principal_first(question: Question) -> list[CodeMention]:
    """The diagnosis codes, the one named as principal first."""
    codes = [c for c in question.diagnosis_codes if "ICD10PCS" not in c.shapes[:1]]
    text = question.text
    for code in codes:
        at = text.find(code.text)
        if at >= 0 and PRINCIPAL.search(text[:at]):
            return [code, *[c for c in codes if c is not code]]
    return codes


def discharge_of(ctx: Context, on: dt.date) -> dict[str, Any]:
    question = ctx.question
    diagnoses = principal_first(question)
    procedures = [c.code for c in question.codes if c.shapes[:1] == ("ICD10PCS",)]
    body: dict[str, Any] = {
        "discharge_date": on.isoformat(),
        "principal_diagnosis": diagnoses[0].code,
        "secondary_diagnoses": [c.code for c in diagnoses[1:]],
        "procedures": procedures,
    }
    text = question.text.lower()
    if re.search(FEMALE, text):
        body["sex"] = "F"
    elif re.search(MALE, text):
        body["sex"] = "M"
    if re.search(EXPIRED, text):
        body["discharge_status"] = "20"
    return body


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures as answers
    from medcode.claims.inpatient import InpatientInputError, check_discharge
    from medcode.rules.drg import grouper_version, last_covered

    if not ctx.question.diagnosis_codes:
        return answers.code_lookup(ctx)
    on = ctx.on
    moved = ""
    if ctx.question.on is None and on > last_covered():
        # No date asked and today is past the latest version's fiscal year: say which one.
        on = last_covered()
        moved = LATEST_ONLY.format(today=ctx.on.isoformat(), version=grouper_version(on), on=on)
    body = discharge_of(ctx, on)
    try:
        result = check_discharge(body)
    except InpatientInputError as exc:
        problems = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors)
        return Draft(f"These codes cannot be grouped as a discharge: {problems}.", is_unsure=True)
    drg = result["ms_drg"]
    principal = format_diagnosis(body["principal_diagnosis"])
    others = [format_diagnosis(c) for c in body["secondary_diagnoses"]]
    described = f"principal {principal}" + (
        f" with secondary {', '.join(others)}" if others else ""
    )
    if body["procedures"]:
        described += f" and procedures {', '.join(body['procedures'])}"
    url = f"/codes/{principal}/"
    grouper = Citation(f"MS-DRG grouping ({drg['grouper']})", url, drg["grouper"])
    facts: list[Fact] = []
    notices: list[str] = []
    if not drg["grouped"]:
        summary = f"No MS-DRG for {described} on {body['discharge_date']}: {drg['reason']}."
        return Draft(summary, [Fact(summary, grouper)], is_unsure=True)
    summary = f"MS-DRG {drg['drg']}"
    if drg["title"]:
        summary += f" ({readable(drg['title'])})"
    summary += f" for {described}, discharged {body['discharge_date']}"
    if drg["mdc"]:
        summary += f", MDC {drg['mdc']}"
    summary += "."
    if drg["weight"] is not None:
        table5 = Citation(f"MS-DRG {drg['drg']}: IPPS Table 5", url, drg["weight_source"])
        facts.append(Fact(f"MS-DRG {drg['drg']} relative weight {drg['weight']:.4f}", table5))
        summary += f" Relative weight {drg['weight']:.4f} (IPPS Table 5)."
    for item in drg["severity"]:
        code = format_diagnosis(item["code"])
        text = f"{code} is an {item['level']}" if item["level"] == "MCC" else f"{code} is a CC"
        text += ": counted." if item["counted"] else f", {item['reason']}."
        facts.append(Fact(text, grouper))
    if drg["drove"]:
        levels = {s["code"]: s["level"] for s in drg["severity"]}
        named = ", ".join(f"{format_diagnosis(c)} ({levels[c]})" for c in drg["drove"])
        summary += f" Severity level from {named}."
    elif not drg["severity"]:
        summary += " No secondary diagnosis is a CC or MCC."
    if moved:
        notices.insert(0, moved)
        summary = f"{moved} {summary}"
    if "sex" not in body:
        notices.append("No sex given: grouped only because male and female give the same DRG.")
    notices.append(
        f"Grouped by {drg['grouper']} (CC exclusions applied; age and present-on-admission "
        "indicators not used); known differences from CMS's grouper are listed on "
        "About the data (/about/data/#msdrg)."
    )
    for warning in drg["warnings"]:
        notices.insert(0, warning[0].upper() + warning[1:] + ".")
    for edit in result["edits"]:
        notices.append(f"MCE edit {edit['edit']}: {edit['message']}")
    if drg["reason"]:
        notices.append(drg["reason"])
    facts.append(Fact(f"{drg['grouper']}: MS-DRG {drg['drg']}", grouper))
    return Draft(summary, facts, notices)


UPPER_WORDS = frozenset(
    {"cc", "mcc", "cc/mcc", "mv", "o.r.", "c.d.e.", "hiv", "tpa", "ecmo", "d&c"}
)


def readable(title: str) -> str:
    """'ACUTE MYOCARDIAL INFARCTION, ... WITH CC' -> 'Acute myocardial infarction, ... with CC'."""
    words = title.lower().split(" ")
    shown = [w.upper() if w.strip(",") in UPPER_WORDS else w for w in words]
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


HANDLER = Handler("ms_drg", score, build, EXAMPLES)
