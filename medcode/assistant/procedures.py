"""Answers about procedure codes: what a code is, NCCI pairs, global periods, MUEs, add-on
codes, payment, which code fits, coverage and a claim check."""

from __future__ import annotations

import re

from medcode.assistant import tools
from medcode.assistant.context import (
    MAX_CODES,
    Context,
    kb_entry,
    no_valid_code,
    payer_notice,
    shorten,
    with_kb,
    without_codes,
)
from medcode.assistant.facts import Citation, Draft, Fact
from medcode.assistant.guard import CodeCheck
from medcode.codes.page import meanings
from medcode.codes.page.reads import code_title
from medcode.codes.queries import SYSTEM_LABELS, CodePage, release_catalog

# --- What is code X -------------------------------------------------------------------------


# The code page's editorial sections a lookup question may ask for, by its words.
ASKED_SECTIONS = (
    ("what_it_is", r"\bwhat is\b|\bused for\b|\bwhen\b|describe"),
    ("billing", r"\bbill|\bclaim|\bunits?\b|\breport"),
    ("documentation", r"document|record|\bnote\b"),
    ("modifiers", r"modifier"),
    ("not_covered", r"not (cover|includ)|separately|\bexclud"),
)


def code_lookup(ctx: Context) -> Draft:
    if not ctx.valid:
        return no_valid_code(ctx)
    sentences: list[str] = []
    facts: list[Fact] = []
    for check in ctx.valid[:MAX_CODES]:
        page = tools.page_of(check, ctx.on)
        sentences.append(_what_it_is(check, page))
        facts.append(
            Fact(f"{check.display}: {tools.describe(check, page)}", tools.cite_code(check))
        )
        plain = tools.editorial_fact(check, page, "plain")
        if plain is not None:
            facts.append(plain)
        for section, pattern in ASKED_SECTIONS:
            if re.search(pattern, ctx.question.text, re.I):
                found = tools.editorial_fact(check, page, section)
                if found is not None:
                    facts.append(found)
        for key, label in (
            ("fee_schedule", tools.STATUS),
            ("fee_schedule", tools.GLOBAL),
            ("opps", tools.OPPS_SI),
            ("hcpcs", tools.HCPCS_COVERAGE),
            ("severity", tools.SEVERITY),
        ):
            fact = tools.fact_from_panel(check, page, key, label)
            if fact is not None:
                facts.append(fact)
    draft = Draft(" ".join(sentences), facts)
    if any(c.system == "CPT" for c in ctx.valid):
        draft.facts += tools.kb_facts(kb_entry("cpt-descriptors"), limit=1)
    return draft


def _what_it_is(check: CodeCheck, page: CodePage | None) -> str:
    label = SYSTEM_LABELS.get(check.system, check.system)
    if check.system == "ICD10CM":
        billable = (
            "It is billable (valid for claims)."
            if check.is_billable
            else "It is a heading, not billable: report one of the more specific codes below it."
        )
        return f"{check.display} is an {label} diagnosis code: {check.title}. {billable}"
    if check.system == "ICD10PCS":
        return f"{check.display} is an {label} inpatient procedure code: {check.title}."
    if check.system == "HCPCS":
        return f"{check.display} is a {label} code: {tools.describe(check, page)}."
    if check.system == "CPT":
        status = tools.panel_fact(page, "fee_schedule", tools.STATUS)
        where = (
            f" The Medicare Physician Fee Schedule lists it with status {status.value} "
            f"({status.meaning.rstrip('.')})."
            if status is not None
            else ""
        )
        # Our title: the article's, else the reviewed one from content/cpt_titles.csv.
        ours = code_title("CPT", check.code)
        about = f" In our words: {ours}." if ours else ""
        return (
            f"{check.display} is a CPT code (its official descriptor is AMA text, not loaded "
            f"here).{about}{where}"
        )
    return f"{check.display} is a {label} code: {check.title}."


# --- Can A and B be billed together -----------------------------------------------------------

PTP_NONE = (
    "No NCCI procedure-to-procedure edit pairs {a} and {b} on {on} in the loaded tables, so "
    "NCCI does not stop them being billed together; global surgery, add-on and coverage rules "
    "still apply."
)
PTP_ZERO = (
    "No: NCCI pairs {c1} (column 1) with {c2} (column 2) with modifier indicator 0 in the "
    "{table}. {c2} is not paid with {c1} for the same patient on the same day, and no modifier "
    "bypasses the edit."
)
PTP_ONE = (
    "Only when the services were distinct: NCCI pairs {c1} (column 1) with {c2} (column 2) with "
    "modifier indicator 1 in the {table}. {c2} is denied with {c1} unless an NCCI-associated "
    "modifier (such as XS, XE, XP, XU or 59) applies and the record shows why."
)
PTP_NINE = (
    "NCCI lists {c1} and {c2} with modifier indicator 9 in the {table}: the edit does not apply "
    "(it was deleted)."
)
PTP_NOT_LOADED = (
    "The NCCI procedure-to-procedure tables are not loaded on this install, so I cannot say "
    "whether an edit pairs {a} and {b}."
)
NEED_TWO = "A pair check needs two valid CPT or HCPCS codes; the question has {count}."


def _ptp_meaning(indicator: str) -> str:
    return meanings.explain(meanings.PTP_MODIFIER, indicator)


def ptp_pair(ctx: Context) -> Draft:
    codes = ctx.procedures
    if len(codes) < 2:
        draft = no_valid_code(ctx) if not ctx.valid else Draft("", is_unsure=True)
        draft.notices.append(NEED_TWO.format(count=len(codes)))
        return draft
    a, b = codes[0], codes[1]
    if not tools.ptp_tables(ctx.on):
        return with_kb(
            Draft(PTP_NOT_LOADED.format(a=a.display, b=b.display), is_unsure=True), "ncci-ptp"
        )
    hits = tools.ptp_pair(a.code, b.code, ctx.on)
    facts = [
        Fact(
            f"{h.table}: column 1 {h.column_1}, column 2 {h.column_2}, modifier indicator "
            f"{h.modifier_indicator} ({_ptp_meaning(h.modifier_indicator)})"
            + (f"; rationale: {h.rationale}" if h.rationale else "")
            + ".",
            Citation(f"NCCI PTP edit {h.column_1}/{h.column_2}", a.url, h.citation),
        )
        for h in hits
    ]
    if not hits:
        summary = PTP_NONE.format(a=a.display, b=b.display, on=ctx.on.isoformat())
        tables = "; ".join(
            release_catalog().sources[r.pk].citation for r in tools.ptp_tables(ctx.on)
        )
        facts.append(
            Fact(
                f"Checked the NCCI PTP tables loaded for {ctx.on.isoformat()}: {tables}.",
                Citation(f"{a.display} code page", a.url, tables),
            )
        )
    else:
        preferred = "hospital" if ctx.setting == "outpatient_hospital" else "practitioner"
        hit = next((h for h in hits if preferred in h.table.lower()), hits[0])
        template = {"0": PTP_ZERO, "1": PTP_ONE}.get(hit.modifier_indicator, PTP_NINE)
        summary = template.format(c1=hit.column_1, c2=hit.column_2, table=hit.table)
    draft = Draft(summary, facts)
    with_kb(draft, "ncci-ptp", limit=1)
    if hits and any(h.modifier_indicator == "1" for h in hits):
        with_kb(draft, "modifier-59-vs-x", limit=2)
    return payer_notice(ctx, draft)


# --- Global period, MUE, add-on, payment ------------------------------------------------------

NO_FEE_ROW = (
    "The loaded Medicare Physician Fee Schedule has no row for {code}, so I cannot give its {what}."
)


def global_period(ctx: Context) -> Draft:
    if not ctx.procedures:
        return without_codes(
            ctx, "global-surgery", kind="a CPT or HCPCS procedure", topic="global periods"
        )
    sentences, facts = [], []
    unsure = False
    for check in ctx.procedures:
        page = tools.page_of(check, ctx.on)
        value = tools.panel_fact(page, "fee_schedule", tools.GLOBAL)
        if value is None or not value.value:
            sentences.append(NO_FEE_ROW.format(code=check.display, what="global period"))
            unsure = True
            continue
        sentences.append(f"The global period of {check.display} is {value.value}: {value.meaning}")
        for label in (tools.GLOBAL, "Pre/intra/post-operative share"):
            fact = tools.fact_from_panel(check, page, "fee_schedule", label)
            if fact is not None:
                facts.append(fact)
    return with_kb(Draft(" ".join(sentences), facts, is_unsure=unsure), "global-surgery", limit=2)


SERVICE_NAMES = {
    "practitioner": "practitioner",
    "outpatient_hospital": "outpatient hospital",
    "dme": "DME supplier",
    "dme_supplier": "DME supplier",
}
DME_TABLES = frozenset({"dme", "dme_supplier"})
NO_MUE = (
    "The loaded MUE tables publish no value for {code}. Some MUEs are confidential, and no "
    "published value is not the same as no limit."
)


def mue(ctx: Context) -> Draft:
    if not ctx.procedures:
        return without_codes(ctx, "ncci-mue", kind="a CPT or HCPCS procedure", topic="MUEs")
    sentences, facts = [], []
    unsure = False
    for check in ctx.procedures:
        hits = tools.mue_limits(check.code, ctx.on)
        if not hits:
            sentences.append(NO_MUE.format(code=check.display))
            unsure = True
            continue
        tables = {h.service_type for h in hits}
        preferred = ctx.setting if ctx.setting in tables else hits[0].service_type
        # Supplies and equipment (A, B, E, K, L codes) come from suppliers unless asked otherwise.
        if check.code[:1] in "ABEKL" and tables & DME_TABLES and ctx.question.setting is None:
            preferred = min(tables & DME_TABLES)
        main = next(h for h in hits if h.service_type == preferred)
        sentences.append(
            f"The {SERVICE_NAMES.get(main.service_type, main.service_type)} MUE for "
            f"{check.display} is {main.value} unit{'s' if main.value != 1 else ''} "
            f"(MAI {main.mai}: {meanings.explain(meanings.MUE_MAI, str(main.mai))})"
        )
        others = [
            h
            for h in hits
            if h is not main
            and not (h.service_type in DME_TABLES and check.code[:1] not in "ABEKL")
            and h.value > 0
        ]
        if others:
            sentences.append(
                "Other tables: "
                + "; ".join(
                    f"{SERVICE_NAMES.get(h.service_type, h.service_type)} MUE {h.value} "
                    f"(MAI {h.mai})"
                    for h in others
                )
                + "."
            )
        units = ctx.question.units
        if units is not None:
            verdict = "within" if units <= main.value else "above"
            sentences.append(f"{units} units is {verdict} that limit.")
        for hit in hits:
            facts.append(
                Fact(
                    f"{check.display} MUE, {SERVICE_NAMES.get(hit.service_type, hit.service_type)} "
                    f"table: {hit.value} (MAI {hit.mai})"
                    + (f"; rationale: {hit.rationale}" if hit.rationale else "")
                    + ".",
                    Citation(f"{check.display}: NCCI MUE", check.url, hit.citation),
                )
            )
    return with_kb(Draft(" ".join(sentences), facts, is_unsure=unsure), "ncci-mue", limit=1)


def addon(ctx: Context) -> Draft:
    if not ctx.procedures:
        return without_codes(
            ctx, "addon-codes", kind="a CPT or HCPCS procedure", topic="add-on code rules"
        )
    sentences, facts = [], []
    unsure = False
    for check in ctx.procedures:
        rows = tools.addon_rows(check.code, ctx.on)
        if rows is None:
            sentences.append("The NCCI add-on code edits are not loaded on this install.")
            unsure = True
            break
        citation = Citation(f"{check.display}: NCCI add-on code edits", check.url, rows.citation)
        if rows.primaries:
            kind = meanings.explain(meanings.AOC_TYPES, str(rows.primaries[0][1]))
            listed = [p for p, _ in rows.primaries if p != "CCCCC"]
            valid = [c.display for c in ctx.checker.codes(listed[:40]) if c.is_valid]
            shown = ", ".join(valid[:12])
            sentences.append(
                f"{check.display} is an add-on code: it is paid only with an eligible primary "
                f"code on the same date. {kind}"
                + (f" Listed primaries include {shown}." if shown else "")
            )
            facts.append(
                Fact(
                    f"{check.display} has {len(listed):,} listed primary codes"
                    + (f", for example {shown}." if shown else "."),
                    citation,
                )
            )
        if rows.addons:
            valid = [
                c.display for c in ctx.checker.codes([a for a, _ in rows.addons][:40]) if c.is_valid
            ]
            shown = ", ".join(valid[:12])
            sentences.append(f"{check.display} is a primary code for add-on codes {shown}.")
            facts.append(Fact(f"Add-on codes reported with {check.display}: {shown}.", citation))
        if not rows.primaries and not rows.addons:
            sentences.append(
                f"{check.display} is not listed in the NCCI add-on code edits, as an add-on or as "
                "a primary code."
            )
            facts.append(Fact(f"No add-on edit names {check.display}.", citation))
    return with_kb(Draft(" ".join(sentences), facts, is_unsure=unsure), "addon-codes", limit=1)


# PFS statuses under which Medicare pays nothing under the fee schedule for the code itself:
# bundled (B, P), not valid for Medicare (I), non-covered (N), statutory exclusion (X),
# measurement only (M).
NO_PFS_PAYMENT = frozenset({"B", "I", "M", "N", "P", "X"})


def no_payment_sentence(check: CodeCheck, row: tools.FeeInfo) -> str:
    meaning = meanings.explain(meanings.PFS_STATUS, row.status).rstrip(".")
    flagged = (
        " The RVU file lists RVUs for it but flags them as not used for Medicare payment, so "
        "no Medicare amount can be computed from them."
        if row.not_used_for_payment
        else ""
    )
    return (
        f"No Medicare payment: {check.display} has PFS status {row.status} ({meaning}), so "
        f"Medicare does not pay it under the physician fee schedule ({row.release}).{flagged}"
    )


def asked_component(text: str, modifiers: tuple[str, ...]) -> str:
    """ "26" or "TC" when a payment question asks for one component of a test."""
    lowered = text.lower()
    if "26" in modifiers or re.search(r"\b26\b|professional component|reading|interpret", lowered):
        return "26"
    if "TC" in modifiers or re.search(r"\btc\b|technical component", lowered):
        return "TC"
    return ""


def component_sentence(check: CodeCheck, row: tools.FeeInfo, *, facility: bool) -> str:
    nonfac = tools.amount(row.nonfac_total, row.conv_factor)
    fac = tools.amount(row.facility_total, row.conv_factor)
    name = "professional component" if row.modifier == "26" else "technical component"
    parts = []
    if nonfac is not None and not row.nonfac_na:
        parts.append(f"${nonfac:,.2f} non-facility")
    if fac is not None and not row.facility_na and fac != nonfac:
        parts.append(f"${fac:,.2f} facility")
    if facility:
        parts.reverse()
    amounts = " and ".join(parts) or "no national amount"
    return (
        f"Medicare's national fee schedule amount for {check.display}-{row.modifier} (the {name}) "
        f"is {amounts} ({row.release}: total RVUs x conversion factor {row.conv_factor}), before "
        "the locality (GPCI) adjustment."
    )


def payment(ctx: Context) -> Draft:
    if not ctx.valid:
        return payer_notice(ctx, with_kb(no_valid_code(ctx), "pfs-indicators", limit=1))
    sentences, facts = [], []
    unsure = False
    facility = ctx.question.setting == "facility"
    for check in ctx.valid[:MAX_CODES]:
        if check.system not in {"CPT", "HCPCS"}:
            sentences.append(
                f"{check.display} is a diagnosis or inpatient procedure code: it is not paid by "
                "itself (diagnoses affect payment through the DRG or coverage)."
            )
            continue
        page = tools.page_of(check, ctx.on)
        rows = tools.fee_rows(check.code, ctx.on)
        main = next((r for r in rows if not r.modifier), None)
        if main is not None and (main.status in NO_PFS_PAYMENT or main.not_used_for_payment):
            sentences.append(no_payment_sentence(check, main))
            facts.append(
                Fact(
                    f"{check.display} PFS status {main.status}: "
                    f"{meanings.explain(meanings.PFS_STATUS, main.status).rstrip('.')}"
                    + (
                        "; the RVU file flags its RVUs as not used for Medicare payment."
                        if main.not_used_for_payment
                        else "."
                    ),
                    Citation(
                        f"{check.display}: Medicare Physician Fee Schedule",
                        check.url,
                        main.citation,
                    ),
                )
            )
            continue
        component = asked_component(ctx.question.text, ctx.question.modifiers)
        part = next((r for r in rows if r.modifier == component), None) if component else None
        if part is not None:
            sentences.append(component_sentence(check, part, facility=facility))
            facts.append(
                Fact(
                    f"{check.display}-{part.modifier} row: non-facility total RVUs "
                    f"{part.nonfac_total}, facility total RVUs {part.facility_total}, conversion "
                    f"factor {part.conv_factor}.",
                    Citation(
                        f"{check.display}: Medicare Physician Fee Schedule",
                        check.url,
                        part.citation,
                    ),
                )
            )
            continue
        nonfac = tools.panel_fact(page, "fee_schedule", tools.NONFAC_PAYMENT)
        fac = tools.panel_fact(page, "fee_schedule", tools.FAC_PAYMENT)
        rate = tools.panel_fact(page, "opps", tools.OPPS_RATE)
        status = tools.panel_fact(page, "fee_schedule", tools.STATUS)
        fee = tools.panel(page, "fee_schedule")
        if nonfac is not None and fac is not None and fee is not None:
            first, second = (("a facility", fac), ("the office (non-facility)", nonfac))
            if not facility:
                first, second = second, first
            sentences.append(
                f"Medicare's national fee schedule amount for {check.display} is "
                f"{first[1].value} in {first[0]} and {second[1].value} in {second[0]}, "
                f"before the locality (GPCI) adjustment ({fee.source.version_label})."
            )
        elif status is not None:
            sentences.append(
                f"{check.display} has PFS status {status.value}: {status.meaning} The fee "
                "schedule gives no national amount for it."
            )
        if rate is not None:
            sentences.append(
                f"Hospital outpatient departments are paid {rate.value} under OPPS (national rate)."
            )
        for key, label in (
            ("fee_schedule", tools.NONFAC_PAYMENT),
            ("fee_schedule", tools.FAC_PAYMENT),
            ("fee_schedule", tools.STATUS),
            ("fee_schedule", tools.CONVERSION_FACTOR),
            ("opps", tools.OPPS_SI),
            ("opps", tools.OPPS_RATE),
            ("hcpcs", tools.HCPCS_PRICING),
        ):
            fact = tools.fact_from_panel(check, page, key, label)
            if fact is not None:
                facts.append(fact)
        dmepos = tools.panel(page, "dmepos")
        if dmepos is not None and dmepos.tables and dmepos.tables[0].rows:
            row = dmepos.tables[0].rows[0]
            facts.append(
                Fact(
                    f"{check.display} DMEPOS fee schedule ({row[0]}): floor {row[2]}, ceiling "
                    f"{row[3]}; state fees {row[4]}.",
                    tools.cite_panel(check, dmepos),
                )
            )
            if nonfac is None and rate is None:
                sentences.append(
                    f"Medicare pays {check.display} through the DMEPOS fee schedule: "
                    f"floor {row[2]}, ceiling {row[3]} ({row[0]})."
                )
        if nonfac is None and rate is None and dmepos is None and status is None:
            pricing = tools.panel_fact(page, "hcpcs", tools.HCPCS_PRICING)
            why = (
                f": its HCPCS pricing indicator is {pricing.value} ({pricing.meaning.rstrip('.')})."
                if pricing is not None
                else "."
            )
            sentences.append(
                f"The loaded fee schedules give no Medicare amount for {check.display}{why}"
            )
            unsure = pricing is None
    draft = Draft(" ".join(sentences), facts, is_unsure=unsure)
    return payer_notice(ctx, with_kb(draft, "pfs-indicators", limit=1))


# --- Which code for X ----------------------------------------------------------------------------

FOUND_CANDIDATES = (
    "Codes that match \u201c{words}\u201d: {listed}. Pick the one the record supports"
)
NO_CANDIDATES = "No loaded code matches \u201c{words}\u201d."


def find_code(ctx: Context) -> Draft:
    words = _search_words(ctx.question.text)
    systems = _systems_hint(ctx.question.text)
    found, message = tools.search_codes(words, ctx.on, systems=systems, limit=30)
    found = rerank(found, words)[:8]
    checks = ctx.checker.codes([c.display for c in found]) if found else []
    valid = [c for c in checks if c.is_valid][:5]
    if not valid:
        draft = Draft(NO_CANDIDATES.format(words=words), is_unsure=True)
        if message:
            draft.notices.append(message)
        return with_kb(
            draft, "hcpcs-level2" if systems == ["HCPCS"] else "icd10cm-conventions", limit=1
        )
    listed = "; ".join(f"{c.display} ({shorten(c.title, 90)})" for c in valid[:3])
    summary = FOUND_CANDIDATES.format(words=words, listed=listed)
    summary += ": compare the full descriptions below." if len(valid) > 1 else "."
    facts = [Fact(f"{c.label}: {c.title}", tools.cite_code(c)) for c in valid]
    draft = Draft(summary, facts)
    if any(c.system == "HCPCS" for c in valid):
        with_kb(draft, "hcpcs-level2", limit=1)
    elif any(c.system == "ICD10CM" for c in valid):
        with_kb(draft, "icd10cm-conventions", limit=1)
    return draft


def rerank(found: list[tools.Candidate], words: str) -> list[tools.Candidate]:
    """Candidates that name more of the question's words first (search order breaks ties).

    A title word negated as "non-rechargeable" does not count for "rechargeable".
    """
    wanted = {tools.stem(w) for w in re.findall(r"[a-z]{3,}", words.lower())}
    if not wanted:
        return found
    scored = []
    for rank, candidate in enumerate(found):
        title = candidate.title.lower()
        negated = {tools.stem(w) for w in re.findall(r"\bnon-?([a-z]{3,})", title)}
        title_words = {tools.stem(w) for w in re.findall(r"[a-z]{3,}", title)} - {"non"}
        hits = sum(1 for w in wanted if w not in negated and any(w in t for t in title_words))
        score = hits / len(wanted) + 0.2 * hits / max(len(title_words), 1) - 0.001 * rank
        scored.append((score, rank, candidate))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [candidate for _, _, candidate in scored]


_QUESTION_WORDS = re.compile(
    r"\b(which|what|whats|what's|is|are|the|a|an|code|codes|for|to|use|used|do|does|i|we|you|"
    r"should|would|how|can|bill|billing|report|hcpcs|cpt|icd-?10(-cm|-pcs)?|cm|pcs|diagnosis|"
    r"procedure|level|ii|2|please|tell|me|about|find|of|in|on|with|my|our|patient|patients|"
    r"medicare|medicaid|commercial)\b",
    re.IGNORECASE,
)


def _search_words(text: str) -> str:
    words = _QUESTION_WORDS.sub(" ", re.sub(r"[?!.,:;\"()]", " ", text))
    return " ".join(words.split()) or text


def _systems_hint(text: str) -> list[str] | None:
    lowered = text.lower()
    if re.search(
        r"\bhcpcs\b|\bdevice\b|\bsupply\b|\bsupplies\b|\bgenerator\b|\bdme\b|"
        r"\bwheelchair|\bcrutch|\bprosthe|\borthotic|\bdrug\b|\binjection\b",
        lowered,
    ):
        return ["HCPCS"]
    if re.search(r"\bpcs\b|\binpatient procedure", lowered):
        return ["ICD10PCS"]
    if re.search(r"\bdiagnos|\bicd-?10(-cm)?\b|\bcondition\b|\bdisease\b", lowered):
        return ["ICD10CM"]
    return None


# --- Coverage, place of service, claim check --------------------------------------------------


def coverage(ctx: Context) -> Draft:
    kb = kb_entry("coverage-ncd-lcd")
    procedures = ctx.procedures
    if not procedures:
        if ctx.diagnoses:
            summary = (
                "Coverage attaches to a service, not to a diagnosis code alone: Medicare covers a "
                "procedure or item when the patient's diagnosis meets the NCD or LCD criteria. Ask "
                "with the procedure code to see the coverage data loaded for it."
            )
            return Draft(summary, tools.kb_facts(kb, limit=3), notices=[tools.LOCAL_NOT_LOADED])
        draft = (
            no_valid_code(ctx)
            if ctx.question.codes
            else Draft(kb.summary, tools.kb_facts(kb, limit=3))
        )
        draft.notices.append(tools.LOCAL_NOT_LOADED)
        return draft
    check = procedures[0]
    page = tools.page_of(check, ctx.on)
    diagnosis = ctx.diagnoses[0] if ctx.diagnoses else None
    title = " ".join(
        t
        for t in (
            tools.describe(check, page),
            page.editorial.title if page and page.editorial else "",
        )
        if t
    )
    info = tools.coverage_of(
        check.code, ctx.on, title=title, diagnosis=diagnosis.code if diagnosis else None
    )
    facts: list[Fact] = []
    cov = tools.panel_fact(page, "hcpcs", tools.HCPCS_COVERAGE)
    status = tools.panel_fact(page, "fee_schedule", tools.STATUS)
    si = tools.panel_fact(page, "opps", tools.OPPS_SI)
    for key, label in (
        ("hcpcs", tools.HCPCS_COVERAGE),
        ("fee_schedule", tools.STATUS),
        ("opps", tools.OPPS_SI),
    ):
        fact = tools.fact_from_panel(check, page, key, label)
        if fact is not None:
            facts.append(fact)
    not_paid = (cov is not None and cov.value in {"I", "M", "S"}) or (
        status is not None and status.value in {"N", "X", "I", "G"}
    )
    parts = []
    if cov is not None:
        parts.append(f"HCPCS coverage code {cov.value} ({cov.meaning.rstrip('.')})")
    if status is not None:
        parts.append(f"PFS status {status.value} ({status.meaning.rstrip('.')})")
    if si is not None:
        parts.append(f"OPPS status indicator {si.value} ({si.meaning.rstrip('.')})")
    said = "; ".join(parts)
    if not_paid:
        summary = f"Not under this code for Medicare: {check.display} has {said}."
    elif parts:
        summary = (
            f"Medicare data for {check.display}: {said}. Whether it is covered for a given patient "
            "depends on the national and local coverage criteria for the service."
        )
    else:
        summary = f"The loaded data gives no national coverage indicator for {check.display}."
    if diagnosis is not None and info.pair_status:
        summary += (
            f" The loaded billing-and-coding article crosswalk lists {diagnosis.display} as "
            f"{'covered' if info.pair_status == 'covered' else 'not covered'} for {check.display} "
            "(approximate, across contractors)."
        )
    elif diagnosis is not None and info.article_covered:
        summary += (
            f" The loaded article crosswalk does not list {diagnosis.display} among the "
            f"{info.article_covered:,} covered diagnoses for {check.display}."
        )
    if info.lcd_ids:
        facts.append(
            Fact(
                f"{check.display} is listed in DME LCDs: "
                + ", ".join(f"L{i}" if not str(i).startswith("L") else str(i) for i in info.lcd_ids)
                + ".",
                Citation(f"{check.display}: Medicare LCD code lists", check.url, info.lcd_citation),
            )
        )
    if info.article_covered or info.article_noncovered:
        facts.append(
            Fact(
                f"Billing-and-coding articles (partial crosswalk) list {info.article_covered:,} "
                f"covered and {info.article_noncovered:,} non-covered ICD-10-CM codes for "
                f"{check.display}"
                + (f", from LCDs {', '.join(info.article_lcds[:6])}" if info.article_lcds else "")
                + ".",
                Citation(
                    f"{check.display}: coverage article crosswalk", check.url, info.article_citation
                ),
            )
        )
    for ncd in info.ncds:
        facts.append(
            Fact(
                f"NCD {ncd.section}, {ncd.title} ({ncd.coverage or 'coverage level not given'}), "
                "may apply: it shares words with the code's description; read it in the NCD "
                "Manual.",
                Citation(
                    f"NCD {ncd.section}",
                    "https://www.cms.gov/medicare-coverage-database/",
                    ncd.citation,
                ),
            )
        )
    draft = Draft(summary, facts + tools.kb_facts(kb, limit=2), notices=[tools.LOCAL_NOT_LOADED])
    return payer_notice(ctx, draft)


def claim_check(ctx: Context) -> Draft:
    lines = []
    for i, check in enumerate(ctx.procedures):
        mention = next(m for m in ctx.question.codes if m.code == check.code)
        line: dict[str, object] = {"code": check.code, "date_of_service": ctx.on.isoformat()}
        if mention.modifiers:
            line["modifiers"] = list(mention.modifiers)
        if i == 0 and ctx.question.units:
            line["units"] = ctx.question.units
        lines.append(line)
    if not lines:
        return no_valid_code(ctx)
    findings, sources, error = tools.check_claim(
        lines, [d.display for d in ctx.diagnoses], ctx.setting
    )
    if error:
        return Draft(f"The claim could not be checked: {error}.", is_unsure=True)
    url = "/claims/"
    facts = [
        Fact(
            f"{f['severity'].capitalize()}: {f['message']}"
            + (f" Fix: {f['fix']}" if f.get("fix") else ""),
            Citation("Claim check", url, str(f.get("source") or "")),
        )
        for f in findings[:8]
    ]
    errors = sum(1 for f in findings if f["severity"] == "error")
    warnings = sum(1 for f in findings if f["severity"] == "warning")
    codes = ", ".join(c.display for c in ctx.procedures)
    if not findings:
        summary = f"The claim check found nothing to fix for {codes} on {ctx.on.isoformat()}."
        checked = "; ".join(v for v in sources.values() if v)
        facts.append(Fact(f"Checked against: {checked}.", Citation("Claim check", url, checked)))
    else:
        summary = (
            f"The claim check of {codes} on {ctx.on.isoformat()} found {errors} error(s) and "
            f"{warnings} warning(s). First: {findings[0]['message']}"
        )
    return Draft(summary, facts)
