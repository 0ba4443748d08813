"""Answers about ICD-10-CM codes: Excludes notes between two codes, instructional notes,
7th characters and CC/MCC designations."""

from __future__ import annotations

import re

from medcode.assistant import tools
from medcode.assistant.context import (
    Context,
    kb_entry,
    no_valid_code,
    with_kb,
    without_codes,
)
from medcode.assistant.facts import Draft, Fact
from medcode.assistant.guard import CodeCheck
from medcode.codes.page.panels import Panel
from medcode.codes.queries import CodePage
from medcode.rules.diagnoses import extract_code_patterns

# --- ICD-10-CM notes, excludes, 7th characters, CC/MCC --------------------------------------------


def _notes(ctx: Context, check: CodeCheck) -> tuple[CodePage | None, Panel | None]:
    page = tools.page_of(check, ctx.on)
    return page, tools.panel(page, "icd10cm_notes")


def excludes(ctx: Context) -> Draft:
    codes = ctx.diagnoses
    if len(codes) < 2:
        draft = Draft(
            kb_entry("excludes1-excludes2").summary,
            tools.kb_facts(kb_entry("excludes1-excludes2"), limit=4),
        )
        if codes:
            draft.facts = _note_facts(ctx, codes[0], ("excludes1", "excludes2")) + draft.facts
        elif ctx.question.codes:
            draft.is_unsure = True
        return draft
    a, b = codes[0], codes[1]
    found: list[tuple[str, CodeCheck, CodeCheck, str, str, CodeCheck]] = []
    facts: list[Fact] = []
    for this, other in ((a, b), (b, a)):
        _, notes = _notes(ctx, this)
        if notes is None:
            continue
        for group in notes.groups:
            kind = group.title.lower()
            if kind not in {"excludes1", "excludes2"}:
                continue
            for item in group.items:
                if any(p.matches(other.code) for p in extract_code_patterns(item.text)):
                    level = item.inherited_from or this.display
                    where = f"at {level}" if item.inherited_from else "its own note"
                    found.append((kind, this, other, item.text, level, this))
                    facts.append(
                        Fact(
                            f"{this.display} ({where}) {group.title}: "
                            f"\u201c{item.text}\u201d. {group.meaning}",
                            tools.cite_panel(this, notes),
                        )
                    )
    kind = ""
    if not found:
        summary = (
            f"No Excludes1 or Excludes2 note of {a.display} or {b.display} names the other, so the "
            "tabular notes do not stop reporting both when the record supports both."
        )
    else:
        kind, this, other, text, level, _ = next(
            (f for f in found if f[0] == "excludes1"), found[0]
        )
        if kind == "excludes1":
            summary = (
                f"{this.display} carries an Excludes1 note (at {level}) naming {other.display}: "
                f"\u201c{text}\u201d. Excludes1 means not coded here: the two should not be coded "
                "together, except when the two conditions are unrelated to each other (the "
                "official exception, ICD-10-CM guideline I.A.12.a)."
            )
        else:
            summary = (
                f"{this.display} carries an Excludes2 note (at {level}) naming {other.display}: "
                f"\u201c{text}\u201d. Excludes2 means not included here: both may be reported "
                "when the patient has both conditions."
            )
    # The knowledge base's lines on the hierarchy and on the kind of note found, not on the
    # other kind (an Excludes2 answer quoting the Excludes1 rule reads as an Excludes1 answer).
    entry = kb_entry("excludes1-excludes2")
    citation = tools.kb_citation(entry)
    for point in entry.points:
        said = re.match(r"(Excludes[12]):", point)
        if (said is None and "hierarchy" in point) or (said and said.group(1).lower() == kind):
            facts.append(Fact(point, citation))
    return Draft(summary, facts)


NOTE_WORDS = {
    "code first": "code first",
    "use additional": "use additional code",
    "code also": "code also",
    "includes": "includes",
    "inclusion": "inclusion terms",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
}


def _note_facts(ctx: Context, check: CodeCheck, kinds: tuple[str, ...] | None = None) -> list[Fact]:
    _, notes = _notes(ctx, check)
    if notes is None:
        return []
    asked = {title for words, title in NOTE_WORDS.items() if words in ctx.question.text.lower()}
    facts = []
    for group in notes.groups:
        if kinds is not None and group.title.lower() not in kinds:
            continue
        shown = group.items if group.title.lower() in asked else group.items[:4]
        items = "; ".join(
            f"{i.text}" + (f" (from {i.inherited_from})" if i.inherited_from else "")
            for i in shown[:12]
        )
        meaning = f" {group.meaning}" if group.meaning else ""
        facts.append(
            Fact(
                f"{check.display} {group.title}: {items}.{meaning}", tools.cite_panel(check, notes)
            )
        )
    return facts


def icd_notes(ctx: Context) -> Draft:
    if not ctx.diagnoses:
        return with_kb(no_valid_code(ctx), "icd10cm-conventions", limit=3)
    sentences, facts = [], []
    for check in ctx.diagnoses:
        notes = _note_facts(ctx, check)
        if not notes:
            sentences.append(f"No tabular instructional notes apply to {check.display}.")
            continue
        _, panel = _notes(ctx, check)
        kinds = ", ".join(g.title for g in panel.groups) if panel else ""
        sentences.append(f"{check.display} ({check.title}) has these tabular notes: {kinds}.")
        facts += notes
    return with_kb(Draft(" ".join(sentences), facts), "icd10cm-conventions", limit=1)


def seventh_character(ctx: Context) -> Draft:
    if not ctx.diagnoses:
        return without_codes(
            ctx, "seventh-characters", kind="an ICD-10-CM diagnosis", topic="7th characters"
        )
    sentences, facts = [], []
    for check in ctx.diagnoses:
        page = tools.page_of(check, ctx.on)
        found = tools.panel(page, "seventh_characters")
        if found is None or not found.tables:
            sentences.append(f"{check.display} does not take a 7th character.")
            continue
        rows = found.tables[0].rows
        listed = "; ".join(f"{ch} {meaning}" for ch, meaning, *_ in rows)
        if len(check.code) == 7:
            own = next((m for ch, m, *_ in rows if ch == check.code[-1]), "")
            sentences.append(
                f"{check.display} already has its 7th character, {check.code[-1]}"
                + (f" ({own})" if own else "")
                + "."
            )
        else:
            sentences.append(f"{check.display} needs a 7th character: {listed}.")
        built = [r[2] for r in rows if r[2]]
        facts.append(Fact(f"{found.summary} Values: {listed}.", tools.cite_panel(check, found)))
        if built:
            facts.append(
                Fact(
                    f"Complete codes built on {check.display}: {', '.join(built[:8])}.",
                    tools.cite_panel(check, found),
                )
            )
    return with_kb(Draft(" ".join(sentences), facts), "seventh-characters", limit=2)


def severity(ctx: Context) -> Draft:
    if not ctx.diagnoses:
        return without_codes(
            ctx, "cc-mcc", kind="an ICD-10-CM diagnosis", topic="CC and MCC designations"
        )
    sentences, facts = [], []
    for check in ctx.diagnoses:
        page = tools.page_of(check, ctx.on)
        value = tools.panel_fact(page, "severity", tools.SEVERITY)
        if value is None:
            sentences.append(
                f"{check.display} is a heading, not a billable code, so it has no CC/MCC "
                "designation; the codes below it do."
                if not check.is_billable
                else f"The loaded MS-DRG lists give no designation for {check.display}."
            )
            continue
        label = {"MCC": "an MCC", "CC": "a CC"}.get(value.value, "neither a CC nor an MCC (non-CC)")
        sentences.append(f"{check.display} is {label}: {value.meaning}")
        fact = tools.fact_from_panel(check, page, "severity", tools.SEVERITY)
        if fact is not None:
            facts.append(fact)
    return with_kb(Draft(" ".join(sentences), facts), "cc-mcc", limit=2)
