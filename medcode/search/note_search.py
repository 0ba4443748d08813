"""Case mode as the page, the API and the CLI serve it: a note in, ranked ICD-10-CM codes
out (note_coder), each with the finding that supports it, the top codes of every finding,
and procedure codes (ICD-10-PCS, HCPCS, CPT by number) for the findings that describe a
procedure.

NOTE_DEFAULT_LIMIT: CodiEsp notes carry ~11 diagnosis codes each and a coder scans a ranked
list. On the 250 dev notes (learned parts on) MAP was 0.376 at 20 codes, 0.394 at 50 and
0.398 at 100: 50 keeps 99% of it at half the answer's size.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from medcode.codes.models import CodeSystem
from medcode.search import facade
from medcode.search.learned import finding_features, load_learned
from medcode.search.note_coder import CodedNote, Weights, code_note, weights_for, with_phrases
from medcode.search.notes_findings import NOT_CODED, Finding, coded_findings, find_findings

NOTE_DEFAULT_LIMIT = 50
# Learned parts on by default. Their weights were chosen on the CodiEsp train split alone,
# 5-fold (each fold scored with the file learned from the other four; never on dev): the
# sentence-level associations alone (learned_sentence_share 1, learned_note_share 0),
# learned-only codes at full weight, by code (below). Prior x learned weight, train MAP:
# 0.3 x 1.0 0.445, 0.5 x 1.0 0.454, 0.5 x 1.5 0.465, 0.5 x 2.0 0.466, 0.5 x 3.0 0.450,
# 0.8 x 2.0 0.459. (By category, as before: 0.3 x 1.0 0.395.) Adding the note level scored
# lower (0.378 and 0.362 with it at 0.5 and 1.0), as did scaling the note's own scores
# instead of adding (0.3849).
LEARNED_PRIOR = 0.5
LEARNED_WORDS = 2.0
MAX_PROCEDURES = 10
PROCEDURE_SYSTEMS = (CodeSystem.ICD10PCS, CodeSystem.HCPCS, CodeSystem.CPT)
# A finding describes a procedure when it says something was done, or names an operation.
_PROCEDURE = re.compile(
    r"\b(?:performed|underwent|undergo\w*|implant\w*|insert\w*|placement|placed|resect\w*|"
    r"excis\w*|biops\w*|surgery|surgical|operat\w*|repair\w*|replace\w*|transplant\w*|"
    r"amputat\w*|catheteri\w*|infusion|dialysis|intubat\w*|drain\w*|\w+ectomy|\w+otomy|"
    r"\w+ostomy|\w+plasty|\w+scopy|\w+pexy|\w+rrhaphy|\w+desis)\b",
    re.IGNORECASE,
)
# ... or says a dose of a drug was given ("we gave ketorolac 30 mg IV"): HCPCS drug codes.
_DRUG_GIVEN = re.compile(
    r"\b(?:gave|given|administered|received|infused|injected)\b[^.;]{0,60}?"
    r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|g|units?|ml|l|liters?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FindingCodeOut:
    code: str
    display: str
    title: str
    score: float


@dataclass(frozen=True)
class FindingOut:
    text: str
    start: int
    end: int
    sentence: int
    assertion: str
    codes: list[FindingCodeOut]


def learned_parts(
    text: str, weights: Weights
) -> tuple[dict[str, float], dict[str, float], dict[str, int]]:
    """The learned word evidence, the per-code prior and, per code, the finding its
    sentence-level evidence came from (all empty without the learned file or with zero
    weights). The evidence is the sentence-level association times
    `weights.learned_sentence_share` plus the note-level one times `learned_note_share`."""
    learned = load_learned()
    if learned is None or not (weights.prior or weights.learned_words):
        return {}, {}, {}
    per_finding = finding_features(text)
    by_sentence = learned.sentence_evidence(per_finding) if weights.learned_sentence_share else {}
    by_note = learned.evidence(set().union(*per_finding)) if weights.learned_note_share else {}
    evidence = dict.fromkeys(by_sentence.keys() | by_note.keys(), 0.0)
    for code, (value, _) in by_sentence.items():
        evidence[code] += weights.learned_sentence_share * value
    for code, value in by_note.items():
        evidence[code] += weights.learned_note_share * value
    prior = {code: learned.prior_score(code) for code in learned.prior}
    return evidence, prior, {code: finding for code, (_, finding) in by_sentence.items()}


# A code only the learned associations suggest counts in full (0.6 was the earlier default;
# on the train folds 0.3886 at 1.0, 0.3854 at 0.6).
LEARNED_ALONE = 1.0
# The learned parts come from narrative case reports coded by CodiEsp's coders, who code
# symptoms and unspecified codes a US coder would not (R50.9 beside sepsis, J44.9 beside
# the J44.1 a note spells out). On notes written as a clinical record (an Assessment or
# Impression, clinical sections, shorthand: notes_findings.is_clinical_record) every
# weighting tried ranked below zero-shot -- independent US notes (search/eval/
# notes_independent.jsonl / notes_independent2.jsonl; zero-shot 0.434 / 0.302): learned by
# category 0.363 / 0.293, by code 0.287 / 0.262, learned evidence gated by the note's own
# evidence 0.364-0.373 / 0.293-0.296, capped at 10-40% of it 0.368-0.405 / 0.288-0.298,
# everything at 0.3x 0.411 / 0.309 -- so such a note is coded from its own words
# (record_learned 0). A case report (no CodiEsp dev note and 6 of 500 train notes read as a
# record) gets the learned parts by code: at prior 0.3 and weight 1.0, train split 5-fold
# MAP 0.443 by code against 0.395 by category (CodiEsp dev 0.431 against 0.386); with the
# weights above, train 0.466, dev 0.452.
DEFAULT_WEIGHTS = Weights(
    prior=LEARNED_PRIOR,
    learned_words=LEARNED_WORDS,
    learned_alone=LEARNED_ALONE,
    learned_by_category=False,
    learned_note_share=0.0,
    learned_sentence_share=1.0,
    record_learned=0.0,
)


def search_note(
    text: str,
    *,
    system: str | Sequence[str] | None = CodeSystem.ICD10CM,
    billable: bool | None = True,
    on: dt.date | None = None,
    limit: int = NOTE_DEFAULT_LIMIT,
    weights: Weights = DEFAULT_WEIGHTS,
    use_words: bool = False,
) -> facade.NoteResults:
    started = time.perf_counter()
    if not 1 <= limit <= facade.MAX_LIMIT:
        raise facade.SearchInputError(facade.LIMIT_RANGE.format(maximum=facade.MAX_LIMIT))
    if len(text or "") > facade.MAX_NOTE_CHARS:
        raise facade.NoteTooLong(
            facade.NOTE_TOO_LONG.format(maximum=facade.MAX_NOTE_CHARS, length=len(text))
        )
    text = text or ""
    filters = facade.make_filters(system=system, billable=billable, on=on)
    systems = set(filters.systems)
    wants_diagnoses = not systems or CodeSystem.ICD10CM in systems
    dx_filters = facade.make_filters(system=CodeSystem.ICD10CM, billable=True, on=on)
    texts = [with_phrases(f.coded_text) for f in coded_findings(find_findings(text))]
    weights = weights_for(text, weights)
    meaning = facade.note_meaning(texts, dx_filters) if wants_diagnoses and texts else None
    # Word (bm25) hits per finding: on the CodiEsp train notes (5-fold, zero-shot) MAP 0.3283
    # with them and 0.3279 without, but on the independent US notes 0.434 with and 0.355
    # without (search/eval/notes_independent.jsonl), so they stay although they cost ~20% of a
    # note's CPU time. Without vectors they are read when the learned parts are off (a
    # clinical record), so the Index is not the only evidence.
    learning = bool(weights.prior or weights.learned_words)
    words = (
        facade.note_words(texts, dx_filters, scaled=True)
        if wants_diagnoses and texts and (use_words or meaning is not None or not learning)
        else None
    )
    evidence, prior, origins = learned_parts(text, weights) if texts else ({}, {}, {})
    coded = code_note(
        text,
        weights=weights,
        meaning=meaning,
        words=words,
        learned=evidence,
        prior=prior,
        origins=origins,
    )
    if not coded.findings:
        return facade.NoteResults(suggestions=[], not_coded=[], spans=0, message=facade.EMPTY_NOTE)
    suggestions = diagnosis_suggestions(coded, on=on, limit=limit) if wants_diagnoses else []
    # A family finding is read only for its family history code (never a procedure).
    own = [f for f in coded.findings if f.assertion not in NOT_CODED]
    procedures = procedure_suggestions(own, system=system, on=on)
    if not wants_diagnoses:
        suggestions, procedures = procedures[:limit], []
    not_coded = [
        facade.Evidence(f.text, f.start, f.end, f.sentence, f.assertion)
        for f in find_findings(text)
        if f.assertion in NOT_CODED
    ]
    return facade.NoteResults(
        suggestions=suggestions,
        not_coded=not_coded,
        spans=len(own) + len(not_coded),
        message="" if suggestions else facade.NO_RESULTS.format(query=text[:60]),
        notices=[] if coded.is_semantic else [facade.NOTE_LEXICAL_ONLY],
        is_semantic=coded.is_semantic,
        filters=facade.describe_filters(filters),
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
        findings=finding_outputs(coded),
        procedures=procedures,
    )


def _evidence(finding: Finding | None) -> facade.Evidence:
    if finding is None:
        return facade.Evidence("", 0, 0, -1, "learned")
    return facade.Evidence(
        finding.text, finding.start, finding.end, finding.sentence, finding.assertion
    )


def diagnosis_suggestions(
    coded: CodedNote, *, on: dt.date | None, limit: int
) -> list[facade.Suggestion]:
    from medcode.search.models import Document

    codes = [e for e in coded.ranked if e.score > 0][: limit * 2]
    wanted = [e.code for e in codes]
    documents = {
        d.code: d for d in Document.objects.filter(system=CodeSystem.ICD10CM, code__in=wanted)
    }
    if on is not None and documents:
        filters = facade.make_filters(system=CodeSystem.ICD10CM, billable=True, on=on)
        allowed = facade.allowed_documents([d.pk for d in documents.values()], filters)
        documents = {c: d for c, d in documents.items() if d.pk in allowed}
    top = codes[0].score if codes else 1.0
    out = []
    for entry in codes:
        doc = documents.get(entry.code)
        if doc is None:
            continue
        finding = coded.findings[entry.finding] if entry.finding >= 0 else None
        how: Literal["meaning", "words", "both"] = "words"
        out.append(
            facade.Suggestion(
                system=doc.system,
                system_label=facade.SYSTEM_LABELS.get(doc.system, doc.system),
                code=doc.code,
                display=doc.display,
                title=doc.title,
                is_billable=doc.is_billable,
                match=how,
                score=round(entry.score / top, 4),
                url=facade.code_page_url(doc, on),
                evidence=_evidence(finding),
            )
        )
        if len(out) == limit:
            break
    return out


def finding_outputs(coded: CodedNote) -> list[FindingOut]:
    from medcode.search.models import Document

    wanted = {c for f in coded.per_finding for c, _ in f.codes}
    documents = {
        d.code: d for d in Document.objects.filter(system=CodeSystem.ICD10CM, code__in=wanted)
    }
    out = []
    for item in coded.per_finding:
        f = item.finding
        codes = [
            FindingCodeOut(c, documents[c].display, documents[c].title, s)
            for c, s in item.codes
            if c in documents
        ]
        out.append(FindingOut(f.text, f.start, f.end, f.sentence, f.assertion, codes))
    return out


def is_procedure(finding: Finding) -> bool:
    return bool(_PROCEDURE.search(finding.text) or _DRUG_GIVEN.search(finding.text))


def procedure_suggestions(
    findings: Sequence[Finding], *, system: str | Sequence[str] | None, on: dt.date | None
) -> list[facade.Suggestion]:
    """Procedure codes for the findings that describe a procedure (words and meaning)."""
    from medcode.search.models import Document

    chosen = [f for f in findings if f.assertion == "affirmed" and is_procedure(f)]
    if not chosen:
        return []
    wanted = [s for s in facade.normalise_systems(system) if s in PROCEDURE_SYSTEMS]
    filters = facade.make_filters(system=wanted or list(PROCEDURE_SYSTEMS), billable=None, on=on)
    texts = [f.text for f in chosen]
    meaning = facade.note_meaning(texts, filters) or []
    words = facade.note_words(texts, filters, scaled=bool(meaning))
    fused, sources = facade.fuse_note(meaning, words)
    ranked = fused[:MAX_PROCEDURES]
    documents = Document.objects.in_bulk([d for d, _ in ranked])
    top = ranked[0][1] if ranked else 1.0
    out = []
    for doc_id, score in ranked:
        doc = documents.get(doc_id)
        if doc is None:
            continue
        span_index, how = sources[doc_id]
        out.append(
            facade.Suggestion(
                system=doc.system,
                system_label=facade.SYSTEM_LABELS.get(doc.system, doc.system),
                code=doc.code,
                display=doc.display,
                title=doc.title,
                is_billable=doc.is_billable,
                match=how,
                score=round(score / top, 4),
                url=facade.code_page_url(doc, on),
                evidence=_evidence(chosen[span_index]),
            )
        )
    return out
