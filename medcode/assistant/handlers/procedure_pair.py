"""Two procedure codes asked about together: every rule that relates them.

NCCI PTP in the table for who bills (physicians and ASCs: practitioner; hospital outpatient:
hospital), add-on code edits (is the other code an eligible primary?), an E/M visit with a
procedure (modifier 25 on the visit), and PFS status I (not valid for Medicare).
"""

from __future__ import annotations

import re

from medcode.assistant import tools
from medcode.assistant.context import Context, kb_entry, payer_notice, with_kb
from medcode.assistant.facts import Citation, Draft, Fact
from medcode.assistant.guard import CodeCheck
from medcode.assistant.handlers import Handler
from medcode.assistant.handlers.common import (
    TABLE_NAMES,
    in_table,
    is_em,
    main_fee,
    says,
    table_of,
)
from medcode.assistant.intent import Question
from medcode.assistant.knowledge import find_entries
from medcode.codes.page import meanings

EXAMPLES = (
    "Can 63650 and 63685 be billed together?",
    "63650 + 62321 in an ASC?",
    "Can I bill 99214 with 64483?",
    "Add-on 36218 with 36215 as the primary - is 36215 an eligible primary?",
    "Hospital outpatient claim, 08/2024: 77385 and 77306 on the same date. Is there an NCCI edit?",
    "99417 with 99215 for Medicare?",
)


def score(question: Question) -> float:
    procedures = question.procedure_codes
    if len(procedures) < 2:
        return 0.0
    if says(question.text, r"\bmues?\b|medically unlikely|\bmai\b") and not says(
        question.text, r"together|with each other|bundl|\bptp\b"
    ):
        return 0.0
    return 2.0


def _ptp_facts(hits: list[tools.PtpHit], first: CodeCheck) -> list[Fact]:
    return [
        Fact(
            f"{h.table}: column 1 {h.column_1}, column 2 {h.column_2}, modifier indicator "
            f"{h.modifier_indicator} "
            f"({meanings.explain(meanings.PTP_MODIFIER, h.modifier_indicator)})"
            + (f"; rationale: {h.rationale}" if h.rationale else "")
            + ".",
            Citation(f"NCCI PTP edit {h.column_1}/{h.column_2}", first.url, h.citation),
        )
        for h in hits
    ]


def _ptp_sentence(hit: tools.PtpHit | None, a: CodeCheck, b: CodeCheck, table: str, em: str) -> str:
    name = TABLE_NAMES[table]
    if hit is None:
        return (
            f"NCCI PTP: no edit pairs {a.display} and {b.display} in the {name} (checked both "
            "ways), so NCCI does not bundle them on that claim."
        )
    c1, c2 = hit.column_1, hit.column_2
    where = f"In the NCCI {name}, {c1} is column 1 and {c2} is column 2"
    if hit.modifier_indicator == "0":
        return (
            f"{where}, modifier indicator 0: {c2} is not paid with {c1} for the same patient and "
            "date, and no modifier bypasses the edit."
        )
    if hit.modifier_indicator == "1":
        if em and em == c2:
            return (
                f"{where}, modifier indicator 1: the visit is paid with the procedure only when it "
                f"is significant and separately identifiable: append modifier 25 to the E/M "
                f"visit {em} (not 59 or X{{EPSU}}, which are not used on E/M codes)."
            )
        return (
            f"{where}, modifier indicator 1: {c2} is denied with {c1} unless the services were "
            "distinct (another site, session, encounter or practitioner) and an NCCI-associated "
            "modifier (XS, XE, XP, XU or 59) is on the column 2 code, with the record showing why."
        )
    return f"{where}, modifier indicator 9: the edit does not apply (deleted)."


def _addon_sentences(
    ctx: Context, a: CodeCheck, b: CodeCheck
) -> tuple[list[str], list[Fact], bool]:
    sentences: list[str] = []
    facts: list[Fact] = []
    denied = False
    for addon, other in ((a, b), (b, a)):
        rows = tools.addon_rows(addon.code, ctx.on)
        if rows is None or not rows.primaries:
            continue
        citation = Citation(f"{addon.display}: NCCI add-on code edits", addon.url, rows.citation)
        primaries = [p for p, _ in rows.primaries if p != "CCCCC"]
        edit_type = str(rows.primaries[0][1])
        listed = ", ".join(primaries[:15]) + (" \u2026" if len(primaries) > 15 else "")
        kind = meanings.explain(meanings.AOC_TYPES, edit_type)
        if other.code in primaries:
            sentences.append(
                f"Add-on code edits: {addon.display} is an add-on code and {other.display} is a "
                f"listed (eligible) primary for it, so the pair may be reported together."
            )
        elif edit_type == "1":
            denied = True
            sentences.append(
                f"Add-on code edits: {addon.display} is an add-on code (type 1: only listed "
                f"primaries), and {other.display} is not an eligible primary for it, so the "
                f"add-on line is denied with that primary. Listed primaries: {listed}."
            )
        else:
            sentences.append(
                f"Add-on code edits: {addon.display} is an add-on code (type {edit_type}: {kind}) "
                f"and {other.display} is not on its CMS list of primaries; the contractor decides "
                f"which primaries are eligible. Listed primaries: {listed}."
            )
        facts.append(
            Fact(
                f"{addon.display} (add-on, type {edit_type}: {kind}) lists {len(primaries):,} "
                f"primary codes: {listed}.",
                citation,
            )
        )
    return sentences, facts, denied


def _status_sentences(ctx: Context, checks: list[CodeCheck]) -> tuple[list[str], list[Fact]]:
    sentences: list[str] = []
    facts: list[Fact] = []
    for check in checks:
        info = main_fee(check, ctx)
        alone = re.compile(rf"(?<![-\w]){re.escape(check.code)}(?![-\w])")
        for entry in find_entries(check.code, limit=1):
            if alone.search(entry.summary) and entry.summary not in sentences:
                facts += tools.kb_facts(entry, limit=3)
                sentences.append(entry.summary)
        if info is None or info.status not in {"I", "N", "X", "B", "P"}:
            continue
        meaning = meanings.explain(meanings.PFS_STATUS, info.status).rstrip(".")
        sentences.insert(
            0,
            f"For Medicare, {check.display} has PFS status {info.status} ({meaning}), so it is "
            "not separately paid by Medicare whatever NCCI says"
            + (": Medicare uses another code for the service." if info.status == "I" else "."),
        )
        facts.append(
            Fact(
                f"{check.display} PFS status {info.status}: {meaning}.",
                Citation(
                    f"{check.display}: Medicare Physician Fee Schedule", check.url, info.citation
                ),
            )
        )
    return sentences, facts


def build(ctx: Context) -> Draft:
    from medcode.assistant import procedures

    codes = ctx.procedures
    if len(codes) < 2:
        return procedures.ptp_pair(ctx)
    a, b = codes[0], codes[1]
    table = table_of(ctx.setting)
    hits = tools.ptp_pair(a.code, b.code, ctx.on)
    hit = next((h for h in hits if in_table(h.table, table)), None)
    em = next((c.code for c in (a, b) if is_em(c.code)), "")
    procedure = next((c for c in (a, b) if not is_em(c.code)), None)
    sentences = [_ptp_sentence(hit, a, b, table, em)] if tools.ptp_tables(ctx.on) else []
    other = next((h for h in hits if not in_table(h.table, table)), None)
    if other is not None and hit is None:
        other_table = "outpatient_hospital" if table == "practitioner" else "practitioner"
        sentences.append(
            f"(The {TABLE_NAMES[other_table].split(' (')[0]} has an edit for the pair, but it "
            "applies to the other kind of claim.)"
        )
    facts = _ptp_facts(hits, a)
    addon_sentences, addon_facts, _ = _addon_sentences(ctx, a, b)
    sentences += addon_sentences
    facts += addon_facts
    if em and procedure is not None and (hit is None or hit.modifier_indicator != "1"):
        info = main_fee(procedure, ctx)
        if info is not None and info.global_days in {"000", "010"}:
            sentences.append(
                f"{procedure.display} has a {info.global_days} global period (minor procedure): "
                f"the visit that decides on it is included, so a separate E/M visit {em} is "
                f"reported only when significant and separately identifiable, with modifier 25 "
                "on the E/M."
            )
        elif info is not None and info.global_days == "090":
            sentences.append(
                f"{procedure.display} has a 090 global period (major surgery): an E/M visit {em} "
                "on the day before or the day of surgery that decides on the surgery takes "
                "modifier 57; otherwise it is part of the global package."
            )
    status_sentences, status_facts = _status_sentences(ctx, [a, b])
    sentences = status_sentences + sentences
    facts = status_facts + facts
    draft = Draft(" ".join(sentences), facts)
    with_kb(draft, "ncci-ptp", limit=1)
    if em:
        draft.facts += tools.kb_facts(kb_entry("modifier-25"), limit=2)
    return payer_notice(ctx, draft)


HANDLER = Handler("procedure_pair", score, build, EXAMPLES)
