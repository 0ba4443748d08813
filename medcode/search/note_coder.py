"""Note mode: ICD-10-CM codes for a case note, ranked per finding and then across the note.

Each finding (notes_findings) is scored against the codes by three zero-shot signals — the
Alphabetic Index read like a coder (index_matcher), word matches (bm25) and, when the
vectors are built, meaning — plus long-term drug use ("on warfarin" -> Z79.01), a stated
BMI beside a weight diagnosis (bmi.py), a relative's condition as its family history code
(family_history.py; the condition itself never), a device, operation or dependence of the
past as its status code (note_status.py: "s/p CABG" Z95.1), the combination code of two
findings the guidelines link (note_combinations.py: "type 2 diabetes" and "CKD stage 3"
E11.22) and, in a clinical record, smoking as the Index reads it (tobacco.py). Codes the
patient cannot have (a man and a pregnancy code, an adult and a perinatal code) are dropped,
7th-character siblings collapse to one, and repeats of a category weigh less. Optionally
(learned.py), a per-code prior and word -> code associations learned from a coder-labelled
corpus of case reports are added; a note written as a clinical record gets them scaled by
`Weights.record_learned`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from medcode.search.bmi import adult_ranges, bmi_code
from medcode.search.codebook import CodeBook, fits_patient, load_codebook, seventh_character_stem
from medcode.search.drug_table import load_drug_table
from medcode.search.drug_use import LongTermTable, find_drug_use, load_long_term_table
from medcode.search.external_causes import load_external_index
from medcode.search.family_history import (
    FamilyTable,
    family_wording,
    load_family_table,
    resolve_family,
)
from medcode.search.index_matcher import AlphabeticIndex, load_index, stems
from medcode.search.neoplasm_morphology import morphology_hits
from medcode.search.note_combinations import REPLACED_WEIGHT, combinations, replaced_codes
from medcode.search.note_status import is_status_finding, status_hits
from medcode.search.notes_findings import (
    NOT_CODED,
    Finding,
    Patient,
    coded_findings,
    find_findings,
    is_clinical_record,
    read_patient,
    statement_start,
)
from medcode.search.tobacco import index_words, smoking


@dataclass(frozen=True)
class Weights:
    index: float = 1.0
    words: float = 0.3
    meaning: float = 1.0
    support: float = 0.1  # x log(1 + findings that suggest the code)
    category_repeat: float = 0.85  # the n-th code of a category is scaled by this ** (n-1)
    history_condition: float = 0.6  # a past condition, beside its personal-history code
    # "on <drug>" -> its Z79 code, a fact stated as surely as a BMI (2.0): at 1.2 the Z79
    # codes ranked below symptoms; at 2.0 the five US dev sets' mean MAP went 0.4529 ->
    # 0.4783 (none lower) and CodiEsp dev moved -0.0001 learned, -0.0004 zero-shot.
    drug_use: float = 2.0
    bmi: float = 2.0  # a stated BMI beside a weight diagnosis (bmi.py)
    # a relative's condition -> its family history code (family_history.py): stated nearly
    # as surely as a drug in use or a BMI (2.0)
    family_history: float = 1.5
    # a smoker's F17.2- or a former smoker's Z87.891 in a clinical record (tobacco.py)
    tobacco: float = 1.2
    # x a sign or symptom (chapter R) read before the note's diagnostic statement, or in what
    # a drug is given for ("acetaminophen for pain"): a coder codes a symptom from the
    # Assessment, not every complaint of the history (a definitive diagnosis makes its
    # symptoms integral). At 0.6 the US dev sets' mean MAP went 0.4529 -> 0.4635, none lower.
    symptom_before_statement: float = 0.6
    # a status code (note_status: "s/p CABG" Z95.1, "on hemodialysis" Z99.2), as a full Index hit
    status: float = 1.0
    # a combination code across findings (note_combinations: diabetes or hypertension "with"
    # another condition the note states), scored as a full Index hit
    combination: float = 1.0
    prior: float = 0.0  # learned: x per-code prior
    learned_words: float = 0.0  # learned: x word -> code association
    # within it, x the note-level association and x the sentence-level one (learned.py)
    learned_note_share: float = 1.0
    learned_sentence_share: float = 0.0
    learned_alone: float = 1.0  # and x this for a code the note gives no other evidence for
    # Learned parts weigh categories, the note's own words pick the code inside one: the
    # learned evidence for a code goes to the category's code the note itself supports best,
    # and the prior is the category's (so CodiEsp's frequent E11.9 never outranks the
    # E11.22 a US note spells out).
    learned_by_category: bool = False
    # x the prior and the learned evidence for a note written as a clinical record
    # (notes_findings.is_clinical_record) rather than as a case report like the corpus's.
    record_learned: float = 1.0


ZERO_SHOT = Weights()
PER_FINDING = 3
# Codes only the learned parts suggest: the strongest this many are considered (a note is
# shown at most 100 codes; checking every code the corpus associates cost ~50 ms a note).
LEARNED_ALONE_DEPTH = 150
# An index hit scores this much, plus the rest by the share of the finding it covers.
INDEX_FLOOR = 0.6
# Main terms that name an encounter or a service, not a condition: in a note they are
# almost always the narrative ("examination revealed"), never something to code.
SKIPPED_MAIN_TERMS = frozenset(
    {
        "examination",
        "admission",
        "encounter",
        "observation",
        "test",
        "procedure",
        "follow-up",
        "aftercare",
        "care",
        "screening",
        "counseling",
        "attention",
        "status",
        "history",
        "presence",
        "problem",
        "findings",
        "patient",
        "person",
        "result",
        "present",
        "normal",
        "old",
        "new",
        "late",
        "long",
        "short",
        "large",
        "small",
        "high",
        "low",
        "state",
        "change",
        "complaint",
        "discharge",
    }
)


@dataclass
class CodeScore:
    code: str
    score: float
    finding: int  # index into the findings of its best evidence
    sources: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class FindingCodes:
    finding: Finding
    codes: list[tuple[str, float]]  # best first, at most PER_FINDING


@dataclass(frozen=True)
class CodedNote:
    findings: list[Finding]
    per_finding: list[FindingCodes]
    ranked: list[CodeScore]
    patient: Patient
    is_semantic: bool


# Clinicians' names for conditions the Index words otherwise: "failed back (surgery)
# syndrome" is the postlaminectomy syndrome of M96.1.
NOTE_PHRASES: dict[str, str] = {
    "failed back syndrome": "postlaminectomy syndrome",
    "failed back surgery syndrome": "postlaminectomy syndrome",
    "fbss": "postlaminectomy syndrome",
    # A pacemaker in a note is the heart's (Presence, cardiac, pacemaker Z95.0; Status,
    # pacemaker, cardiac Z95.0): the Index names the brain's apart (Status, pacemaker, brain).
    "pacemaker": "cardiac pacemaker",
    # Status, coronary artery bypass graft Z95.1 (laywords reads CABG without "graft")
    "cabg": "coronary artery bypass graft",
    # Dependence, on, renal dialysis (hemodialysis) (peritoneal) Z99.2: the nonessential
    # modifiers name the kinds; the Index's own words are "renal dialysis"
    "hemodialysis": "renal dialysis",
    "peritoneal dialysis": "renal dialysis",
    # A joint replaced is the Index's joint implant (Replacement by artificial or mechanical
    # device or prosthesis of, joint, hip / knee: see Presence, hip / knee joint implant;
    # Presence, shoulder-, ankle-, elbow-, wrist-joint implant Z96.61- to Z96.66-).
    **{
        f"{joint} {done}": f"{joint} joint implant"
        for joint in ("hip", "knee", "shoulder", "ankle", "elbow", "wrist")
        for done in ("replacement", "arthroplasty")
    },
}
_TOKEN = re.compile(r"[a-z0-9]+")


def expansions(text: str) -> list[str]:
    """The finding's abbreviations spelt out (laywords.ABBREVIATIONS) and clinicians' phrases
    in the Index's words, each read on its own so its words join no other term."""
    from medcode.search.laywords import ABBREVIATIONS

    low = text.lower()
    extra = [
        expansion for token in _TOKEN.findall(low) for expansion in ABBREVIATIONS.get(token, ())[:1]
    ]
    # the clinicians' phrases in the finding and in its abbreviations spelt out ("TKA":
    # total knee arthroplasty -> knee joint implant)
    spelt = " ".join([low, *extra])
    extra.extend(words for phrase, words in NOTE_PHRASES.items() if phrase in spelt)
    return list(dict.fromkeys(extra))


def with_phrases(text: str) -> str:
    """The finding with its clinicians' phrases in the Index's words appended, so the word
    and vector searches read what the Index reads ("failed back syndrome" -> also
    "postlaminectomy syndrome")."""
    low = text.lower()
    extra = [words for phrase, words in NOTE_PHRASES.items() if phrase in low]
    return "; ".join([text, *dict.fromkeys(extra)])


def weights_for(text: str, weights: Weights) -> Weights:
    """`weights` for this note: in a clinical record the learned parts are scaled by
    `weights.record_learned` (the result has it at 1, so applying it twice changes nothing)."""
    if weights.record_learned == 1.0 or not (weights.prior or weights.learned_words):
        return weights
    if not is_clinical_record(text):
        return replace(weights, record_learned=1.0)
    scale = weights.record_learned
    return replace(
        weights,
        prior=weights.prior * scale,
        learned_words=weights.learned_words * scale,
        record_learned=1.0,
    )


# "<drug> ... for <symptom>": what a drug is given for ("acetaminophen for pain",
# "ondansetron 4 mg IV for vomiting"), a purpose rather than a finding of its own.
_INDICATION = re.compile(r"^\W*([A-Za-z][\w-]+)\b[^.;:]{0,40}?\bfor\b", re.IGNORECASE)


def is_indication(text: str, drugs: LongTermTable) -> bool:
    """Whether the finding starts with a drug of the Table of Drugs (or one the Index names
    for long-term use) and says what it is for."""
    m = _INDICATION.match(text)
    if m is None:
        return False
    name = m.group(1).lower()
    return name in drugs.drug_class or name in drugs.by_name


def index_hits(index: AlphabeticIndex, book: CodeBook, text: str) -> list[tuple[str, float, str]]:
    """(billable code, score in [0, 1], index path) for one finding."""
    out: list[tuple[str, float, str]] = []
    seen: set[str] = set()
    for reading in [text, *expansions(text)]:
        words = frozenset(stems(reading))
        if not words:
            continue
        # A skipped main term is not read at all: had its path to a code been kept, the code's
        # path through another main term ("Breath > shortness" for "Short > breath") is lost.
        hits = index.lookup(reading, skip=SKIPPED_MAIN_TERMS)
        hits = [*hits, *morphology_hits(index, reading, hits)]
        top = max((h.words for h in hits), default=1)
        for hit in hits:
            code = book.resolve(hit.code, words)
            if code is None or code in seen:
                continue
            seen.add(code)
            # More of the finding's words on the path: a more specific, more certain code.
            out.append((code, INDEX_FLOOR + (1 - INDEX_FLOOR) * hit.words / top, hit.path))
    return out


def history_hits(index: AlphabeticIndex, book: CodeBook, text: str) -> list[tuple[str, float]]:
    """Personal history codes (Z85-Z87 ...) for a past condition, from "History, personal"."""
    words = frozenset(stems(f"{text} history personal"))
    found = index.lookup_under("history", words)
    out = []
    for hit in found:
        if "> family" in hit.path.lower():
            continue
        code = book.resolve(hit.code, words)
        if code:
            out.append((code, 1.0))
    return out[:2]


def family_hits(
    index: AlphabeticIndex, book: CodeBook, table: FamilyTable, text: str
) -> list[tuple[str, float]]:
    """Family history codes (Z80-Z84) for a relative's condition (family_history.py): the
    Index's "History, family" subterm the finding names, else the code the relative's
    condition would have, placed by the Tabular's inclusion terms. Never the condition."""
    words = frozenset(stems(f"{family_wording(text)} history family"))
    out: dict[str, float] = {}
    for hit in index.lookup_under("history", words):
        if "> family >" in hit.path.lower():
            code = book.resolve(hit.code, words)
            if code:
                out[code] = max(out.get(code, 0.0), 1.0)
    if out:
        return sorted(out.items(), key=lambda item: -item[1])
    hits = index_hits(index, book, text)
    top = max((score for _, score, _ in hits), default=0.0)
    for condition, score, _ in hits:
        family = table.code_for(condition) if score >= top else None
        if family is None:
            continue
        code = resolve_family(book, family, words | book.words(condition))
        if code and score > out.get(code, 0.0):
            out[code] = score
    return sorted(out.items(), key=lambda item: -item[1])


# The section "Persons encountering health services for examinations (Z00-Z13)" of chapter
# 21 (icd10cm_chapters_sections_2026): the reason for a visit ("Encounter for follow-up
# examination after completed treatment" Z09, "... general adult medical examination" Z00.0-).
# A case report tells a course, not a visit: its "at 30 months of follow-up" is narrative
# (SKIPPED_MAIN_TERMS skips the Index's "Examination", "Follow-up" for the same reason; this
# keeps the word and meaning searches' hits on those titles out too). A clinical record keeps
# them: it is the visit (a well-child check with abnormal findings Z00.121, a screening for
# colon cancer Z12.11).
EXAMINATION_ENCOUNTERS = ("Z00", "Z13")


def is_examination_encounter(code: str) -> bool:
    low, high = EXAMINATION_ENCOUNTERS
    return low <= code[:3] <= high


# Long-term codes a case report's drug course does not give (note_evidence).
CASE_REPORT_COURSES = frozenset({"Z7951", "Z7952", "Z79891"})

# What a finding about the patient's smoking may be coded as; the rest of its signals'
# tobacco codes are replaced by the one its smoking gives (tobacco.py).
_TOBACCO = re.compile(r"^(?:F172|Z87891|Z720)")


def tobacco_codes(
    index: AlphabeticIndex,
    book: CodeBook,
    finding: Finding,
    note: str,
    scores: dict[str, float],
    weight: float,
) -> None:
    """A current smoker's F17.2- ("Smoker, see Dependence, drug, nicotine"), a former
    smoker's Z87.891 ("History, personal, nicotine dependence"), a non-smoker's nothing, in
    place of the tobacco codes the finding's other signals gave (in `scores`, in place).
    The product is the note's: "current smoker, 1 pack of cigarettes a day" is F17.210."""
    kind = smoking(finding.text, is_history=finding.assertion == "history")
    if kind is None:
        return
    for code in [c for c in scores if _TOBACCO.match(c)]:
        del scores[code]
    found: list[tuple[str, float]] = []
    if kind == "current":
        found = [(c, s) for c, s, _ in index_hits(index, book, index_words(note, kind))]
    elif kind == "former":
        found = history_hits(index, book, index_words(finding.text, kind))
    for code, score in found:
        if _TOBACCO.match(code):
            scores[code] = max(scores.get(code, 0.0), weight * score)


def add_learned(
    best: dict[str, CodeScore],
    learned: dict[str, float],
    prior: dict[str, float],
    weights: Weights,
    *,
    allowed: Callable[[str], bool],
    origins: dict[str, int] | None = None,
) -> None:
    """Add the learned evidence and prior to the note's own scores (`best`, in place). With
    `weights.learned_by_category` a code's learned evidence goes to the code of its category
    that the note's own evidence ranks first, and the prior is the category's, so the
    learned parts choose categories and the note's words choose the code inside one.
    `origins`: the finding a learned code's evidence came from (sentence-level), shown as
    its evidence when the note gives the code no other."""
    own_best: dict[str, str] = {}  # category -> the code the note's own evidence ranks first
    if weights.learned_by_category:
        for code, entry in best.items():
            held = own_best.get(code[:3])
            if held is None or entry.score > best[held].score:
                own_best[code[:3]] = code
    boosts: dict[str, float] = {}
    added = 0
    if weights.learned_words:
        for code, value in sorted(learned.items(), key=lambda item: -item[1]):
            target = own_best.get(code[:3], code)
            if target not in best and added >= LEARNED_ALONE_DEPTH:
                continue
            if not allowed(code):
                continue
            if target not in best:
                added += 1
                best[target] = CodeScore(target, 0.0, (origins or {}).get(code, -1))
            alone = weights.learned_alone if best[target].score == 0 else 1.0
            boosts[target] = max(boosts.get(target, 0.0), weights.learned_words * value * alone)
    for code, boost in boosts.items():
        best[code].score += boost
    if prior and weights.prior:
        by_category: dict[str, float] = {}
        if weights.learned_by_category:
            for code, value in prior.items():
                by_category[code[:3]] = max(by_category.get(code[:3], 0.0), value)
        # Only for codes the note gives evidence for: a frequent code alone is no finding.
        for code, entry in best.items():
            entry.score += weights.prior * by_category.get(code[:3], prior.get(code, 0.0))


def add_combinations(
    index: AlphabeticIndex,
    book: CodeBook,
    coded: list[Finding],
    note: list[Finding],
    per_finding: list[dict[str, float]],
    weight: float,
) -> None:
    """The combination codes across the note's findings (note_combinations: "type 2
    diabetes" and "CKD stage 3" -> E11.22), each at its other condition's finding, and the
    codes they replace (E11.9, I10) weighed down, in `per_finding` (in place)."""
    texts = [" ".join([f.coded_text, *expansions(f.coded_text)]) for f in coded]
    found = combinations(index, book, coded, texts, note)
    for combo in found:
        scores = per_finding[combo.finding]
        scores[combo.code] = max(scores.get(combo.code, 0.0), weight)
    replaced = replaced_codes(book, [c.code for c in found])
    for scores in per_finding:
        for code in replaced & scores.keys():
            scores[code] *= REPLACED_WEIGHT


@dataclass(frozen=True)
class NoteEvidence:
    """What the note itself says, before the learned parts: per coded finding its codes'
    scores, and per code its best score and finding (`best`)."""

    coded: list[Finding]
    patient: Patient
    per_finding: list[dict[str, float]]
    best: dict[str, CodeScore]
    allowed: Callable[[str], bool]  # what learned evidence may add
    is_semantic: bool


def code_note(
    text: str,
    *,
    weights: Weights = ZERO_SHOT,
    meaning: Sequence[Sequence[tuple[int, float]]] | None = None,
    words: Sequence[Sequence[tuple[int, float]]] | None = None,
    learned: dict[str, float] | None = None,
    prior: dict[str, float] | None = None,
    origins: dict[str, int] | None = None,
) -> CodedNote:
    """Rank ICD-10-CM codes for `text`. `meaning` and `words` are, per coded finding, the
    (document id, score in [0, 1]) hits of the vector and word searches; `learned` the
    note-level learned evidence per code and `prior` the learned per-code prior, both in
    [0, 1] (weighted by `weights`, and in a clinical record by `weights.record_learned`)."""
    weights = weights_for(text, weights)
    evidence = note_evidence(text, weights=weights, meaning=meaning, words=words)
    return rank_note(evidence, weights=weights, learned=learned, prior=prior, origins=origins)


def note_evidence(
    text: str,
    *,
    weights: Weights = ZERO_SHOT,
    meaning: Sequence[Sequence[tuple[int, float]]] | None = None,
    words: Sequence[Sequence[tuple[int, float]]] | None = None,
) -> NoteEvidence:
    """The note's own evidence per finding and per code (the zero-shot signals)."""
    from medcode.ops.generation import current

    token = current().token
    index = load_index(token)
    book = load_codebook(token)
    drugs = load_long_term_table(token)
    findings = find_findings(text)
    coded = coded_findings(findings)
    patient = read_patient(text)
    bmi_ranges = adult_ranges(book)
    # A clinical record's smoking is read as the Index reads it; a case report's is left to
    # its signals (CodiEsp dev, learned: 0.4522 -> 0.4507 with the reading there too).
    is_record = bool(weights.tobacco) and is_clinical_record(text)
    # Status and combination codes are read the US coder's way, in a clinical record only: on
    # CodiEsp's case reports, with them (and the other readings of 150b2b0) dev MAP went
    # 0.4506 -> 0.4484 learned, 0.3276 -> 0.3196 zero-shot (their coders list E11.9 and I10
    # beside the complications, and few status codes).
    us_record = is_clinical_record(text)
    statement = statement_start(text) if weights.symptom_before_statement != 1.0 else None

    # Drug use is read in the whole note, so a medication list ("Medications: amlodipine
    # 10 mg daily, aspirin 81 mg daily"), which the finding split cuts from its heading,
    # counts; each use stays with the finding it is in (a denied one is never coded).
    uses = find_drug_use(text, drugs)
    if not us_record:
        # A case report's steroids and opioids are a course given in the story ("was started
        # on prednisone"), rarely coded as long-term use by its coders (kept out while its MAP
        # is measured; see is_record above).
        uses = [u for u in uses if u.code not in CASE_REPORT_COURSES]
    per_finding_scores: list[dict[str, float]] = []
    for i, finding in enumerate(coded):
        scores: dict[str, float] = defaultdict(float)
        for code, score, _ in index_hits(index, book, finding.coded_text):
            if finding.assertion == "history":
                score *= weights.history_condition
            scores[code] = max(scores[code], weights.index * score)
        if finding.assertion == "history":
            for code, score in history_hits(index, book, finding.coded_text):
                scores[code] = max(scores[code], weights.index * score)
        if weights.status and us_record and is_status_finding(finding):
            read = [finding.coded_text, *expansions(finding.coded_text)]
            for code, score in status_hits(index, book, read):
                scores[code] = max(scores[code], weights.status * score)
        for source, weight in ((words, weights.words), (meaning, weights.meaning)):
            if source is None or i >= len(source):
                continue
            for doc_id, score in source[i]:
                found = book.by_id.get(doc_id)
                if found is not None and book.is_billable(found):
                    scores[found] += weight * score
        for use in uses:
            if finding.start <= use.start < finding.end:
                scores[use.code] = max(scores[use.code], weights.drug_use)
        bmi = bmi_code(finding.text, text, bmi_ranges, age=patient.age) if weights.bmi else None
        if bmi:
            scores[bmi] = max(scores[bmi], weights.bmi)
        if is_record:
            tobacco_codes(index, book, finding, text, scores, weights.tobacco)
        if (statement is not None and finding.start < statement) or is_indication(
            finding.text, drugs
        ):
            for code in scores:
                if code.startswith("R"):
                    scores[code] *= weights.symptom_before_statement
        per_finding_scores.append(
            {
                c: s
                for c, s in scores.items()
                if fits_patient(c, sex=patient.sex, age=patient.age)
                and (us_record or not is_examination_encounter(c))
            }
        )

    if weights.combination and us_record:
        add_combinations(index, book, coded, findings, per_finding_scores, weights.combination)

    # A relative's condition gives its family history code (never the condition itself);
    # the family findings follow the coded ones, so a code's evidence can point at one.
    family = [f for f in findings if f.assertion == "family"] if weights.family_history else []
    if family:
        table = load_family_table(token)
        for finding in family:
            scores = {
                code: weights.family_history * score
                for code, score in family_hits(index, book, table, finding.text)[:PER_FINDING]
            }
            coded.append(finding)
            per_finding_scores.append(scores)

    best: dict[str, CodeScore] = {}
    support: dict[str, int] = defaultdict(int)
    for i, scores in enumerate(per_finding_scores):
        for code, score in scores.items():
            support[code] += 1
            old = best.get(code)
            if old is None or score > old.score:
                best[code] = CodeScore(code, score, i)
    for code, entry in best.items():
        entry.score += weights.support * math.log1p(support[code] - 1)
    # What the note denies or gives to a relative is never added by learned evidence alone.
    denied = {
        code
        for finding in findings
        if finding.assertion in NOT_CODED
        for code, _, _ in index_hits(index, book, finding.text)
    }
    denied_words = [frozenset(stems(f.text)) for f in findings if f.assertion in NOT_CODED]

    def allowed(code: str) -> bool:
        return (
            code not in denied
            and not any(book.words(code) <= w for w in denied_words if book.words(code))
            and book.is_billable(code)
            and fits_patient(code, sex=patient.sex, age=patient.age)
        )

    return NoteEvidence(
        coded=coded,
        patient=patient,
        per_finding=per_finding_scores,
        best=best,
        allowed=allowed,
        is_semantic=meaning is not None,
    )


def rank_note(
    evidence: NoteEvidence,
    *,
    weights: Weights = ZERO_SHOT,
    learned: dict[str, float] | None = None,
    prior: dict[str, float] | None = None,
    origins: dict[str, int] | None = None,
) -> CodedNote:
    """The note's codes ranked across the note: its own evidence plus the learned parts,
    7th-character siblings collapsed (`evidence` is not changed)."""
    best = {
        c: CodeScore(e.code, e.score, e.finding, set(e.sources)) for c, e in evidence.best.items()
    }
    add_learned(
        best, learned or {}, prior or {}, weights, allowed=evidence.allowed, origins=origins
    )
    ranked = collapse(sorted(best.values(), key=lambda e: -e.score), weights.category_repeat)
    per_finding = [
        FindingCodes(
            finding=evidence.coded[i],
            codes=[
                (c, round(s, 4))
                for c, s in sorted(scores.items(), key=lambda item: -item[1])[:PER_FINDING]
            ],
        )
        for i, scores in enumerate(evidence.per_finding)
        if scores
    ]
    return CodedNote(
        findings=evidence.coded,
        per_finding=per_finding,
        ranked=ranked,
        patient=evidence.patient,
        is_semantic=evidence.is_semantic,
    )


# Categories whose codes are separate facts, never alternatives for one finding: each
# drug in use has its own Z79 code (the Tabular's "use additional code" note at E11 names
# insulin Z79.4, oral antidiabetic Z79.84 and injectable non-insulin Z79.85 drugs), so a
# second one is not a sibling to push down.
SEPARATE_FACTS = frozenset({"Z79"})


def collapse(ranked: list[CodeScore], repeat: float) -> list[CodeScore]:
    """One code per 7th-character family (the best scored, which resolution made the
    initial encounter), and each further code of a category scaled by `repeat`
    (except in SEPARATE_FACTS)."""
    families: set[str] = set()
    per_category: dict[str, int] = defaultdict(int)
    kept: list[CodeScore] = []
    for entry in ranked:
        family = seventh_character_stem(entry.code)
        if family is not None:
            if family in families:
                continue
            families.add(family)
        n = 0 if entry.code[:3] in SEPARATE_FACTS else per_category[entry.code[:3]]
        per_category[entry.code[:3]] += 1
        entry.score *= repeat**n
        kept.append(entry)
    kept.sort(key=lambda e: -e.score)
    return kept


def load_note_tables() -> None:
    """Load what note mode and the search box read (the Index, the billable codes, the drug
    classes, the learned file, the family-history notes, the Table of Drugs and the Index to
    External Causes) for the current data, so the first note or query is not the one that
    waits (the last three took 0.03-0.15 s each on the shared data)."""
    from medcode.ops.generation import current
    from medcode.search.learned import load_learned

    token = current().token
    load_index(token)
    load_codebook(token)
    load_long_term_table(token)
    load_family_table(token)
    load_drug_table(token)
    load_external_index(token)
    load_learned()
    from medcode.search.pcs_build import loaded_groups
    from medcode.search.pcs_keys import loaded_keys
    from medcode.search.procedures import pcs_vocabulary
    from medcode.search.wordforms import load_forms

    pcs_vocabulary()  # the search box reads procedure queries with it
    loaded_keys()  # and the PCS Body Part and Device Keys (about 59 ms once per data generation)
    loaded_groups()  # and the PCS tables' rows it builds codes from (0.5-1.5 s)
    load_forms(token)  # and lay word forms ("snore": Snoring) with this (0.2 s)
