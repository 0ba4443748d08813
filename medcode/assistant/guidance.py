"""Answers from the knowledge base and the code tables: modifiers, E/M principles, indicator
meanings, places of service, and what CasePilot does not answer."""

from __future__ import annotations

import re
from collections.abc import Mapping

from medcode.assistant import tools
from medcode.assistant.context import (
    MAX_CODES,
    Context,
    kb_entry,
    payer_notice,
    with_kb,
)
from medcode.assistant.facts import Citation, Draft, Fact
from medcode.assistant.knowledge import Entry, find_entries
from medcode.codes.page import meanings
from medcode.codes.page import modifiers as mods
from medcode.rules.modifier_sets import DISTINCT_SERVICE

# --- Modifiers, E/M, knowledge, indicators -----------------------------------------------------


def modifier(ctx: Context) -> Draft:
    checks = [ctx.checker.modifier(m) for m in ctx.question.modifiers][:MAX_CODES]
    valid = [c for c in checks if c.is_valid]
    sentences: list[str] = []
    facts: list[Fact] = []
    for check in valid:
        info = tools.modifier_info(check, ctx.on)
        kind = "CPT (Level I)" if mods.is_cpt_modifier(check.code) else "HCPCS Level II"
        text = f"Modifier {check.code} ({kind}): {info.name}."
        if info.official and info.official != info.name:
            text += f" CMS describes it as \u201c{info.official}\u201d."
        sentences.append(text)
        if info.explanation:
            citation = Citation(f"Modifier {check.code}", check.url, info.article_release)
            facts.append(Fact(f"Modifier {check.code}: {info.explanation}", citation))
        if info.official:
            facts.append(Fact(f"Modifier {check.code}: {info.official}.", tools.cite_code(check)))
    if len(valid) >= 2 and {c.code for c in valid} <= DISTINCT_SERVICE:
        topical: list[Entry] = [kb_entry("modifier-59-vs-x")]
    else:
        topical = find_entries(ctx.question.text, topic="modifier", limit=1)
    if topical and (not valid or topical[0].slug == "modifier-59-vs-x"):
        return Draft(topical[0].summary, facts + tools.kb_facts(topical[0], limit=4))
    if not valid:
        return Draft("", facts, is_unsure=True)
    if topical:
        kb = topical[0]
        facts += [Fact(kb.summary, tools.kb_citation(kb)), *tools.kb_facts(kb, limit=2)]
    return Draft(" ".join(sentences), facts)


def em_guidelines(ctx: Context) -> Draft:
    office = kb_entry("em-office-2021")
    general = kb_entry("em-principles")
    text = ctx.question.text.lower()
    first, second = (
        (general, office)
        if re.search(r"new patient|established|split|shared|hospital", text)
        else (office, general)
    )
    return Draft(first.summary, tools.kb_facts(first, limit=6) + tools.kb_facts(second, limit=3))


def knowledge(ctx: Context) -> Draft:
    found = find_entries(ctx.question.text, limit=2)
    if not found:
        return retrieved(ctx)
    draft = Draft(found[0].summary, tools.kb_facts(found[0], limit=5))
    if len(found) > 1:
        draft.facts += tools.kb_facts(found[1], limit=2)
    return payer_notice(ctx, draft)


# Editorial sections of a code page worth quoting when no builder fits, best first.
SECTIONS = ("what_it_is", "billing", "documentation", "modifiers", "not_covered")


def retrieved(ctx: Context, *, limit: int = 3) -> Draft:
    """No handler or knowledge-base entry fits: the code pages the search finds for the
    question's words, with their editorial sections quoted and cited (never a title alone)."""
    words = ctx.question.words or ctx.question.text
    results, _ = tools.search_codes(words, ctx.on, limit=6)
    if not results:
        # Every word is required: retry with the question's three longest words.
        longest = sorted(set(re.findall(r"[A-Za-z]{5,}", words)), key=len, reverse=True)[:3]
        results, _ = tools.search_codes(" ".join(longest), ctx.on, limit=6)
    facts: list[Fact] = []
    named: list[str] = []
    for result in results:
        checks = [c for c in ctx.checker.codes([result.display]) if c.is_valid]
        if not checks:
            continue
        page = tools.page_of(checks[0], ctx.on)
        passages = [f for s in SECTIONS if (f := tools.editorial_fact(checks[0], page, s))]
        if passages:
            named.append(checks[0].display)
            facts += passages[:2]
        if len(named) >= limit:
            break
    if not facts:
        return Draft("", is_unsure=True)
    summary = (
        "No rule in CasePilot answers this directly; these code pages' own sections are the "
        f"closest cited passages ({', '.join(named)}). Check them against the question."
    )
    return Draft(summary, facts, is_unsure=True)


INDICATOR_TABLES: dict[str, tuple[str, str, Mapping[str, str]]] = {
    "status": ("PFS status code", "pfs-indicators", meanings.PFS_STATUS),
    "global": ("PFS global days", "global-surgery", meanings.GLOBAL_DAYS),
    "pctc": ("PFS PC/TC indicator", "pc-tc", meanings.PCTC),
    "multiple": ("PFS multiple procedure indicator", "pfs-indicators", meanings.MULT_PROC),
    "bilateral": ("PFS bilateral surgery indicator", "bilateral-surgery", meanings.BILATERAL),
    "assistant": (
        "PFS assistant at surgery indicator",
        "assistant-and-co-surgery",
        meanings.ASSISTANT,
    ),
    "cosurgeon": ("PFS co-surgeon indicator", "assistant-and-co-surgery", meanings.CO_SURGEON),
    "team": ("PFS team surgery indicator", "assistant-and-co-surgery", meanings.TEAM_SURGERY),
    "opps": ("OPPS status indicator", "opps-status-indicators", meanings.OPPS_STATUS),
    "mai": ("MUE adjudication indicator (MAI)", "ncci-mue", meanings.MUE_MAI),
    "ptp": ("NCCI PTP modifier indicator", "ncci-ptp", meanings.PTP_MODIFIER),
    "addon": ("NCCI add-on code edit type", "addon-codes", meanings.AOC_TYPES),
}


def indicator(ctx: Context) -> Draft:
    table, value = ctx.question.indicator or ("", "")
    known = INDICATOR_TABLES.get(table)
    if known is None:
        return knowledge(ctx)
    name, slug, meanings = known
    meaning = meanings.get(value, "")
    kb = kb_entry(slug)
    if not meaning:
        draft = Draft(f"{name} {value} is not a value the record layout describes.", is_unsure=True)
        return with_kb(draft, slug, limit=2)
    summary = f"{name} {value}: {meaning[0].upper()}{meaning[1:]}"
    if not summary.endswith("."):
        summary += "."
    return Draft(summary, [Fact(summary, tools.kb_citation(kb)), *tools.kb_facts(kb, limit=2)])


def place_of_service(ctx: Context) -> Draft:
    checks = [ctx.checker.pos(p) for p in ctx.question.pos_codes]
    kb = kb_entry("place-of-service")
    if not checks:
        draft = Draft(kb.summary, tools.kb_facts(kb, limit=3))
        return draft
    sentences, facts = [], []
    for check in checks:
        found = tools.place_of_service(check)
        if found is None:
            continue
        rate = "facility" if found.setting == "facility" else "non-facility"
        sentences.append(
            f"POS {check.code} is {found.name}: Medicare pays the PFS {rate} rate for services "
            "billed there."
        )
        facts.append(
            Fact(f"POS {check.code} {found.name}: {found.description}", tools.cite_code(check))
        )
    draft = Draft(" ".join(sentences), facts + tools.kb_facts(kb, limit=1), is_unsure=not sentences)
    return draft


def empty(ctx: Context) -> Draft:
    kb = kb_entry("casepilot-scope")
    return Draft(
        "Ask a coding question, for example \u201cWhat is E11.9?\u201d or \u201cCan 63650 and "
        "63685 be billed together?\u201d",
        tools.kb_facts(kb, limit=1),
    )


def off_topic(ctx: Context) -> Draft:
    kb = kb_entry("casepilot-scope")
    return Draft(
        "That question is outside what CasePilot answers: it answers medical coding and billing "
        "questions from the loaded code sets and CMS guidance. For anything else about a case, "
        "send it to CaseConsultant (/consult/) and a coder answers by email. " + kb.summary,
        tools.kb_facts(kb, limit=1),
    )


NOT_DECIDED = (
    "No rule in CasePilot answers this question directly, so it does not decide it. What the "
    "loaded data says about {codes} is below, each with its source; the question itself (what "
    "it asks beyond these facts) is not decided here."
)


def partial(ctx: Context, draft: Draft) -> Draft:
    """A grounded partial answer when nothing answered the question: each code it recognised,
    with its title and the facts its code page holds (status, global period, the page's own
    sections), cited, and a plain statement of what is not decided. Without a valid code, the
    passages the search finds (`retrieved`)."""
    valid = ctx.valid[:3]
    if not valid and ctx.question.codes:
        return draft  # the guard states that the codes are not found (with near misses)
    if not valid:
        passages = retrieved(ctx)
        passages.notices = draft.notices + passages.notices
        passages.facts = draft.facts + passages.facts
        return passages
    facts = list(draft.facts)
    for check in valid:
        facts.append(Fact(f"{check.display}: {check.title}", tools.cite_code(check)))
        page = tools.page_of(check, ctx.on)
        for label in (tools.STATUS, tools.GLOBAL):
            value = tools.panel_fact(page, "fee_schedule", label)
            fee = tools.panel(page, "fee_schedule")
            if value is not None and fee is not None:
                meaning = f": {value.meaning}" if value.meaning else ""
                facts.append(
                    Fact(
                        f"{check.display} PFS {label.lower()} {value.value}{meaning}",
                        tools.cite_panel(check, fee),
                    )
                )
        passage = next(
            (f for s in SECTIONS if (f := tools.editorial_fact(check, page, s)) is not None), None
        )
        if passage is not None:
            facts.append(passage)
    codes = ", ".join(f"{c.display} ({c.title})" for c in valid)
    return Draft(NOT_DECIDED.format(codes=codes), facts, draft.notices, is_unsure=True)
